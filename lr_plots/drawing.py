"""Draw a curve CSV as a PNG on matplotlib's Agg canvas, in the look of the pictures in PyTorch's docs."""

import csv
import io
from pathlib import Path

import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lr_plots.atomic_file import write_atomically


def read_curve_csv(path: Path) -> list[float]:
    """The `lr` column of a curve CSV, checking that its steps run 0, 1, 2, ..."""
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    if not rows or rows[0][:2] != ["step", "lr"]:
        raise ValueError(f"{path}: the first line must start with the header 'step,lr'.")
    lrs = []
    for line, row in enumerate(rows[1:], start=2):
        try:
            step, lr = int(row[0]), float(row[1])
        except (IndexError, ValueError):
            raise ValueError(f"{path}, line {line}: expected 'step,lr' numbers, got {row!r}.") from None
        if step != len(lrs):
            raise ValueError(f"{path}, line {line}: expected step {len(lrs)}, got {step}.")
        lrs.append(lr)
    if not lrs:
        raise ValueError(f"{path}: the curve has no steps.")
    return lrs


def render_png(lrs: list[float], title: str) -> bytes:
    """A PNG of `lrs` against step number, byte-for-byte the same for the same input."""
    # matplotlib's default style, not the user's matplotlibrc, so every machine draws alike.
    with matplotlib.style.context("default"):
        figure = Figure()
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.grid(color="k", alpha=0.2, linestyle="--")
        axes.plot(range(len(lrs)), lrs)
        axes.set_title(f"Learning Rate: {title}")
        axes.set_xlabel("Epoch")
        axes.set_ylabel("Learning Rate")
        axes.set_xlim(0, len(lrs))
        png = io.BytesIO()
        # No Software tag: it holds matplotlib's version, which would change bytes across upgrades.
        figure.savefig(png, format="png", metadata={"Software": None})
    return png.getvalue()


def draw_curve_png(csv_path: Path, png_path: Path, title: str) -> None:
    """Read the curve at `csv_path` and write its picture to `png_path`."""
    write_atomically(png_path, render_png(read_curve_csv(csv_path), title))
