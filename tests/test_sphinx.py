"""The Sphinx extension, with the real Sphinx, on small Sphinx projects in temporary folders: pictures
built at the start of a docs build with lr-plots' tasks and database, failures as warnings, the
lr-schedule directive, incremental and parallel builds, and PyTorch's own docs layout."""

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, build_once, executed, importers_ancestors, recording_torch_imports

from lr_plots.options import REFERENCE_SPECS

SPECS = ("ExponentialLR", "OneCycleLR", "StepLR")
PICTURES = "docs/scripts/lr_scheduler_images"
CONF = """
extensions = ["lr_plots.sphinx"]
lr_plots_specs = "schedules"
lr_plots_out = "scripts/lr_scheduler_images"
"""
INDEX = """
Schedules
=========

.. toctree::

   other

.. lr-schedule:: StepLR
   :width: 80%

.. lr-schedule:: OneCycleLR
   :align: center
   :class: wide
   :caption: One *cycle*, per batch
"""
OTHER = """
Other
=====

.. lr-schedule:: ExponentialLR
   :height: 200px
   :alt: The LR falls by 5 % a step
   :name: exponential-decay

It is linked to by name: :ref:`exponential-decay`.
"""


def make_docs(root: Path, conf: str = CONF, specs: tuple[str, ...] = SPECS) -> Path:
    """A Sphinx project in `root`/docs: conf.py, two documents and a spec folder with `specs`."""
    docs = root / "docs"
    (docs / "schedules").mkdir(parents=True)
    (docs / "conf.py").write_text(conf)
    (docs / "index.rst").write_text(INDEX)
    (docs / "other.rst").write_text(OTHER)
    for name in specs:
        shutil.copy2(REFERENCE_SPECS / f"{name}.py", docs / "schedules")
    return docs


