"""The explorer: one interactive Plotly chart of every curve, built from the curves' CSV and JSON files,
that works opened from disk (plotly.js, from the plotly package, is written beside the page)."""

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from lr_plots.atomic_file import write_atomically
from lr_plots.curve_files import Columns, column_kind, group_base_lrs, read_curve_csv, read_metadata

TEMPLATES = Path(__file__).parent / "templates"
# Shown when the page opens (those of them that exist); with none of them, the first few curves.
REFERENCE_CURVES = ("StepLR", "CosineAnnealingLR", "OneCycleLR")
SECONDARY_COLUMNS = {"momentum": "momentum", "val_loss": "validation loss"}
# Each parameter group of one curve is drawn in the curve's colour with its own dash.
GROUP_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
# Hover text; the page sets each point's text to its value written exactly (the CSV's number).
ABSOLUTE_HOVER = "%{text}"
NORMALISED_HOVER = "%{y:.6g} x base LR (LR %{text})"


def plotly_library() -> Path:
    """plotly.min.js as shipped in the installed plotly package, found without importing plotly."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the plotly package is not installed (pip install -c constraints.txt plotly)")
    return Path(spec.submodule_search_locations[0]) / "package_data" / "plotly.min.js"


@dataclass(frozen=True)
class Curve:
    """One curve: its name, its CSV's columns after `step` by header name, and its JSON."""

    name: str
    columns: Columns
    metadata: dict[str, Any]

    @property
    def base_lrs(self) -> list[float]:
        """The base LR of each parameter group."""
        return group_base_lrs(self.metadata)

    @property
    def steps(self) -> list[int]:
        return list(range(len(self.columns["lr"])))


def read_curve(name: str, csv_path: Path, metadata_path: Path) -> Curve:
    """The curve whose CSV and JSON are at `csv_path` and `metadata_path`."""
    return Curve(name, read_curve_csv(csv_path), read_metadata(metadata_path))


def curve_traces(curve: Curve, color: str) -> list[dict[str, Any]]:
    """Plotly traces of one curve, hidden until their legend entry is clicked: one per parameter
    group's LR, then its secondary columns (momentum, validation loss) on the second y axis."""
    base_lrs = curve.base_lrs
    traces = []
    for column, values in curve.columns.items():
        kind, group = column_kind(column)
        label = curve.name if kind == "lr" else f"{curve.name} {SECONDARY_COLUMNS.get(kind, kind)}"
        if len(base_lrs) > 1 and kind != "val_loss":
            label += f" group {group}" + (f" (base LR {base_lrs[group]!r})" if kind == "lr" else "")
        meta: dict[str, Any] = {"curve": curve.name, "column": column, "kind": kind}
        line: dict[str, Any] = {"color": color, "dash": GROUP_DASHES[group % len(GROUP_DASHES)], "width": 2}
        trace: dict[str, Any] = {
            "type": "scatter",
            "mode": "lines",
            "name": label,
            "legendgroup": curve.name,
            "x": curve.steps,
            "y": values,
            "hovertemplate": ABSOLUTE_HOVER,
            "line": line,
            "meta": meta,
            "visible": "legendonly",
        }
        if kind == "lr":
            meta["base_lr"] = base_lrs[group]
        else:  # thinner, and dashed unlike the LRs: momentum dotted, validation loss long dashes
            trace["yaxis"] = "y2"
            line.update(
                width=1.5,
                dash="longdash" if kind == "val_loss" else GROUP_DASHES[(group + 2) % len(GROUP_DASHES)],
            )
        traces.append(trace)
    return traces


def explorer_figure(curves: list[Curve]) -> dict[str, Any]:
    """The Plotly figure (data, layout, config) of every curve; the few REFERENCE_CURVES shown."""
    from plotly.colors import qualitative

    # D3's ten colours, the most unlike each other, then Dark24's: every curve of the 22 its own colour.
    palette = qualitative.D3 + qualitative.Dark24
    names = [curve.name for curve in curves]
    shown = [name for name in REFERENCE_CURVES if name in names] or names[:3]
    # The curves shown at start take the palette's first colours: blue, orange, green.
    order = shown + [name for name in names if name not in shown]
    traces = []
    for curve in curves:
        traces += curve_traces(curve, palette[order.index(curve.name) % len(palette)])
    lr_traces = [index for index, trace in enumerate(traces) if trace["meta"]["kind"] == "lr"]
    for index in lr_traces:
        if traces[index]["meta"]["curve"] in shown:
            traces[index]["visible"] = True

    def buttons(options: list[tuple[str, str, list[Any]]]) -> list[dict[str, Any]]:
        return [{"label": label, "method": method, "args": args} for label, method, args in options]

    y_scale = buttons(
        [
            ("linear", "relayout", [{"yaxis.type": "linear"}]),
            ("log", "relayout", [{"yaxis.type": "log"}]),
        ]
    )
    # The page fills in each button's "y" (the curves as they are, or divided by their base LR).
    y_values = buttons(
        [
            (
                "absolute LR",
                "update",
                [{"hovertemplate": ABSOLUTE_HOVER}, {"yaxis.title.text": "LR"}, lr_traces],
            ),
            (
                "LR / base LR",
                "update",
                [
                    {"hovertemplate": NORMALISED_HOVER},
                    {"yaxis.title.text": "LR / base LR of its group"},
                    lr_traces,
                ],
            ),
        ]
    )
    menu = {
        "type": "buttons",
        "direction": "right",
        "showactive": True,
        "active": 0,
        "yanchor": "bottom",
        "y": 1.02,
    }
    layout = {
        "hovermode": "x unified",
        "xaxis": {"title": {"text": "scheduler step"}},
        "yaxis": {"title": {"text": "LR"}, "type": "linear", "exponentformat": "power"},
        "yaxis2": {
            "title": {"text": "momentum, validation loss"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "tickmode": "auto",  # not "sync", the default of an overlaying axis: its ticks follow the LR's
            "visible": False,  # until a curve on it is shown
        },
        "legend": {"groupclick": "toggleitem", "x": 1.08, "title": {"text": "click to show or hide"}},
        "margin": {"t": 60},
        "updatemenus": [
            {**menu, "name": "y scale", "buttons": y_scale, "x": 0, "xanchor": "left"},
            {**menu, "name": "y values", "buttons": y_values, "x": 0.25, "xanchor": "left"},
        ],
    }
    # No "Share chart" button: it uploads the chart to Plotly's cloud, and the page is meant to be offline.
    config = {"responsive": True, "displaylogo": False, "showSendToCloud": False}
    return {"data": traces, "layout": layout, "config": config}


def figure_json(figure: dict[str, Any]) -> str:
    """The figure as JSON for a <script> element: sorted keys, and no '<', '>' or '&' that the HTML
    parser could read as the end of the element."""
    text = json.dumps(figure, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def explorer_html(curves: list[Curve], library_name: str) -> bytes:
    """The page: the chart of every curve, and a table of the curves' calls."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]))
    template = environment.get_template("explore.html.j2")
    figure = figure_json(explorer_figure(curves))
    return template.render(figure=figure, library=library_name, curves=curves).encode()


def write_explorer(page_path: str, library_path: str, curves: list[tuple[str, str, str]]) -> None:
    """Write the page at `page_path` and plotly.js at `library_path` (in the same folder); `curves`
    are (name, CSV, JSON) each."""
    library = Path(library_path)
    loaded = [
        read_curve(name, Path(csv_path), Path(metadata_path)) for name, csv_path, metadata_path in curves
    ]
    write_atomically(library, plotly_library().read_bytes())
    write_atomically(Path(page_path), explorer_html(loaded, library.name))
