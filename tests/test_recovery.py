"""What the README promises after something went wrong (an LR that becomes infinite is in
test_hostile_specs): a broken spec keeps its last good picture,
leftovers of a killed build (temporary files, a socket) are removed, a damaged database record is
found, and a chosen picture builds alone."""

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import OUTPUT, STEP_LR_EDIT, executed, output_files, run_doit

# The subject is a build's own processes (what killed and broken builds leave):
# its builds run as in a CI job.
pytestmark = pytest.mark.usefixtures("cold_builds")

SOCKET_FOLDER = Path(tempfile.gettempdir()) / f"lr_plots-{os.getuid()}"


def dead_pid() -> int:
    """A pid that no process has now (the largest pid the system could give, less one)."""
    pid = int(Path("/proc/sys/kernel/pid_max").read_text()) - 1
    assert not Path(f"/proc/{pid}").exists()
    return pid


def test_a_broken_spec_keeps_its_last_good_files_and_a_parallel_build_removes_a_stale_socket(
    built_few_project,
):
    out = built_few_project / OUTPUT
    before = output_files(built_few_project)
    # A socket left by a killed parallel build: its doit process is gone.
    SOCKET_FOLDER.mkdir(mode=0o700, exist_ok=True)
    stale = SOCKET_FOLDER / f"curves-{dead_pid()}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(stale))
    listener.close()
    assert stale.exists()

    spec = built_few_project / "lr_plots/specs/StepLR.py"
    spec.write_text(spec.read_text().replace("STEPS = 100", 'STEPS = "many"'))
    result = run_doit(built_few_project, "-n", "2", "-c", check=False)
    assert result.returncode != 0
    assert (
        "lr_plots/specs/StepLR.py: STEPS must be a whole number of steps, at least 1 (got 'many')."
        in result.stdout
    )
    for name in ("StepLR.csv", "StepLR.json", "StepLR.png"):
        assert (out / name).read_bytes() == before[name], name
    assert not stale.exists()


def test_a_temporary_file_of_a_killed_build_goes_with_the_next_build_of_its_picture_and_with_clean(
    built_few_project,
):
    out = built_few_project / OUTPUT
    for name in ("StepLR.png", "CyclicLR.png"):
        (out / f".{name}.{dead_pid()}.tmp").write_bytes(b"half a picture")
    (out / "StepLR.png").unlink()
    assert executed(run_doit(built_few_project, "plot:StepLR")) == {"plot:StepLR"}
    assert [path.name for path in out.glob(".*.tmp")] == [f".CyclicLR.png.{dead_pid()}.tmp"]
    result = run_doit(built_few_project, "clean")
    assert f"removing orphaned file '{OUTPUT}/.CyclicLR.png.{dead_pid()}.tmp'" in result.stdout
    assert list(out.glob(".*.tmp")) == []


def test_a_valid_database_holding_a_damaged_record_is_set_aside(built_few_project):
    database = built_few_project / ".doit.db"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE doit SET task_data = '{not json' WHERE task_id = 'plot:StepLR'")
    result = run_doit(built_few_project, "list")
    assert "the dependency database .doit.db is corrupted" in result.stderr
    assert (built_few_project / ".doit.db.corrupt").exists()


def test_a_chosen_picture_builds_with_its_curve_and_nothing_else(few_project):
    result = run_doit(few_project, "plot:StepLR")
    assert executed(result) == {"curve:StepLR", "plot:StepLR"}
    assert set(output_files(few_project)) == {"StepLR.csv", "StepLR.json", "StepLR.png"}


def test_a_spec_saved_while_its_curve_is_computed_is_redone_by_the_next_build(built_few_project):
    # A spec that takes a while says when it has started; while it runs, a new version is saved.
    # The build draws the version it read; the next build sees the saved one and draws it.
    spec = built_few_project / "lr_plots/specs/StepLR.py"
    good = spec.read_text()
    spec.write_text(good + "import pathlib, time\npathlib.Path('started').touch()\ntime.sleep(2)\n")
    build = subprocess.Popen(
        [sys.executable, "-m", "doit", "curve:StepLR"],
        cwd=built_few_project,
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (built_few_project / "started").exists():
        assert build.poll() is None and time.monotonic() < deadline, "the spec did not start"
        time.sleep(0.02)
    spec.write_text(good.replace(*STEP_LR_EDIT))
    assert build.wait(timeout=60) == 0
    assert executed(run_doit(built_few_project, "curve:StepLR")) == {"curve:StepLR"}
    assert "0.025" in (built_few_project / OUTPUT / "StepLR.csv").read_text()  # 0.05 * 0.5, after 30 steps
