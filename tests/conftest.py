"""Fixtures for running doit on temporary copies of the project, built once per test session."""

import ast
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

from lr_plots.warm_torch import send_command

ROOT = Path(__file__).resolve().parents[1]
SPEC_NAMES = sorted(path.stem for path in (ROOT / "lr_plots" / "specs").glob("*.py"))  # one picture each


def defines_compare(path: Path) -> bool:
    """Whether the spec file assigns COMPARE at its top level (a comparison, with no curve of its own)."""
    assigned = [
        target.id
        for statement in ast.parse(path.read_bytes()).body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    ]
    return "COMPARE" in assigned


# The suite's builds run as on a writer's machine, with the warm torch process on (the default
# outside CI, lr_plots.warm_torch): the builds of all the tests' project copies share one, rather
# than each importing torch. Its socket is in a folder of this run's own (TMPDIR, made by the first
# process of the run and removed with the warm processes at its end). The tests whose subject is a
# build's own processes run their builds as in a CI job (cold_builds); LR_PLOTS_TEST_COLD=1 runs
# every build so.
if os.environ.get("LR_PLOTS_TEST_COLD") == "1":
    os.environ["CI"] = "true"
else:
    os.environ.pop("CI", None)
if "PYTEST_XDIST_WORKER" not in os.environ:  # the run's first process: pytest-xdist's workers inherit it
    RUN_TMPDIR = os.environ["TMPDIR"] = tempfile.mkdtemp(prefix="lr_plots-tests-")

# Python 3.12 and later warn when a process that runs threads forks (the child may deadlock); every
# process of every build the suite starts makes that warning an error, so a fork with threads fails.
os.environ["PYTHONWARNINGS"] = ",".join(
    filter(None, [os.environ.get("PYTHONWARNINGS"), "error:This process:DeprecationWarning"])
)

COMPARISONS = [name for name in SPEC_NAMES if defines_compare(ROOT / "lr_plots" / "specs" / f"{name}.py")]
CURVE_NAMES = [name for name in SPEC_NAMES if name not in COMPARISONS]  # the specs with a curve
OUTPUT = "lr_scheduler_images"
GENERATED_SUFFIXES = (".png", ".csv", ".json", ".svg", ".html", ".js")
GENERATED = (*tuple(f"*{suffix}" for suffix in GENERATED_SUFFIXES), ".doit.db*", "*.tmp")
GALLERY_FILES = {"index.html", "overview.png"}
EXPLORER_FILES = {"explore.html", "plotly.min.js"}

# Runs doit inside this interpreter and reports which heavy libraries ended up imported. With
# BLOCK=torch, importing torch raises, in this process and in every worker doit forks from it.
DOIT_PROBE = """
import importlib.abc, os, sys
blocked = os.environ.get("BLOCK")
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == blocked:
            raise ImportError(f"{name} is blocked by the test")
if blocked:
    sys.meta_path.insert(0, Blocker())
from doit.doit_cmd import DoitMain
code = DoitMain().run(sys.argv[1:])
print("imported:", *sorted(name for name in ("torch", "matplotlib") if name in sys.modules))
sys.exit(code)
"""

# A sitecustomize.py for PYTHONPATH: every process of a build that imports torch or matplotlib,
# however it was started (forked, spawned, from a forkserver, or run as a program), leaves a file
# named by the library and its pid, holding the command lines of its parent and grandparent.
IMPORT_RECORDER = """
import importlib.abc, json, os, sys
def command_line(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return cmdline.read().replace(b"\\0", b" ").decode()
def parent_of(pid):
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])
class ImportRecorder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in ("torch", "matplotlib"):
            parent = os.getppid()
            ancestors = [command_line(parent), command_line(parent_of(parent))]
            with open(os.path.join(os.environ["RECORDED_IMPORTS"], f"{name}.{os.getpid()}"), "w") as record:
                json.dump(ancestors, record)
sys.meta_path.insert(0, ImportRecorder())
"""


