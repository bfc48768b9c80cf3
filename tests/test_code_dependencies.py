"""The code each kind of task depends on is what its action reaches: for every file of the package,
changing it re-runs exactly the kinds of task whose action, when it runs, imports or reads that file."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_once

KINDS = ("curve", "plot", "gallery", "explore")

# Dumps, from the loaded tasks, the action of the first task of each kind: its function (module and
# name) and its arguments, a function among them written as {"function": "module:name"}.
DUMP_ACTIONS = """
import json, sys
from lr_plots.tasks import tasks_of_this_run
namespace = tasks_of_this_run().namespace()
def encode(value):
    if callable(value):
        return {"function": f"{value.__module__}:{value.__name__}"}
    return [encode(item) for item in value] if isinstance(value, list | tuple) else value
actions = {}
for kind in sys.argv[1:]:
    made = namespace[f"task_{kind}"]()
    tasks = [made] if isinstance(made, dict) else list(made)
    task = next(task for task in tasks if task.get("actions"))
    function, arguments = task["actions"][0]
    actions[kind] = [function.__module__, function.__name__, encode(arguments)]
print(json.dumps(actions))
"""

# Runs one action in a fresh process: with the recorder below, every lr_plots module that this
# process, or any process it starts, imports, and every package file they open, is noted. A function
# argument (what the caller wants done while it waits) is given one that does nothing.
RUN_ACTION = """
import json, sys
module, name, arguments = json.loads(sys.argv[1])
def decode(value):
    if isinstance(value, dict) and set(value) == {"function"}:
        return lambda: None
    return [decode(item) for item in value] if isinstance(value, list) else value
__import__(module)  # an import statement's way, which Python reports to the audit hook
result = getattr(sys.modules[module], name)(*decode(arguments))
assert result is None, result
"""

RECORDER = """
import os, sys
_log, _package, _busy = os.environ["REACHED_LOG"], os.environ["REACHED_PACKAGE"], [False]
def _note(text):
    _busy[0] = True
    try:
        with open(_log, "a") as log:
            log.write(text + "\\n")
    finally:
        _busy[0] = False
def _hook(event, arguments):
    if _busy[0]:
        return
    if event == "import" and arguments[0].split(".")[0] == "lr_plots":
        _note("module " + arguments[0])
    elif event == "open" and isinstance(arguments[0], str):
        path = os.path.abspath(arguments[0])
        if path.startswith(_package + os.sep) and not path.endswith((".py", ".pyc")):
            _note("file " + path)
sys.addaudithook(_hook)
"""


def package_files(package: Path) -> list[Path]:
    """Every file of the package but bytecode and the reference specs (inputs, not code)."""
    files = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = [name for name in subfolders if name not in ("__pycache__", "specs")]
        files += [Path(folder, name) for name in names]
    return sorted(files)


def module_file(package: Path, module: str) -> Path:
    path = package.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def files_each_kind_reaches(project: Path, tmp_path: Path) -> dict[str, set[Path]]:
    """What each kind's action imports and opens when it really runs, in `project`."""
    package = project / "lr_plots"
    dumped = subprocess.run(
        [sys.executable, "-c", DUMP_ACTIONS, *KINDS], cwd=project, capture_output=True, text=True, check=True
    )
    (tmp_path / "recorder").mkdir()
    (tmp_path / "recorder/sitecustomize.py").write_text(RECORDER)
    reached = {}
    for kind, action in json.loads(dumped.stdout).items():
        log = tmp_path / f"{kind}.log"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(tmp_path / "recorder"), str(project)]),
            "REACHED_LOG": str(log),
            "REACHED_PACKAGE": str(package),
        }
        done = subprocess.run(
            [sys.executable, "-c", RUN_ACTION, json.dumps(action)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        files = set()
        for line in log.read_text().splitlines():
            what, name = line.split(" ", 1)
            files.add(module_file(package, name) if what == "module" else Path(name))
        reached[kind] = files
    return reached


def kinds_out_of_date(project: Path) -> set[str]:
    """The kinds of task that `doit list --status` finds out of date (R) in `project`."""
    listing = subprocess.run(
        [sys.executable, "-m", "doit", "list", "--all", "--status"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.split()[1].split(":")[0] for line in listing.splitlines() if line.startswith("R ")}


@pytest.fixture(scope="session")
def reached(built_few_template, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    def build(folder: Path) -> None:
        project = Path(shutil.copytree(built_few_template, folder / "project"))
        reached = files_each_kind_reaches(project, folder)
        (folder / "reached.json").write_text(
            json.dumps({kind: sorted(map(str, files)) for kind, files in reached.items()})
        )

    return build_once(tmp_path_factory, worker_id, "reached", build)


@pytest.mark.early
def test_changing_any_package_file_reruns_exactly_the_kinds_of_task_that_reach_it(reached, built_few_project):
    recorded = json.loads((reached / "reached.json").read_text())
    original = reached / "project/lr_plots"
    truth = {kind: {Path(path).relative_to(original) for path in files} for kind, files in recorded.items()}
    # What each action reaches includes its own module and the code every kind shares.
    assert Path("actions/curve.py") in truth["curve"] and Path("curves.py") in truth["curve"]
    assert Path("drawing.py") in truth["plot"] and Path("drawing.py") not in truth["curve"]
    assert Path("templates/index.html.j2") in truth["gallery"]

    package = built_few_project / "lr_plots"
    assert kinds_out_of_date(built_few_project) == set()
    files = package_files(package)
    assert len(files) > 20
    for path in files:
        relative = path.relative_to(package)
        data = path.read_bytes()
        path.write_bytes(data + (b"\n_EDITED = True\n" if path.suffix == ".py" else b"\n"))
        try:
            expected = {kind for kind, reached_files in truth.items() if relative in reached_files}
            assert kinds_out_of_date(built_few_project) == expected, relative
        finally:
            path.write_bytes(data)
    assert kinds_out_of_date(built_few_project) == set()
