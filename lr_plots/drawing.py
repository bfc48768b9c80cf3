"""Draw a curve (its CSV and metadata JSON), or a comparison of several, as a picture on matplotlib's
Agg canvas, in the look of the pictures in PyTorch's docs: a PNG of 640x480 by default."""

import io
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib.style
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from PIL import Image

from lr_plots.atomic_file import write_atomically
from lr_plots.curve_files import (
    Columns,
    column_name,
    group_base_lrs,
    metadata_json,
    read_curve_csv,
    read_metadata,
)

# No version or date inside SVG files, so the same curve gives the same bytes on every machine.
SVG_WITHOUT_STAMPS = {"Creator": None, "Date": None}
# zlib's level 3: an RGB PNG encodes in half the time of matplotlib's RGBA one at level 6, and is smaller.
PNG_COMPRESSION = 3
COMPARISON_STYLES = ("-", "--", "-.", ":")
SECOND_AXES = {"momentum": ("Momentum", "C1"), "val_loss": ("Validation loss", "C2")}


class ThreadRenderers(threading.local):
    """The Agg renderers of the current thread, by picture width, height and dpi."""

    def __init__(self) -> None:
        self.by_size: dict[tuple[int, int, float], RendererAgg] = {}


class AggCanvas(FigureCanvasAgg):
    """matplotlib's Agg canvas, but with one renderer per picture size in each thread rather than one
    per figure: matplotlib caches the measurements of text per renderer, and the pictures share
    most of their tick labels (7 % of the drawing time)."""

    renderers = ThreadRenderers()

    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = (width, height, self.figure.dpi)
        if key not in self.renderers.by_size:
            self.renderers.by_size[key] = RendererAgg(width, height, self.figure.dpi)
        renderer = self.renderers.by_size[key]
        self.renderer = renderer
        return renderer


@contextmanager
def drawing_style() -> Iterator[None]:
    """matplotlib's default style, not the user's matplotlibrc, so every machine draws alike; a fixed
    salt for the ids inside SVG files."""
    with matplotlib.style.context("default"), matplotlib.rc_context({"svg.hashsalt": "lr_plots"}):
        yield


def new_figure(dpi: float) -> tuple[Figure, Axes]:
    """A figure on the Agg canvas with one gridded axes to draw on."""
    figure = Figure(dpi=dpi)
    AggCanvas(figure)
    axes = figure.add_subplot()
    axes.grid(color="k", alpha=0.2, linestyle="--")
    return figure, axes


def encode(figure: Figure, picture_format: str) -> bytes:
    """The figure as a PNG or an SVG file's bytes."""
    picture = io.BytesIO()
    with drawing_style():
        if picture_format == "svg":
            figure.savefig(picture, format="svg", metadata=SVG_WITHOUT_STAMPS)
        else:
            write_png(figure.canvas, picture)
    return picture.getvalue()


