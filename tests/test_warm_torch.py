"""The warm torch process (setting `daemon`): the builds after the first import no torch, draw the same
bytes as builds without it, take on each build's folder and environment, survive a killed build, and
end when told or when idle; under CI it is not started."""

import fractions
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import (
    FEW_SPECS,
    OUTPUT,
    copy_project,
    edit_step_lr,
    keep_only,
    live_processes,
    output_files,
    recording_torch_imports,
    run_doit,
    torch_importers,
)

from lr_plots.options import DAEMON_SECONDS, default_daemon_seconds, read_options
from lr_plots.warm_torch import modules_found_elsewhere, send_command

DEADLINE = 60  # seconds: an awaited event that has not come by then never will


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {DEADLINE} s"
        time.sleep(0.02)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.fixture
def warm_environment(tmp_path):
    """An environment outside CI, with a private folder of its own (sockets' paths must be short)
    and a record of the processes that import torch; every warm process is stopped at the end."""
    private = Path(tempfile.mkdtemp(prefix="lrw"))
    environment = recording_torch_imports(tmp_path / "record")
    environment.pop("CI", None)
    environment["TMPDIR"] = str(private)
    yield environment
    stop = [sys.executable, "-m", "doit", "daemon", "stop"]
    subprocess.run(stop, env=environment, cwd=tmp_path, check=False, capture_output=True)
    shutil.rmtree(private, ignore_errors=True)


def warm_status(project: Path, environment: dict[str, str]) -> list[str]:
    result = run_doit(project, "daemon", env=environment)
    return [line for line in result.stdout.splitlines() if line.startswith("[daemon] pid ")]


def warm_pids(project: Path, environment: dict[str, str]) -> list[int]:
    return [int(line.split()[2].rstrip(":")) for line in warm_status(project, environment)]


