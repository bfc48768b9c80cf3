"""What a picture shows is its numbers: the figure that drawing.py builds (before it is encoded), for
every reference spec and comparison, checked against the CSV and JSON it is drawn from; and the
encoded PNG checked pixel by pixel where a known curve must pass."""

import ast
import csv
import io
import json

import pytest
from conftest import COMPARISONS, CURVE_NAMES, OUTPUT, ROOT
from PIL import Image

SPECS = ROOT / "lr_plots/specs"
SECOND_AXES = {"momentum": "Momentum", "val_loss": "Validation loss"}


def read_csv(project, name):
    """The CSV's columns after `step`, read here with the csv module."""
    with open(project / OUTPUT / f"{name}.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["step"]) for row in rows] == list(range(len(rows)))
    return {column: [float(row[column]) for row in rows] for column in rows[0] if column != "step"}


def read_json(project, name):
    return json.loads((project / OUTPUT / f"{name}.json").read_text())


def spec_constant(name, field, default):
    """A literal field of a spec file, read from its source."""
    for statement in ast.parse((SPECS / f"{name}.py").read_text()).body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == field for target in statement.targets
        ):
            return ast.literal_eval(statement.value)
    return default


def base_lrs(metadata):
    return metadata["base_lr"] if isinstance(metadata["base_lr"], list) else [metadata["base_lr"]]


def lr_column(group):
    return "lr" if group == 0 else f"lr_{group}"


def legend_texts(figure, axes):
    legend = axes.get_legend() or (figure.legends[0] if figure.legends else None)
    return None if legend is None else [text.get_text() for text in legend.get_texts()]


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_a_picture_draws_every_column_of_its_csv_and_says_what_each_is(built_template, name):
    from lr_plots.drawing import curve_figure

    columns, metadata = read_csv(built_template, name), read_json(built_template, name)
    figure = curve_figure(columns, metadata)
    axes = figure.axes[0]
    steps = list(range(len(columns["lr"])))
    groups = base_lrs(metadata)

    # One line per parameter group, whose points are the CSV's values.
    lines = axes.get_lines()
    assert len(lines) == len(groups)
    for group, line in enumerate(lines):
        assert list(line.get_xdata()) == steps
        assert list(line.get_ydata()) == columns[lr_column(group)]
    assert axes.get_title().replace("\n", " ") == metadata["title"]
    assert axes.get_xlabel() == metadata["x_label"] and axes.get_ylabel() == "Learning Rate"

    # A second y axis for each of momentum and validation loss, exactly when the CSV has them.
    twins = figure.axes[1:]
    present = [column for column in SECOND_AXES if column in columns]
    assert [twin.get_ylabel() for twin in twins] == [SECOND_AXES[column] for column in present]
    for twin, column in zip(twins, present, strict=True):
        drawn = [list(line.get_ydata()) for line in twin.get_lines()]
        if column == "momentum":
            assert drawn == [
                columns["momentum" if group == 0 else f"momentum_{group}"] for group in range(len(groups))
            ]
        else:
            assert drawn == [columns[column]]

    # The legend names each group with its base LR, and each line of a second axis.
    expected = None
    if len(groups) > 1:
        expected = [f"group {group} (base LR {lr:g})" for group, lr in enumerate(groups)]
        if "momentum" in columns:
            expected += [f"momentum, group {group}" for group in range(len(groups))]
    elif present:
        expected = ["learning rate", *(SECOND_AXES[column].lower() for column in present)]
    assert legend_texts(figure, axes) == expected

    # An epoch axis exactly with STEPS_PER_EPOCH, at its scale: epoch e where step e * STEPS_PER_EPOCH is.
    steps_per_epoch = spec_constant(name, "STEPS_PER_EPOCH", None)
    assert metadata["steps_per_epoch"] == steps_per_epoch
    epoch_axes = axes.child_axes
    if steps_per_epoch is None:
        assert epoch_axes == []
    else:
        (epochs,) = epoch_axes
        figure.canvas.draw()  # the secondary axis takes its limits from the main one when drawn
        assert epochs.get_xlabel() == f"Epoch ({steps_per_epoch} steps each)"
        for epoch in (1, 4):
            at_epoch = epochs.transData.transform((epoch, 0))[0]
            assert at_epoch == pytest.approx(axes.transData.transform((epoch * steps_per_epoch, 0))[0])


