"""Sphinx configuration of lr_plots' documentation site: Markdown pages (myst-parser), the furo theme,
and every picture drawn by lr_plots' own Sphinx extension as the build starts.

Built by `doit docs` (dodo.py), which runs `python -m sphinx -b html -W --keep-going -n docs
docs/_build/html`: warnings are errors and every cross-reference must resolve."""

import sys
from pathlib import Path

import lr_plots

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))  # spec_gallery, the extension of this site's gallery pages

project = "lr_plots"
author = "the lr_plots developers"
copyright = "2026, the lr_plots developers"
release = version = lr_plots.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "lr_plots.sphinx",
    "spec_gallery",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_ext"]
# Anchors for headings down to ###, so that a link such as writing-specs.md#steps resolves;
# definition lists (a term, then `: its meaning`).
myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]

# lr_plots.sphinx: the reference specs shipped in the package (the default lr_plots_specs), drawn
# into a folder of the build; relative to this folder. The example folders' pictures go beside it,
# in _build/pictures/<library> (spec_gallery).
lr_plots_out = "_build/pictures/torch"
# The example folders shown in the gallery, each where its library is installed.
lr_plots_docs_examples = ["transformers", "timm", "ignite"]

html_theme = "furo"
html_title = f"lr_plots {release}"
html_static_path = ["_static"]
html_css_files = ["lr_plots_docs.css"]

# The API page: types from the signatures, shown as written. matplotlib's Figure and the abstract
# collections are not documented here, and intersphinx would need the network to link them.
autodoc_typehints = "signature"
autodoc_type_aliases = {"Figure": "matplotlib.figure.Figure"}
nitpick_ignore = [
    ("py:class", "matplotlib.figure.Figure"),
    ("py:class", "collections.abc.Callable"),
    ("py:class", "collections.abc.Mapping"),
    ("py:class", "collections.abc.Sequence"),
]
