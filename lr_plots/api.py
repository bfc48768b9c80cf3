"""lr_plots' Python API, for notebooks and scripts: a scheduler's curve, its picture as a matplotlib
Figure, and a comparison of several, each the same as the spec with the same settings would give."""

import json
import types
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# A scheduler class (torch's, timm's, ignite's) or a function that builds one on the optimizer.
Scheduler = Callable[..., Any]
# The keywords that are settings of the picture, as a spec's fields are (STEPS, BASE_LR, ...); every
# other keyword is an argument of the scheduler.
SETTINGS = {
    "steps": "STEPS",
    "base_lr": "BASE_LR",
    "validation_losses": "VALIDATION_LOSSES",
    "steps_per_epoch": "STEPS_PER_EPOCH",
    "lr_scale": "LR_SCALE",
}
DEFAULTS = {"steps": 100, "base_lr": 0.05}


def spec_module(
    scheduler: Scheduler, settings: Mapping[str, Any], where: str | None = None
) -> types.ModuleType:
    """A spec module made in memory: SCHEDULER, its ARGUMENTS (the keywords that are not settings,
    and those of `settings["arguments"]`, for an argument named like a setting, such as CyclicLR's
    base_lr) and the settings; checked as a spec file is, its errors a ValueError naming `where`."""
    from lr_plots.curves import SpecError, check_spec, scheduler_name

    given = dict(settings)
    arguments = dict(given.pop("arguments", None) or {})
    fields = {SETTINGS[key]: given.pop(key) for key in list(given) if key in SETTINGS}
    clash = sorted(set(given) & set(arguments))
    if clash:
        raise ValueError(f"{clash[0]!r} is given both as a keyword and in arguments; give it once.")
    arguments.update(given)
    spec = types.ModuleType("lr_plots_api_spec")
    spec.__dict__.update(SCHEDULER=scheduler, ARGUMENTS=arguments)
    for key, field in SETTINGS.items():
        value = fields.get(field, DEFAULTS.get(key))
        if value is not None:
            setattr(spec, field, list(value) if field in ("VALIDATION_LOSSES", "LR_SCALE") else value)
    spec.__file__ = where or scheduler_name(spec)  # what its error messages name
    try:
        check_spec(spec.__file__, spec)
    except SpecError as error:
        raise ValueError(str(error)) from None
    return spec


def spec_curve(spec: types.ModuleType) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """The curve of an in-memory spec and its metadata, as its CSV and JSON would read back."""
    from lr_plots.curves import SpecError, curve_metadata, scheduler_curve

    try:
        values = scheduler_curve(spec)
    except SpecError as error:
        raise ValueError(str(error)) from None
    # Through the JSON's bytes, as the build's drawing reads it: the same numbers, the same title.
    metadata: dict[str, Any] = json.loads(curve_metadata(spec))
    return values, metadata


def curve(scheduler: Scheduler, **settings: Any) -> dict[str, list[float]]:
    """The values of `scheduler` at each step on a fresh SGD optimizer, as the CSV of a spec with the
    same settings holds them: `lr` (`lr_1`, ... for more parameter groups), then `momentum` if it is
    cycled and `val_loss` if the scheduler is fed one.

    Settings: steps=100, base_lr=0.05 (or a list, one parameter group each), validation_losses,
    steps_per_epoch, lr_scale; every other keyword is an argument of the scheduler, and
    arguments={...} holds those named like a setting (CyclicLR's base_lr)."""
    return spec_curve(spec_module(scheduler, settings))[0]


def figure(scheduler: Scheduler, *, dpi: float = 100, **settings: Any) -> "Figure":
    """The picture of `scheduler` as a matplotlib Figure (the settings as for `curve`): the same
    pixels as the picture of a spec with the same settings (lr_plots.drawing.encode gives its
    bytes), and shown by Jupyter when it is a cell's value."""
    from lr_plots.drawing import curve_figure

    values, metadata = spec_curve(spec_module(scheduler, settings))
    return displayable(curve_figure(values, metadata, dpi))


def compare(
    members: Sequence[tuple[Scheduler, Mapping[str, Any]]],
    *,
    normalize: bool = False,
    title: str | None = None,
    dpi: float = 100,
) -> "Figure":
    """The curves of `members`, (scheduler, {settings and arguments, as for `curve`}) pairs, overlaid
    on one Figure, as a comparison spec draws them; with `normalize`, each LR over its base LR. The
    title is the schedulers' names joined by " vs " unless given."""
    from lr_plots.drawing import comparison_figure, comparison_title

    if not members:
        raise ValueError("compare needs at least one (scheduler, {settings}) pair.")
    curves = []
    for index, member in enumerate(members):
        if not (isinstance(member, tuple) and len(member) == 2 and isinstance(member[1], Mapping)):
            raise ValueError(
                f"compare's member {index} must be a (scheduler, {{settings}}) pair (got {member!r})."
            )
        scheduler, settings = member
        values, metadata = spec_curve(spec_module(scheduler, settings))
        curves.append((metadata, values))
    names = [str(metadata["scheduler"]) for metadata, _ in curves]
    chosen = comparison_title(names) if title is None else title
    return displayable(comparison_figure(curves, chosen, normalize, dpi))


def displayable(figure: "Figure") -> "Figure":
    """`figure`, shown as its PNG by Jupyter: IPython shows a matplotlib Figure that pyplot did not
    make only through a `_repr_png_` method, so its class becomes a subclass with one (no state is
    added, so it draws and saves as before)."""
    figure.__class__ = displayable_class()
    return figure


@cache
def displayable_class() -> type:
    from matplotlib.figure import Figure

    from lr_plots.drawing import encode

    class DisplayedFigure(Figure):
        """A Figure that IPython shows as the PNG lr_plots would write for it."""

        def _repr_png_(self) -> bytes:
            return encode(self, "png")

    # Findable as lr_plots.api.DisplayedFigure, so that such a figure pickles as any other.
    DisplayedFigure.__qualname__ = "DisplayedFigure"
    globals()["DisplayedFigure"] = DisplayedFigure
    return DisplayedFigure
