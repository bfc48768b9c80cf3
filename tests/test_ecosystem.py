"""Schedulers of other libraries (transformers, timm, ignite), the real packages on a fresh optimizer,
driven as each library drives them in training: the example specs' curves against the formulas their
documentation gives (and, for ignite, its own simulate_values), computed in this process as a curve
task's child computes them, plus one build of one example folder."""

import importlib.util
import itertools
import math
import sys
import types

import pytest
from conftest import ROOT, run_doit

from lr_plots.curve_files import read_curve_csv, read_metadata

EXAMPLES = ROOT / "examples"
STEPS = range(100)
BASE_LR = 0.05


def load_timm_scheduler() -> types.ModuleType:
    """timm.scheduler from the installed timm. `import timm` runs timm/__init__.py, which imports
    timm's models and so torchvision, and PyPI's torchvision does not load beside the CPU build of
    torch here; timm.scheduler needs neither. Where `import timm` fails, timm is registered as a bare
    package whose __path__ is the installed folder, so that its submodules import as usual."""
    try:
        import timm.scheduler
    except (ImportError, RuntimeError):
        for name in [name for name in sys.modules if name.split(".")[0] in ("timm", "torchvision")]:
            del sys.modules[name]  # what the failed import left half made
        found = importlib.util.find_spec("timm")
        if found is None or not found.submodule_search_locations:
            pytest.skip("timm is not installed")
        package = types.ModuleType("timm")
        package.__path__ = list(found.submodule_search_locations)
        sys.modules["timm"] = package
        import timm.scheduler
    return timm.scheduler


def run_example(tmp_path, library, name, folder=EXAMPLES):
    """The curve and metadata of examples/<library>/<name>.py, written as a curve task writes them."""
    from lr_plots.curve_child import CurveRequest, run_spec

    csv, metadata = tmp_path / f"{name}.csv", tmp_path / f"{name}.json"
    spec = folder / library / f"{name}.py"
    failure = run_spec(CurveRequest(str(spec), str(csv), str(metadata), 60, str(tmp_path)))
    assert failure is None, failure
    return read_curve_csv(csv), read_metadata(metadata)


def cosine(start, end, fraction):
    """Half a cosine from `start` (fraction 0) to `end` (fraction 1)."""
    return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2


def warmup_then(n, warmup, after):
    """transformers' warm-up: the factor n / warmup for the first `warmup` steps, then after(n)."""
    return n / warmup if n < warmup else after(n)


# transformers' factor of the base LR at step n, as its documentation describes each schedule, for
# 10 warm-up steps of 100 (progress runs from 0 at the warm-up's end to 1 at step 100).
def progress(n):
    return (n - 10) / 90


TRANSFORMERS = {
    "linear": lambda n: warmup_then(n, 10, lambda n: max(0.0, (100 - n) / 90)),
    "cosine": lambda n: warmup_then(n, 10, lambda n: cosine(1, 0, progress(n))),
    # num_cycles=3 hard restarts: the cosine from 1 to 0 three times over the progress.
    "cosine_with_restarts": lambda n: warmup_then(n, 10, lambda n: cosine(1, 0, (3 * progress(n)) % 1)),
    # From the initial LR to lr_end=0.001 as (1 - progress) ** power, power=2.
    "polynomial": lambda n: warmup_then(
        n, 10, lambda n: (0.001 + (BASE_LR - 0.001) * (1 - progress(n)) ** 2) / BASE_LR
    ),
    "constant": lambda n: 1.0,
    "constant_with_warmup": lambda n: warmup_then(n, 10, lambda n: 1.0),
    # The cosine from the initial LR down to min_lr=0.005 instead of 0.
    "cosine_with_min_lr": lambda n: warmup_then(n, 10, lambda n: cosine(1, 0.005 / BASE_LR, progress(n))),
}


