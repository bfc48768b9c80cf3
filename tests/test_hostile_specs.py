"""Specs that crash, exit, interrupt themselves, hang, flood their output, fork or change global state:
the build still ends, each such spec fails alone with one line saying what happened, every other
picture is exact, and nothing of the build is left behind."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import OUTPUT, build_once, copy_project, executed, live_processes

from lr_plots.atomic_file import process_is_running
from lr_plots.dependency_db import database_problem

TIMEOUT = 2  # seconds each spec may run (timeout=2)
HANG_SECONDS = 90  # a build still running after this long has hung: the test fails with its output
GOOD = 'SCHEDULER = StepLR\nARGUMENTS = {"step_size": 30}\nBASE_LR = 0.05\nSTEPS = 100\n'
IMPORT = "from torch.optim.lr_scheduler import StepLR\n"
# Where the specs that leave a process running write its pid (PIDS is replaced by a folder).
PIDS = "@PIDS@"

# The specs that must fail, with the message their curve task fails with.
FAILING = {
    "ExitsWithOsExit": (
        "import os\nos._exit(3)\n",
        "hostile/ExitsWithOsExit.py: the process computing its curve exited with status 3 before writing it",
    ),
    "ExitsWithSysExit": (
        "import sys\nsys.exit(2)\n",
        "hostile/ExitsWithSysExit.py, line 2: it exited with status 2 (SystemExit) before its curve",
    ),
    "RaisesSystemExit": (
        IMPORT + GOOD + "raise SystemExit(0)\n",
        "hostile/RaisesSystemExit.py, line 6: it exited with status 0 (SystemExit) before its curve",
    ),
    "Segfaults": (
        "import ctypes\nctypes.string_at(0)\n",
        "hostile/Segfaults.py: the process computing its curve was killed by signal 11 (SIGSEGV).",
    ),
    "Aborts": (
        "import os\nos.abort()\n",
        "hostile/Aborts.py: the process computing its curve was killed by signal 6 (SIGABRT).",
    ),
    "RaisesKeyboardInterrupt": (
        "raise KeyboardInterrupt\n",
        "hostile/RaisesKeyboardInterrupt.py, line 1: KeyboardInterrupt",
    ),
    "RaisesBaseException": (
        'raise BaseException("odd")\n',
        "hostile/RaisesBaseException.py, line 1: BaseException: odd",
    ),
    "LoopsInPython": (
        "while True:\n    pass\n",
        f"hostile/LoopsInPython.py: stopped after {TIMEOUT} s without finishing",
    ),
    # A call into C that never returns, where no Python signal handler could ever run.
    "SleepsInC": (
        "import ctypes\nctypes.CDLL(None).sleep(1000)\n",
        f"hostile/SleepsInC.py: stopped after {TIMEOUT} s without finishing",
    ),
    # Not hostile, just wrong: an LR that becomes infinite.
    "BecomesInfinite": (
        "from torch.optim.lr_scheduler import LambdaLR\n\n\ndef explodes(step):\n"
        "    return float('inf') if step >= 3 else 1.0\n\n\n"
        'SCHEDULER = LambdaLR\nARGUMENTS = {"lr_lambda": explodes}\nBASE_LR = 0.05\nSTEPS = 10\n',
        "hostile/BecomesInfinite.py: the scheduler's LR became inf at step 3.",
    ),
    "ExitsWhileStepping": (
        "import os\nfrom torch.optim.lr_scheduler import LambdaLR\n\n\ndef factor(step):\n"
        "    if step == 50:\n        os._exit(4)\n    return 1.0\n\n\n"
        'SCHEDULER = LambdaLR\nARGUMENTS = {"lr_lambda": factor}\nBASE_LR = 0.05\nSTEPS = 100\n',
        "hostile/ExitsWhileStepping.py: the process computing its curve exited with status 4 before",
    ),
}

# Specs that misbehave but define a good picture: it is built, the same as that of Control.py.
BUILT = {
    "Control": IMPORT + GOOD,
    "FloodsOutput": IMPORT
    + GOOD
    + 'import sys\nprint("x" * 10_000_000)\nprint("y" * 10_000_000, file=sys.stderr)\n',
    "ClosesOutput": IMPORT + GOOD + "import os, sys\nsys.stdout.close()\nos.close(1)\nos.close(2)\n",
    # A child that leaves the session and outlives the spec, and a program started and left running.
    "Forks": IMPORT
    + GOOD
    + "import os, time\nif os.fork() == 0:\n    os.setsid()\n"
    + f"    open(f'{PIDS}/forked-{{os.getpid()}}', 'w').close()\n    time.sleep(1000)\n",
    "StartsProgram": IMPORT
    + GOOD
    + "import subprocess\nchild = subprocess.Popen(['sleep', '1000'])\n"
    + f"open(f'{PIDS}/started-{{child.pid}}', 'w').close()\n",
    # Global state that would change later pictures if it were kept: the folder, the environment,
    # torch's defaults and random state, imported modules (StepLR itself replaced).
    "ChangesGlobalState": IMPORT
    + GOOD
    + "import os, random, sys, torch\nos.chdir('/')\nos.environ['LR_PLOTS_SPEC'] = 'changed'\n"
    + "torch.set_default_dtype(torch.float64)\ntorch.manual_seed(7)\nrandom.seed(7)\n"
    + "sys.modules['torch.optim.lr_scheduler'].StepLR = None\nsys.path.insert(0, '/nonexistent')\n",
}
# Reference specs built beside them, compared with the template's build of every spec.
REFERENCE = ("CyclicLR", "OneCycleLR", "ReduceLROnPlateau", "StepLR")


def run_bounded(command: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, list[int], int]:
    """Run `command` in a session of its own, as a shell starts a job, as in a CI job (its curves in
    its own torch process, so that what they leave is in its session); fail the test with what it
    printed if it has not ended after HANG_SECONDS. Also the processes of its session still alive
    just after it ended, and its pid."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, "CI": "true"},
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=HANG_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(
            f"{command} hung: still running after {HANG_SECONDS} s\n{stdout[-5000:]}\n{stderr[-5000:]}"
        )
    # multiprocessing's forkserver ends just after doit does: what is still there after a while is left.
    deadline = time.monotonic() + 30
    while (left := live_processes("session", process.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr), left, process.pid


def hostile_build(root: Path, command: list[str]) -> None:
    """A copy of the project with a spec folder hostile/ (the FAILING and BUILT specs and the
    REFERENCE ones), built with `command` in it; its result in result.json."""
    project = copy_project(root)
    specs = project / "hostile"
    specs.mkdir()
    pids = Path(tempfile.mkdtemp(prefix="pids-", dir=root))
    for name, source in {**{name: source for name, (source, _) in FAILING.items()}, **BUILT}.items():
        (specs / f"{name}.py").write_text(source.replace(PIDS, str(pids)))
    for name in REFERENCE:
        shutil.copy(project / "lr_plots/specs" / f"{name}.py", specs)
    result, left, pid = run_bounded(command, project)
    outcome = {"code": result.returncode, "stdout": result.stdout, "stderr": result.stderr}
    (root / "result.json").write_text(json.dumps({**outcome, "left": left, "pid": pid}))
    (root / "pids.txt").write_text(str(pids))


BUILD_OPTIONS = ["-c", "-v", "2", "specs=hostile", "out=out", f"timeout={TIMEOUT}"]
BUILDS = {
    # doit in a dodo.py's folder, one process; lr-plots with two worker processes.
    "doit -n 1": [sys.executable, "-m", "doit", *BUILD_OPTIONS],
    "lr-plots -n 2": [sys.executable, "-m", "lr_plots.command", "-n", "2", *BUILD_OPTIONS],
}


@pytest.fixture(scope="session", params=list(BUILDS))
def built(request, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> tuple[Path, dict]:
    """The hostile project after its build (once for all test processes), and that build's result."""
    name = request.param
    root = build_once(
        tmp_path_factory,
        worker_id,
        f"hostile-{name.replace(' ', '_')}",
        lambda folder: hostile_build(folder, BUILDS[name]),
    )
    return root, json.loads((root / "result.json").read_text())


@pytest.mark.early
@pytest.mark.parametrize("name", list(FAILING))
def test_a_hostile_spec_fails_alone_with_one_line_saying_what_happened(built, name):
    root, result = built
    assert result["code"] != 0
    output = result["stdout"] + result["stderr"]
    assert f"TaskFailed - taskid:curve:{name}\n{FAILING[name][1]}" in output
    out = root / "out"
    assert not (out / f"{name}.csv").exists() and not (out / f"{name}.png").exists()


def test_every_other_picture_is_exact(built, built_template):
    root, _ = built
    out = root / "out"
    for name in REFERENCE:
        for suffix in ("csv", "json", "png"):
            assert (out / f"{name}.{suffix}").read_bytes() == (
                built_template / OUTPUT / f"{name}.{suffix}"
            ).read_bytes(), f"{name}.{suffix}"
    control = {suffix: (out / f"Control.{suffix}").read_bytes() for suffix in ("csv", "png")}
    for name in BUILT:
        for suffix in ("csv", "png"):
            assert (out / f"{name}.{suffix}").read_bytes() == control[suffix], f"{name}.{suffix}"


def test_output_is_passed_on_up_to_a_limit_and_no_internal_warning_reaches_the_user(built):
    _, result = built
    output = result["stdout"] + result["stderr"]
    assert "Traceback" not in output
    assert "Warning" not in output and "warning" not in output
    assert "x" * 60_000 in result["stdout"] and "y" * 60_000 in result["stderr"]
    assert "more bytes of output from hostile/FloodsOutput.py not shown" in result["stdout"]
    assert len(output) < 1_000_000


def test_nothing_of_the_build_is_left_and_its_database_is_whole(built):
    root, result = built
    assert result["left"] == []
    pids = Path((root / "pids.txt").read_text())
    started = sorted(pids.iterdir())
    assert [path.name.split("-")[0] for path in started] == ["forked", "started"]
    for path in started:
        deadline = time.monotonic() + 10  # SIGKILLed, it may take an instant to go
        while process_is_running(int(path.name.split("-")[1])):
            assert time.monotonic() < deadline, f"{path.name} outlived the build"
            time.sleep(0.02)
    out = root / "out"
    assert list(out.glob(".*.tmp")) == []
    socket_folder = Path(tempfile.gettempdir()) / f"lr_plots-{os.getuid()}"
    assert not (socket_folder / f"curves-{result['pid']}").exists()
    assert database_problem(str(out / ".doit.db")) is None
    # Every picture that was built is recorded: nothing is redone.
    command = [
        sys.executable,
        "-m",
        "doit",
        "specs=hostile",
        "out=out",
        *(f"plot:{name}" for name in (*REFERENCE, *BUILT)),
    ]
    again = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=HANG_SECONDS)
    assert again.returncode == 0, again.stdout + again.stderr
    assert executed(again) == set()