@pytest.mark.parametrize("name", COMPARISONS)
def test_a_comparison_draws_each_member_once_normalised_exactly_when_asked(built_template, name):
    from lr_plots.drawing import comparison_figure

    members = spec_constant(name, "COMPARE", None)
    normalize = spec_constant(name, "NORMALIZE", False)
    curves = [(read_json(built_template, member), read_csv(built_template, member)) for member in members]
    figure = comparison_figure(curves, " vs ".join(members), normalize)
    axes = figure.axes[0]
    expected_lines, expected_labels = [], []
    for metadata, columns in curves:
        groups = base_lrs(metadata)
        for group, lr in enumerate(groups):
            values = columns[lr_column(group)]
            expected_lines.append([value / lr for value in values] if normalize else values)
            expected_labels.append(
                metadata["title"] if len(groups) == 1 else f"{metadata['title']}, group {group}"
            )
    assert [list(line.get_ydata()) for line in axes.get_lines()] == expected_lines
    assert [text.replace("\n", " ") for text in legend_texts(figure, axes)] == expected_labels
    assert axes.get_ylabel() == ("Learning Rate / base LR" if normalize else "Learning Rate")
    assert axes.get_title().replace("\n", " ") == " vs ".join(members)


def test_the_png_shows_the_line_where_the_curve_passes(built_template):
    # StepLR: 0.05 for 30 epochs, then 0.005, then 0.0005. At those points the picture is the line's
    # colour (matplotlib's first, #1f77b4); halfway between two plateaus it is not.
    from lr_plots.drawing import curve_figure

    columns, metadata = read_csv(built_template, "StepLR"), read_json(built_template, "StepLR")
    figure = curve_figure(columns, metadata)
    figure.canvas.draw()  # the layout, so the axes are where the saved picture has them
    picture = Image.open(io.BytesIO((built_template / OUTPUT / "StepLR.png").read_bytes())).convert("RGB")
    assert picture.size == (640, 480)
    line_colour = (31, 119, 180)

    def colour_near(step, lr):
        x, y = figure.axes[0].transData.transform((step, lr))
        around = [
            picture.getpixel((round(x) + dx, picture.height - round(y) + dy))
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
        ]
        return min(around, key=lambda pixel: sum(abs(a - b) for a, b in zip(pixel, line_colour, strict=True)))

    def distance(pixel):
        return max(abs(a - b) for a, b in zip(pixel, line_colour, strict=True))

    for step in (5, 15, 25, 35, 60, 75, 85, 95):
        assert distance(colour_near(step, columns["lr"][step])) < 40, step
    for step, lr in ((15, 0.025), (50, 0.03), (90, 0.02)):
        assert distance(colour_near(step, lr)) > 100, (step, lr)


@pytest.mark.parametrize("steps_per_epoch", [None, 10])
def test_a_long_title_stays_inside_the_picture_above_the_axes(built_template, steps_per_epoch):
    """A title of five lines, as a library's scheduler of schedulers has: every line is inside the
    picture, and none on the axes or on the epoch axis's label."""
    from lr_plots.drawing import curve_figure

    columns, metadata = read_csv(built_template, "StepLR"), read_json(built_template, "StepLR")
    call = "LinearCyclicalScheduler(param_name='lr', start_value=0.001, end_value=0.05, cycle_size=40)"
    title = f"ConcatScheduler(schedulers=[{call}, {call}, {call}], durations=[20, 40])"
    metadata = {**metadata, "title": title}
    if steps_per_epoch:
        metadata["steps_per_epoch"] = steps_per_epoch
    figure = curve_figure(columns, metadata)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    axes = figure.axes[0]
    title = axes.title.get_window_extent(renderer)
    assert axes.get_title().count("\n") == 4
    assert title.y1 <= figure.bbox.y1 and title.x0 >= 0 and title.x1 <= figure.bbox.x1
    below = axes.get_window_extent(renderer).y1
    if steps_per_epoch:
        (epoch_axis,) = axes.child_axes
        below = epoch_axis.xaxis.label.get_window_extent(renderer).y1
    assert title.y0 >= below
