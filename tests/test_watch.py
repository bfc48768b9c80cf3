"""`doit watch` redraws an edited picture from a warm process, byte-identical to a one-shot build."""

import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import (
    OUTPUT,
    SPEC_NAMES,
    STEP_LR_EDIT,
    STEP_LR_EDIT_REBUILDS,
    edit_step_lr,
    live_processes,
    output_files,
    run_doit,
)
from PIL import Image

WAIT_SECONDS = 30


class WatchProcess:
    """`python -m doit watch` in `project`, its output lines collected by a thread as they come."""

    def __init__(self, project: Path, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "doit", "watch", *arguments],
            cwd=project,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_report(self) -> str:
        """The next line that reports on a build."""
        return self.wait_for_line("[watch] ", lambda line: not line.startswith("[watch]   "))

    def wait_for_line(self, text: str, also=lambda line: True) -> str:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line and also(line):
                return line
        raise AssertionError(f"no line with {text!r} within {WAIT_SECONDS} s; saw {self.seen}")


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {WAIT_SECONDS} s"
        time.sleep(0.02)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.early
def test_watch_rebuilds_what_changed_like_a_one_shot_build(built_project, edited_template, tmp_path):
    # The one-shot builds: edited_template (the same edit of StepLR, then `doit`), and a copy of it.
    one_shot = Path(shutil.copytree(edited_template, tmp_path / "one_shot"))
    watch = WatchProcess(built_project)
    try:
        watch.wait_for_line("[watch] watching")
        # The watching process forks each build with one thread only (its file watcher is a process
        # of its own): forking while other threads run may deadlock the build.
        assert len(list(Path(f"/proc/{watch.process.pid}/task").iterdir())) == 1
        picture = built_project / OUTPUT / "StepLR.png"

        # A spec's arguments change: its curve and picture are redone, as a one-shot build does them.
        before = picture.read_bytes()
        edit_step_lr(built_project)
        wait_until(lambda: picture.read_bytes() != before, "the redraw of StepLR.png")
        rebuilt = watch.wait_for_line("[watch] rebuilt").split(" rebuilt ")[1].rsplit(" in ", 1)[0]
        # StepLR's curve and picture, the comparison it is in, and the pages showing them all.
        assert set(rebuilt.split(", ")) == STEP_LR_EDIT_REBUILDS
        wait_until(lambda: output_files(built_project) == output_files(one_shot), "the same files")

        # The drawing code changes: every picture is redrawn, again as a one-shot build draws it.
        pictures = {name: (built_project / OUTPUT / f"{name}.png").read_bytes() for name in SPEC_NAMES}
        for project in (built_project, one_shot):
            edit(project / "lr_plots/drawing.py", 'alpha=0.2, linestyle="--"', 'alpha=0.4, linestyle="--"')
        run_doit(one_shot, "-n", "2")
        wait_until(
            lambda: all(
                (built_project / OUTPUT / f"{name}.png").read_bytes() != data
                for name, data in pictures.items()
            ),
            "the redraw of every picture",
        )
        wait_until(lambda: output_files(built_project) == output_files(one_shot), "the same files")

        # A broken spec gives its message and watching goes on; the fix is picked up.
        good = (built_project / "lr_plots/specs/StepLR.py").read_text()
        (built_project / "lr_plots/specs/StepLR.py").write_text(
            good.replace("SCHEDULER = StepLR", "SCHEDULER = 3")
        )
        watch.wait_for_line("lr_plots/specs/StepLR.py: SCHEDULER must be an LRScheduler class (got 3)")
        # One that ends the process computing it: the same, and the next save still builds.
        (built_project / "lr_plots/specs/StepLR.py").write_text("import os\nos._exit(3)\n" + good)
        watch.wait_for_line("lr_plots/specs/StepLR.py: the process computing its curve exited with status 3")
        (built_project / "lr_plots/specs/StepLR.py").write_text(good)
        watch.wait_for_line("rebuilt curve:StepLR")
        wait_until(
            lambda: output_files(built_project) == output_files(one_shot), "the same files after the fix"
        )

        # A new spec file is picked up.
        shutil.copy(
            built_project / "lr_plots/specs/ExponentialLR.py", built_project / "lr_plots/specs/Extra.py"
        )
        wait_until((built_project / OUTPUT / "Extra.png").exists, "the picture of a new spec")
    finally:
        watch.process.send_signal(signal.SIGINT)
        watch.process.wait(timeout=10)
    watch.wait_for_line("[watch] stopped")
    assert watch.process.returncode == 0
    assert live_processes("session", watch.process.pid) == []


@pytest.mark.early
def test_watch_builds_the_chosen_tasks_with_the_variables_and_follows_project_files(few_project):
    watch = WatchProcess(few_project, "plot:StepLR", "out=elsewhere")
    try:
        # The first build: StepLR's curve and picture, into the folder the variable names.
        assert watch.next_report().startswith("[watch] rebuilt curve:StepLR, plot:StepLR in ")
        watch.wait_for_line("[watch] watching")
        assert set(output_files(few_project, "elsewhere")) == {"StepLR.csv", "StepLR.json", "StepLR.png"}
        assert output_files(few_project) == {}

        # pyproject.toml's settings: a new dpi redraws the picture with it.
        with open(few_project / "pyproject.toml", "a") as config:
            config.write("\n[tool.lr_plots]\ndpi = 50\n")
        assert watch.next_report().startswith("[watch] rebuilt plot:StepLR in ")
        with Image.open(few_project / "elsewhere/StepLR.png") as picture:
            assert picture.size == (320, 240)

        # dodo.py saved: a build, which finds nothing to do.
        with open(few_project / "dodo.py", "a") as dodo:
            dodo.write("# saved again\n")
        assert watch.next_report().startswith("[watch] up to date")

        # Changes saved while a build runs are served by one next build: a spec that takes a while
        # says when it has started, and two changes are saved, apart, while it runs.
        spec = few_project / "lr_plots/specs/StepLR.py"
        good = spec.read_text()
        spec.write_text(good + "import pathlib, time\npathlib.Path('started').touch()\ntime.sleep(3)\n")
        wait_until((few_project / "started").exists, "the slow spec's start")
        with open(few_project / "dodo.py", "a") as dodo:
            dodo.write("# saved during a build\n")
        time.sleep(0.3)  # not a wait for anything: it makes the two saves two batches of changes
        spec.write_text(good.replace(*STEP_LR_EDIT))
        assert watch.next_report().startswith("[watch] rebuilt curve:StepLR in ")
        assert watch.next_report().startswith("[watch] rebuilt curve:StepLR, plot:StepLR in ")
    finally:
        watch.process.send_signal(signal.SIGINT)
        watch.process.wait(timeout=10)
