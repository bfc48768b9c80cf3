"""The gallery pages of lr_plots' documentation site, written as the docs build reads them.

A page holding the line `<!-- spec-gallery: torch -->` gets, in its place, every picture of the
reference specs (lr_plots_specs, drawn into lr_plots_out by lr_plots.sphinx), each shown with the
`lr-schedule` directive beside its spec's source; `<!-- spec-gallery: LIBRARY -->` does the same for
the folder examples/LIBRARY, whose pictures are drawn by `lr-plots` run from here while the
reference pictures are drawn, and shown with `figure` and the call as its caption. A spec file added
to a folder appears with no page edited: the gallery pages are read again by every build.

Settings: `lr_plots_docs_examples`, the example folders to draw (a library that is not installed is
left out, its page saying so). The explorer page of lr_plots_out is copied into the site, as
_explorer/explore.html."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

import lr_plots
from lr_plots.curve_files import read_metadata
from lr_plots.discovery import find_spec_files
from lr_plots.error_messages import LoadError

logger = logging.getLogger(__name__)
PROJECT = Path(__file__).resolve().parents[2]
EXAMPLES = PROJECT / "examples"
MARKER = re.compile(r"^<!-- spec-gallery: (?P<folder>[\w-]+) -->$", re.MULTILINE)
# The module each example folder's library is imported as.
LIBRARY_MODULES = {"transformers": "transformers", "timm": "timm", "ignite": "ignite"}
# For the timm build only: timm.scheduler without timm's models where torchvision does not load.
TIMM_SHIM = Path(__file__).resolve().parent / "timm_without_models"
# The folder holding the lr_plots package this process runs.
PACKAGE_PARENT = Path(lr_plots.__file__).resolve().parents[1]
EXPLORER_FILES = ("explore.html", "plotly.min.js")
EXPLORER_FOLDER = "_explorer"

# The example builds under way, by library, from builder-inited until they are waited for, each with
# the file its output goes to: a file, not a pipe, so that waiting for a build is waiting for its
# process, whatever process it leaves holding its output.
_builds: dict[str, tuple[subprocess.Popen[bytes], IO[bytes]]] = {}


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("lr_plots_docs_examples", list(LIBRARY_MODULES), "env", list)
    # Around lr_plots.sphinx's own handler (priority 500), which draws the reference pictures: the
    # example folders are drawn at the same time.
    app.connect("builder-inited", start_example_builds, priority=400)
    app.connect("builder-inited", finish_example_builds, priority=600)
    app.connect("env-get-outdated", gallery_pages)
    app.connect("source-read", write_gallery)
    app.connect("build-finished", copy_explorer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def conf_folder(app: Sphinx) -> Path:
    return Path(app.confdir or app.srcdir).resolve()


def reference_folders(app: Sphinx) -> tuple[Path, Path]:
    """The spec folder and the output folder of lr_plots.sphinx."""
    return conf_folder(app) / app.config.lr_plots_specs, conf_folder(app) / app.config.lr_plots_out


def example_output(app: Sphinx, library: str) -> Path:
    """Where the pictures of examples/<library> go: beside lr_plots.sphinx's output folder."""
    return reference_folders(app)[1].parent / library


def left_out(app: Sphinx, library: str) -> str | None:
    """Why examples/<library> is not drawn in this build, or None if it is."""
    chosen = app.config.lr_plots_docs_examples
    if library not in chosen:
        return f"it is not in this build's lr_plots_docs_examples ({', '.join(chosen) or 'none'})"
    if library not in LIBRARY_MODULES or not (EXAMPLES / library).is_dir():
        return f"there is no example folder examples/{library}"
    if importlib.util.find_spec(LIBRARY_MODULES[library]) is None:
        return f"{LIBRARY_MODULES[library]} is not installed"
    return None


def start_example_builds(app: Sphinx) -> None:
    """Start `lr-plots -c -n N specs=examples/<library> out=... plot` for each example folder drawn."""
    unknown = set(app.config.lr_plots_docs_examples) - set(LIBRARY_MODULES)
    if unknown:
        logger.warning(
            "spec_gallery: lr_plots_docs_examples names %s; the example folders are %s",
            ", ".join(sorted(unknown)),
            ", ".join(LIBRARY_MODULES),
            type="spec_gallery",
        )
    config = app.config
    # As many worker processes, and the same warm torch process's wait, as lr_plots.sphinx's build.
    options = ["-n", str(config.lr_plots_processes if config.lr_plots_processes > 1 else 0)]
    if config.lr_plots_daemon is not None:
        options.append(f"daemon={config.lr_plots_daemon}")
    for library in LIBRARY_MODULES:
        reason = left_out(app, library)
        if reason is not None:
            logger.info("spec_gallery: examples/%s left out: %s", library, reason)
            continue
        out = example_output(app, library)
        # The lr_plots this process runs (-P: not one in the folder of conf.py), as lr_plots.sphinx does.
        command = [sys.executable, "-P", "-m", "lr_plots.command", "-c", *options]
        command += [f"specs={EXAMPLES / library}", f"out={out}", "plot"]
        path = [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH", "")]
        if library == "timm":
            path.insert(0, str(TIMM_SHIM))
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path))}
        output = tempfile.TemporaryFile()
        build = subprocess.Popen(
            command, cwd=conf_folder(app), env=environment, stdout=output, stderr=subprocess.STDOUT
        )
        _builds[library] = build, output
    if _builds:
        logger.info("spec_gallery: drawing the pictures of examples/%s", ", examples/".join(_builds))


