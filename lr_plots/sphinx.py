"""The Sphinx extension: `extensions = ["lr_plots.sphinx"]` brings every picture up to date when a docs
build starts (the same tasks and database as `lr-plots`) and adds the `lr-schedule` directive."""

import ast
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.display import status_iterator
from sphinx.util.docutils import SphinxDirective

from lr_plots import __version__
from lr_plots.atomic_file import OutputError, write_atomically
from lr_plots.curve_files import read_metadata
from lr_plots.discovery import installed_version
from lr_plots.options import DEFAULT_OUTPUT, PICTURE_FORMATS, REFERENCE_SPECS

logger = logging.getLogger(__name__)
PACKAGE_PARENT = Path(__file__).resolve().parents[1]
# Where the extension notes, after a build with no failure, the state of everything the pictures
# are made from, so that the next docs build with nothing changed need not start doit to learn it.
STAMP = ".lr_plots-sphinx-inputs"  # JSON


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the configuration values, the build at `builder-inited` and the directive."""
    app.add_config_value("lr_plots_specs", str(REFERENCE_SPECS), "env", str)
    app.add_config_value("lr_plots_out", DEFAULT_OUTPUT, "env", str)
    app.add_config_value("lr_plots_format", "png", "env", str)
    app.add_config_value("lr_plots_dpi", 100.0, "env", (int, float))
    # As many doit processes as this process may use processors: with one torch process per build,
    # more of them cost no more CPU time, and the pictures are drawn side by side.
    app.add_config_value("lr_plots_processes", len(os.sched_getaffinity(0)), "", int)
    # How long the warm torch process waits for the next build; None: lr_plots' default.
    app.add_config_value("lr_plots_daemon", None, "", (int, float, type(None)))
    app.connect("config-inited", check_config)
    app.connect("builder-inited", build_pictures)
    app.add_directive("lr-schedule", LrScheduleDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}


def check_config(app: Sphinx, config: Config) -> None:
    """Stop the build with a ConfigError naming the conf.py setting at fault."""
    specs = conf_folder(app) / config.lr_plots_specs
    if not specs.is_dir() or not any(specs.glob("*.py")):
        raise ConfigError(
            f"lr_plots_specs = {config.lr_plots_specs!r}: {specs} is not a folder of spec files (<Name>.py)."
        )
    if config.lr_plots_format not in PICTURE_FORMATS:
        raise ConfigError(
            f"lr_plots_format = {config.lr_plots_format!r}: it must be one of {', '.join(PICTURE_FORMATS)}."
        )
    if not 0 < config.lr_plots_dpi < float("inf"):
        raise ConfigError(f"lr_plots_dpi = {config.lr_plots_dpi!r}: it must be a positive number.")
    if config.lr_plots_processes < 1:
        raise ConfigError(f"lr_plots_processes = {config.lr_plots_processes!r}: it must be at least 1.")
    if config.lr_plots_daemon is not None and not 0 <= config.lr_plots_daemon < float("inf"):
        raise ConfigError(f"lr_plots_daemon = {config.lr_plots_daemon!r}: it must be a number, 0 or more.")


def conf_folder(app: Sphinx) -> Path:
    """The folder of conf.py (the source folder when there is none), which the settings are relative to."""
    return Path(app.confdir or app.srcdir).resolve()


def build_pictures(app: Sphinx) -> None:
    """Bring every picture up to date, as `lr-plots -c` run in the folder of conf.py would.

    doit runs in a child process, started only when an input changed since the last build: the code
    that draws is the code on disk (a warm process that has imported lr_plots would draw with old
    code that doit takes for the new), the build lock is held exactly as long as the build, and the
    current folder and signal handlers of the Sphinx process are left alone."""
    config = app.config
    # Where the directive finds pictures (it has the environment, not the application), kept up to
    # date here as the environment may come from a pickle of an earlier build.
    app.env.lr_plots_folders = {  # type: ignore[attr-defined]
        "specs": conf_folder(app) / config.lr_plots_specs,
        "out": conf_folder(app) / config.lr_plots_out,
    }
    variables = {
        "specs": config.lr_plots_specs,
        "out": config.lr_plots_out,
        "format": config.lr_plots_format,
        # As text, as `lr-plots dpi=100` gives it: the same value, so the same database records.
        "dpi": str(float(config.lr_plots_dpi)),
    }
    if config.lr_plots_daemon is not None:
        variables["daemon"] = str(config.lr_plots_daemon)
    stamp = conf_folder(app) / config.lr_plots_out / STAMP
    noted = read_stamp(stamp)
    if noted is not None and unchanged(noted, inputs_state(app, variables)):
        logger.info("lr_plots: 0 of %d pictures rebuilt", noted["pictures"])
        return
    processes = config.lr_plots_processes if config.lr_plots_processes > 1 else 0
    # The child imports the lr_plots that this process runs (-P: not one in the folder of conf.py).
    path = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-P", "-m", "lr_plots.sphinx_run", json.dumps(variables), str(processes)]
    with subprocess.Popen(
        command,
        cwd=conf_folder(app),
        env={**os.environ, "PYTHONPATH": path},
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        build = PictureBuild(conf_folder(app))
        events = build.events(child.stdout)
        if build.wait_for_work(events):
            for _picture in status_iterator(build.rebuilt_pictures(events), "lr_plots: drawing pictures... "):
                pass
    build.report(child.returncode)
    if child.returncode == 0 and not build.failures and not build.errors:
        try:
            state = inputs_state(app, variables)
            # Each spec's code too, to tell an edit of its comments alone (doit would redo nothing).
            state["code"] = {path: spec_code(Path(path)) for path in state["files"] if path in state["specs"]}
            write_atomically(stamp, json.dumps({**state, "pictures": build.pictures}).encode())
        except OutputError:
            pass  # the next build starts doit again


def inputs_state(app: Sphinx, variables: dict[str, str]) -> dict[str, Any]:
    """What doit would look at to find every picture up to date: the size and time of each spec,
    each file of the output folder (the database among them), each file of the lr_plots package and
    the database beside conf.py; and, as one digest, the settings, the Python and the versions of
    the libraries the tasks depend on. The same state: a doit run would find nothing to do."""
    folders = app.env.lr_plots_folders  # type: ignore[attr-defined]
    package = Path(__file__).resolve().parent
    specs = sorted(folders["specs"].glob("*.py"))
    paths = [
        *specs,
        *sorted(folders["out"].glob("*")),
        *sorted(folders["out"].glob(".*")),
        *sorted(package.rglob("*.py")),
        *sorted(package.glob("templates/*")),
        *sorted(conf_folder(app).glob(".doit.db*")),
    ]
    files = {}
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            continue
        if path.name != STAMP:
            files[str(path)] = [info.st_size, info.st_mtime_ns]
    libraries = {name: installed_version(name) for name in ("torch", "matplotlib", "plotly", "doit")}
    settings = hashlib.sha256(json.dumps([sys.executable, variables, libraries]).encode()).hexdigest()
    return {"settings": settings, "files": files, "specs": [str(path) for path in specs]}


def spec_code(path: Path) -> str | None:
    """A digest of the spec's syntax tree, docstrings included (the gallery shows them) but not its
    comments or layout; None if it does not parse."""
    try:
        return hashlib.sha256(ast.dump(ast.parse(path.read_bytes())).encode()).hexdigest()
    except (OSError, SyntaxError, ValueError):
        return None


def unchanged(noted: dict[str, Any], state: dict[str, Any]) -> bool:
    """Whether `state` is the noted one, but for specs whose comments alone were edited since."""
    if noted["settings"] != state["settings"] or noted["files"].keys() != state["files"].keys():
        return False
    for path, size_and_time in state["files"].items():
        if noted["files"][path] != size_and_time:
            code = noted["code"].get(path)
            if code is None or spec_code(Path(path)) != code:
                return False
    return True


def read_stamp(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    keys = {"settings", "files", "specs", "code", "pictures"}
    return record if isinstance(record, dict) and keys <= record.keys() else None


class PictureBuild:
    """What the child's JSON lines say: pictures rebuilt, failures, and their report."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pictures = 0
        self.rebuilt: list[str] = []
        self.failures: list[tuple[str, str]] = []
        self.errors: list[str] = []

    def events(self, lines: Iterator[str]) -> Iterator[dict[str, Any]]:
        """Each task event of the child, as it comes; other lines (a spec printing to stdout) are logged."""
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                event = None
            if not isinstance(event, dict):
                logger.info(line.rstrip())
                continue
            if "pictures" in event:
                self.pictures = event["pictures"]
            elif "error" in event and "task" not in event:
                self.errors.append(event["error"])
            else:
                if event["outcome"] == "failed":
                    self.failures.append((event["task"], event["error"]))
                elif event["outcome"] == "rebuilt" and event["picture"]:
                    self.rebuilt.append(event["picture"])
                yield event

    def wait_for_work(self, events: Iterator[dict[str, Any]]) -> bool:
        """Read up to the first task that runs: True then, False if the child ends without one."""
        return any(event["outcome"] == "started" for event in events)

    def rebuilt_pictures(self, events: Iterator[dict[str, Any]]) -> Iterator[str]:
        for event in events:
            if event["outcome"] == "rebuilt" and event["picture"]:
                yield event["picture"]

    def report(self, exit_code: int) -> None:
        """A warning per failed task and per error, then the one-line summary."""
        for task, error in self.failures:
            location, message = self.locate(error)
            logger.warning(
                "lr_plots: %s failed: %s", task, message, location=location, type="lr_plots", subtype="spec"
            )
        for error in self.errors:
            logger.warning("lr_plots: %s", error, type="lr_plots", subtype="build")
        if exit_code != 0 and not self.failures and not self.errors:
            logger.warning(
                "lr_plots: the picture build stopped with exit code %d (see above).",
                exit_code,
                type="lr_plots",
                subtype="build",
            )
        logger.info("lr_plots: %d of %d pictures rebuilt", len(self.rebuilt), self.pictures)

    def locate(self, error: str) -> tuple[str | None, str]:
        """Split a task's failure message, '<file>, line N: <error>' or '<file>: <error>' with <file>
        relative to the folder of conf.py, into Sphinx's location '/absolute/file:N' and the error."""
        file, separator, rest = error.partition(": ")
        file, _, line = file.partition(", line ")
        path = self.folder / file
        if not separator or not path.is_file():
            return None, error
        return f"{path}:{line}", rest


