"""`doit watch` (and `lr-plots watch`): a warm process that redraws pictures on every change, in a
fresh fork per build.

Registered as the doit.COMMAND entry point `watch` in pyproject.toml. The watching process imports
torch and matplotlib once, and of lr_plots only what it needs to know where to watch: each build
runs in a child forked from it, which loads the tasks and lr_plots' code anew, so the edited code is
the code that runs.
"""

import multiprocessing
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from doit.cmd_base import Command, TaskLoader2

from lr_plots.command_line import command_line_variables

PACKAGE = Path(__file__).resolve().parent
PROJECT_FILES = ["dodo.py", "pyproject.toml"]
# watchfiles yields once changes have been quiet for STEP_MS, or after DEBOUNCE_MS at the most;
# while nothing changes it wakes every IDLE_MS.
STEP_MS = 20
DEBOUNCE_MS = 300
IDLE_MS = 100


@dataclass
class BuildReport:
    """What one build did: its exit code, the tasks it ran, its failure messages, its duration."""

    code: int
    executed: list[str]
    failures: list[str]
    seconds: float

    def summary(self) -> str:
        """One line saying what was rebuilt and how long it took."""
        names = (
            self.executed
            if len(self.executed) <= 6
            else [*self.executed[:5], f"and {len(self.executed) - 5} more"]
        )
        if self.code != 0:
            return f"FAILED in {self.seconds:.2f} s (ran {', '.join(names) or 'no task'}):"
        if not self.executed:
            return f"up to date ({self.seconds:.2f} s)"
        return f"rebuilt {', '.join(names)} in {self.seconds:.2f} s"


def warm_up() -> None:
    """Import what every build needs, once: torch with torch._dynamo (which creating any optimizer
    loads) and matplotlib, its fonts loaded by drawing one small figure, Pillow and Jinja2; with
    numpy's OpenBLAS on one thread, as this process forks every build."""
    import io

    from lr_plots.curve_child import SINGLE_THREADED

    os.environ.update(SINGLE_THREADED)  # read as OpenBLAS loads, with torch

    import jinja2  # noqa: F401  (the gallery's)
    import matplotlib.style  # noqa: F401
    import PIL.Image  # noqa: F401
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from lr_plots.curves import load_optimizer_machinery

    load_optimizer_machinery()
    figure = Figure(figsize=(1, 1))
    FigureCanvasAgg(figure)
    figure.add_subplot().set_title("warm")
    figure.savefig(io.BytesIO(), format="png")


def parse_doit_output(output: str) -> tuple[list[str], list[str]]:
    """The tasks doit ran ('.  name' lines) and its failure messages (the lines after each
    'TaskFailed - taskid:...' or 'TaskError - ...', and any 'ERROR: ...' line)."""
    executed, failures = [], []
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(".  "):
            executed.append(line[3:].strip())
        elif line.startswith(("TaskFailed - ", "TaskError - ")) and index + 1 < len(lines):
            failures.append(lines[index + 1])
        elif line.startswith("ERROR: "):
            failures.append(line[len("ERROR: ") :])
    return executed, failures


def run_build(task_loader: TaskLoader2, arguments: list[str]) -> BuildReport:
    """Run `doit run <arguments>` with `task_loader` in a child forked from this warm process, and
    report on it. Interrupted (Ctrl-C), it kills the child and its workers before passing the
    interrupt on."""
    read_end, write_end = os.pipe()
    start = time.perf_counter()
    # A Ctrl-C that comes while the child is not yet in a group of its own would raise in it, and
    # the child would go on as the watching process: it waits until then.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    pid = os.fork()
    if pid == 0:  # the child: a process group of its own, so that it can be stopped whole
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        os.close(read_end)
        os.dup2(write_end, 1)
        os.dup2(write_end, 2)
        code = 1
        try:
            from doit.doit_cmd import DoitMain

            forget_lr_plots_modules()
            code = DoitMain(task_loader).run(["run", *arguments])
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(write_end)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child has set it already
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        with os.fdopen(read_end, errors="replace") as pipe:
            output = pipe.read()
        _, status = os.waitpid(pid, 0)
    except BaseException:
        stop_group(pid)
        raise
    executed, failures = parse_doit_output(output)
    return BuildReport(os.waitstatus_to_exitcode(status), executed, failures, time.perf_counter() - start)


def forget_lr_plots_modules() -> None:
    """Drop lr_plots' modules imported by the watching process (all but this one), so the build
    imports the code as it is on disk now."""
    for name in [name for name in sys.modules if name.split(".")[0] == "lr_plots"]:
        if name != __name__:
            del sys.modules[name]