def test_every_transformers_scheduler_type_through_get_scheduler(tmp_path):
    from transformers import SchedulerType

    specs = {path.stem for path in (EXAMPLES / "transformers").glob("*.py")}
    assert specs == {kind.value for kind in SchedulerType}
    curves = {name: run_example(tmp_path, "transformers", name) for name in sorted(specs)}

    for name, factor in TRANSFORMERS.items():
        lrs = curves[name][0]["lr"]
        assert lrs == pytest.approx([BASE_LR * factor(n) for n in STEPS], rel=1e-9, abs=1e-12), name
    # The title is the call as written, the optimizer passed by name though it is the 2nd parameter.
    assert curves["cosine"][1]["title"] == (
        "get_scheduler(name='cosine', num_warmup_steps=10, num_training_steps=100)"
    )
    assert curves["cosine"][1]["x_label"] == "Step"

    # inverse_sqrt: after the warm-up the LR falls as 1 / sqrt(step), from the base LR at step 10.
    inverse = curves["inverse_sqrt"][0]["lr"]
    assert inverse[:11] == pytest.approx([BASE_LR * n / 10 for n in range(11)], rel=1e-12)
    assert [lr * math.sqrt(n) for n, lr in enumerate(inverse) if n >= 10] == pytest.approx(
        [BASE_LR * math.sqrt(10)] * 90, rel=1e-12
    )
    # warmup_stable_decay: up for 10 steps, the base LR for 60, then down to 0 over the last 30.
    wsd = curves["warmup_stable_decay"][0]["lr"]
    assert max(wsd[:10]) < BASE_LR and wsd[10:70] == pytest.approx([BASE_LR] * 60)
    assert all(a > b for a, b in itertools.pairwise(wsd[70:])) and wsd[-1] < 0.01 * BASE_LR
    # cosine_warmup_with_min_lr: the warm-up starts above 0, peaks at the base LR, ends near min_lr_rate.
    rated = curves["cosine_warmup_with_min_lr"][0]["lr"]
    assert (
        rated[0] > 0
        and max(rated) == pytest.approx(BASE_LR)
        and rated[-1] == pytest.approx(0.1 * BASE_LR, rel=0.01)
    )

    # reduce_lr_on_plateau: torch's ReduceLROnPlateau (patience 5, factor 0.5) fed VALIDATION_LOSSES.
    columns, _ = curves["reduce_lr_on_plateau"]
    lr, best, bad, expected = BASE_LR, math.inf, 0, []
    for loss in columns["val_loss"]:
        expected.append(lr)
        best, bad = (loss, 0) if loss < best * (1 - 1e-4) else (best, bad + 1)
        if bad > 5:
            lr, bad = lr * 0.5, 0
    assert columns["lr"] == pytest.approx(expected, rel=1e-12)

    # greedy: GreedyLR's documented rule (mode min, abs threshold 1e-6): the LR is divided by factor
    # once the loss has improved more than patience times in a row, multiplied by it once it has not
    # for more than patience times, kept between min_lr and max_lr.
    columns, _ = curves["greedy"]
    lr, best, good, bad, expected = BASE_LR, math.inf, 0, 0, []
    for loss in columns["val_loss"]:
        expected.append(lr)
        best, good, bad = (loss, good + 1, 0) if loss < best - 1e-6 else (best, 0, bad + 1)
        if good > 3:
            lr, good = min(lr / 0.8, 0.1), 0
        elif bad > 3:
            lr, bad = max(lr * 0.8, 0.001), 0
    assert columns["lr"] == pytest.approx(expected, rel=1e-12)
    assert max(columns["lr"]) == pytest.approx(0.1)


def cosine_with_warmup(t, t_initial, warmup, warmup_lr, lr_min=0.0, base=BASE_LR):
    """timm's cosine: linear from warmup_lr over `warmup` steps of t, then from the base LR to lr_min
    along half a cosine over t_initial (t counted from 0, as warmup_prefix=False does)."""
    if t < warmup:
        return warmup_lr + t * (base - warmup_lr) / warmup
    return cosine(base, lr_min, t / t_initial)