class LrScheduleDirective(SphinxDirective):
    """`.. lr-schedule:: <Name>`: the picture <Name> as a figure, captioned with the scheduler call
    (the "title" of <Name>.json); it relies on <Name>.json and the picture alone, so it shows any
    kind of picture that has them."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {
        "width": directives.length_or_percentage_or_unitless,
        "height": directives.length_or_unitless,
        "align": lambda argument: directives.choice(argument, ("left", "center", "right")),
        "class": directives.class_option,
        "alt": directives.unchanged,
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        config = self.config
        folders = self.env.lr_plots_folders  # type: ignore[attr-defined]
        folder = folders["out"]
        picture = folder / f"{name}.{config.lr_plots_format}"
        metadata = folder / f"{name}.json"
        # Noted even when missing: Sphinx reads a document again while a dependency of it is missing.
        for path in (picture, metadata):
            self.env.note_dependency(path)
        if picture.is_file() and metadata.is_file():
            try:
                title = str(read_metadata(metadata)["title"])
            except (OSError, ValueError, KeyError, TypeError) as error:
                logger.warning(
                    "lr-schedule: %s has no title to show (%s: %s)",
                    metadata,
                    type(error).__name__,
                    error,
                    location=self.get_location(),
                    type="lr_plots",
                    subtype="directive",
                )
                return []
        else:
            logger.warning(
                "lr-schedule: unknown picture %r: there is no %s with %s in %s (the spec folder is %s)",
                name,
                picture.name,
                metadata.name,
                folder,
                folders["specs"],
                location=self.get_location(),
                type="lr_plots",
                subtype="directive",
            )
            return []
        source_folder = self.env.doc2path(self.env.docname).parent
        image = nodes.image(
            uri=Path(os.path.relpath(picture, source_folder)).as_posix(),
            alt=self.options.get("alt", f"Learning rate of {title}"),
            classes=self.options.get("class", []),
            **{key: self.options[key] for key in ("width", "height") if key in self.options},
        )
        figure = nodes.figure("", image, classes=["lr-schedule"])
        if "align" in self.options:
            figure["align"] = self.options["align"]
        if "caption" in self.options:
            caption_nodes, messages = self.parse_inline(self.options["caption"], lineno=self.lineno)
        else:
            caption_nodes, messages = [nodes.literal(title, title)], []
        figure += nodes.caption("", "", *caption_nodes)
        self.set_source_info(figure)
        self.add_name(figure)
        return [figure, *messages]
