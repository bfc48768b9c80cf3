"""Run a spec's real torch LR scheduler and write the learning rate in force at every step to a CSV."""

import math
import sys
import types
from numbers import Real
from pathlib import Path

import torch
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

from lr_plots.atomic_file import write_atomically


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
    """Raise SpecError naming `path` unless `spec` defines BASE_LR, STEPS and make_scheduler."""
    problems = []
    steps = getattr(spec, "STEPS", None)
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        problems.append(f"STEPS must be a whole number of steps, at least 1 (got {steps!r})")
    base_lr = getattr(spec, "BASE_LR", None)
    if not _is_number(base_lr) or not base_lr > 0 or not math.isfinite(base_lr):
        problems.append(f"BASE_LR must be a positive finite number (got {base_lr!r})")
    if not callable(getattr(spec, "make_scheduler", None)):
        problems.append("make_scheduler(optimizer) must be defined and return an LR scheduler")
    losses = getattr(spec, "VALIDATION_LOSSES", None)
    if losses is not None and not problems:
        if not all(_is_number(loss) and math.isfinite(loss) for loss in losses):
            problems.append("VALIDATION_LOSSES must hold finite numbers only")
        elif len(losses) != steps:
            problems.append(f"VALIDATION_LOSSES has {len(losses)} values, STEPS is {steps}")
    if problems:
        raise SpecError(f"{path}: " + "; ".join(problems) + ".")


def scheduler_curve(spec: types.ModuleType) -> list[float]:
    """The LR in force during each of the spec's STEPS steps, from a fresh optimizer and scheduler."""
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=spec.BASE_LR)
    scheduler = spec.make_scheduler(optimizer)
    if not isinstance(scheduler, LRScheduler):
        raise SpecError(
            f"{spec.__file__}: make_scheduler returned {type(scheduler).__name__}, "
            "not a torch.optim.lr_scheduler.LRScheduler."
        )
    losses = getattr(spec, "VALIDATION_LOSSES", None)
    takes_loss = isinstance(scheduler, ReduceLROnPlateau)
    if takes_loss != (losses is not None):
        raise SpecError(
            f"{spec.__file__}: VALIDATION_LOSSES is needed by ReduceLROnPlateau and only by it; "
            f"this spec's scheduler is {type(scheduler).__name__}."
        )
    lrs = [float(optimizer.param_groups[0]["lr"])]
    for step in range(spec.STEPS - 1):
        optimizer.step()  # torch warns when a scheduler steps before its optimizer
        if takes_loss:
            scheduler.step(losses[step])
        else:
            scheduler.step()
        lrs.append(float(optimizer.param_groups[0]["lr"]))
    for step, lr in enumerate(lrs):
        if not math.isfinite(lr):
            raise SpecError(f"{spec.__file__}: the scheduler's LR became {lr} at step {step}.")
    return lrs


def curve_csv(lrs: list[float]) -> bytes:
    """CSV text with a `step,lr` header; repr() gives the shortest text that reads back exactly."""
    rows = ["step,lr"] + [f"{step},{lr!r}" for step, lr in enumerate(lrs)]
    return ("\n".join(rows) + "\n").encode()


def write_curve_csv(spec_path: Path, csv_path: Path) -> None:
    """Load the spec at `spec_path`, run its scheduler and write the curve to `csv_path`."""
    write_atomically(csv_path, curve_csv(scheduler_curve(load_spec(spec_path))))


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)
