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