def stop_group(pid: int) -> None:
    """Kill the build child `pid` and every worker of its process group, and reap it."""
    try:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


# What watches the files: watchfiles, in a process of its own, so that the watching process has one
# thread when it forks each build (forking a process that runs other threads may deadlock the
# child, and Python 3.12 warns of it). It says `running` once it watches, then a line per batch of
# changes; it ends with its parent (PR_SET_PDEATHSIG) and is in a session of its own (no Ctrl-C).
WATCHER = """
import ctypes, sys, watchfiles
ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)
step, debounce, idle, *paths = sys.argv[1:]
running = False
for changes in watchfiles.watch(
    *paths, debounce=int(debounce), step=int(step), rust_timeout=int(idle), yield_on_timeout=True
):
    if not running or changes:
        print("changed" if running else "running", flush=True)
        running = True
"""


def start_watching(paths: list[str]) -> subprocess.Popen[bytes]:
    """The process that watches `paths`, returned once it runs, so no change made after this call
    is missed."""
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(STEP_MS), str(DEBOUNCE_MS), str(IDLE_MS), *paths],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert watcher.stdout is not None
    if watcher.stdout.readline() != b"running\n":
        raise RuntimeError(f"the file watcher of {', '.join(paths)} did not start")
    return watcher


def next_batch(watcher: subprocess.Popen[bytes]) -> None:
    """Wait for a batch of changes, then take every other batch already waiting too: changes made
    while a build ran are all served by the next build, once."""
    assert watcher.stdout is not None
    fd = watcher.stdout.fileno()
    # A timeout, so Ctrl-C is never held up.
    while not select.select([fd], [], [], 0.5)[0]:
        pass
    while select.select([fd], [], [], 0)[0]:
        if not os.read(fd, 65536):
            raise RuntimeError("the file watcher ended")


def watched_paths(variables: dict[str, str]) -> list[str]:
    """The spec folder (from pyproject.toml and `variables`), lr_plots' own code, and ./dodo.py and
    ./pyproject.toml where they exist."""
    from lr_plots.error_messages import LoadError
    from lr_plots.options import project_path, read_options

    paths = [project_path(PACKAGE)]
    try:
        paths.append(read_options(variables).spec_folder)
    except LoadError:
        pass  # each build will say what is wrong
    paths += [path for path in PROJECT_FILES if Path(path).exists()]
    return sorted({path for path in paths if not any(path.startswith(f"{other}/") for other in paths)})


def print_report(report: BuildReport) -> None:
    print(f"[watch] {report.summary()}", flush=True)
    for failure in report.failures:
        print(f"[watch]   {failure}", flush=True)


class Watch(Command):
    """doit command plugin: `doit watch [-n N] [TASK ...] [NAME=VALUE ...]`."""

    name = "watch"
    doc_purpose = "rebuild on every change to the specs, lr_plots' code or dodo.py, in a warm process"
    doc_usage = "[-n N] [TASK ...] [NAME=VALUE ...]"
    doc_description = (
        "Imports torch and matplotlib once, then runs `doit run` with the same arguments in a\n"
        "freshly forked child for every batch of changes, printing one line per build.\n"
        "Stop it with Ctrl-C."
    )
    cmd_options = (
        {
            "name": "num_process",
            "short": "n",
            "long": "process",
            "type": int,
            "default": 0,
            "help": "number of processes for each build, as in `doit run -n` [default: %(default)s]",
        },
    )

    def __init__(self, task_loader: TaskLoader2 | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The loader doit chose (a dodo.py's, or lr-plots' own): every build runs with it.
        self.task_loader = task_loader

    def execute(self, opt_values: dict[str, Any], pos_args: list[str]) -> int:
        variables = command_line_variables()
        arguments = ([f"-n{opt_values['num_process']}"] if opt_values["num_process"] else []) + pos_args
        arguments += [f"{key}={value}" for key, value in variables.items()]
        # Ctrl-C must stop it even when started where SIGINT is ignored (a shell's background job).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        watcher = None
        try:
            warm_up()
            # Each build's workers (-n N) fork from its child, and so start with torch imported.
            multiprocessing.set_start_method("fork", force=True)
            paths = watched_paths(variables)
            watcher = start_watching(paths)
            print_report(run_build(self.task_loader, arguments))
            print(f"[watch] watching {', '.join(paths)}; Ctrl-C stops", flush=True)
            while True:
                next_batch(watcher)
                print_report(run_build(self.task_loader, arguments))
        except KeyboardInterrupt:
            print("[watch] stopped", flush=True)
        finally:
            if watcher is not None:
                watcher.kill()
                watcher.wait()
        return 0
