"""Fixtures for running doit on temporary copies of the project, built once per test session."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC_NAMES = sorted(path.stem for path in (ROOT / "lr_plots" / "specs").glob("*.py"))
OUTPUT = "lr_scheduler_images"
GENERATED = ("*.png", "*.csv", ".doit.db*", "__pycache__", "*.tmp")

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


def copy_project(destination: Path) -> Path:
    """A copy of the project's sources, without anything generated, at `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "dodo.py", destination / "dodo.py")
    for folder in ("lr_plots", OUTPUT):
        shutil.copytree(ROOT / folder, destination / folder, ignore=shutil.ignore_patterns(*GENERATED))
    return destination


def run_doit(project: Path, *args: str, check: bool = True, python: list[str] | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run doit with `args` in `project`; with `check`, fail the test on a non-zero exit."""
    command = (python or [sys.executable, "-m", "doit"]) + list(args)
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300, env=env)
    if check and result.returncode != 0:
        pytest.fail(f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def executed(result: subprocess.CompletedProcess) -> set[str]:
    """The tasks that a doit run executed (doit prints '.  name' for those, '-- name' if up to date)."""
    return {line[3:].strip() for line in result.stdout.splitlines() if line.startswith(".  ")}


def output_files(project: Path) -> dict[str, bytes]:
    """Every generated PNG and CSV of `project`, by file name."""
    folder = project / OUTPUT
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.suffix in (".png", ".csv")}


def tasks(kind: str) -> set[str]:
    return {f"{kind}:{name}" for name in SPEC_NAMES}


@pytest.fixture(scope="session")
def built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project after one full `doit -n 2` build; tests must not change it."""
    project = copy_project(tmp_path_factory.mktemp("template"))
    start = time.monotonic()
    run_doit(project, "-n", "2")
    _cold_build_seconds.append(time.monotonic() - start)
    return project


_cold_build_seconds: list[float] = []


@pytest.fixture(scope="session")
def cold_build_seconds(built_template: Path) -> float:
    """How long the template's cold `doit -n 2` build took, to time interruptions by."""
    return _cold_build_seconds[0]


@pytest.fixture
def built_project(built_template: Path, tmp_path: Path) -> Path:
    """A private copy of the built template, with its files' times kept, so doit sees it up to date."""
    return Path(shutil.copytree(built_template, tmp_path / "project"))


@pytest.fixture
def fresh_project(tmp_path: Path) -> Path:
    """A private copy of the project with nothing built."""
    return copy_project(tmp_path / "fresh")
