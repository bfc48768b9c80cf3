"""The curves are torch's real values: checked against closed forms written here independently."""

import csv
import json
import math

import pytest
from conftest import CURVE_NAMES, OUTPUT, ROOT

BASE_LR = 0.05
STEPS = range(100)

CLOSED_FORMS = {
    "StepLR": lambda n: BASE_LR * 0.1 ** (n // 30),
    "MultiStepLR": lambda n: BASE_LR * 0.1 ** ((n >= 30) + (n >= 80)),
    "ExponentialLR": lambda n: BASE_LR * 0.95**n,
    "CosineAnnealingLR": lambda n: BASE_LR * (1 + math.cos(math.pi * n / 100)) / 2,
    "LinearLR": lambda n: BASE_LR * (0.05 + 0.95 * min(n, 40) / 40),
    "ConstantLR": lambda n: BASE_LR * (0.5 if n < 40 else 1.0),
    "PolynomialLR": lambda n: BASE_LR * (1 - min(n, 50) / 50) ** 0.9,
    "ChainedScheduler": lambda n: BASE_LR * 0.9**n * (0.1 if n < 20 else 1.0),
    "SequentialLR": lambda n: BASE_LR * 0.1 if n < 20 else BASE_LR * 0.9 ** (n - 20),
    "LambdaLR": lambda n: BASE_LR * (n // 30),
    "MultiplicativeLR": lambda n: BASE_LR * 0.95**n,
    # SWALR anneals from the base LR to swa_lr with alpha = (1 - cos(pi * min(1, n / 10))) / 2.
    "SWALR": lambda n: BASE_LR + (0.01 - BASE_LR) * (1 - math.cos(math.pi * min(1, n / 10))) / 2,
    "SequentialLR_warmup_cosine": lambda n: (
        BASE_LR * (0.1 + 0.9 * n / 10) if n < 10 else BASE_LR * (1 + math.cos(math.pi * (n - 10) / 90)) / 2
    ),
    # triangular2: a triangle from 0.01 to 0.1 and back every 20 steps, its height halved each cycle.
    "CyclicLR_triangular2": lambda n: 0.01 + 0.09 * (1 - abs(n % 20 - 10) / 10) / 2 ** (n // 20),
    "CyclicLR": lambda n: 0.01 + 0.09 * (1 - abs(n % 20 - 10) / 10),
    "CosineAnnealingWarmRestarts_Tmult2": lambda n: (
        BASE_LR
        * (
            1
            + math.cos(
                math.pi
                * (
                    n / 10
                    if n < 10
                    else (n - 10) / 20
                    if n < 30
                    else (n - 30) / 40
                    if n < 70
                    else (n - 70) / 80
                )
            )
        )
        / 2
    ),
    "WarmupInverseSqrtLR": lambda n: BASE_LR * min((n + 1) / 10, math.sqrt(10 / (n + 1))),
    # Warm restarts, T_mult=1: the cosine from the base LR down to eta_min=0 over T_0=20 epochs, again.
    "CosineAnnealingWarmRestarts": lambda n: BASE_LR * (1 + math.cos(math.pi * (n % 20) / 20)) / 2,
    # exp_range: the triangle's height scaled by gamma to the power of the iteration.
    "CyclicLR_exp_range": lambda n: 0.01 + 0.09 * (1 - abs(n % 20 - 10) / 10) * 0.98**n,
    "OneCycleLR": lambda n: one_cycle(n, 0.01, cosine_between)[0],
    "OneCycleLR_linear": lambda n: one_cycle(n, 0.01, linear_between)[0],
}


def cosine_between(start: float, end: float, fraction: float) -> float:
    """OneCycleLR's cosine annealing: from `start` at fraction 0 to `end` at 1, along half a cosine."""
    return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2


def linear_between(start: float, end: float, fraction: float) -> float:
    return start + (end - start) * fraction


def one_cycle(n: int, max_lr: float, anneal, total: int = 100) -> tuple[float, float]:
    """OneCycleLR's (LR, momentum) at step n, with its defaults: the LR rises from max_lr / 25 to
    max_lr over the first 30 % of the steps (pct_start=0.3) and falls to max_lr / 25 / 1e4 by the
    last, while the momentum falls from 0.95 to 0.85 and rises back."""
    start, low = max_lr / 25, max_lr / 25 / 1e4
    rise_end = 0.3 * total - 1  # the step at which the LR peaks: steps 0 .. 29 of 100 rise
    if n <= rise_end:
        fraction = n / rise_end
        return anneal(start, max_lr, fraction), anneal(0.95, 0.85, fraction)
    fraction = (n - rise_end) / (total - 1 - rise_end)
    return anneal(max_lr, low, fraction), anneal(0.85, 0.95, fraction)


def triangle(n: int) -> float:
    """CyclicLR's triangle for step_size_up=10: 0 at the cycle's ends, 1 at its middle."""
    return 1 - abs(n % 20 - 10) / 10


# Momentum, cycled opposite to the LR: CyclicLR between max_momentum=0.9 and base_momentum=0.8 (its
# height scaled as the LR's), OneCycleLR between 0.95 and 0.85.
MOMENTUM = {
    "CyclicLR": lambda n: 0.9 - 0.1 * triangle(n),
    "CyclicLR_triangular2": lambda n: 0.9 - 0.1 * triangle(n) / 2 ** (n // 20),
    "CyclicLR_exp_range": lambda n: 0.9 - 0.1 * triangle(n) * 0.98**n,
    "OneCycleLR": lambda n: one_cycle(n, 0.01, cosine_between)[1],
    "OneCycleLR_linear": lambda n: one_cycle(n, 0.01, linear_between)[1],
}


def read_columns(project, name):
    with open(project / OUTPUT / f"{name}.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["step"]) for row in rows] == list(STEPS)
    return {column: [float(row[column]) for row in rows] for column in rows[0] if column != "step"}


def read_csv(project, name):
    """The lr column of a curve CSV, whose header starts with step,lr."""
    with open(project / OUTPUT / f"{name}.csv") as file:
        assert file.readline().startswith("step,lr")
    return read_columns(project, name)["lr"]


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_curve_matches_closed_form(built_template, name):
    expected = [CLOSED_FORMS[name](n) for n in STEPS]
    assert read_csv(built_template, name) == pytest.approx(expected, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("name", sorted(MOMENTUM))
def test_momentum_matches_closed_form_at_every_step(built_template, name):
    expected = [MOMENTUM[name](n) for n in STEPS]
    assert read_columns(built_template, name)["momentum"] == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_every_curve_has_a_closed_form():
    assert set(CLOSED_FORMS) | EXPLAINED_ELSEWHERE == set(CURVE_NAMES)


# Curves whose truth is checked by other tests: the plateau rule below, the groups and the factory
# in test_pictures.py.
EXPLAINED_ELSEWHERE = {"ReduceLROnPlateau", "LambdaLR_groups", "LambdaLR_cosine_with_warmup"}


def test_chained_and_sequential_values_quoted_in_the_issue(built_template):
    chained = read_csv(built_template, "ChainedScheduler")
    assert chained[0] == pytest.approx(0.005)
    assert chained[20] == pytest.approx(0.00608, rel=1e-3)
    sequential = read_csv(built_template, "SequentialLR")
    assert sequential[:20] == pytest.approx([0.005] * 20)
    assert sequential[20:22] == pytest.approx([0.05, 0.045])


def test_reduce_on_plateau_drops_where_its_rule_says(built_template):
    # ReduceLROnPlateau's documented rule (mode min, rel threshold 1e-4, patience 10, factor 0.1),
    # applied to the spec's own loss series.
    namespace = {}
    exec((ROOT / "lr_plots/specs/ReduceLROnPlateau.py").read_text(), namespace)
    losses = namespace["VALIDATION_LOSSES"]
    lr, best, bad, expected = BASE_LR, math.inf, 0, []
    for loss in losses:
        expected.append(lr)
        if loss < best * (1 - 1e-4):
            best, bad = loss, 0
        else:
            bad += 1
        if bad > 10:
            lr, bad = lr * 0.1, 0
    lrs = read_csv(built_template, "ReduceLROnPlateau")
    assert lrs == pytest.approx(expected, rel=1e-12)
    assert lrs[35] == BASE_LR and lrs[36] == pytest.approx(BASE_LR / 10)


def test_csv_values_are_torch_floats_exactly(built_template):
    from lr_plots.curves import load_spec, scheduler_curve

    for name in CURVE_NAMES:
        spec = load_spec(ROOT / "lr_plots/specs" / f"{name}.py")
        assert read_columns(built_template, name) == scheduler_curve(spec), name


def test_every_curve_has_one_row_per_step(built_template):
    for name in CURVE_NAMES:
        assert len(read_csv(built_template, name)) == 100


@pytest.mark.parametrize("name", ["CyclicLR", "CyclicLR_triangular2", "OneCycleLR", "OneCycleLR_linear"])
def test_per_batch_schedulers_step_and_show_momentum(built_template, name):
    columns = read_columns(built_template, name)
    assert list(columns) == ["lr", "momentum"]
    metadata = json.loads((built_template / OUTPUT / f"{name}.json").read_text())
    assert metadata["x_label"] == "Step"
    if name.startswith("CyclicLR"):  # momentum moves opposite to the LR, between 0.8 and 0.9
        assert columns["momentum"][0] == pytest.approx(0.9) and columns["momentum"][10] == pytest.approx(0.8)


def test_plateau_curve_carries_its_loss_series(built_template):
    columns = read_columns(built_template, "ReduceLROnPlateau")
    assert list(columns) == ["lr", "val_loss"]
    assert columns["val_loss"] == [max(0.3, 0.95**epoch) for epoch in STEPS]


def test_titles_name_the_scheduler_and_its_arguments_from_the_spec(built_template):
    def title(name):
        return json.loads((built_template / OUTPUT / f"{name}.json").read_text())["title"]

    assert title("StepLR") == "StepLR(step_size=30, gamma=0.1)"
    assert title("LambdaLR") == "LambdaLR(lr_lambda=epoch_floordiv_30)"
    assert title("SequentialLR") == (
        "SequentialLR(schedulers=[ConstantLR(factor=0.1, total_iters=20), ExponentialLR(gamma=0.9)], "
        "milestones=[20])"
    )
    assert json.loads((built_template / OUTPUT / "StepLR.json").read_text())["x_label"] == "Epoch"
