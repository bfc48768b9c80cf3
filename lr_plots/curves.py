"""Run a spec's real LR scheduler, stepped as its library steps it (lr_plots.scheduler_families), and
record every step: the values as a CSV, and how to present them (title, axis label, arguments) as JSON."""

import math
import os
import sys
import types
from numbers import Real
from pathlib import Path
from typing import Any, cast

import torch

from lr_plots.atomic_file import write_atomically
from lr_plots.curve_files import column_name, curve_csv, metadata_json
from lr_plots.scheduler_families import Family, accepted, construct, family_of, family_of_class

# Arguments that torch's schedulers take as one value per parameter group when given a list.
PER_GROUP_ARGUMENTS = (
    "lr_lambda",
    "max_lr",
    "base_lr",
    "max_momentum",
    "base_momentum",
    "swa_lr",
    "min_lr",
)


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


def check_spec(path: Path | str, spec: types.ModuleType) -> None:
    """Raise SpecError naming `path` unless `spec` defines SCHEDULER, ARGUMENTS, BASE_LR and STEPS
    (and, if it sets them, STEPS_PER_EPOCH, VALIDATION_LOSSES and LR_SCALE) properly."""
    problems = []
    scheduler = getattr(spec, "SCHEDULER", None)
    unknown_scheduler = not (is_factory(scheduler) or family_of_class(scheduler))
    if unknown_scheduler:
        problems.append(f"SCHEDULER must be an LRScheduler class (got {scheduler!r})")
    arguments = getattr(spec, "ARGUMENTS", None)
    if not (isinstance(arguments, dict) and all(isinstance(key, str) for key in arguments)):
        problems.append(f"ARGUMENTS must be a dict of keyword arguments (got {arguments!r})")
    steps = getattr(spec, "STEPS", None)
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        problems.append(f"STEPS must be a whole number of steps, at least 1 (got {steps!r})")
    problems += parameter_group_problems(getattr(spec, "BASE_LR", None), arguments)
    problems += lr_scale_problems(getattr(spec, "LR_SCALE", None), getattr(spec, "BASE_LR", None))
    steps_per_epoch = getattr(spec, "STEPS_PER_EPOCH", None)
    if steps_per_epoch is not None and not (
        isinstance(steps_per_epoch, int) and not isinstance(steps_per_epoch, bool) and steps_per_epoch >= 1
    ):
        problems.append(f"STEPS_PER_EPOCH must be a positive whole number of steps (got {steps_per_epoch!r})")
    losses = getattr(spec, "VALIDATION_LOSSES", None)
    if losses is not None and not problems:
        if not all(_is_number(loss) and math.isfinite(loss) for loss in losses):
            problems.append("VALIDATION_LOSSES must hold finite numbers only")
        elif len(losses) != steps:
            problems.append(f"VALIDATION_LOSSES has {len(losses)} values, STEPS is {steps}")
    if problems:
        # What SCHEDULER may be is said once, after every problem.
        raise SpecError(
            f"{path}: " + "; ".join(problems) + "." + (f" {accepted()}" if unknown_scheduler else "")
        )


def lr_scale_problems(lr_scale: object, base_lr: object) -> list[str]:
    """What is wrong with LR_SCALE: if set, one positive number per parameter group (timm's
    schedulers set each group's LR to the schedule's value times the group's `lr_scale`)."""
    if lr_scale is None:
        return []
    groups = len(base_lr) if isinstance(base_lr, list | tuple) else 1
    if not (
        isinstance(lr_scale, list | tuple) and len(lr_scale) == groups and all(map(_is_positive, lr_scale))
    ):
        return [
            f"LR_SCALE must be a list of positive numbers, one per parameter group ({groups}) "
            f"(got {lr_scale!r})"
        ]
    return []


