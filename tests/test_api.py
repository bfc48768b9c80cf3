"""The Python API (lr_plots.curve, figure, compare): the values and pictures of the spec with the same
settings, byte for byte, shown by Jupyter, with torch and matplotlib imported only when called."""

import subprocess
import sys

import pytest
from conftest import ROOT

import lr_plots
from lr_plots.curve_files import read_curve_csv

SPECS = ROOT / "lr_plots/specs"


def spec_picture(tmp_path, source, name="Spec", picture_format="png"):
    """The picture the build draws for the spec `source`: its curve written as a curve task's child
    writes it, then drawn from the CSV and JSON by the plot task's code; and the curve."""
    from lr_plots.curve_child import CurveRequest, run_spec
    from lr_plots.drawing import draw_curve

    spec, csv, metadata = (tmp_path / f"{name}.{suffix}" for suffix in ("py", "csv", "json"))
    spec.write_text(source)
    assert run_spec(CurveRequest(str(spec), str(csv), str(metadata), 60, str(tmp_path))) is None
    picture = tmp_path / f"{name}.{picture_format}"
    draw_curve(csv, metadata, picture, 100)
    return picture.read_bytes(), read_curve_csv(csv)


def test_the_public_names_import_nothing_heavy_until_called():
    assert lr_plots.__all__ == ["compare", "curve", "figure"]
    probe = (
        "import sys, lr_plots\n"
        "assert callable(lr_plots.curve) and callable(lr_plots.figure) and callable(lr_plots.compare)\n"
        "print(sorted(name for name in ('torch', 'matplotlib') if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"  # the names are there, and nothing heavy is imported
    with pytest.raises(AttributeError):
        lr_plots.no_such_name  # noqa: B018


ONE_CYCLE = (
    "from torch.optim.lr_scheduler import OneCycleLR\n"
    "SCHEDULER = OneCycleLR\nARGUMENTS = {'max_lr': 0.1, 'total_steps': 100}\nBASE_LR = 0.05\nSTEPS = 100\n"
    "STEPS_PER_EPOCH = 10\n"
)


def test_curve_and_figure_are_the_specs_values_and_picture(tmp_path):
    from torch.optim.lr_scheduler import OneCycleLR

    from lr_plots.drawing import encode

    picture, columns = spec_picture(tmp_path, ONE_CYCLE)
    values = lr_plots.curve(
        OneCycleLR, steps=100, base_lr=0.05, max_lr=0.1, total_steps=100, steps_per_epoch=10
    )
    assert values == columns and list(values) == ["lr", "momentum"]
    figure = lr_plots.figure(OneCycleLR, steps=100, max_lr=0.1, total_steps=100, steps_per_epoch=10)
    assert encode(figure, "png") == picture
    # Jupyter shows a Figure not made by pyplot through its _repr_png_: the same PNG.
    assert figure._repr_png_() == picture


def test_a_factory_several_groups_and_a_loss_series_draw_as_their_specs(tmp_path):
    from torch.optim.lr_scheduler import LambdaLR, ReduceLROnPlateau

    from lr_plots.drawing import encode

    def one_cycle(optimizer):
        from torch.optim.lr_scheduler import OneCycleLR

        return OneCycleLR(optimizer, 0.1, total_steps=100)

    factory = lr_plots.figure(one_cycle, steps=100)
    source = ONE_CYCLE.replace("STEPS_PER_EPOCH = 10\n", "").replace("SCHEDULER = OneCycleLR", "")
    source += "def one_cycle(optimizer):\n    return OneCycleLR(optimizer, 0.1, total_steps=100)\n"
    source += "SCHEDULER = one_cycle\nARGUMENTS = {}\n"
    assert encode(factory, "png") == spec_picture(tmp_path, source, "Factory")[0]

    losses = [max(0.3, 0.95**epoch) for epoch in range(60)]
    plateau = lr_plots.figure(ReduceLROnPlateau, steps=60, validation_losses=losses, patience=3)
    plateau_source = (
        "from torch.optim.lr_scheduler import ReduceLROnPlateau\nSCHEDULER = ReduceLROnPlateau\n"
        f"ARGUMENTS = {{'patience': 3}}\nBASE_LR = 0.05\nSTEPS = 60\nVALIDATION_LOSSES = {losses!r}\n"
    )
    assert encode(plateau, "png") == spec_picture(tmp_path, plateau_source, "Plateau")[0]

    groups = lr_plots.curve(LambdaLR, base_lr=[0.01, 0.05], steps=20, lr_lambda=[abs, abs])
    assert list(groups) == ["lr", "lr_1"] and groups["lr_1"][3] == pytest.approx(0.15)


def test_compare_is_the_comparison_specs_picture(tmp_path):
    from torch.optim.lr_scheduler import ExponentialLR, StepLR

    from lr_plots.curve_child import CurveRequest, run_spec
    from lr_plots.drawing import draw_comparison_files, encode

    members = []
    for name in ("StepLR", "ExponentialLR"):
        csv, metadata = tmp_path / f"{name}.csv", tmp_path / f"{name}.json"
        assert (
            run_spec(CurveRequest(str(SPECS / f"{name}.py"), str(csv), str(metadata), 60, str(tmp_path)))
            is None
        )
        members.append((csv, metadata))
    picture = tmp_path / "Both.png"
    draw_comparison_files(["StepLR", "ExponentialLR"], members, True, picture, tmp_path / "Both.json", 100)

    figure = lr_plots.compare(
        [(StepLR, {"step_size": 30, "gamma": 0.1}), (ExponentialLR, {"gamma": 0.95})], normalize=True
    )
    assert encode(figure, "png") == picture.read_bytes()
    assert figure._repr_png_() == picture.read_bytes()


def test_ipython_displays_the_figure_as_png():
    IPython = pytest.importorskip("IPython", reason="IPython is not installed: _repr_png_ is tested above")
    from torch.optim.lr_scheduler import StepLR

    figure = lr_plots.figure(StepLR, step_size=30)
    data, _ = IPython.core.formatters.DisplayFormatter().format(figure)
    assert data["image/png"] == figure._repr_png_()


def test_bad_settings_are_one_line_value_errors():
    from torch.optim.lr_scheduler import CyclicLR, StepLR

    with pytest.raises(
        ValueError, match=r"^StepLR: STEPS must be a whole number of steps, at least 1 \(got 0\)\.$"
    ):
        lr_plots.curve(StepLR, steps=0, step_size=3)
    with pytest.raises(ValueError, match="'max_lr' is given both as a keyword and in arguments"):
        lr_plots.curve(CyclicLR, arguments={"base_lr": 0.01, "max_lr": 0.1}, max_lr=0.2)
    with pytest.raises(ValueError, match="compare's member 0 must be a"):
        lr_plots.compare([StepLR])
    # A scheduler's own refusal is its own exception, as in any script.
    with pytest.raises(TypeError, match="step_sise"):
        lr_plots.curve(StepLR, step_sise=3)
    # An argument named like a setting goes in arguments=: CyclicLR's own base_lr.
    cyclic = lr_plots.curve(
        CyclicLR, steps=11, arguments={"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10}
    )
    assert cyclic["lr"][0] == pytest.approx(0.01) and cyclic["lr"][10] == pytest.approx(0.1)