def recording_torch_imports(folder: Path) -> dict[str, str]:
    """An environment in which every process that imports torch or matplotlib leaves a file in
    `folder` (see importers)."""
    (folder / "sitecustomize").mkdir(parents=True)
    (folder / "sitecustomize/sitecustomize.py").write_text(IMPORT_RECORDER)
    (folder / "imports").mkdir()
    path = os.pathsep.join(filter(None, [str(folder / "sitecustomize"), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "RECORDED_IMPORTS": str(folder / "imports")}


def importers(folder: Path, library: str) -> int:
    """How many processes imported `library` (torch or matplotlib) in a build run with
    recording_torch_imports(folder)."""
    return len(list((folder / "imports").glob(f"{library}.*")))


def importers_ancestors(folder: Path, library: str) -> list[list[str]]:
    """For each process which imported `library`, the command lines of its parent and grandparent."""
    return [json.loads(path.read_text()) for path in (folder / "imports").glob(f"{library}.*")]


def torch_importers(folder: Path) -> int:
    """How many processes imported torch in a build run with recording_torch_imports(folder)."""
    return importers(folder, "torch")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Byte-compile the package once, as an install does: this machine sets PYTHONDONTWRITEBYTECODE,
    so each of the suite's hundreds of doit processes compiled lr_plots anew. copy_project copies
    the bytecode too, still valid in copies that keep the files' times."""
    compileall.compile_dir(ROOT / "lr_plots", quiet=1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slowest test (the SIGKILL loop) at the head of the first worker's first chunk and
    the other slow tests at the head of the second worker's, so they start at once on different
    workers and the fast tests fill in around them (pytest-xdist's `load` scheduling hands each
    worker a first chunk of consecutive tests, a quarter of its share, then more as it goes)."""
    slow = sorted(
        (item for item in items if item.get_closest_marker("slow")),
        key=lambda item: "sigkill" not in item.name,
    )
    # Among the others, the long ones marked `early` first, so that the run does not end on one of
    # them while the other worker has nothing left to do.
    fast = sorted(
        (item for item in items if not item.get_closest_marker("slow")),
        key=lambda item: item.get_closest_marker("early") is None,
    )
    chunk = max(2, len(items) // 2 // 4)
    items[:] = slow[:1] + fast[: chunk - 1] + slow[1:] + fast[chunk - 1 :]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In the run's first process, once every test has run: stop the warm torch processes of the
    run's builds and remove the run's temporary folder."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        return
    for socket in Path(RUN_TMPDIR, f"lr_plots-{os.getuid()}").glob("warm-*"):
        if socket.suffix != ".log":
            send_command(str(socket), "stop")
    shutil.rmtree(RUN_TMPDIR, ignore_errors=True)


@pytest.fixture
def cold_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's builds run as in a CI job (CI=true), each with a torch process of its own and no
    warm one: for the tests of what a build's own processes do (faults, recovery, workers)."""
    monkeypatch.setenv("CI", "true")


def copy_project(destination: Path, keep_times: bool = True) -> Path:
    """A copy of the project's sources, without anything generated, at `destination`; with
    `keep_times=False` every file's time is new, as in a fresh clone."""
    copy = shutil.copy2 if keep_times else shutil.copy
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("dodo.py", "pyproject.toml"):
        copy(ROOT / name, destination / name)
    for folder in ("lr_plots", OUTPUT):
        shutil.copytree(
            ROOT / folder, destination / folder, ignore=shutil.ignore_patterns(*GENERATED), copy_function=copy
        )
    return destination


def run_doit(
    project: Path,
    *args: str,
    check: bool = True,
    python: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run doit with `args` in `project`; with `check`, fail the test on a non-zero exit."""
    command = (python or [sys.executable, "-m", "doit"]) + list(args)
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300, env=env)
    if check and result.returncode != 0:
        pytest.fail(f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def executed(result: subprocess.CompletedProcess) -> set[str]:
    """The tasks that a doit run executed (doit prints '.  name' for those, '-- name' if up to date)."""
    return {line[3:].strip() for line in result.stdout.splitlines() if line.startswith(".  ")}


def output_files(project: Path, folder: str = OUTPUT) -> dict[str, bytes]:
    """Every generated file in `project`'s output folder, by file name."""
    return {
        path.name: path.read_bytes()
        for path in sorted((project / folder).iterdir())
        if path.suffix in GENERATED_SUFFIXES and not path.name.startswith(".")
    }


def picture_files(names: list[str], picture_format: str = "png") -> set[str]:
    """The files a build makes for the specs `names`: CSV, JSON and picture each (JSON and picture
    for a comparison), the gallery and the explorer."""
    files = {f"{name}.{suffix}" for name in names for suffix in ("json", picture_format)}
    files |= {f"{name}.csv" for name in names if name not in COMPARISONS}
    return files | {"index.html"} | ({"overview.png"} if picture_format == "png" else set()) | EXPLORER_FILES


def live_processes(field: str, value: int) -> list[int]:
    """Pids of running processes (zombies, dead but unreaped, are not) whose process group
    (field "pgrp") or session (field "session") is `value`, read from Linux's /proc."""
    index = {"pgrp": 2, "session": 3}[field]
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[index]) == value and fields[0] not in "ZX":
            pids.append(int(stat.parent.name))
    return pids


def tasks(kind: str) -> set[str]:
    """The names of every task of one kind (curve: each spec with a curve; plot: every picture)."""
    return {f"{kind}:{name}" for name in (CURVE_NAMES if kind == "curve" else SPEC_NAMES)}


# One spec of each kind of output (momentum, a loss series, sub-schedulers, a custom class, an epoch
# axis): for the tests of faults and of how workers start, which need a build, not every picture.
FEW_SPECS = ["CyclicLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR", "StepLR", "WarmupInverseSqrtLR"]


def keep_only(project: Path, names: list[str]) -> Path:
    """Delete every spec file of `project` but those of `names`."""
    for spec in (project / "lr_plots/specs").glob("*.py"):
        if spec.stem not in names:
            spec.unlink()
    return project


def few_tasks(kind: str) -> set[str]:
    """The names of the tasks of one kind (curve or plot) of a project holding FEW_SPECS only."""
    return {f"{kind}:{name}" for name in FEW_SPECS}


def build_once(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, build: Callable[[Path], None]
) -> Path:
    """The folder `name`, shared by all test processes (pytest-xdist runs two): `build(folder)` makes
    it in the first process that asks for it, while the others wait."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # an xdist worker: the parent folder is this run's, shared by all
        shared = shared.parent
    folder, done = shared / name, shared / f"{name}.done"
    with FileLock(shared / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            build(folder)
            done.touch()
    return folder


def shared_build(
    tmp_path_factory: pytest.TempPathFactory,
    worker_id: str,
    name: str,
    specs: list[str] | None,
    *options: str,
) -> Path:
    """A copy of the project (with the spec files `specs` only, if given) after one `doit [options]`
    build, made once for all test processes."""

    def build(project: Path) -> None:
        copy = copy_project(project)
        run_doit(keep_only(copy, specs) if specs else copy, *options)

    return build_once(tmp_path_factory, worker_id, name, build)


@pytest.fixture(scope="session")
def built_template(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The project after one full serial `doit` build, made once; tests must not change it (the
    parallel builds of test_reproducible are compared with it)."""
    return shared_build(tmp_path_factory, worker_id, "template", None)


# The edit of StepLR's arguments in edited_template, and what doit then rebuilds: StepLR's curve and
# picture, Compare_decay (which overlays StepLR's curve) and the pages showing them.
STEP_LR_EDIT = ('"gamma": 0.1}', '"gamma": 0.5}')
STEP_LR_EDIT_REBUILDS = {"curve:StepLR", "plot:StepLR", "plot:Compare_decay", "gallery", "explore"}


def edit_step_lr(project: Path) -> None:
    """Change StepLR's gamma in `project` (STEP_LR_EDIT)."""
    spec = project / "lr_plots/specs/StepLR.py"
    text = spec.read_text()
    assert STEP_LR_EDIT[0] in text
    spec.write_text(text.replace(*STEP_LR_EDIT))


@pytest.fixture(scope="session")
def edited_template(built_template: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A copy of the built template after edit_step_lr and one serial `doit`, made once; tests must
    not change it. Its file executed.json lists the tasks that doit ran."""

    def build(project: Path) -> None:
        shutil.copytree(built_template, project)
        edit_step_lr(project)
        (project / "executed.json").write_text(json.dumps(sorted(executed(run_doit(project)))))

    return build_once(tmp_path_factory, worker_id, "edited-template", build)


@pytest.fixture(scope="session")
def built_few_template(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The project with FEW_SPECS only after one `doit -n 2` build, made once; tests must not change it."""
    return shared_build(tmp_path_factory, worker_id, "few-template", FEW_SPECS, "-n", "2")


@pytest.fixture
def built_few_project(built_few_template: Path, tmp_path: Path) -> Path:
    """A private copy of the built FEW_SPECS template, with its files' times kept."""
    return Path(shutil.copytree(built_few_template, tmp_path / "few"))


@pytest.fixture
def few_project(tmp_path: Path) -> Path:
    """A private copy of the project with FEW_SPECS only and nothing built."""
    return keep_only(copy_project(tmp_path / "few"), FEW_SPECS)


@pytest.fixture
def built_project(built_template: Path, tmp_path: Path) -> Path:
    """A private copy of the built template, with its files' times kept, so doit sees it up to date."""
    return Path(shutil.copytree(built_template, tmp_path / "project"))


@pytest.fixture
def fresh_project(tmp_path: Path) -> Path:
    """A private copy of the project with nothing built."""
    return copy_project(tmp_path / "fresh")