def parameter_group_problems(base_lr: object, arguments: object) -> list[str]:
    """What is wrong with BASE_LR (a number, or a list of numbers, one per parameter group) and
    with the per-group arguments (a list must have one value per group)."""
    problems = []
    if isinstance(base_lr, list | tuple):
        wrong = [f"BASE_LR[{index}] is {lr!r}" for index, lr in enumerate(base_lr) if not _is_positive(lr)]
        if not base_lr or wrong:
            problems.append(
                "BASE_LR must be a positive finite number, or a non-empty list of them, one per "
                f"parameter group (got {base_lr!r}{': ' + ', '.join(wrong) if wrong else ''})"
            )
    elif not _is_positive(base_lr):
        problems.append(f"BASE_LR must be a positive finite number (got {base_lr!r})")
    groups = len(base_lr) if isinstance(base_lr, list | tuple) else 1
    if isinstance(arguments, dict):
        problems += [
            f"ARGUMENTS[{key!r}] has {len(value)} values, but BASE_LR gives {groups} parameter "
            f"group{'s' if groups > 1 else ''} (one value per group)"
            for key, value in arguments.items()
            if key in PER_GROUP_ARGUMENTS and isinstance(value, list | tuple) and len(value) != groups
        ]
    return problems


def is_factory(scheduler: object) -> bool:
    """A function (not a class) to be called with the optimizer and ARGUMENTS, returning a scheduler,
    as transformers' get_cosine_schedule_with_warmup is (scheduler_families.construct)."""
    return callable(scheduler) and not isinstance(scheduler, type)


def base_lrs(spec: types.ModuleType) -> list[float]:
    """The starting LR of each parameter group: BASE_LR, or each number of a BASE_LR list."""
    return list(spec.BASE_LR) if isinstance(spec.BASE_LR, list | tuple) else [spec.BASE_LR]


def _is_sub_scheduler(value: object) -> bool:
    """A `(SchedulerClass, {arguments})` pair in ARGUMENTS, built on the same optimizer."""
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and family_of_class(value[0]) is not None
        and isinstance(value[1], dict)
    )


def _build(value: Any, optimizer: torch.optim.Optimizer) -> Any:
    if _is_sub_scheduler(value):
        scheduler, arguments = value
        return construct(scheduler, optimizer, {key: _build(v, optimizer) for key, v in arguments.items()})
    if isinstance(value, list):
        return [_build(item, optimizer) for item in value]
    return value


def build_scheduler(spec: types.ModuleType, optimizer: torch.optim.Optimizer) -> tuple[Family, Any]:
    """SCHEDULER built on `optimizer` with ARGUMENTS, sub-schedulers built first on the same optimizer
    (scheduler_families.construct says how the optimizer is passed), and the family that steps it;
    a class or factory function must give a scheduler some family knows."""
    arguments = {key: _build(value, optimizer) for key, value in spec.ARGUMENTS.items()}
    built = construct(spec.SCHEDULER, optimizer, arguments)
    found = family_of(built)
    if found is None:
        raise SpecError(
            f"{spec.__file__}: SCHEDULER {scheduler_name(spec)} returned {built!r}, not an "
            "LRScheduler; a factory function must return the scheduler it builds on the optimizer. "
            + accepted()
        )
    family, scheduler = found
    if hasattr(spec, "LR_SCALE") and not family.reads_lr_scale:
        raise SpecError(
            f"{spec.__file__}: LR_SCALE is read by timm's schedulers only; this spec's scheduler is "
            f"{type(scheduler).__name__}."
        )
    return family, scheduler


def scheduler_name(spec: types.ModuleType) -> str:
    """The scheduler class's name, or the factory function's."""
    return getattr(spec.SCHEDULER, "__name__", type(spec.SCHEDULER).__name__)


def describe_arguments(arguments: dict[str, Any]) -> str:
    """'step_size=30, gamma=0.1': the arguments as they would be written in a call."""
    return ", ".join(f"{key}={_describe(value)}" for key, value in arguments.items())


def _describe(value: Any) -> str:
    if _is_sub_scheduler(value):
        return f"{value[0].__name__}({describe_arguments(value[1])})"
    if isinstance(value, list):
        return "[" + ", ".join(_describe(item) for item in value) + "]"
    if callable(value) and hasattr(value, "__name__"):
        return str(value.__name__)
    return repr(value)


def load_optimizer_machinery() -> None:
    """Create a throwaway optimizer: the first one in a process imports torch._dynamo, a cost
    that belongs to no spec and so must not count against a spec's time limit."""
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


