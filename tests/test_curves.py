"""The curves are torch's real values: checked against closed forms written here independently."""

import math

import pytest

from conftest import OUTPUT, ROOT, SPEC_NAMES

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
}


def read_csv(project, name):
    lines = (project / OUTPUT / f"{name}.csv").read_text().splitlines()
    assert lines[0] == "step,lr"
    rows = [line.split(",") for line in lines[1:]]
    assert [int(step) for step, _ in rows] == list(STEPS)
    return [float(lr) for _, lr in rows]


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

    for name in SPEC_NAMES:
        spec = load_spec(ROOT / "lr_plots/specs" / f"{name}.py")
        assert read_csv(built_template, name) == scheduler_curve(spec), name


def test_every_curve_has_one_row_per_step(built_template):
    for name in SPEC_NAMES:
        assert len(read_csv(built_template, name)) == 100