def write_png(canvas: Any, picture: io.BytesIO) -> None:
    """The canvas's figure as an RGB PNG with its dpi and nothing else (no version, no date): the
    figure is opaque, and matplotlib's own PNG is RGBA."""
    canvas.draw()
    rgba = Image.frombuffer("RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba())
    dpi = canvas.figure.dpi
    rgba.convert("RGB").save(picture, format="png", compress_level=PNG_COMPRESSION, dpi=(dpi, dpi))


# The top of the axes, as a fraction of the picture's height: matplotlib's default, lower with an
# epoch axis at the top, and lower by a line's height for each line of a title beyond two.
AXES_TOP = 0.88
AXES_TOP_WITH_EPOCHS = 0.8
TITLE_LINE = 0.036


def set_title(axes: Axes, title: str, above_top_axis: bool) -> None:
    """The title in one line, or a long one in lines of smaller type, the axes lowered to keep it
    inside; placed just above the axes, or with `above_top_axis` (epochs at the top) by matplotlib
    above that axis."""
    # matplotlib's automatic placement measures every tick label of the figure at each draw: a
    # quarter of the drawing time of a picture with a second y axis, for the same place.
    y = None if above_top_axis else 1.0
    if len(title) <= 60:
        axes.set_title(title, y=y)
        return
    wrapped = textwrap.fill(title, 76)
    axes.set_title(wrapped, fontsize="medium", y=y)
    extra_lines = wrapped.count("\n") - 1  # lines beyond two
    if extra_lines > 0:
        top = AXES_TOP_WITH_EPOCHS if above_top_axis else AXES_TOP
        axes.figure.subplots_adjust(top=round(top - TITLE_LINE * extra_lines, 4))


def add_epoch_axis(axes: Axes, steps_per_epoch: int | None) -> None:
    """With `steps_per_epoch`, a second x axis at the top counting epochs of that many steps."""
    if steps_per_epoch:

        def to_epochs(step: Any) -> Any:
            return step / steps_per_epoch

        def to_steps(epoch: Any) -> Any:
            return epoch * steps_per_epoch

        epochs = axes.secondary_xaxis("top", functions=(to_epochs, to_steps))
        epochs.set_xlabel(f"Epoch ({steps_per_epoch} steps each)")
        # room for the title above the epoch axis, unless a long title has made more
        axes.figure.subplots_adjust(top=min(AXES_TOP_WITH_EPOCHS, axes.figure.subplotpars.top))


def curve_figure(curve: Columns, metadata: dict[str, Any], dpi: float = 100) -> Figure:
    """The figure of `curve`, the same for the same input: one LR line per parameter group, momentum
    and validation loss on a second y axis, epochs on a second x axis if given."""
    steps = range(len(curve["lr"]))
    base_lrs = group_base_lrs(metadata)
    with drawing_style():
        figure, axes = new_figure(dpi)
        if len(base_lrs) == 1:
            lines = axes.plot(steps, curve["lr"], label="learning rate")
        else:
            lines = []
            for group, base_lr in enumerate(base_lrs):
                label = group_label(group, base_lr)
                lines += axes.plot(steps, curve[column_name("lr", group)], color=f"C{group}", label=label)
        set_title(axes, metadata["title"], above_top_axis=bool(metadata.get("steps_per_epoch")))
        axes.set_xlabel(metadata["x_label"])
        axes.set_ylabel("Learning Rate")
        axes.set_xlim(0, len(steps))
        add_epoch_axis(axes, metadata.get("steps_per_epoch"))
        for column, (label, color) in SECOND_AXES.items():
            if column in curve:
                second = axes.twinx()
                if len(base_lrs) == 1 or column != "momentum":
                    lines += second.plot(
                        steps, curve[column], color=color, linestyle="--", label=label.lower()
                    )
                else:  # one momentum line per group, dashed, in the colour of the group's LR
                    for group in range(len(base_lrs)):
                        lines += second.plot(
                            steps,
                            curve[column_name(column, group)],
                            color=f"C{group}",
                            linestyle="--",
                            label=f"momentum, group {group}",
                        )
                second.set_ylabel(label)
                figure.subplots_adjust(right=0.86)
        if len(lines) > 1:
            axes.legend(handles=lines, loc="best", fontsize="small")
    return figure


def render_picture(
    curve: Columns, metadata: dict[str, Any], picture_format: str = "png", dpi: float = 100
) -> bytes:
    """The picture of `curve`, byte-for-byte the same for the same input (curve_figure)."""
    return encode(curve_figure(curve, metadata, dpi), picture_format)


def group_label(group: int, base_lr: float) -> str:
    """How the legend names a parameter group: its index and its base LR."""
    return f"group {group} (base LR {base_lr:g})"


def comparison_title(names: list[str]) -> str:
    """The title of a comparison: the names of the specs it compares."""
    return " vs ".join(names)


def comparison_series(
    members: list[tuple[dict[str, Any], dict[str, list[float]]]], normalize: bool
) -> list[tuple[str, list[float]]]:
    """The lines of a comparison: (label, LR at each step) for each parameter group of each member
    (metadata, curve), labelled by the member's title; with `normalize`, each LR over its base LR."""
    series = []
    for metadata, curve in members:
        base_lrs = group_base_lrs(metadata)
        for group, base_lr in enumerate(base_lrs):
            values = curve[column_name("lr", group)]
            if normalize:
                values = [value / base_lr for value in values]
            label = metadata["title"] if len(base_lrs) == 1 else f"{metadata['title']}, group {group}"
            series.append((label, values))
    return series


def comparison_figure(
    members: list[tuple[dict[str, Any], Columns]], title: str, normalize: bool, dpi: float = 100
) -> Figure:
    """One figure overlaying the LR of each member (metadata, curve), one line per curve (and per
    parameter group), labelled by the member's title; with `normalize`, each LR over its base LR."""
    with drawing_style():
        figure, axes = new_figure(dpi)
        lines = []
        for index, (label, values) in enumerate(comparison_series(members, normalize)):
            # a line style of its own too, so that curves lying on one another stay visible
            style = COMPARISON_STYLES[index % len(COMPARISON_STYLES)]
            lines += axes.plot(range(len(values)), values, linestyle=style, label=textwrap.fill(label, 90))
        steps_per_epoch = {metadata.get("steps_per_epoch") for metadata, _ in members}
        epoch_axis = steps_per_epoch.pop() if len(steps_per_epoch) == 1 else None
        set_title(axes, title, above_top_axis=bool(epoch_axis))
        x_labels = {metadata["x_label"] for metadata, _ in members}
        axes.set_xlabel(x_labels.pop() if len(x_labels) == 1 else "Step")
        axes.set_ylabel("Learning Rate / base LR" if normalize else "Learning Rate")
        axes.set_xlim(0, max(len(curve["lr"]) for _, curve in members))
        add_epoch_axis(axes, epoch_axis)
        # The titles are long calls: the legend goes below the axes, in small type.
        legend_lines = sum(str(line.get_label()).count("\n") + 1 for line in lines)
        figure.subplots_adjust(bottom=0.13 + 0.03 * legend_lines)
        figure.legend(handles=lines, loc="lower center", fontsize="x-small", frameon=False)
    return figure


def render_comparison(
    members: list[tuple[dict[str, Any], Columns]],
    title: str,
    normalize: bool,
    picture_format: str = "png",
    dpi: float = 100,
) -> bytes:
    """The picture of comparison_figure, byte-for-byte the same for the same input."""
    return encode(comparison_figure(members, title, normalize, dpi), picture_format)


def draw_comparison_files(
    names: list[str],
    members: list[tuple[Path, Path]],
    normalize: bool,
    picture_path: Path,
    metadata_path: Path,
    dpi: float,
) -> None:
    """Draw the comparison of the specs `names`, whose (CSV, JSON) files are `members`, to
    `picture_path`, and write its JSON (title, members, normalize) to `metadata_path`."""
    curves = [(read_metadata(metadata), read_curve_csv(csv_path)) for csv_path, metadata in members]
    title = comparison_title(names)
    picture = render_comparison(curves, title, normalize, picture_path.suffix[1:], dpi)
    metadata = {"title": title, "members": names, "normalize": normalize}
    write_atomically(picture_path, picture)
    write_atomically(metadata_path, metadata_json(metadata))


def draw_curve(csv_path: Path, metadata_path: Path, picture_path: Path, dpi: float) -> None:
    """Read the curve at `csv_path` and its metadata, and write its picture to `picture_path`
    (its suffix gives the format)."""
    metadata = read_metadata(metadata_path)
    picture = render_picture(read_curve_csv(csv_path), metadata, picture_path.suffix[1:], dpi)
    write_atomically(picture_path, picture)