def scheduler_curve(spec: types.ModuleType) -> dict[str, list[float]]:
    """The values in force during each of the spec's STEPS steps, from a fresh optimizer and
    scheduler: `lr`, then `momentum` if the scheduler cycles it, `val_loss` if it is fed one."""
    if isinstance(spec.BASE_LR, list | tuple):  # one parameter group per base LR
        groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in spec.BASE_LR]
        optimizer = torch.optim.SGD(groups, lr=spec.BASE_LR[0])
    else:
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=spec.BASE_LR)
    if hasattr(spec, "LR_SCALE"):
        for group, scale in zip(optimizer.param_groups, spec.LR_SCALE, strict=True):
            group["lr_scale"] = scale  # before the scheduler is built: timm's reads it when it starts
    family, scheduler = build_scheduler(spec, optimizer)
    losses: list[float] = getattr(spec, "VALIDATION_LOSSES", None) or []
    takes_loss = family.takes_losses(scheduler)
    if takes_loss != hasattr(spec, "VALIDATION_LOSSES"):
        raise SpecError(
            f"{spec.__file__}: VALIDATION_LOSSES is needed by ReduceLROnPlateau (and timm's "
            "PlateauLRScheduler, transformers' GreedyLR) and only by them; this spec's scheduler is "
            f"{type(scheduler).__name__}."
        )
    # Each step is an epoch unless the spec says how many steps make one.
    steps_per_epoch = getattr(spec, "STEPS_PER_EPOCH", None) or 1
    keys = ["lr", "momentum"] if getattr(scheduler, "cycle_momentum", False) else ["lr"]
    columns = {
        column_name(key, index): (group, key)
        for key in keys
        for index, group in enumerate(optimizer.param_groups)
    }
    family.start(scheduler)
    curve: dict[str, list[float]] = {name: [float(group[key])] for name, (group, key) in columns.items()}
    for step in range(1, spec.STEPS):
        optimizer.step()  # torch warns when a scheduler steps before its optimizer
        family.advance(scheduler, step, losses, steps_per_epoch)
        for name, (group, key) in columns.items():
            curve[name].append(float(group[key]))
    for index in range(len(optimizer.param_groups)):
        for step, lr in enumerate(curve[column_name("lr", index)]):
            if not math.isfinite(lr):
                raise SpecError(f"{spec.__file__}: the scheduler's LR became {lr} at step {step}.")
    if takes_loss:
        curve["val_loss"] = [float(loss) for loss in losses]
    return curve


def curve_metadata(spec: types.ModuleType) -> bytes:
    """JSON of how the picture presents the curve: its title, x-axis label, the spec's arguments and
    parameter groups (nothing from comments or docstrings, so editing those leaves the JSON, and the
    picture, alone)."""
    arguments = describe_arguments(spec.ARGUMENTS)
    name = scheduler_name(spec)
    steps_per_epoch = getattr(spec, "STEPS_PER_EPOCH", None)
    # Steps, not epochs, when the scheduler steps per batch, when the spec says how many steps make
    # an epoch, or when a factory builds it (transformers' factories count optimizer steps).
    family = None if is_factory(spec.SCHEDULER) else family_of_class(spec.SCHEDULER)
    per_batch = family is None or family.per_batch(spec.SCHEDULER)
    lrs = base_lrs(spec)
    lr_scale = getattr(spec, "LR_SCALE", None)
    if lr_scale:  # each group starts from its base LR times its lr_scale, and is labelled so
        lrs = [lr * scale for lr, scale in zip(lrs, lr_scale, strict=True)]
    metadata = {
        "scheduler": name,
        "arguments": arguments,
        "title": f"{name}({arguments})",
        "x_label": "Step" if per_batch or steps_per_epoch else "Epoch",
        "base_lr": lrs if len(lrs) > 1 else lrs[0],
        "groups": len(lrs),
        "steps": spec.STEPS,
        "steps_per_epoch": steps_per_epoch,
    }
    if lr_scale:  # only when set, so that every other spec's JSON stays as it was
        metadata["lr_scale"] = list(lr_scale)
    return metadata_json(metadata)


def write_curve_files(spec_path: Path, csv_path: Path, metadata_path: Path) -> None:
    """Load the spec at `spec_path`, run its scheduler, write its CSV and its metadata JSON."""
    folder = os.getcwd()
    spec = load_spec(spec_path)
    curve = scheduler_curve(spec)
    os.chdir(folder)  # the spec may have moved; the paths are relative to the build's folder
    write_atomically(csv_path, curve_csv(curve))
    write_atomically(metadata_path, curve_metadata(spec))


def _is_positive(value: object) -> bool:
    return _is_number(value) and math.isfinite(cast(float, value)) and cast(float, value) > 0


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)
