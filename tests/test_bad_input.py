"""A broken spec fails only its own task, with a short message naming the file; others still build."""

import sys

from conftest import DOIT_PROBE, OUTPUT, SPEC_NAMES, output_files, run_doit

BROKEN_SPECS = {
    "Raises": (
        "from torch.optim.lr_scheduler import StepLR\nBASE_LR = 0.05\nSTEPS = 100\n\n"
        "def make_scheduler(optimizer):\n    raise RuntimeError('no scheduler today')\n",
        "lr_plots/specs/Raises.py, line 6: RuntimeError: no scheduler today",
    ),
    "NoSuchScheduler": (
        "from torch.optim.lr_scheduler import NoSuchLR\nBASE_LR = 0.05\nSTEPS = 100\n\n"
        "def make_scheduler(optimizer):\n    return NoSuchLR(optimizer)\n",
        "lr_plots/specs/NoSuchScheduler.py, line 1: ImportError: cannot import name 'NoSuchLR'",
    ),
    "BadArgument": (
        "from torch.optim.lr_scheduler import ExponentialLR\nBASE_LR = 0.05\nSTEPS = 100\n\n"
        "def make_scheduler(optimizer):\n    return ExponentialLR(optimizer, gama=0.9)\n",
        "lr_plots/specs/BadArgument.py, line 6: TypeError:",
    ),
    "MissingSteps": (
        "from torch.optim.lr_scheduler import StepLR\nBASE_LR = 0.05\n\n"
        "def make_scheduler(optimizer):\n    return StepLR(optimizer, 10)\n",
        "lr_plots/specs/MissingSteps.py: STEPS must be a whole number of steps, at least 1 (got None).",
    ),
    "Empty": (
        "",
        "lr_plots/specs/Empty.py: STEPS must be a whole number of steps, at least 1 (got None); "
        "BASE_LR must be a positive finite number (got None); make_scheduler(optimizer) must be "
        "defined and return an LR scheduler.",
    ),
    "SyntaxBroken": (
        "BASE_LR = 0.05\nSTEPS = 100\ndef make_scheduler(optimizer)\n    return None\n",
        "lr_plots/specs/SyntaxBroken.py, line 3: SyntaxError: expected ':'",
    ),
    "NotAScheduler": (
        "BASE_LR = 0.05\nSTEPS = 100\n\ndef make_scheduler(optimizer):\n    return 0.1\n",
        "lr_plots/specs/NotAScheduler.py: make_scheduler returned float, not a "
        "torch.optim.lr_scheduler.LRScheduler.",
    ),
    "LoopsForever": (
        "from torch.optim.lr_scheduler import StepLR\nBASE_LR = 0.05\nSTEPS = 100\n\n"
        "def make_scheduler(optimizer):\n    while True:\n        pass\n",
        "lr_plots/specs/LoopsForever.py: stopped after 5 s without finishing",
    ),
}


def test_broken_specs_fail_alone_with_clear_messages(fresh_project):
    for name, (source, _) in BROKEN_SPECS.items():
        (fresh_project / "lr_plots/specs" / f"{name}.py").write_text(source)

    result = run_doit(fresh_project, "-c", "-n", "2", "timeout=5", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for name, (_, message) in BROKEN_SPECS.items():
        assert f"TaskFailed - taskid:curve:{name}" in output
        assert message in output, name
    assert "Traceback" not in output
    built = output_files(fresh_project)
    assert set(built) == {f"{name}.{suffix}" for name in SPEC_NAMES for suffix in ("png", "csv")}
    assert [path.name for path in (fresh_project / OUTPUT).glob(".*.tmp")] == []


def test_spec_name_that_is_not_an_identifier_is_refused_at_load(fresh_project):
    spec = fresh_project / "lr_plots/specs" / "my-schedule.py"
    spec.write_text((fresh_project / "lr_plots/specs/StepLR.py").read_text())

    result = run_doit(fresh_project, "list", check=False)
    assert result.returncode != 0
    assert "lr_plots/specs/my-schedule.py: a spec file's name must be a valid Python identifier" in result.stderr
    assert "Traceback" not in result.stderr


def test_names_that_escape_or_clash_are_refused_at_load(fresh_project):
    specs = fresh_project / "lr_plots/specs"
    (specs / "..StepLR.py").write_text((specs / "StepLR.py").read_text())
    result = run_doit(fresh_project, "list", check=False)
    assert result.returncode != 0
    assert "lr_plots/specs/..StepLR.py: a spec file's name must be a valid Python identifier" in result.stderr

    (specs / "..StepLR.py").rename(specs / "steplr.py")
    result = run_doit(fresh_project, "list", check=False)
    assert result.returncode != 0
    assert (
        "lr_plots/specs/steplr.py: its picture steplr.png would overwrite StepLR.png (from "
        "lr_plots/specs/StepLR.py) on a case-insensitive file system" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_loading_dodo_imports_neither_torch_nor_matplotlib(fresh_project):
    result = run_doit(fresh_project, "list", "--all", python=[sys.executable, "-c", DOIT_PROBE])
    assert result.stdout.splitlines()[-1] == "imported:"
    assert "curve:StepLR" in result.stdout
