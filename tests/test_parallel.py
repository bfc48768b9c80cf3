"""The workers of `doit -n N`, and `doit`'s own process, hand their curves to the build's one torch
process: a broken spec fails there exactly as computed in place, alone, with its one-line message,
and a runaway one is stopped."""

import subprocess
import sys

import pytest
from conftest import (
    DOIT_PROBE,
    EXPLORER_FILES,
    GALLERY_FILES,
    OUTPUT,
    executed,
    importers,
    importers_ancestors,
    output_files,
    picture_files,
    recording_torch_imports,
    run_doit,
    torch_importers,
)
from test_bad_input import BROKEN_SPECS

# The subject is a build's own processes (which of a build's processes import torch):
# its builds run as in a CI job.
pytestmark = pytest.mark.usefixtures("cold_builds")

GOOD_SPECS = {"StepLR", "CyclicLR"}
BROKEN = ("Raises", "SyntaxBroken", "NotAScheduler", "LoopsForever")


def test_broken_specs_fail_alone_with_the_same_messages_in_parallel(fresh_project, tmp_path):
    specs = fresh_project / "lr_plots/specs"
    for spec in specs.glob("*.py"):
        if spec.stem not in GOOD_SPECS:
            spec.unlink()
    for name in BROKEN:
        (specs / f"{name}.py").write_text(BROKEN_SPECS[name][0])

    env = recording_torch_imports(tmp_path / "probe")
    result = run_doit(fresh_project, "-n", "3", "-c", "timeout=1", check=False, env=env)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for name in BROKEN:
        assert f"TaskFailed - taskid:curve:{name}" in output
        assert BROKEN_SPECS[name][1] in output, name
    assert "Traceback" not in output
    # Every good picture is built; the gallery and explorer, which show them all, wait for the broken ones.
    pages = GALLERY_FILES | EXPLORER_FILES
    assert set(output_files(fresh_project)) == picture_files(sorted(GOOD_SPECS)) - pages
    assert [path.name for path in (fresh_project / OUTPUT).glob(".*.tmp")] == []
    assert torch_importers(tmp_path / "probe") == 1


def test_parallel_no_op_starts_nothing_that_imports_torch_or_matplotlib(built_project, tmp_path):
    env = recording_torch_imports(tmp_path / "probe")
    result = run_doit(built_project, "-n", "4", env=env)
    assert executed(result) == set()
    assert importers(tmp_path / "probe", "torch") == 0
    assert importers(tmp_path / "probe", "matplotlib") == 0


def test_a_cold_parallel_build_starts_torch_before_its_workers(fresh_project, tmp_path):
    # doit found curves out of date before starting any worker, so its own process started the
    # torch process first thing: torch loads while the workers start. (A worker's child would have
    # the forkserver's command line as its parent's, as the workers are forked from it.)
    for spec in (fresh_project / "lr_plots/specs").glob("*.py"):
        if spec.stem not in GOOD_SPECS:
            spec.unlink()
    env = recording_torch_imports(tmp_path / "probe")
    run_doit(fresh_project, "-n", "2", env=env)
    [(parent, _)] = importers_ancestors(tmp_path / "probe", "torch")
    assert parent.startswith(f"{sys.executable} -m doit -n 2")


def test_a_serial_build_loads_torch_elsewhere_while_it_imports_the_drawing_code(fresh_project, tmp_path):
    for spec in (fresh_project / "lr_plots/specs").glob("*.py"):
        if spec.stem not in GOOD_SPECS:
            spec.unlink()
    env = recording_torch_imports(tmp_path / "probe")
    result = run_doit(fresh_project, python=[sys.executable, "-c", DOIT_PROBE], env=env)
    assert executed(result) >= {"curve:StepLR", "plot:StepLR", "gallery"}
    # doit's process drew the pictures and never imported torch: one torch process did, its child.
    assert result.stdout.splitlines()[-1] == "imported: matplotlib"
    [(parent, _)] = importers_ancestors(tmp_path / "probe", "torch")
    assert "DoitMain" in parent


def test_workers_forked_from_the_forkserver_collect_garbage_but_not_its_imports():
    # The forkserver imports with the collector off and freezes what it imported; each worker
    # forked from it collects its own garbage.
    code = (
        "import gc, os, sys\n"
        "import lr_plots.forkserver_preload\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if gc.isenabled() and gc.get_freeze_count() > 0 else 1)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status), gc.isenabled(), gc.get_freeze_count() > 10000)\n"
        "sys.stdout.flush()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False", "True"]
