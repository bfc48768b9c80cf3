"""Run a spec's real torch LR scheduler and record what it does at every step: the values as a CSV,
and how to present them (title, axis label, the spec's arguments) as JSON beside it."""

import json
import math
import sys
import types
from collections.abc import Callable
from numbers import Real
from pathlib import Path
from typing import Any

import torch
from torch.optim.lr_scheduler import CyclicLR, LRScheduler, OneCycleLR, ReduceLROnPlateau

from lr_plots.atomic_file import write_atomically

# Schedulers meant to step once per batch rather than once per epoch.
PER_BATCH_SCHEDULERS = (CyclicLR, OneCycleLR)


class SpecError(Exception):
    """A spec module that does not define a picture properly; the message says what is wrong."""


def load_spec(path: Path) -> types.ModuleType:
    """Execute the spec file at `path` as a fresh module and check that it defines a picture."""
    name = f"lr_plots_spec_{path.stem}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    # compile + exec rather than an import: no bytecode cache is written beside the specs, and a
    # spec edited between two builds in one process is always read anew.
    code = compile(path.read_bytes(), str(path), "exec")
    sys.modules[name] = module  # classes defined in a spec need their module to be findable
    exec(code, module.__dict__)
    check_spec(path, module)
    return module


def check_spec(path: Path, spec: types.ModuleType) -> None:
    """Raise SpecError naming `path` unless `spec` defines SCHEDULER, ARGUMENTS, BASE_LR and STEPS."""
    problems = []
    scheduler = getattr(spec, "SCHEDULER", None)
    if not (isinstance(scheduler, type) and issubclass(scheduler, LRScheduler)):
        problems.append(f"SCHEDULER must be an LRScheduler class (got {scheduler!r})")
    arguments = getattr(spec, "ARGUMENTS", None)
    if not (isinstance(arguments, dict) and all(isinstance(key, str) for key in arguments)):
        problems.append(f"ARGUMENTS must be a dict of keyword arguments (got {arguments!r})")
    steps = getattr(spec, "STEPS", None)
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        problems.append(f"STEPS must be a whole number of steps, at least 1 (got {steps!r})")
    base_lr = getattr(spec, "BASE_LR", None)
    if not _is_number(base_lr) or not base_lr > 0 or not math.isfinite(base_lr):
        problems.append(f"BASE_LR must be a positive finite number (got {base_lr!r})")
    losses = getattr(spec, "VALIDATION_LOSSES", None)
    if losses is not None and not problems:
        if not all(_is_number(loss) and math.isfinite(loss) for loss in losses):
            problems.append("VALIDATION_LOSSES must hold finite numbers only")
        elif len(losses) != steps:
            problems.append(f"VALIDATION_LOSSES has {len(losses)} values, STEPS is {steps}")
    if problems:
        raise SpecError(f"{path}: " + "; ".join(problems) + ".")


def _is_sub_scheduler(value: object) -> bool:
    """A `(SchedulerClass, {arguments})` pair in ARGUMENTS, built on the same optimizer."""
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], type)
        and issubclass(value[0], LRScheduler)
        and isinstance(value[1], dict)
    )


def _build(value: Any, optimizer: torch.optim.Optimizer) -> Any:
    if _is_sub_scheduler(value):
        scheduler, arguments = value
        return scheduler(optimizer=optimizer, **{key: _build(v, optimizer) for key, v in arguments.items()})
    if isinstance(value, list):
        return [_build(item, optimizer) for item in value]
    return value


def build_scheduler(spec: types.ModuleType, optimizer: torch.optim.Optimizer) -> LRScheduler:
    """SCHEDULER(optimizer=optimizer, **ARGUMENTS), sub-schedulers built first on the same optimizer."""
    return _build((spec.SCHEDULER, spec.ARGUMENTS), optimizer)


def describe_arguments(arguments: dict[str, Any]) -> str:
    """'step_size=30, gamma=0.1': the arguments as they would be written in a call."""
    return ", ".join(f"{key}={_describe(value)}" for key, value in arguments.items())


def _describe(value: Any) -> str:
    if _is_sub_scheduler(value):
        return f"{value[0].__name__}({describe_arguments(value[1])})"
    if isinstance(value, list):
        return "[" + ", ".join(_describe(item) for item in value) + "]"
    if isinstance(value, Callable) and hasattr(value, "__name__"):
        return value.__name__
    return repr(value)


def scheduler_curve(spec: types.ModuleType) -> dict[str, list[float]]:
    """The values in force during each of the spec's STEPS steps, from a fresh optimizer and
    scheduler: `lr`, then `momentum` if the scheduler cycles it, `val_loss` if it is fed one."""
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=spec.BASE_LR)
    scheduler = build_scheduler(spec, optimizer)
    losses = getattr(spec, "VALIDATION_LOSSES", None)
    takes_loss = isinstance(scheduler, ReduceLROnPlateau)
    if takes_loss != (losses is not None):
        raise SpecError(
            f"{spec.__file__}: VALIDATION_LOSSES is needed by ReduceLROnPlateau and only by it; "
            f"this spec's scheduler is {type(scheduler).__name__}."
        )
    group = optimizer.param_groups[0]
    columns: dict[str, Callable[[], float]] = {"lr": lambda: group["lr"]}
    if getattr(scheduler, "cycle_momentum", False):
        columns["momentum"] = lambda: group["momentum"]
    curve: dict[str, list[float]] = {name: [float(read())] for name, read in columns.items()}
    for step in range(spec.STEPS - 1):
        optimizer.step()  # torch warns when a scheduler steps before its optimizer
        if takes_loss:
            scheduler.step(losses[step])
        else:
            scheduler.step()
        for name, read in columns.items():
            curve[name].append(float(read()))
    for step, lr in enumerate(curve["lr"]):
        if not math.isfinite(lr):
            raise SpecError(f"{spec.__file__}: the scheduler's LR became {lr} at step {step}.")
    if takes_loss:
        curve["val_loss"] = [float(loss) for loss in losses]
    return curve


def curve_csv(curve: dict[str, list[float]]) -> bytes:
    """CSV text with a `step,lr,...` header; repr() gives the shortest text that reads back exactly."""
    names = list(curve)
    rows = [",".join(["step", *names])]
    rows += [
        ",".join([str(step), *(repr(value) for value in values)])
        for step, values in enumerate(zip(*curve.values(), strict=True))
    ]
    return ("\n".join(rows) + "\n").encode()


def curve_metadata(spec: types.ModuleType, scheduler_class: type) -> bytes:
    """JSON of how the picture presents the curve: its title, x-axis label and the spec's arguments
    (nothing from comments or docstrings, so editing those leaves the JSON, and the picture, alone)."""
    arguments = describe_arguments(spec.ARGUMENTS)
    metadata = {
        "scheduler": scheduler_class.__name__,
        "arguments": arguments,
        "title": f"{scheduler_class.__name__}({arguments})",
        "x_label": "Step" if issubclass(scheduler_class, PER_BATCH_SCHEDULERS) else "Epoch",
        "base_lr": spec.BASE_LR,
        "steps": spec.STEPS,
    }
    return (json.dumps(metadata, indent=1, sort_keys=True) + "\n").encode()


def write_curve_files(spec_path: Path, csv_path: Path, metadata_path: Path) -> None:
    """Load the spec at `spec_path`, run its scheduler, write its CSV and its metadata JSON."""
    spec = load_spec(spec_path)
    curve = scheduler_curve(spec)
    write_atomically(csv_path, curve_csv(curve))
    write_atomically(metadata_path, curve_metadata(spec, spec.SCHEDULER))


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)
