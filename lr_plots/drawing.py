"""Draw a curve (its CSV and metadata JSON) as a picture on matplotlib's Agg canvas, in the look of
the pictures in PyTorch's docs: a PNG of 640x480 by default."""

import csv
import io
import json
import textwrap
from pathlib import Path

import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lr_plots.atomic_file import write_atomically

# No version or date inside the files, so the same curve gives the same bytes on every machine.
NO_STAMPS = {"png": {"Software": None}, "svg": {"Creator": None, "Date": None}}
SECOND_AXES = {"momentum": ("Momentum", "C1"), "val_loss": ("Validation loss", "C2")}


def read_curve_csv(path: Path) -> dict[str, list[float]]:
    """The columns of a curve CSV after `step` (`lr` first), checking that steps run 0, 1, 2, ..."""
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    if not rows or rows[0][:2] != ["step", "lr"]:
        raise ValueError(f"{path}: the first line must start with the header 'step,lr'.")
    names = rows[0][1:]
    columns: dict[str, list[float]] = {name: [] for name in names}
    for line, row in enumerate(rows[1:], start=2):
        try:
            step, values = int(row[0]), [float(value) for value in row[1:]]
        except ValueError:
            raise ValueError(f"{path}, line {line}: expected numbers, got {row!r}.") from None
        if step != line - 2 or len(values) != len(names):
            raise ValueError(f"{path}, line {line}: expected step {line - 2} and {len(names)} values.")
        for name, value in zip(names, values, strict=True):
            columns[name].append(value)
    if not columns["lr"]:
        raise ValueError(f"{path}: the curve has no steps.")
    return columns


def render_picture(
    curve: dict[str, list[float]], metadata: dict, picture_format: str = "png", dpi: float = 100
) -> bytes:
    """The picture of `curve`, byte-for-byte the same for the same input."""
    steps = range(len(curve["lr"]))
    # matplotlib's default style, not the user's matplotlibrc, so every machine draws alike; a fixed
    # salt for the ids inside SVG files.
    with matplotlib.style.context("default"), matplotlib.rc_context({"svg.hashsalt": "lr_plots"}):
        figure = Figure(dpi=dpi)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.grid(color="k", alpha=0.2, linestyle="--")
        lines = axes.plot(steps, curve["lr"], label="learning rate")
        title = metadata["title"]
        if len(title) <= 60:
            axes.set_title(title)
        else:  # a long call in two lines of smaller type, so it stays inside the picture
            axes.set_title(textwrap.fill(title, 76), fontsize="medium")
        axes.set_xlabel(metadata["x_label"])
        axes.set_ylabel("Learning Rate")
        axes.set_xlim(0, len(steps))
        for column, (label, color) in SECOND_AXES.items():
            if column in curve:
                second = axes.twinx()
                lines += second.plot(steps, curve[column], color=color, linestyle="--", label=label.lower())
                second.set_ylabel(label)
                figure.subplots_adjust(right=0.86)
                axes.legend(handles=lines, loc="best", fontsize="small")
        picture = io.BytesIO()
        figure.savefig(picture, format=picture_format, metadata=NO_STAMPS[picture_format])
    return picture.getvalue()


def draw_curve(csv_path: Path, metadata_path: Path, picture_path: Path, dpi: float) -> None:
    """Read the curve at `csv_path` and its metadata, and write its picture to `picture_path`
    (its suffix gives the format)."""
    metadata = json.loads(metadata_path.read_text())
    picture = render_picture(read_curve_csv(csv_path), metadata, picture_path.suffix[1:], dpi)
    write_atomically(picture_path, picture)
