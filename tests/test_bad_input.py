"""A broken spec fails only its own task, with a short message naming the file; others still build."""

import sys

from conftest import (
    DOIT_PROBE,
    EXPLORER_FILES,
    GALLERY_FILES,
    OUTPUT,
    output_files,
    picture_files,
    run_doit,
)

GOOD = 'SCHEDULER = StepLR\nARGUMENTS = {"step_size": 30}\nBASE_LR = 0.05\nSTEPS = 100\n'
BROKEN_SPECS = {
    "Raises": (
        "from torch.optim.lr_scheduler import StepLR\n" + GOOD + "raise RuntimeError('no scheduler today')\n",
        "lr_plots/specs/Raises.py, line 6: RuntimeError: no scheduler today",
    ),
    "NoSuchScheduler": (
        "from torch.optim.lr_scheduler import NoSuchLR\n" + GOOD,
        "lr_plots/specs/NoSuchScheduler.py, line 1: ImportError: cannot import name 'NoSuchLR'",
    ),
    # The error arises in torch's code, not the spec's: the file and the error, but no line; the test
    # pins lr_plots' part of the message and the argument named, not torch's own wording.
    "BadArgument": (
        "from torch.optim.lr_scheduler import StepLR\n" + GOOD.replace("step_size", "step_sise"),
        "lr_plots/specs/BadArgument.py: TypeError: ",
    ),
    "MissingSteps": (
        "from torch.optim.lr_scheduler import StepLR\n" + GOOD.replace("STEPS = 100\n", ""),
        "lr_plots/specs/MissingSteps.py: STEPS must be a whole number of steps, at least 1 (got None).",
    ),
    "Empty": (
        "",
        "lr_plots/specs/Empty.py: SCHEDULER must be an LRScheduler class (got None); ARGUMENTS must be "
        "a dict of keyword arguments (got None); STEPS must be a whole number of steps, at least 1 "
        "(got None); BASE_LR must be a positive finite number (got None).",
    ),
    "SyntaxBroken": (
        "BASE_LR = 0.05\nSTEPS = 100\ndef make_scheduler(optimizer)\n    return None\n",
        "lr_plots/specs/SyntaxBroken.py, line 3: SyntaxError: expected ':'",
    ),
    "NotAScheduler": (
        "from torch.optim import SGD\n" + GOOD.replace("= StepLR", "= SGD"),
        "lr_plots/specs/NotAScheduler.py: SCHEDULER must be an LRScheduler class (got <class "
        "'torch.optim.sgd.SGD'>).",
    ),
    "BaseLrNotANumber": (
        "from torch.optim.lr_scheduler import StepLR\n" + GOOD.replace("0.05", '[0.05, "fast"]'),
        "lr_plots/specs/BaseLrNotANumber.py: BASE_LR must be a positive finite number, or a non-empty list "
        "of them, one per parameter group (got [0.05, 'fast']: BASE_LR[1] is 'fast').",
    ),
    "GroupListTooLong": (
        "from torch.optim.lr_scheduler import LambdaLR\nSCHEDULER = LambdaLR\n"
        "ARGUMENTS = {'lr_lambda': [abs, abs, abs]}\nBASE_LR = [0.05, 0.01]\nSTEPS = 10\n",
        "lr_plots/specs/GroupListTooLong.py: ARGUMENTS['lr_lambda'] has 3 values, but BASE_LR gives 2 "
        "parameter groups (one value per group).",
    ),
    "StepsPerEpochFraction": (
        "from torch.optim.lr_scheduler import StepLR\n" + GOOD + "STEPS_PER_EPOCH = 2.5\n",
        "lr_plots/specs/StepsPerEpochFraction.py: STEPS_PER_EPOCH must be a positive whole number of steps "
        "(got 2.5).",
    ),
    "FactoryReturnsNothing": (
        "def no_scheduler(optimizer, step_size):\n    return None\n\n"
        + GOOD.replace("= StepLR", "= no_scheduler"),
        "lr_plots/specs/FactoryReturnsNothing.py: SCHEDULER no_scheduler returned None, not an LRScheduler",
    ),
    "LoopsForever": (
        "from torch.optim.lr_scheduler import StepLR\n" + GOOD + "while True:\n    pass\n",
        "lr_plots/specs/LoopsForever.py: stopped after 1 s without finishing",
    ),
}


# The specs kept beside the broken ones (every spec's picture is checked in other tests).
GOOD_SPECS = {"StepLR", "CyclicLR", "ReduceLROnPlateau"}


def test_broken_specs_fail_alone_with_clear_messages(fresh_project):
    for spec in (fresh_project / "lr_plots/specs").glob("*.py"):
        if spec.stem not in GOOD_SPECS:
            spec.unlink()
    for name, (source, _) in BROKEN_SPECS.items():
        (fresh_project / "lr_plots/specs" / f"{name}.py").write_text(source)

    result = run_doit(fresh_project, "-c", "timeout=1", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for name, (_, message) in BROKEN_SPECS.items():
        assert f"TaskFailed - taskid:curve:{name}\n{message}" in output, name
    assert "'step_sise'" in output.split("TaskFailed - taskid:curve:BadArgument\n", 1)[1].splitlines()[0]
    assert "Traceback" not in output
    # Every other picture is built; the gallery and explorer, which show them all, wait for the broken ones.
    assert (
        set(output_files(fresh_project)) == picture_files(sorted(GOOD_SPECS)) - GALLERY_FILES - EXPLORER_FILES
    )
    assert [path.name for path in (fresh_project / OUTPUT).glob(".*.tmp")] == []


def test_spec_name_that_is_not_an_identifier_is_refused_at_load(fresh_project):
    spec = fresh_project / "lr_plots/specs" / "my-schedule.py"
    spec.write_text((fresh_project / "lr_plots/specs/StepLR.py").read_text())

    result = run_doit(fresh_project, "list", check=False)
    assert result.returncode != 0
    assert (
        "lr_plots/specs/my-schedule.py: a spec file's name must be a valid Python identifier" in result.stderr
    )
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
    # Each task's doc is its spec's docstring, read without importing the spec.
    assert "curve:StepLR" in result.stdout
    assert "StepLR: the LR falls by a factor gamma=0.1 every step_size=30 epochs." in result.stdout