TIMM = {
    "Cosine": lambda n: cosine_with_warmup(n, 100, 5, 1e-4, 1e-4),
    # t_in_epochs=True in epochs of 10 updates: the value of epoch n // 10 for all its updates.
    "Cosine_per_epoch": lambda n: cosine(BASE_LR, 1e-4, (n // 10) / 10),
    "Cosine_per_update": lambda n: cosine_with_warmup(n, 100, 10, 1e-4, 1e-4),
    # Three cycles of 20, the peak times cycle_decay=0.5 each cycle, then lr_min.
    "Cosine_restarts": lambda n: cosine(BASE_LR * 0.5 ** (n // 20), 1e-4, (n % 20) / 20) if n < 60 else 1e-4,
    # lb=-7, ub=3: lr_min + (base - lr_min) / 2 * (1 - tanh(lb * (1 - t / T) + ub * t / T)); epoch 0
    # trains at the base LR the scheduler starts from, as timm's train.py steps it only after an epoch.
    "Tanh": lambda n: (
        BASE_LR if n == 0 else 1e-4 + (BASE_LR - 1e-4) / 2 * (1 - math.tanh(-7 * (1 - n / 100) + 3 * n / 100))
    ),
    "Step": lambda n: BASE_LR * 0.1 ** (n // 30),
    # warmup_prefix (MultiStep's default): epochs count from the warm-up's end, and timm counts them
    # from 1 against decay_t, so the decay at milestone m comes when t + 1 reaches it.
    "MultiStep": lambda n: (
        0.005 + n * (BASE_LR - 0.005) / 3 if n < 3 else BASE_LR * 0.1 ** ((n - 2 >= 30) + (n - 2 >= 80))
    ),
    "Poly": lambda n: 1e-4 + (BASE_LR - 1e-4) * (1 - n / 100) ** 2,
}


def test_timm_schedulers_step_as_timms_training_loop(tmp_path):
    scheduler = load_timm_scheduler()
    assert scheduler.CosineLRScheduler.__module__ == "timm.scheduler.cosine_lr"
    curves = {
        path.stem: run_example(tmp_path, "timm", path.stem) for path in (EXAMPLES / "timm").glob("*.py")
    }
    for name, closed_form in TIMM.items():
        expected = [closed_form(n) for n in STEPS]
        assert curves[name][0]["lr"] == pytest.approx(expected, rel=1e-9, abs=1e-15), name
    assert curves["Cosine"][1]["x_label"] == "Epoch"  # each step an epoch
    assert curves["Cosine_per_update"][1]["steps_per_epoch"] == 10

    # create_scheduler_v2's (scheduler, epochs) pair: the same cosine per update as the class.
    assert curves["create_scheduler_v2"][0] == curves["Cosine_per_update"][0]

    # PlateauLRScheduler wraps torch's rule: the same LRs as torch's ReduceLROnPlateau spec, given the
    # same losses at the end of each epoch (mode min, patience 10, factor 0.1).
    torch_plateau = run_example(tmp_path, "specs", "ReduceLROnPlateau", ROOT / "lr_plots")[0]
    assert curves["Plateau"][0] == torch_plateau

    # lr_scale: one line per parameter group, the second a tenth of the first, labelled by its start.
    columns, metadata = curves["Cosine_lr_scale"]
    assert columns["lr"] == pytest.approx([cosine_with_warmup(n, 100, 5, 1e-4) for n in STEPS], rel=1e-9)
    assert columns["lr_1"] == pytest.approx([lr * 0.1 for lr in columns["lr"]], rel=1e-12)
    assert metadata["lr_scale"] == [1.0, 0.1] and metadata["base_lr"] == pytest.approx([0.05, 0.005])


def ignite_simulated(optimizer_lr, build, steps=100):
    """ignite's own simulate_values for the scheduler `build(optimizer)` returns (class, kwargs)."""
    import torch

    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=optimizer_lr)
    simulate, kwargs = build(optimizer)
    return simulate(steps, **kwargs)


def test_ignite_schedulers_give_ignites_simulated_values(tmp_path):
    from ignite import handlers
    from torch.optim.lr_scheduler import ExponentialLR

    curves = {
        path.stem: run_example(tmp_path, "ignite", path.stem) for path in (EXAMPLES / "ignite").glob("*.py")
    }
    assert set(curves) >= {
        "CosineAnnealingScheduler",
        "LinearCyclicalScheduler",
        "PiecewiseLinear",
        "ConcatScheduler",
        "ParamGroupScheduler",
        "LRScheduler",
        "create_lr_scheduler_with_warmup",
    }

    def lrs(name):
        return curves[name][0]["lr"]

    def simulated(cls, **kwargs):
        return [value for _, value in cls.simulate_values(100, **kwargs)]

    cosine_kwargs = {"param_name": "lr", "start_value": 0.05, "end_value": 0.001, "cycle_size": 50}
    assert lrs("CosineAnnealingScheduler") == simulated(handlers.CosineAnnealingScheduler, **cosine_kwargs)
    # ignite's documented cosine: start + (end - start) / 2 * (1 - cos(pi * (n % cycle) / cycle)).
    assert lrs("CosineAnnealingScheduler") == pytest.approx(
        [0.05 + (0.001 - 0.05) / 2 * (1 - math.cos(math.pi * (n % 50) / 50)) for n in STEPS], rel=1e-12
    )
    triangle = {"param_name": "lr", "start_value": 0.01, "end_value": 0.1, "cycle_size": 20}
    assert lrs("LinearCyclicalScheduler") == simulated(handlers.LinearCyclicalScheduler, **triangle)
    milestones = [(0, 0.0), (10, 0.05), (60, 0.01), (100, 0.0)]
    assert lrs("PiecewiseLinear") == simulated(
        handlers.PiecewiseLinear, param_name="lr", milestones_values=milestones
    )

    import torch

    def optimizer(lrs_of_groups=(BASE_LR,)):
        return torch.optim.SGD(
            [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs_of_groups]
        )

    sgd = optimizer()
    ramp = handlers.LinearCyclicalScheduler(sgd, "lr", start_value=0.001, end_value=0.05, cycle_size=40)
    down = handlers.CosineAnnealingScheduler(sgd, "lr", start_value=0.05, end_value=0.001, cycle_size=80)
    concat = handlers.ConcatScheduler.simulate_values(100, schedulers=[ramp, down], durations=[20])
    assert lrs("ConcatScheduler") == [value for _, value in concat]

    sgd = optimizer()
    exponential = handlers.LRScheduler.simulate_values(100, lr_scheduler=ExponentialLR(sgd, gamma=0.97))
    assert lrs("LRScheduler") == [value for _, value in exponential]

    sgd = optimizer()
    values = [None] * 100
    warm_cosine = handlers.CosineAnnealingScheduler(
        sgd, "lr", start_value=0.05, end_value=0.001, cycle_size=180
    )
    handlers.create_lr_scheduler_with_warmup(
        warm_cosine, warmup_start_value=0.0, warmup_duration=10, output_simulated_values=values
    )
    assert lrs("create_lr_scheduler_with_warmup") == [value for _, value in values]

    sgd = optimizer((0.05, 0.01))
    groups = [
        handlers.CosineAnnealingScheduler(sgd, "lr", 0.05, 0.0, 100, param_group_index=0),
        handlers.LinearCyclicalScheduler(sgd, "lr", 0.001, 0.01, 25, param_group_index=1),
    ]
    per_group = handlers.ParamGroupScheduler.simulate_values(100, schedulers=groups, names=["a", "b"])
    columns, metadata = curves["ParamGroupScheduler"]
    assert [columns["lr"], columns["lr_1"]] == [[row[1] for row in per_group], [row[2] for row in per_group]]
    assert metadata["groups"] == 2 and metadata["x_label"] == "Step"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "from torch.optim import SGD\nSCHEDULER = SGD\nARGUMENTS = {}\nBASE_LR = 0.05\nSTEPS = 10\n",
            "Spec.py: SCHEDULER must be an LRScheduler class (got <class 'torch.optim.sgd.SGD'>). "
            "SCHEDULER may be a torch.optim.lr_scheduler class (LRScheduler, ReduceLROnPlateau), a "
            "timm.scheduler class",
        ),
        (
            "def text(optimizer):\n    return 'cosine'\nSCHEDULER = text\nARGUMENTS = {}\nBASE_LR = 0.05\n"
            "STEPS = 10\n",
            "Spec.py: SCHEDULER text returned 'cosine', not an LRScheduler; a factory function must return "
            "the scheduler it builds on the optimizer. SCHEDULER may be a torch.optim.lr_scheduler class",
        ),
        (
            "from torch.optim.lr_scheduler import StepLR\nSCHEDULER = StepLR\nARGUMENTS = {'step_size': 3}\n"
            "BASE_LR = [0.05, 0.05]\nLR_SCALE = [1.0, 0.5]\nSTEPS = 10\n",
            "Spec.py: LR_SCALE is read by timm's schedulers only; this spec's scheduler is StepLR.",
        ),
        (
            "from torch.optim.lr_scheduler import StepLR\nSCHEDULER = StepLR\nARGUMENTS = {'step_size': 3}\n"
            "BASE_LR = 0.05\nLR_SCALE = [1.0, 0.5]\nSTEPS = 10\n",
            "Spec.py: LR_SCALE must be a list of positive numbers, one per parameter group (1) "
            "(got [1.0, 0.5]).",
        ),
    ],
)
def test_what_no_family_knows_is_one_line_listing_what_is_accepted(tmp_path, monkeypatch, source, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Spec.py").write_text(source)
    from lr_plots.curve_child import CurveRequest, run_spec

    failure = run_spec(CurveRequest("Spec.py", "Spec.csv", "Spec.json", 60, str(tmp_path)))
    assert failure is not None and failure.startswith(message), failure
    assert "\n" not in failure


def test_a_factory_takes_the_optimizer_by_name_or_first(tmp_path, monkeypatch):
    from lr_plots.curves import load_spec, scheduler_curve

    monkeypatch.chdir(tmp_path)
    source = (
        "from torch.optim.lr_scheduler import StepLR\n"
        "def {name}({parameters}):\n    return StepLR({optimizer}, step_size=step_size)\n"
        "SCHEDULER = {name}\nARGUMENTS = {{'step_size': 3}}\nBASE_LR = 0.05\nSTEPS = 10\n"
    )
    curves = []
    for name, parameters, optimizer in [
        ("first", "opt, step_size", "opt"),  # the first parameter, whatever its name
        ("named", "step_size, optimizer", "optimizer"),  # not first, but named optimizer
    ]:
        path = tmp_path / f"{name}.py"
        path.write_text(source.format(name=name, parameters=parameters, optimizer=optimizer))
        curves.append(scheduler_curve(load_spec(path)))
    assert curves[0] == curves[1] and curves[0]["lr"][3] == pytest.approx(0.005)


@pytest.mark.early
def test_an_example_folder_builds_with_lr_plots(tmp_path):
    # ignite's folder: the quickest of the three libraries to import. Only its curves and pictures.
    out = tmp_path / "pictures"
    run_doit(
        tmp_path,
        f"specs={EXAMPLES / 'ignite'}",
        f"out={out}",
        "plot",
        python=[sys.executable, "-m", "lr_plots.command"],
    )
    names = sorted(path.stem for path in (EXAMPLES / "ignite").glob("*.py"))
    assert sorted(path.stem for path in out.glob("*.png")) == names
    for name in names:
        assert read_curve_csv(out / f"{name}.csv") == run_example(tmp_path, "ignite", name)[0]
