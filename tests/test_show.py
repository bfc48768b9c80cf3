"""`lr-plots show "CALL"`: the call read as literals, never evaluated; the picture of the spec with the
same call byte for byte, the spec it saves, a sketch in the terminal, and one-line errors."""

import pytest

from lr_plots.command import main
from lr_plots.curve_files import read_curve_csv


def show(capsys, *arguments):
    """Run `lr-plots show ARGUMENTS` in this process (doit, its plugins and their entry points, as
    the console command runs them): its exit code, standard output and error."""
    code = main(["show", *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def build_picture(folder, spec, picture_format="png"):
    """The picture the build draws for the spec file `spec`: its curve written as a curve task's
    child writes it, then drawn by the plot task's code."""
    from lr_plots.curve_child import CurveRequest, run_spec
    from lr_plots.drawing import draw_curve

    csv, metadata = folder / f"{spec.stem}.csv", folder / f"{spec.stem}.json"
    assert run_spec(CurveRequest(str(spec), str(csv), str(metadata), 60, str(folder))) is None
    picture = folder / f"{spec.stem}.{picture_format}"
    draw_curve(csv, metadata, picture, 100)
    return picture.read_bytes(), read_curve_csv(csv)


def test_show_draws_the_picture_of_the_spec_it_saves(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = show(
        capsys,
        "OneCycleLR(max_lr=0.1, total_steps=100, anneal_strategy='linear')",
        "--steps",
        "100",
        "--steps-per-epoch",
        "10",
        "--save-spec",
        "schedules/OneCycle.py",
    )
    assert (code, err) == (0, "")
    shown = (tmp_path / "OneCycleLR.png").read_bytes()
    saved = tmp_path / "schedules/OneCycle.py"
    assert "from torch.optim.lr_scheduler import OneCycleLR\n" in saved.read_text()
    assert "STEPS_PER_EPOCH = 10\n" in saved.read_text()
    (tmp_path / "built").mkdir()
    picture, columns = build_picture(tmp_path / "built", saved)
    assert shown == picture

    # The sketch: the title, then braille rows between the highest and lowest LR, then the steps.
    lines = out.splitlines()
    assert lines[0] == "OneCycleLR(max_lr=0.1, total_steps=100, anneal_strategy='linear')"
    rows = lines[1:11]
    assert rows[0].lstrip().startswith("0.1 ┤") and rows[-1].lstrip().startswith(
        f"{min(columns['lr']):.3g} ┤"
    )
    assert all(0x2800 <= ord(char) <= 0x28FF for row in rows for char in row.split("┤", 1)[1])
    top = rows[0].split("┤", 1)[1]
    peak = next(index for index, cell in enumerate(top) if cell != "⠀")
    assert 0.2 < peak / len(top) < 0.4  # the peak 30 % of the way along
    assert lines[-1] == "wrote OneCycleLR.png and schedules/OneCycle.py"


def test_a_dotted_name_is_imported_and_drawn_as_svg(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    call = "transformers.get_cosine_schedule_with_warmup(num_warmup_steps=10, num_training_steps=100)"
    code, _, err = show(capsys, call, "-o", "cos.svg", "--base-lr", "0.1", "--save-spec", "Cosine.py")
    assert (code, err) == (0, "")
    saved = (tmp_path / "Cosine.py").read_text()
    assert (
        "from transformers import get_cosine_schedule_with_warmup\n" in saved and "BASE_LR = 0.1\n" in saved
    )
    (tmp_path / "built").mkdir()
    picture, _ = build_picture(tmp_path / "built", tmp_path / "Cosine.py", "svg")
    assert (tmp_path / "cos.svg").read_bytes() == picture


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("NoSuchLR(gamma=0.5)", "ERROR: NoSuchLR: torch.optim.lr_scheduler has no NoSuchLR."),
        (
            "no_such_package.Schedule(a=1)",
            "ERROR: no_such_package.Schedule: no module of that name can be imported.",
        ),
        (
            "StepLR(step_size=__import__('os').getpid())",
            """ERROR: "StepLR(step_size=__import__('os').getpid())": the argument """
            "step_size=__import__('os').getpid() is not a literal",
        ),
        ("StepLR(30)", "ERROR: 'StepLR(30)': give every argument by name"),
        (
            "StepLR(step_sise=30)",
            "ERROR: StepLR(step_sise=30): TypeError: StepLR.__init__() got an unexpected keyword argument "
            "'step_sise'",
        ),
        (
            "OneCycleLR(max_lr=0.1, total_steps=0)",
            "ERROR: OneCycleLR(max_lr=0.1, total_steps=0): ValueError: ",
        ),
        ("StepLR(step_size=", "ERROR: 'StepLR(step_size=' is not a call such as 'StepLR(step_size=30)'"),
    ],
)
def test_errors_are_one_line_and_exit_3(tmp_path, monkeypatch, capsys, call, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = show(capsys, call)
    assert code == 3 and out == ""
    assert err.startswith(message) and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing evaluated


def test_the_sketch_follows_the_curve():
    from lr_plots.show_command import text_rendering

    falling = {"lr": [1.0 - step / 99 for step in range(100)]}
    lines = text_rendering(falling, "a title")
    rows = [line.split("┤", 1)[1] for line in lines[1:11]]
    # From the top left corner to the bottom right one, one diagonal of dots.
    assert rows[0][0] != "⠀" and rows[0][-1] == "⠀" and rows[-1][-1] != "⠀" and rows[-1][0] == "⠀"
    assert lines[1].startswith("1 ┤") and lines[10].startswith("0 ┤")
    flat = text_rendering({"lr": [0.05] * 10}, "flat")  # one value: a line along the bottom
    assert set(flat[10].split("┤", 1)[1]) == {"⣀"}
