"""Every task of lr_plots, defined once: this repository's dodo.py and any other project's
(`from lr_plots.tasks import *`), the `lr-plots` command and the Sphinx extension all load these."""

import inspect
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from doit import get_var
from doit.dependency import UptodateCalculator
from doit.exceptions import InvalidDodoFile
from doit.tools import config_changed

from lr_plots.actions.clean import remove_orphans
from lr_plots.actions.curve import write_curve
from lr_plots.actions.explore import build_explorer
from lr_plots.actions.gallery import build_gallery
from lr_plots.actions.plot import draw_comparison, draw_picture, import_drawing_code
from lr_plots.code_dependencies import files_reached_by
from lr_plots.curve_server import start_for_build
from lr_plots.dependency_db import CodeChecker
from lr_plots.discovery import Comparison, SpecFile, find_spec_files, installed_version
from lr_plots.error_messages import LoadError
from lr_plots.options import SETTINGS, Options, project_path, read_options
from lr_plots.worker_start import start_workers_warm

# The module of each kind of task's action: the package files it reaches are the code the task
# depends on (lr_plots.code_dependencies), found from the code rather than listed here.
ACTION_MODULES = {
    "curve": write_curve.__module__,
    "plot": draw_picture.__module__,
    "gallery": build_gallery.__module__,
    "explore": build_explorer.__module__,
}


@contextmanager
def load_errors_for_doit() -> Iterator[None]:
    """A LoadError (a bad setting, spec name or comparison) as doit's InvalidDodoFile, which doit
    prints as one line and exits with code 3."""
    try:
        yield
    except LoadError as error:
        raise InvalidDodoFile(str(error)) from None


def group_task(creator: Any) -> dict[str, Any]:
    """The task that names the group of `creator`'s tasks (`doit curve`), with its docstring.

    It is always up to date: having no file_dep, doit would judge it out of date and, under
    `doit -n N`, hand it to a worker, starting the workers (and their forkserver, which imports
    matplotlib) in a build with nothing to do."""
    return {"name": None, "doc": inspect.getdoc(creator), "uptodate": [True]}


class TorchProcessWanted(UptodateCalculator):
    """The uptodate check of `_torch_process`, the task doit checks first, which is always up to
    date. doit runs it in its own process before it starts any worker: it asks doit whether any of
    `curve_tasks` will run and, if one will, starts the build's torch process, so that torch loads
    while the workers start and import the drawing code, rather than after."""

    def __init__(self, curve_tasks: list[str], keep_warm: float) -> None:
        super().__init__()
        self.curve_tasks = curve_tasks
        self.keep_warm = keep_warm

    def setup(self, dep_manager: Any, tasks_dict: dict[str, Any]) -> None:
        super().setup(dep_manager, tasks_dict)
        self.dep_manager = dep_manager

    def __call__(self, task: Any, values: dict[str, Any]) -> bool:
        if any(
            self.dep_manager.get_status(self.tasks_dict[name], self.tasks_dict).status == "run"
            for name in self.curve_tasks
        ):
            start_for_build(self.keep_warm)
        return True