def lr_plots_in(docs: Path, *arguments: str) -> subprocess.CompletedProcess:
    """`lr-plots` run in the docs folder with the settings of CONF, as a maintainer would."""
    command = [sys.executable, "-m", "lr_plots.command", "specs=schedules", "out=scripts/lr_scheduler_images"]
    result = subprocess.run([*command, *arguments], cwd=docs, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def sphinx_build(root: Path, *options: str) -> tuple[int, str, str]:
    """`sphinx-build [options] docs docs/_build` run from `root` (not from docs/), in this process:
    its exit code, output and warnings."""
    from sphinx.cmd.build import build_main

    status, warnings = io.StringIO(), io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(status), contextlib.redirect_stderr(warnings):
        # -N: plain text even where Sphinx would colour it (it does when CI=true, as in CI).
        code = build_main(["-N", *options, "docs", "docs/_build"])
    return code, status.getvalue(), warnings.getvalue()


@pytest.fixture(scope="session")
def docs_template(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A Sphinx project whose pictures `lr-plots` built in docs/ and whose HTML Sphinx then built,
    made once for all test processes; tests must not change it."""

    def build(root: Path) -> None:
        lr_plots_in(make_docs(root))
        code, status, warnings = sphinx_build(root)
        (root / "result.json").write_text(json.dumps([code, status, warnings]))

    return build_once(tmp_path_factory, worker_id, "sphinx_template", build)


@pytest.fixture
def docs_project(docs_template: Path, tmp_path: Path) -> Path:
    """A private copy of the built template, times kept, so that both doit and Sphinx see it up to date."""
    return Path(shutil.copytree(docs_template, tmp_path / "project", symlinks=True))


def template_build(docs_template: Path) -> tuple[int, str, str]:
    return tuple(json.loads((docs_template / "result.json").read_text()))


class Page(HTMLParser):
    """The <img> tags and <figure>s of an HTML page: each figure's classes, image and caption text."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.figures: list[dict] = []
        self._in_caption = False
        self.feed(path.read_text())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "figure":
            self.figures.append(
                {"classes": attributes.get("class", "").split(), "caption": "", "id": attributes.get("id")}
            )
        elif tag == "img":
            self.images.append(attributes)
            if self.figures:
                self.figures[-1]["image"] = attributes
        elif tag == "figcaption":
            self._in_caption = True
        elif tag == "a" and "headerlink" in attributes.get("class", ""):
            self._in_caption = False  # the permalink sign, not the caption's text

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption":
            self._in_caption = False
            self.figures[-1]["caption"] = " ".join(self.figures[-1]["caption"].split())

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.figures[-1]["caption"] += data


def broken_images(html_folder: Path) -> list[str]:
    """Every <img> of every page whose file does not exist."""
    return [
        f"{page.relative_to(html_folder)}: {image['src']}"
        for page in html_folder.rglob("*.html")
        for image in Page(page).images
        if not (page.parent / image["src"]).is_file()
    ]


def test_a_docs_build_from_another_folder_uses_the_pictures_and_database_of_lr_plots(docs_template):
    """Point 1: lr-plots built the pictures in docs/; `sphinx-build docs docs/_build` run from the
    folder above finds them up to date (the same task names and database), says so in one line,
    and leaves them untouched."""
    code, status, warnings = template_build(docs_template)
    assert code == 0, warnings
    assert "lr_plots: 0 of 3 pictures rebuilt" in status.splitlines()
    assert "drawing pictures" not in status
    assert warnings == ""


def test_lr_schedule_shows_picture_alt_text_and_scheduler_call_with_image_options(docs_template):
    """Point 3: a figure with the picture (an existing file), alt text, and the call from the JSON
    as caption; :width:, :height:, :align:, :class:, :alt:, :name: and :caption: as for any image."""
    html = docs_template / "docs/_build"
    figures = Page(html / "index.html").figures + Page(html / "other.html").figures
    assert len(figures) == 3
    step, one_cycle, exponential = figures
    title = json.loads((docs_template / PICTURES / "StepLR.json").read_text())["title"]
    assert title == "StepLR(step_size=30, gamma=0.1)"
    assert step["caption"] == title
    assert step["image"]["alt"] == f"Learning rate of {title}"
    assert step["image"]["src"] == "_images/StepLR.png"
    assert "width: 80%" in step["image"]["style"]
    assert (html / "_images/StepLR.png").read_bytes() == (
        docs_template / PICTURES / "StepLR.png"
    ).read_bytes()
    assert one_cycle["caption"] == "One cycle, per batch"
    assert "align-center" in one_cycle["classes"]
    assert "wide" in one_cycle["image"]["class"].split()
    assert exponential["caption"] == "ExponentialLR(gamma=0.95)"
    assert "height: 200px" in exponential["image"]["style"]
    assert exponential["image"]["alt"] == "The LR falls by 5 % a step"
    assert exponential["id"] == "exponential-decay"
    other = (html / "other.html").read_text()
    assert '<a class="reference internal" href="#exponential-decay">' in other
    assert broken_images(html) == []


def test_the_format_and_dpi_settings_choose_the_pictures_the_docs_show(tmp_path):
    """lr_plots_dpi: PNGs of that resolution; lr_plots_format = "svg": SVG pictures, shown as such,
    drawn again from the same curves (no curve is computed again)."""
    from PIL import Image

    docs = make_docs(tmp_path, CONF + "lr_plots_dpi = 50\n")
    code, status, warnings = sphinx_build(tmp_path, "-W")
    assert code == 0, warnings
    with Image.open(tmp_path / PICTURES / "StepLR.png") as picture:
        assert picture.size == (320, 240)
    assert Page(docs / "_build/index.html").figures[0]["image"]["src"] == "_images/StepLR.png"

    (docs / "conf.py").write_text(CONF + 'lr_plots_format = "svg"\n')
    code, status, warnings = sphinx_build(tmp_path, "-W")
    assert code == 0, warnings
    assert "lr_plots: 3 of 3 pictures rebuilt" in status.splitlines()
    assert (tmp_path / PICTURES / "StepLR.svg").read_text().startswith("<?xml")
    assert Page(docs / "_build/index.html").figures[0]["image"]["src"] == "_images/StepLR.svg"
    assert broken_images(docs / "_build") == []


def test_a_build_with_nothing_changed_starts_no_doit_and_any_change_starts_it(docs_project, monkeypatch):
    """After a build with no failure, the next one starts no doit process unless a spec, a picture,
    the database or the package changed; each of those starts it, and it puts things right."""
    import lr_plots.sphinx

    started = []
    real_popen = subprocess.Popen
    monkeypatch.setattr(
        lr_plots.sphinx.subprocess, "Popen", lambda *a, **k: started.append(a) or real_popen(*a, **k)
    )
    pictures = docs_project / PICTURES
    assert sphinx_build(docs_project)[0] == 0  # Sphinx's environment of this folder (a copy's is new)
    assert len(started) == 1
    code, status, _ = sphinx_build(docs_project)
    assert (code, len(started)) == (0, 1)
    assert "lr_plots: 0 of 3 pictures rebuilt" in status.splitlines()

    picture = (pictures / "StepLR.png").read_bytes()
    spec = docs_project / "docs/schedules/StepLR.py"
    # Each change, and whether it starts doit: a spec saved unchanged, or with a comment added, does
    # not (doit would redo nothing); a changed docstring does (the gallery shows it).
    changes = [
        (lambda: (pictures / "StepLR.png").unlink(), True),
        (lambda: (pictures / ".doit.db").unlink(), True),
        (spec.touch, False),
        (lambda: spec.write_text(spec.read_text() + "# a comment\n"), False),
        (lambda: spec.write_text(spec.read_text().replace('"""StepLR:', '"""StepLR, edited:')), True),
    ]
    for change, starts_doit in changes:
        runs = len(started)
        change()
        code, status, _ = sphinx_build(docs_project)
        assert (code, len(started)) == (0, runs + starts_doit)
        assert (pictures / "StepLR.png").read_bytes() == picture
        code, status, _ = sphinx_build(docs_project)
        assert (code, len(started)) == (0, runs + starts_doit)  # and then nothing again


def test_lr_schedule_with_an_unknown_name_is_a_warning_naming_it_and_the_spec_folder(docs_project):
    """Point 3: and once a picture of that name appears, from whatever kind of task writes a picture
    and its JSON with a "title", the next build shows it (the document depends on the missing files)."""
    docs = docs_project / "docs"
    (docs / "other.rst").write_text(OTHER + "\n.. lr-schedule:: Comparison\n")
    line = (OTHER + "\n.. lr-schedule:: Comparison\n").splitlines().index(".. lr-schedule:: Comparison") + 1
    code, _status, warnings = sphinx_build(docs_project)
    assert code == 0
    (warning,) = [line for line in warnings.splitlines() if "WARNING" in line]
    assert warning.startswith(
        f"{docs / 'other.rst'}:{line}: WARNING: lr-schedule: unknown picture 'Comparison'"
    )
    assert str(docs / "schedules") in warning

    pictures = docs_project / PICTURES
    shutil.copy2(pictures / "StepLR.png", pictures / "Comparison.png")
    (pictures / "Comparison.json").write_text(json.dumps(["no title"]))
    code, _status, warnings = sphinx_build(docs_project)
    assert code == 0
    (warning,) = [line for line in warnings.splitlines() if "WARNING" in line]
    assert (
        f"lr-schedule: {pictures.resolve() / 'Comparison.json'} has no title to show (TypeError: " in warning
    )

    (pictures / "Comparison.json").write_text(json.dumps({"title": "StepLR against ExponentialLR"}))
    code, _status, warnings = sphinx_build(docs_project)
    assert code == 0
    assert warnings == ""
    assert Page(docs / "_build/other.html").figures[1]["caption"] == "StepLR against ExponentialLR"


@pytest.mark.early
def test_an_edited_spec_is_redrawn_alone_and_a_broken_one_is_a_warning_in_a_parallel_build(docs_project):
    """Points 4 and 2, in one build (each costs an import of torch): with -j 2, editing StepLR.py
    redraws StepLR alone, with Sphinx's progress display, and Sphinx reads again only the document
    that shows it. A broken spec beside it is a warning at its file and line with the error, and
    one that crashes the process computing it a warning at its file, so -W fails, and the docs are
    still written. Without the broken spec, the next build has nothing to
    do, and neither has lr-plots (point 1: a picture Sphinx rebuilt is up to date for lr-plots)."""
    docs = docs_project / "docs"
    assert sphinx_build(docs_project)[0] == 0  # Sphinx's environment of this folder (a copy's is new)
    pictures = docs_project / PICTURES
    others = {name: (pictures / f"{name}.png").stat().st_mtime_ns for name in ("ExponentialLR", "OneCycleLR")}
    spec = docs / "schedules/StepLR.py"
    spec.write_text(spec.read_text().replace('"step_size": 30', '"step_size": 20'))
    broken = docs / "schedules/Broken.py"
    broken.write_text(spec.read_text().replace("STEPS = 100", 'raise RuntimeError("no LR today")'))
    line = broken.read_text().splitlines().index('raise RuntimeError("no LR today")') + 1
    # And one that crashes the process computing it: a warning at its file, with no line, as Sphinx
    # says it; its last good picture stays, and is shown.
    crashing = docs / "schedules/OneCycleLR.py"
    good_one_cycle = crashing.read_text()
    crashing.write_text("import ctypes\nctypes.string_at(0)\n" + good_one_cycle)

    code, status, warnings = sphinx_build(docs_project, "-W", "-j", "2")
    assert code != 0
    broken_warning, crash_warning = sorted(text for text in warnings.splitlines() if "WARNING" in text)
    assert broken_warning.startswith(f"{broken}:{line}: WARNING: ")
    assert "curve:Broken failed: RuntimeError: no LR today" in broken_warning
    assert crash_warning == (
        f"{crashing}:: WARNING: lr_plots: curve:OneCycleLR failed: the process computing its curve was "
        "killed by signal 11 (SIGSEGV). [lr_plots.spec]"
    )
    assert "lr_plots: drawing pictures... StepLR" in status
    assert "lr_plots: 1 of 4 pictures rebuilt" in status.splitlines()
    assert Page(docs / "_build/index.html").figures[1]["image"]["src"] == "_images/OneCycleLR.png"
    assert {name: (pictures / f"{name}.png").stat().st_mtime_ns for name in others} == others
    assert "updating environment: 0 added, 1 changed, 0 removed" in status, status
    assert Page(docs / "_build/index.html").figures[0]["caption"] == "StepLR(step_size=20, gamma=0.1)"

    broken.unlink()
    one_cycle = (pictures / "OneCycleLR.png").read_bytes()
    crashing.write_text(good_one_cycle)
    code, status, warnings = sphinx_build(docs_project, "-W", "-j", "2")
    assert code == 0, warnings
    # The fixed spec is redone (doit redoes a task that failed), to the same bytes.
    assert "lr_plots: 1 of 3 pictures rebuilt" in status.splitlines()
    assert (pictures / "OneCycleLR.png").read_bytes() == one_cycle
    code, status, warnings = sphinx_build(docs_project, "-W", "-j", "2")
    assert code == 0, warnings
    assert "lr_plots: 0 of 3 pictures rebuilt" in status.splitlines()
    assert "updating environment: 0 added, 0 changed, 0 removed" in status
    assert executed(lr_plots_in(docs)) == set()
    assert not (docs / ".doit.db").exists()  # the database is the output folder's, as for lr-plots


@pytest.mark.slow
def test_the_defaults_draw_the_reference_set_with_a_process_per_processor(tmp_path, monkeypatch):
    """Point 1's defaults: no lr_plots_specs draws the package's reference specs (all of them); no
    lr_plots_processes runs as many doit processes as this process may use processors."""
    conf = 'extensions = ["lr_plots.sphinx"]\nlr_plots_out = "pictures"\n'
    docs = make_docs(tmp_path, conf=conf, specs=())
    (docs / "index.rst").write_text("Pictures\n========\n\n.. lr-schedule:: SWALR\n")
    for name, value in recording_torch_imports(tmp_path / "record").items():
        monkeypatch.setenv(name, value)
    code, status, warnings = sphinx_build(tmp_path)
    assert code == 0, warnings
    names = sorted(path.stem for path in REFERENCE_SPECS.glob("*.py"))
    assert f"lr_plots: {len(names)} of {len(names)} pictures rebuilt" in status.splitlines()
    assert sorted(path.stem for path in (docs / "pictures").glob("*.json")) == names
    # With workers, the drawing code is imported by their forkserver, a child of the doit process
    # (lr_plots.sphinx_run); with none, by that process itself.
    parents = [parent for parent, _ in importers_ancestors(tmp_path / "record", "matplotlib")]
    with_workers = any("lr_plots.sphinx_run" in parent for parent in parents)
    assert with_workers == (len(os.sched_getaffinity(0)) > 1), parents


TORCH_INDEX = """
torch.optim.lr_scheduler
========================

.. autosummary::
   :toctree: generated

   torch.optim.lr_scheduler.StepLR
   torch.optim.lr_scheduler.ExponentialLR
   torch.optim.lr_scheduler.OneCycleLR
"""


@pytest.mark.slow
def test_pytorch_layout_autosummary_pages_show_the_pictures_with_no_broken_image(tmp_path):
    """Point 5: torch's docstrings say `.. image:: ../scripts/lr_scheduler_images/<Name>.png` from
    autosummary's generated/ folder; with lr_plots_out there, every image of the pages is found."""
    conf = CONF.replace(
        '"lr_plots.sphinx"]',
        '"sphinx.ext.autodoc", "sphinx.ext.autosummary", "lr_plots.sphinx"]',
    )
    docs = make_docs(tmp_path, conf=conf + "autosummary_generate = True\n")
    (docs / "index.rst").write_text(TORCH_INDEX)
    (docs / "other.rst").unlink()
    code, _status, warnings = sphinx_build(tmp_path)
    assert code == 0, warnings
    assert "image file not readable" not in warnings
    html = docs / "_build"
    sources = {image["src"] for page in html.glob("generated/*.html") for image in Page(page).images}
    assert sources == {f"../_images/{name}.png" for name in SPECS}
    assert broken_images(html) == []


def test_extension_is_documented_in_readme():
    """Point 7: the README section a maintainer copies from."""
    section = (ROOT / "README.md").read_text().split("## In a Sphinx project", 1)[1].split("\n## ", 1)[0]
    assert 'extensions = ["lr_plots.sphinx"]' in section
    assert ".. lr-schedule:: StepLR" in section
