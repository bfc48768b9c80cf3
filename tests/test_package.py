"""lr_plots as a user gets it: a wheel built once, installed (not editable) into a fresh virtual
environment, used in folders that hold no checkout: `lr-plots`, a [tool.lr_plots] table, a one-line
dodo.py with plain doit and `doit watch`, and a built output folder restored elsewhere."""

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import OUTPUT, ROOT, SPEC_NAMES, build_once, executed, picture_files

pytestmark = pytest.mark.slow

SPEC = '"""{name}: a StepLR."""\nfrom torch.optim.lr_scheduler import StepLR\nSCHEDULER = StepLR\n'
SPEC += 'ARGUMENTS = {{"step_size": 3, "gamma": 0.5}}\nBASE_LR = 0.05\nSTEPS = 10\n'


@pytest.fixture(scope="session")
def environment(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A fresh virtual environment with lr_plots installed from a wheel of this checkout, made once
    for all test processes. Its `bin/` is what a user's PATH would hold."""

    def build(venv: Path) -> None:
        shared = venv.parent
        wheels = shared / "wheels"
        pip = [sys.executable, "-m", "pip"]
        subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", wheels, ROOT], check=True)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
        # This environment's pip installs into the new one; --no-compile, as Python compiles
        # what is imported anyway: seconds instead of a minute, the same installed files.
        (wheel,) = wheels.glob("lr_plots-*.whl")
        subprocess.run(
            [*pip, "--python", venv / "bin/python", "install", "-q", "--no-compile",
             "-c", ROOT / "constraints.txt", wheel],
            check=True,
        )  # fmt: skip
        # Imports what a build imports, once, writing their bytecode (whatever the environment
        # says), so that the tests do not each compile torch's modules: 3 s a process otherwise.
        warm_up = "from lr_plots.watch import warm_up; warm_up()"
        writing_bytecode = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run([venv / "bin/python", "-c", warm_up], cwd=shared, check=True, env=writing_bytecode)

    return build_once(tmp_path_factory, worker_id, "wheel-venv", build)


def run(environment: Path, folder: Path, *command: str, check: bool = True) -> subprocess.CompletedProcess:
    """`command` in `folder` as a user of the environment runs it: its bin/ first on PATH, nothing
    of this checkout importable."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{environment / 'bin'}{os.pathsep}{env['PATH']}"
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        pytest.fail(f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def built_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if not path.name.startswith(".")}


def test_wheel_holds_the_package_specs_and_template_and_nothing_else(environment):
    (wheel,) = (environment.parent / "wheels").glob("lr_plots-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    code = {name for name in names if not name.startswith("lr_plots-")}
    assert code >= {f"lr_plots/specs/{name}.py" for name in SPEC_NAMES}
    assert {"lr_plots/tasks.py", "lr_plots/command.py", "lr_plots/templates/index.html.j2"} <= code
    assert all(name.startswith("lr_plots/") and name.endswith((".py", ".j2")) for name in code), code
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    version = run(environment, ROOT, "python", "-c", "import lr_plots; print(lr_plots.__version__)")
    assert f"\nVersion: {version.stdout.strip()}\n" in metadata
    assert "\nLicense-Expression: BSD-3-Clause\n" in metadata and "\nRequires-Python: >=3.11\n" in metadata


def test_lr_plots_builds_the_reference_pictures_then_nothing_and_moves_with_its_cache(environment, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    run(environment, project, "lr-plots", "-n", "2")
    assert set(built_files(project / OUTPUT)) == picture_files(SPEC_NAMES)
    assert executed(run(environment, project, "lr-plots")) == set()

    # CI's cache: the output folder and its database restored into a new folder, every time new.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copytree(project / OUTPUT, elsewhere / OUTPUT, copy_function=shutil.copy)
    shutil.copy(project / ".doit.db", elsewhere / ".doit.db")
    assert executed(run(environment, elsewhere, "lr-plots")) == set()


def test_own_specs_and_table_build_edit_rebuilds_one_and_clean_keeps_users_files(environment, tmp_path):
    project = tmp_path / "mine"
    (project / "schedules").mkdir(parents=True)
    for name in ("Fast", "Slow"):
        (project / "schedules" / f"{name}.py").write_text(SPEC.format(name=name))
    (project / "pyproject.toml").write_text(
        '[project]\nname = "mine"\n\n[tool.lr_plots]\nspecs = "schedules"\nout = "docs/_images/lr"\n'
    )
    out = project / "docs/_images/lr"
    out.mkdir(parents=True)
    (out / "notes.md").write_text("the user's own file\n")

    run(environment, project, "lr-plots", "-n", "2")
    assert set(built_files(out)) == picture_files(["Fast", "Slow"]) | {"notes.md"}

    spec = project / "schedules/Fast.py"
    spec.write_text(spec.read_text().replace('"gamma": 0.5', '"gamma": 0.25'))
    rebuilt = {"curve:Fast", "plot:Fast", "gallery", "explore"}
    assert executed(run(environment, project, "lr-plots")) == rebuilt

    run(environment, project, "lr-plots", "clean")
    assert set(built_files(out)) == {"notes.md"}
    assert sorted(path.name for path in (project / "schedules").iterdir()) == ["Fast.py", "Slow.py"]
    assert (project / "pyproject.toml").exists()


def output_lines(process: subprocess.Popen) -> queue.Queue[str]:
    """The lines `process` prints, put in a queue by a thread as they come."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    return lines


def read_until(
    output: queue.Queue[str], lines: list[str], starts: tuple[str, ...], seconds: float = 120
) -> None:
    """Move lines from `output` into `lines` until one starts with one of `starts`; fail if none has
    come within `seconds` (a watch that hangs is a failing test, not a stuck run)."""
    deadline = time.monotonic() + seconds
    while not (lines and lines[-1].startswith(starts)):
        try:
            lines.append(output.get(timeout=max(0.01, deadline - time.monotonic())))
        except queue.Empty:
            pytest.fail(f"no line starting with {starts} within {seconds} s; saw {lines}")


def test_one_line_dodo_builds_with_plain_doit_and_doit_watch_redraws(environment, tmp_path):
    project = tmp_path / "training"
    (project / "schedules").mkdir(parents=True)
    (project / "schedules/Warm.py").write_text(SPEC.format(name="Warm"))
    (project / "dodo.py").write_text("from lr_plots.tasks import *  # noqa: F403\n")
    (project / "pyproject.toml").write_text('[tool.lr_plots]\nspecs = "schedules"\n')

    run(environment, project, "doit")
    assert set(built_files(project / OUTPUT)) == picture_files(["Warm"])
    assert "watch" in run(environment, project, "doit", "help").stdout

    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PATH"] = f"{environment / 'bin'}{os.pathsep}{env['PATH']}"
    watcher = subprocess.Popen(
        ["doit", "watch"], cwd=project, env=env, start_new_session=True, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        lines: list[str] = []
        output = output_lines(watcher)
        read_until(output, lines, ("[watch] watching",))
        assert "schedules" in lines[-1], lines
        picture = project / OUTPUT / "Warm.png"
        before = picture.read_bytes()
        spec = project / "schedules/Warm.py"
        spec.write_text(spec.read_text().replace('"gamma": 0.5', '"gamma": 0.1'))
        read_until(output, lines, ("[watch] rebuilt", "[watch] FAILED"))
        assert lines[-1].startswith("[watch] rebuilt curve:Warm, plot:Warm"), lines
        assert picture.read_bytes() != before
    finally:
        os.killpg(watcher.pid, signal.SIGINT)
        deadline = time.monotonic() + 30
        while watcher.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if watcher.poll() is None:
            os.killpg(watcher.pid, signal.SIGKILL)
