"""Killed, interrupted, concurrent or damaged builds lose nothing: the next doit ends with every
picture identical to a clean build."""

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import (
    CURVE_NAMES,
    EXPLORER_FILES,
    FEW_SPECS,
    OUTPUT,
    executed,
    few_tasks,
    live_processes,
    output_files,
    run_doit,
    tasks,
)

# The subject is a build's own processes (kills, damaged databases and concurrent builds):
# its builds run as in a CI job.
pytestmark = pytest.mark.usefixtures("cold_builds")


def remove_outputs(project: Path) -> None:
    for path in (project / OUTPUT).iterdir():
        if path.name not in ("README.md", ".gitignore"):
            path.unlink()
    for path in project.glob(".doit.db*"):
        path.unlink()


def start_doit(project: Path, *args: str) -> subprocess.Popen:
    """doit in a process group of its own, as a shell runs it, so a signal can reach all of it; with
    the build's own torch process (daemon=0), which these kills are timed by and must reach."""
    return subprocess.Popen(
        [sys.executable, "-m", "doit", *args, "daemon=0"],
        cwd=project,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_group_gone(process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30  # SIGKILLed processes may take an instant to go
    while live_processes("pgrp", process.pid):
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("doit's worker processes outlived it")
        time.sleep(0.05)


def assert_only_whole_files(project: Path, reference: dict[str, bytes]) -> None:
    """Every PNG and CSV present is complete: builds are deterministic, so it equals the clean one."""
    for name, data in output_files(project).items():
        assert data == reference[name], f"{name} is truncated or wrong after the interruption"


def assert_matches_clean_build(project: Path, reference: dict[str, bytes]) -> None:
    assert output_files(project) == reference
    assert list((project / OUTPUT).glob(".*.tmp")) == []


TORCH_PROCESS = "from lr_plots.curve_server import serve"
HANG_SECONDS = 120  # a build still running after this long has hung: the test fails


def torch_process_started(process: subprocess.Popen) -> bool:
    """Whether the build's torch process is running (it then imports torch)."""
    for pid in live_processes("pgrp", process.pid):
        try:
            if TORCH_PROCESS in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                return True
        except OSError:
            continue
    return False


def kill_when(
    process: subprocess.Popen, project: Path, files: int, sig: int, torch_started: bool = False
) -> None:
    """Send `sig` to doit's whole process group once `files` outputs exist, or (with
    `torch_started`) once the build's torch process runs, or at once: moments tied to the build's
    progress, so they land alike on a fast machine and a loaded one. Fails if the build ends first."""
    folder = project / OUTPUT
    deadline = time.monotonic() + HANG_SECONDS
    while not (
        (torch_started and torch_process_started(process))
        or (files and sum(1 for _ in folder.iterdir()) - 2 >= files)  # README.md and .gitignore
        or not (files or torch_started)
    ):
        assert process.poll() is None, "the build ended before the moment of the kill"
        assert time.monotonic() < deadline, "the moment of the kill never came"
        time.sleep(0.01)
    os.killpg(process.pid, sig)


@pytest.fixture
def small_project(few_project: Path, built_few_template: Path) -> tuple[Path, dict[str, bytes]]:
    """A fresh copy holding FEW_SPECS only, so the loops below spend their time on kills and
    recoveries rather than on drawing every picture each time, and the files of its clean build."""
    reference = output_files(built_few_template)
    assert len(reference) == 3 * len(FEW_SPECS) + 2 + len(EXPLORER_FILES)
    return few_project, reference


def save_outputs(project: Path, destination: Path) -> None:
    """Copy the output folder and doit's database of `project` to `destination`, times kept."""
    shutil.copytree(project / OUTPUT, destination / OUTPUT)
    for path in project.glob(".doit.db*"):
        shutil.copy2(path, destination)


def restore_outputs(saved: Path, project: Path) -> None:
    """Put back what save_outputs copied, in place of `project`'s outputs and database."""
    remove_outputs(project)
    shutil.copytree(saved / OUTPUT, project / OUTPUT, dirs_exist_ok=True)
    for path in saved.glob(".doit.db*"):
        shutil.copy2(path, project)


def chains(moments: list[tuple[int, bool]], curve_files: int) -> list[list[tuple[int, bool]]]:
    """`moments` cut into chains of builds, each build killed further on than the one before and
    started from the state it left; a chain starts anew where the kills move from the curves to the
    pictures (its builds start from every curve written) or the next moment is no further on."""
    result: list[list[tuple[int, bool]]] = []
    for moment in moments:
        drawing = moment[0] > curve_files
        if result and drawing == (result[-1][-1][0] > curve_files) and moment > result[-1][-1]:
            result[-1].append(moment)
        else:
            result.append([moment])
    return result


def kill_builds(project: Path, reference: dict[str, bytes], chain: list[tuple[int, bool]], sig: int) -> int:
    """Start a build in `project` at each moment of `chain` and send it `sig` then, each build taking
    up where the one before was stopped; check that each leaves only whole files and no process,
    and that one more build then gives the clean build's files. The number of builds stopped mid-way."""
    interrupted = 0
    for files, torch_started in chain:
        process = start_doit(project, "-n", "2")
        kill_when(process, project, files, sig, torch_started)
        process.communicate(timeout=HANG_SECONDS)
        if sig != signal.SIGKILL:
            assert process.returncode != 0
        assert_group_gone(process)
        assert_only_whole_files(project, reference)
        interrupted += output_files(project).keys() != reference.keys()
    run_doit(project, "-n", "2")
    assert_matches_clean_build(project, reference)
    return interrupted


@pytest.mark.slow
def test_sigkill_at_twenty_moments_loses_nothing(small_project, tmp_path):
    fresh_project, reference = small_project
    # Kills while doit starts and imports torch, then at moments spread over the writing of the
    # curves (CSV and JSON of every spec come first), the pictures and the gallery.
    curve_files = sum(1 for name in reference if name.endswith((".csv", ".json")))
    moments = [(0, False), (0, True)]  # as doit starts; once the torch process runs
    moments += [(files, False) for files in range(1, curve_files, 2)]
    moments += [(files, False) for files in range(curve_files, len(reference))]
    moments += [(len(reference) - 1, False)] * (20 - len(moments))
    # The builds killed while drawing start where a build is once its curves are written (the state
    # a build with every curve done leaves), so that each does not import torch first.
    run_doit(fresh_project, "curve")
    save_outputs(fresh_project, tmp_path / "curves_written")
    interrupted = 0
    for chain in chains(moments, curve_files):
        if chain[0][0] > curve_files:
            restore_outputs(tmp_path / "curves_written", fresh_project)
        else:
            remove_outputs(fresh_project)
        interrupted += kill_builds(fresh_project, reference, chain, signal.SIGKILL)
    assert len(moments) == 20
    assert interrupted >= 16, "the kills should land mid-build, or this test proves little"


@pytest.mark.slow
def test_ctrl_c_stops_promptly_and_loses_nothing(small_project):
    fresh_project, reference = small_project
    curve_files = sum(1 for name in reference if name.endswith((".csv", ".json")))
    # While torch is imported, while the curves are written, while the pictures are drawn: each
    # build stops (the deadline only tells a stop from a hang) and leaves no process behind.
    remove_outputs(fresh_project)
    moments = [(0, True), (curve_files // 2, False), (curve_files + 3, False)]
    kill_builds(fresh_project, reference, moments, signal.SIGINT)


# A Ctrl-C while doit starts its workers: the forkserver (which ignores SIGINT) forks the worker
# doit was asking for, whose pid doit never reads; here that worker sleeps instead of waiting for
# its next task, and doit's process ends.
LOST_WORKER = """
import multiprocessing, multiprocessing.process, sys, time
from lr_plots.worker_start import start_workers_warm
start_workers_warm()
worker = multiprocessing.Process(target=time.sleep, args=(600,))
worker.start()
multiprocessing.process._children.discard(worker)
print(worker.pid, flush=True)
"""


def test_a_worker_doit_lost_track_of_ends_with_doit(tmp_path):
    """doit's process, as it ends, kills its forkserver's workers: with none left, the forkserver
    (and a torch process a lost worker is connected to) ends too, and so does the build."""
    done = subprocess.run(
        [sys.executable, "-c", LOST_WORKER], capture_output=True, text=True, timeout=HANG_SECONDS
    )
    assert done.returncode == 0, done.stderr
    worker = int(done.stdout)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{worker}").exists() and Path(f"/proc/{worker}/stat").read_text().split()[2] != "Z":
        assert time.monotonic() < deadline, "the lost worker outlived doit's process"
        time.sleep(0.05)


def test_killed_build_keeps_the_work_it_finished(built_project):
    pictures = sorted((built_project / OUTPUT).glob("*.png"))
    for picture in pictures:
        picture.unlink()
    process = start_doit(built_project, "-n", "2")
    kill_when(process, built_project, len(output_files(built_project)) + len(pictures) // 2, signal.SIGKILL)
    process.communicate(timeout=HANG_SECONDS)
    redrawn = {f"plot:{path.stem}" for path in pictures if path.exists() and path.stem != "overview"}
    assert len(redrawn) >= 3, "the kill came before the build had drawn much"

    # Only what the killed build had not finished is redone; a picture renamed into place in the
    # instant before the kill may not have been recorded yet (one per worker at most).
    remaining = executed(run_doit(built_project)) - {"gallery"}
    assert remaining <= tasks("plot")
    assert len(remaining) <= len(pictures) - 1 - len(redrawn) + 2


EVERY_FEW_TASK = few_tasks("curve") | few_tasks("plot") | {"gallery", "explore"}


def test_deleted_database_rebuilds_everything(built_few_template, built_few_project):
    (built_few_project / ".doit.db").unlink()
    assert executed(run_doit(built_few_project, "-n", "2")) == EVERY_FEW_TASK
    assert_matches_clean_build(built_few_project, output_files(built_few_template))


def test_corrupted_database_is_set_aside_and_everything_rebuilt(built_few_template, built_few_project):
    database = built_few_project / ".doit.db"
    database.write_bytes(os.urandom(database.stat().st_size))

    result = run_doit(built_few_project, "-n", "2")
    assert "the dependency database .doit.db is corrupted" in result.stderr
    assert "every task will be rebuilt" in result.stderr
    assert "Traceback" not in result.stderr
    assert executed(result) == EVERY_FEW_TASK
    assert_matches_clean_build(built_few_project, output_files(built_few_template))
    assert (built_few_project / ".doit.db.corrupt").exists()
    assert executed(run_doit(built_few_project)) == set()


def test_database_damaged_inside_is_detected_too(built_project):
    database = built_project / ".doit.db"
    data = bytearray(database.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)  # the header survives; the pages do not
    database.write_bytes(bytes(data))

    result = run_doit(built_project, "list")
    assert "the dependency database .doit.db is corrupted" in result.stderr
    assert (built_project / ".doit.db.corrupt").read_bytes() == bytes(data)


def test_two_builds_started_together_both_finish_correctly(built_few_template, few_project):
    first = start_doit(few_project, "-n", "2")
    second = start_doit(few_project, "-n", "2")
    results = [(*process.communicate(timeout=120), process.returncode) for process in (first, second)]
    for stdout, stderr, returncode in results:
        assert returncode == 0, stdout + stderr
    (waited,) = [
        stdout for stdout, stderr, _ in results if "another doit is running in this folder; waiting" in stderr
    ]
    # The one that waited then found everything up to date: it ran no task.
    assert [line for line in waited.splitlines() if line.startswith(".  ")] == []
    assert_matches_clean_build(few_project, output_files(built_few_template))
    assert executed(run_doit(few_project)) == set()


@contextmanager
def read_only(folder: Path):
    """Make `folder` read-only, even for root (which ignores permission bits): chattr +i then."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    try:
        probe = folder / "probe"
        with pytest.raises(OSError):
            probe.write_text("x")
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_read_only_output_folder_fails_each_task_clearly(fresh_project):
    with read_only(fresh_project / OUTPUT):
        result = run_doit(fresh_project, "-c", check=False)
    assert result.returncode != 0
    for name in CURVE_NAMES:
        assert f"cannot write {OUTPUT}/{name}.csv: " in result.stdout, name
    assert "Traceback" not in result.stdout + result.stderr
    assert output_files(fresh_project) == {}


def test_missing_output_folder_is_created(built_few_template, few_project):
    shutil.rmtree(few_project / OUTPUT)
    run_doit(few_project, "-n", "2")
    assert output_files(few_project) == output_files(built_few_template)


def test_deleted_spec_drops_its_tasks_and_clean_removes_its_orphans(built_project):
    # PolynomialLR: a spec that no comparison names (deleting one that is named stops the load).
    (built_project / "lr_plots/specs/PolynomialLR.py").unlink()
    listing = run_doit(built_project, "list", "--all").stdout
    assert ":PolynomialLR " not in listing and "curve:ExponentialLR" in listing
    assert executed(run_doit(built_project)) == {"gallery", "explore"}  # which no longer show PolynomialLR
    assert 'src="PolynomialLR.png"' not in (built_project / OUTPUT / "index.html").read_text()
    assert (built_project / OUTPUT / "PolynomialLR.png").exists()  # a build never deletes what it doesn't own

    result = run_doit(built_project, "clean")
    assert f"removing orphaned file '{OUTPUT}/PolynomialLR.png'" in result.stdout
    assert output_files(built_project) == {}
    assert sorted(path.name for path in (built_project / OUTPUT).iterdir()) == [".gitignore", "README.md"]