def finish_example_builds(app: Sphinx) -> None:
    """Wait for the example builds; a failed one is a warning with what it printed."""
    for library, (build, file) in list(_builds.items()):
        build.wait()
        file.seek(0)
        output = file.read().decode(errors="replace")
        file.close()
        del _builds[library]
        if build.returncode != 0:
            logger.warning(
                "spec_gallery: the pictures of examples/%s: lr-plots exited with status %d:\n%s",
                library,
                build.returncode,
                output.strip(),
                type="spec_gallery",
            )
        else:
            logger.info("spec_gallery: examples/%s drawn into %s", library, example_output(app, library))


def gallery_pages(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Every page holding a gallery marker, read again by every build: its spec folder may have
    gained a spec, which no dependency of the page tells Sphinx."""
    return [
        docname
        for docname in sorted(env.found_docs)
        if MARKER.search(Path(env.doc2path(docname)).read_text(encoding="utf-8"))
    ]


def write_gallery(app: Sphinx, docname: str, source: list[str]) -> None:
    """Replace each gallery marker of the page with the Markdown of its pictures."""
    page_folder = Path(app.env.doc2path(docname)).parent
    depth = docname.count("/")

    def gallery(match: re.Match[str]) -> str:
        folder = match["folder"]
        if folder == "torch":
            return reference_gallery(app, page_folder, depth)
        return example_gallery(app, folder, page_folder)

    source[0] = MARKER.sub(gallery, source[0])


def relative(path: Path, folder: Path) -> str:
    return Path(os.path.relpath(path, folder)).as_posix()


def shown_path(path: Path) -> str:
    """A spec file's path as the reader knows it: from the project's folder when inside it."""
    try:
        return path.resolve().relative_to(PROJECT).as_posix()
    except ValueError:
        return path.name


def source_block(spec: Path, page_folder: Path) -> str:
    return (
        f"```{{literalinclude}} {relative(spec, page_folder)}\n"
        f":caption: {shown_path(spec)}\n:language: python\n```\n"
    )


def reference_gallery(app: Sphinx, page_folder: Path, depth: int) -> str:
    """The reference pictures, curves first, then the comparisons, each with its spec's source."""
    spec_folder, out = reference_folders(app)
    try:
        specs, comparisons = find_spec_files(str(spec_folder), str(out), app.config.lr_plots_format)
    except LoadError as error:
        logger.warning("spec_gallery: %s", error, type="spec_gallery")
        return ""
    explorer = "../" * depth + f"{EXPLORER_FOLDER}/explore.html"
    parts = ["## Schedulers\n"]
    for spec in specs:
        parts.append(
            f"(gallery-torch-{spec.name})=\n### {spec.name}\n\n"
            f"```{{lr-schedule}} {spec.name}\n```\n\n"
            f'<p class="spec-gallery-explore"><a href="{explorer}#{spec.name}">{spec.name} in the '
            "explorer</a>, over three reference curves</p>\n\n" + source_block(Path(spec.path), page_folder)
        )
    if comparisons:
        parts.append("## Comparisons\n")
    for comparison in comparisons:
        members = ", ".join(f"{{ref}}`{name} <gallery-torch-{name}>`" for name in comparison.members)
        normalized = " (each LR over its base LR)" if comparison.normalize else ""
        parts.append(
            f"(gallery-torch-{comparison.name})=\n### {comparison.name}\n\n"
            f"```{{lr-schedule}} {comparison.name}\n```\n\n"
            f"It overlays the curves of {members}{normalized}.\n\n"
            + source_block(Path(comparison.path), page_folder)
        )
    return "\n".join(parts)


def example_gallery(app: Sphinx, library: str, page_folder: Path) -> str:
    """The pictures of examples/<library>, each with its spec's source, or why there are none."""
    reason = left_out(app, library)
    if reason is not None:
        note = f"This build of the site leaves out the pictures of examples/{library}: {reason}."
        return f"```{{note}}\n{note}\n```\n"
    out = example_output(app, library)
    picture_format = app.config.lr_plots_format
    parts = []
    for spec in sorted((EXAMPLES / library).glob("*.py")):
        name = spec.stem
        picture, metadata = out / f"{name}.{picture_format}", out / f"{name}.json"
        entry = f"(gallery-{library}-{name})=\n## {name}\n\n"
        try:
            title = str(read_metadata(metadata)["title"])
        except (OSError, ValueError, KeyError, TypeError):
            title = None
        if title is None or not picture.is_file():
            logger.warning("spec_gallery: examples/%s/%s.py has no picture in %s", library, name, out)
            entry += "*No picture: its build failed.*\n\n"
        else:
            app.env.note_dependency(str(metadata))
            # The call as code: fenced with more backticks than any run of them in it.
            fence = "`" * (max((len(run) for run in re.findall("`+", title)), default=0) + 1)
            entry += (
                f"```{{figure}} {relative(picture, page_folder)}\n:alt: Learning rate of {title}\n"
                f":figclass: lr-schedule\n\n{fence} {title} {fence}\n```\n\n"
            )
        parts.append(entry + source_block(spec, page_folder))
    return "\n".join(parts)


def copy_explorer(app: Sphinx, exception: Exception | None) -> None:
    """Copy explore.html and plotly.min.js of lr_plots_out into the site's _explorer folder."""
    if exception is not None or app.builder.format != "html":
        return
    out = reference_folders(app)[1]
    target = Path(app.outdir) / EXPLORER_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    for name in EXPLORER_FILES:
        if (out / name).is_file():
            shutil.copyfile(out / name, target / name)
        else:
            logger.warning("spec_gallery: there is no %s in %s to copy", name, out, type="spec_gallery")