class PictureTasks:
    """The tasks that draw the spec files of one folder into one output folder; each `task_*`
    method is a doit task creator and its docstring is what `doit list` shows."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.out = options.output_folder
        # The specs with a curve of their own, and the comparisons (COMPARE = [...]) overlaying them.
        with load_errors_for_doit():
            self.specs, self.comparisons = find_spec_files(
                options.spec_folder, self.out, options.picture_format
            )
        reached = files_reached_by(list(ACTION_MODULES.values()))
        # Named as the tasks name files: found where the package is installed, not in this folder.
        self.code = {
            kind: [project_path(path) for path in reached[module]] for kind, module in ACTION_MODULES.items()
        }
        self.gallery = [f"{self.out}/index.html"]
        if options.picture_format == "png":
            self.gallery.append(f"{self.out}/overview.png")
        # The page, then plotly.js from the plotly package, written beside it so the page works offline.
        self.explorer = [f"{self.out}/explore.html", f"{self.out}/plotly.min.js"]

    def task__torch_process(self) -> Any:
        """Checked first, never run: if curves are out of date, `doit -n N` starts torch at once."""
        curve_tasks = [f"curve:{spec.name}" for spec in self.specs]
        return {"actions": None, "uptodate": [TorchProcessWanted(curve_tasks, self.options.daemon_seconds)]}

    def task_curve(self) -> Any:
        """Run each spec's torch scheduler; write <out>/<Name>.csv (step,lr,...) and <Name>.json."""
        torch_version = config_changed({"torch": installed_version("torch")})
        yield group_task(self.task_curve)
        for spec in self.specs:
            arguments = [
                spec.path,
                spec.csv,
                spec.metadata,
                self.options.timeout_seconds,
                self.options.daemon_seconds,
                import_drawing_code,
            ]
            yield {
                "name": spec.name,
                "doc": spec.doc,
                "file_dep": [spec.path, *self.code["curve"]],
                "targets": [spec.csv, spec.metadata],
                "actions": [(write_curve, arguments)],
                "uptodate": [torch_version],
                "clean": True,
            }

    def task_plot(self) -> Any:
        """Draw each curve as <out>/<Name>.png (or .svg with format=svg), and each comparison."""
        # doit keeps one config_changed value per task, so every drawing option goes into this one.
        drawing_options = config_changed(
            {
                "matplotlib": installed_version("matplotlib"),
                "format": self.options.picture_format,
                "dpi": self.options.dpi,
            }
        )
        code = self.code["plot"]
        yield group_task(self.task_plot)
        # The comparisons first: doit hands tasks to its workers in this order, and each draws several
        # curves, so a parallel build does not end on one of them while the other workers wait.
        curves = {spec.name: spec for spec in self.specs}
        for comparison in self.comparisons:
            members = [(curves[name].csv, curves[name].metadata) for name in comparison.members]
            yield {
                "name": comparison.name,
                "doc": comparison.doc,
                "file_dep": [comparison.path, *(path for pair in members for path in pair), *code],
                "targets": [comparison.picture, comparison.metadata],
                "actions": [
                    (
                        draw_comparison,
                        [
                            list(comparison.members),
                            members,
                            comparison.normalize,
                            comparison.picture,
                            comparison.metadata,
                            self.options.dpi,
                        ],
                    )
                ],
                "uptodate": [drawing_options],
                "clean": True,
            }
        for spec in self.specs:
            yield {
                "name": spec.name,
                "doc": spec.doc,
                "file_dep": [spec.csv, spec.metadata, *code],
                "targets": [spec.picture],
                "actions": [(draw_picture, [spec.csv, spec.metadata, spec.picture, self.options.dpi])],
                "uptodate": [drawing_options],
                "clean": True,
            }

    def task_gallery(self) -> Any:
        """Write <out>/index.html, every picture with its arguments, and overview.png, a contact sheet."""
        pictures_in_order: list[SpecFile | Comparison] = [*self.specs, *self.comparisons]
        summaries = {spec.name: spec.doc for spec in pictures_in_order}
        picture_format = self.options.picture_format
        pictures = [path for spec in pictures_in_order for path in (spec.picture, spec.metadata)]
        return {
            "file_dep": pictures + self.code["gallery"],
            "targets": self.gallery,
            "actions": [(build_gallery, [self.out, summaries, picture_format])],
            "uptodate": [config_changed({"format": picture_format, "summaries": summaries})],
            "clean": True,
        }

    def task_explore(self) -> Any:
        """Write <out>/explore.html, every curve on one interactive chart, with plotly.min.js beside it."""
        curves = [(spec.name, spec.csv, spec.metadata) for spec in self.specs]  # the specs with a curve
        return {
            "file_dep": [path for spec in self.specs for path in (spec.csv, spec.metadata)]
            + self.code["explore"],
            "targets": self.explorer,
            "actions": [(build_explorer, [*self.explorer, curves])],
            "uptodate": [config_changed({"plotly": installed_version("plotly")})],
            "clean": True,
        }

    def task_orphans(self) -> Any:
        """On `doit clean`: remove generated files no task builds now (deleted specs, killed builds)."""
        targets = [path for spec in self.specs for path in (spec.csv, spec.metadata, spec.picture)]
        targets += [path for item in self.comparisons for path in (item.metadata, item.picture)]
        owned = targets + self.gallery + self.explorer
        # Always up to date, as group_task explains.
        return {"actions": None, "uptodate": [True], "clean": [(remove_orphans, [self.out, owned])]}

    def namespace(self) -> dict[str, Any]:
        """What doit loads from a dodo.py: DOIT_CONFIG and the task creators."""
        # sqlite3-each-task: doit's sqlite3 backend committing every finished task, which also holds
        # the folder's build lock (lr_plots.dependency_db, a doit.BACKEND entry point).
        # CodeChecker: a spec's comment or docstring edited redoes no curve.
        doit_config = {
            "backend": "sqlite3-each-task",
            "dep_file": self.options.dep_file,
            "check_file_uptodate": CodeChecker,
        }
        start_workers_warm()
        return {"DOIT_CONFIG": doit_config, **{name: getattr(self, name) for name in TASK_CREATORS}}


TASK_CREATORS = [name for name in vars(PictureTasks) if name.startswith("task_")]
__all__ = ["DOIT_CONFIG", *TASK_CREATORS]  # noqa: F822  (made by __getattr__ when a dodo.py loads)
_loaded: dict[tuple[str, tuple[tuple[str, str], ...]], PictureTasks] = {}


def tasks_of_this_run() -> PictureTasks:
    """The tasks for this doit run's options: its command-line variables over the [tool.lr_plots]
    table of ./pyproject.toml. Made once per folder and set of variables."""
    variables = {key: value for key in SETTINGS if (value := get_var(key)) is not None}
    key = (os.getcwd(), tuple(sorted(variables.items())))
    if key not in _loaded:
        with load_errors_for_doit():
            options = read_options(variables)
        _loaded[key] = PictureTasks(options)
    return _loaded[key]


def __getattr__(name: str) -> Any:
    """`from lr_plots.tasks import *` (or the names) in a dodo.py: the tasks of this doit run,
    made when the dodo.py loads, after doit has read the command line."""
    if name in __all__:
        return tasks_of_this_run().namespace()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
