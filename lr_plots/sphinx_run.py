"""The doit run behind the Sphinx extension, in a process of its own started in the folder of conf.py:
lr_plots' tasks for the options it is given, each task's outcome written to stdout as one JSON line.

Usage: python -m lr_plots.sphinx_run '{"specs": DIR, "out": DIR, "format": png, "dpi": "100"}' PROCESSES
"""

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from doit.doit_cmd import DoitMain
from doit.exceptions import BaseFail, InvalidDodoFile, UnmetDependency

from lr_plots.command import PictureTaskLoader
from lr_plots.error_messages import LoadError
from lr_plots.options import read_options
from lr_plots.tasks import PictureTasks


class JsonLinesReporter:
    """A doit reporter writing one JSON line per event, flushed at once so that the extension shows
    progress as it happens: {"pictures": N} first, then {"task", "outcome", "picture", "error"}
    for each task ("started", then "rebuilt", "up-to-date", "failed" or "not run")."""

    # The picture files of this run's tasks, set by main() before doit runs.
    pictures: frozenset[str] = frozenset()

    def __init__(self, outstream: TextIO, options: dict[str, Any]) -> None:
        self.outstream = outstream

    def emit(self, **event: Any) -> None:
        self.outstream.write(json.dumps(event) + "\n")
        self.outstream.flush()

    def report(self, task: Any, outcome: str, error: str | None = None) -> None:
        if not task.actions:  # a task that does nothing unless asked to clean (orphans)
            return
        drawn = [Path(target).stem for target in task.targets if target in self.pictures]
        self.emit(task=task.name, outcome=outcome, picture=drawn[0] if drawn else None, error=error)

    def initialize(self, tasks: dict[str, Any], selected_tasks: list[str]) -> None:
        self.emit(pictures=len(self.pictures))

    def get_status(self, task: Any) -> None:
        pass

    def execute_task(self, task: Any) -> None:
        self.report(task, "started")

    def add_failure(self, task: Any, fail: BaseFail) -> None:
        # A task whose input a failed task did not make is "not run"; the failure is reported once.
        outcome = "not run" if isinstance(fail, UnmetDependency) else "failed"
        self.report(task, outcome, fail.message.strip())

    def add_success(self, task: Any) -> None:
        self.report(task, "rebuilt")

    def skip_uptodate(self, task: Any) -> None:
        self.report(task, "up-to-date")

    def skip_ignore(self, task: Any) -> None:
        self.report(task, "up-to-date")

    def cleanup_error(self, exception: BaseException) -> None:
        self.emit(error=str(exception))

    def runtime_error(self, msg: str) -> None:
        self.emit(error=msg)

    def teardown_task(self, task: Any) -> None:
        pass

    def complete_run(self) -> None:
        pass


def main(arguments: list[str]) -> int:
    """Bring every picture up to date as `lr-plots -c -n PROCESSES specs=.. out=.. format=.. dpi=..`
    would in this folder, reporting in JSON lines; a problem before any task runs is one
    {"error": ...} line and exit code 3."""
    variables, processes = json.loads(arguments[0]), arguments[1]
    try:
        options = read_options(variables)
        tasks = PictureTasks(options)
    except (LoadError, InvalidDodoFile) as error:
        JsonLinesReporter(sys.stdout, {}).emit(error=str(error))
        return 3
    pictures = [spec.picture for spec in tasks.specs] + [compared.picture for compared in tasks.comparisons]
    JsonLinesReporter.pictures = frozenset(pictures)
    doit = DoitMain(PictureTaskLoader(options), extra_config={"run": {"reporter": JsonLinesReporter}})
    return int(doit.run(["run", "--continue", "-n", processes]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