@pytest.mark.early
def test_warm_torch_process_serves_the_next_builds_exactly(
    few_project, built_few_template, warm_environment, tmp_path
):
    env = warm_environment
    reference = output_files(built_few_template)
    run_doit(few_project, "-n", "2", "daemon=30", env=env)
    assert output_files(few_project) == reference  # the same bytes as builds without it
    (status,) = warm_status(few_project, env)
    warm_pid = int(status.split()[2].rstrip(":"))
    assert "waits 30 s" in status
    assert os.getsid(warm_pid) == warm_pid  # a session of its own: no Ctrl-C of a build reaches it
    torch_loads = torch_importers(tmp_path / "record")
    assert torch_loads == 1

    # The next build imports no torch; its spec runs in the build's folder and environment.
    spec = few_project / "lr_plots/specs/StepLR.py"
    original = spec.read_text()
    edited = original.replace('"gamma": 0.1', '"gamma": float(os.environ["STEP_GAMMA"])')
    assert edited != original
    spec.write_text("import os, pathlib\npathlib.Path('seen-in').write_text(os.getcwd())\n" + edited)
    run_doit(few_project, "-n", "2", "daemon=30", env={**env, "STEP_GAMMA": "0.25"})
    assert torch_importers(tmp_path / "record") == torch_loads
    assert (few_project / "seen-in").read_text() == str(few_project)
    rows = (few_project / OUTPUT / "StepLR.csv").read_text().splitlines()[1:]
    step_size = int(original.split('"step_size": ')[1].split(",")[0])
    expected = [0.05 * 0.25 ** (n // step_size) for n in range(len(rows))]
    assert [float(row.split(",")[1]) for row in rows] == expected

    # A build killed while the warm process computes its curve: that curve's child is killed, the
    # warm process stays and serves the next build, which draws the clean build's bytes again.
    spec.write_text(original + "import pathlib, time\npathlib.Path('started').touch()\ntime.sleep(600)\n")
    build = subprocess.Popen(
        [sys.executable, "-m", "doit", "-n", "2", "daemon=30"],
        cwd=few_project,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for((few_project / "started").exists, "the slow spec's start")
    (curve_child,) = children_of(warm_pid)
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=DEADLINE)
    wait_for(lambda: not live_processes("pgrp", build.pid), "the end of the killed build's processes")
    wait_for(lambda: not alive(curve_child), "the end of the killed build's curve")
    assert alive(warm_pid)
    assert list((few_project / OUTPUT).glob(".*.tmp")) == []
    spec.write_text(original)
    run_doit(few_project, "-n", "2", "daemon=30", env=env)
    assert output_files(few_project) == reference
    assert torch_importers(tmp_path / "record") == torch_loads

    # `doit daemon stop` ends it at once and leaves nothing in the private folder.
    stopped = run_doit(few_project, "daemon", "stop", env=env)
    assert f"[daemon] stopped pid {warm_pid}" in stopped.stdout
    wait_for(lambda: not alive(warm_pid), "the end of the stopped warm process")
    assert list(Path(env["TMPDIR"], f"lr_plots-{os.getuid()}").glob("warm-*")) == []
    assert warm_status(few_project, env) == []


def test_ci_turns_it_off_and_the_setting_chooses_how_long_it_waits(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "A.py").write_text("")
    variables = {"specs": "specs"}
    for ci, seconds in (("true", 0.0), ("1", 0.0), ("", DAEMON_SECONDS), ("false", DAEMON_SECONDS)):
        monkeypatch.setenv("CI", ci)
        assert read_options(variables).daemon_seconds == seconds
    assert read_options({**variables, "daemon": "0"}).daemon_seconds == 0
    assert read_options({**variables, "daemon": "5"}).daemon_seconds == 5
    monkeypatch.setenv("CI", "true")
    assert read_options({**variables, "daemon": "5"}).daemon_seconds == 5  # an explicit setting holds
    with pytest.raises(Exception, match=r"daemon=-1: it must be a number, 0 or more\."):
        read_options({**variables, "daemon": "-1"})


# A warm process's loop without torch (it loads torch in serve, before the loop), in a process of its
# own: the loop kills whatever children of its process it did not start.
IDLE_SERVER = """
import socket, sys
from lr_plots.curve_server import CurveServer
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(sys.argv[1])
listener.listen()
print("listening", flush=True)
server = CurveServer(listener, idle_seconds=float(sys.argv[2]), key="test")
server.run()
server.close()
"""


def test_an_idle_warm_process_ends_by_itself_and_answers_status_and_stop():
    folder = Path(tempfile.mkdtemp(prefix="lrw"))
    try:
        for command, idle in (("status", 0.5), ("stop", 600)):
            address = str(folder / "warm-test")
            server = subprocess.Popen(
                [sys.executable, "-c", IDLE_SERVER, address, str(idle)], stdout=subprocess.PIPE, text=True
            )
            assert server.stdout.readline() == "listening\n"
            answer = send_command(address, command)
            assert answer is not None and answer["pid"] == server.pid and answer["idle_seconds"] == idle
            assert answer["stopping"] == (command == "stop")
            # Once idle for `idle` seconds (at once, when stopped), it ends and removes its socket.
            assert server.wait(timeout=DEADLINE) == 0
            assert not Path(address).exists()
            assert send_command(address, "status") is None
    finally:
        shutil.rmtree(folder)


def test_a_warm_process_serves_a_build_only_if_its_sys_path_finds_the_same_files(tmp_path):
    """Checked in this process, which has loaded shutil and pytest as a warm process has torch."""
    here = os.getcwd()
    assert modules_found_elsewhere(sys.path, here) == []
    # Another folder of lr_plots (a checkout, a project's copy): the key holds its code's bytes.
    (tmp_path / "checkout/lr_plots").mkdir(parents=True)
    (tmp_path / "checkout/lr_plots/__init__.py").write_text("")
    assert modules_found_elsewhere([str(tmp_path / "checkout"), *sys.path], here) == []
    # A project folder holding a module of a name this process has loaded, given as an absolute
    # entry or as one relative to the build's folder.
    (tmp_path / "project").mkdir()
    shutil.copy(shutil.__file__, tmp_path / "project/shutil.py")
    assert modules_found_elsewhere([str(tmp_path / "project"), *sys.path], here) == ["shutil"]
    assert modules_found_elsewhere(["project", *sys.path], str(tmp_path)) == ["shutil"]
    assert modules_found_elsewhere([*sys.path, str(tmp_path / "project")], here) == []  # found first
    # A folder with a sitecustomize, which Python imports as it starts, loaded or not here.
    (tmp_path / "startup").mkdir()
    (tmp_path / "startup/sitecustomize.py").write_text("")
    assert "sitecustomize" in modules_found_elsewhere([str(tmp_path / "startup"), *sys.path], here)
    # A sys.path without the folder this process found pytest in.
    site = str(Path(pytest.__file__).parents[1])
    assert "pytest" in modules_found_elsewhere([entry for entry in sys.path if entry != site], here)


def test_the_builds_of_every_project_share_one_warm_process_unless_a_folder_shadows_what_it_loaded(
    tmp_path, warm_environment, built_few_template
):
    env = warm_environment
    reference = output_files(built_few_template)
    first, second = (keep_only(copy_project(tmp_path / name), FEW_SPECS) for name in ("first", "second"))
    run_doit(first, "-n", "2", "daemon=30", env=env)
    assert output_files(first) == reference
    # The first project's folder goes (with the copy of lr_plots the warm process was started from);
    # the second has a PYTHONPATH of its own: what it adds to sys.path is checked like the rest.
    shutil.rmtree(first)
    (tmp_path / "more").mkdir()
    more = {**env, "PYTHONPATH": os.pathsep.join([env["PYTHONPATH"], str(tmp_path / "more")])}
    run_doit(second, "-n", "2", "daemon=30", env=more)
    assert output_files(second) == reference
    assert torch_importers(tmp_path / "record") == 1
    (shared,) = warm_pids(second, env)

    # A module of the second project's folder that the warm process has loaded from the standard
    # library (fractions, which torch imports): that project's builds get a warm process of their own.
    shutil.copy(fractions.__file__, second / "fractions.py")
    edit_step_lr(second)
    run_doit(second, "-n", "2", "daemon=30", env=env)
    assert torch_importers(tmp_path / "record") == 2
    pids = warm_pids(second, env)
    assert shared in pids and len(pids) == 2
    (own,) = set(pids) - {shared}
    edited = output_files(second)

    # Then a package of that name instead: neither warm process fits, the one of its own ends, and
    # the build computes its curves in a torch process of its own; the shared one serves on.
    (second / "fractions.py").unlink()
    (second / "fractions").mkdir()
    shutil.copy(fractions.__file__, second / "fractions/__init__.py")
    (second / OUTPUT / "StepLR.csv").unlink()
    run_doit(second, "-n", "2", "daemon=30", env=env)
    assert output_files(second) == edited
    wait_for(lambda: not alive(own), "the end of the warm process that no longer fits its project")
    assert torch_importers(tmp_path / "record") == 3
    assert warm_pids(second, env) == [shared]


def test_the_suites_builds_run_warm_in_a_folder_of_the_runs_own():
    """As README.md says of the tests: outside the tests that ask otherwise, the builds have the
    warm torch process (unless LR_PLOTS_TEST_COLD=1), its sockets in the run's own folder."""
    cold = os.environ.get("LR_PLOTS_TEST_COLD") == "1"
    assert default_daemon_seconds() == (0 if cold else DAEMON_SECONDS)
    assert Path(os.environ["TMPDIR"]).name.startswith("lr_plots-tests-")


def test_the_tests_of_a_build_s_own_processes_run_as_in_a_ci_job(cold_builds):
    assert os.environ["CI"] == "true" and default_daemon_seconds() == 0
