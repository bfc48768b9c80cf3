"""Run a spec's real torch LR scheduler and record what it does at every step: the values as a CSV,
and how to present them (title, axis label, the spec's arguments) as JSON beside it."""

import math
import os
import sys
import types
from numbers import Real
from pathlib import Path
from typing import Any, cast

import torch
from torch.optim.lr_scheduler import CyclicLR, LRScheduler, OneCycleLR, ReduceLROnPlateau

from lr_plots.atomic_file import write_atomically
from lr_plots.curve_files import column_name, curve_csv, metadata_json

# Schedulers meant to step once per batch rather than once per epoch.
PER_BATCH_SCHEDULERS = (CyclicLR, OneCycleLR)
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


def check_spec(path: Path, spec: types.ModuleType) -> None:
    """Raise SpecError naming `path` unless `spec` defines SCHEDULER, ARGUMENTS, BASE_LR and STEPS
    (and, if it sets them, STEPS_PER_EPOCH and VALIDATION_LOSSES) properly."""
    problems = []
    scheduler = getattr(spec, "SCHEDULER", None)
    if not (is_factory(scheduler) or (isinstance(scheduler, type) and issubclass(scheduler, LRScheduler))):
        problems.append(f"SCHEDULER must be an LRScheduler class (got {scheduler!r})")
    arguments = getattr(spec, "ARGUMENTS", None)
    if not (isinstance(arguments, dict) and all(isinstance(key, str) for key in arguments)):
        problems.append(f"ARGUMENTS must be a dict of keyword arguments (got {arguments!r})")
    steps = getattr(spec, "STEPS", None)
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        problems.append(f"STEPS must be a whole number of steps, at least 1 (got {steps!r})")
    problems += parameter_group_problems(getattr(spec, "BASE_LR", None), arguments)
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
        raise SpecError(f"{path}: " + "; ".join(problems) + ".")


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
    """A function (not a class) to be called as SCHEDULER(optimizer, **ARGUMENTS), returning an
    LRScheduler, as transformers' get_cosine_schedule_with_warmup is."""
    return callable(scheduler) and not isinstance(scheduler, type)


def base_lrs(spec: types.ModuleType) -> list[float]:
    """The starting LR of each parameter group: BASE_LR, or each number of a BASE_LR list."""
    return list(spec.BASE_LR) if isinstance(spec.BASE_LR, list | tuple) else [spec.BASE_LR]


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
    """SCHEDULER(optimizer=optimizer, **ARGUMENTS), sub-schedulers built first on the same optimizer;
    a factory function is called as SCHEDULER(optimizer, **ARGUMENTS) and must return a scheduler."""
    if not is_factory(spec.SCHEDULER):
        built: LRScheduler = _build((spec.SCHEDULER, spec.ARGUMENTS), optimizer)
        return built
    arguments = {key: _build(value, optimizer) for key, value in spec.ARGUMENTS.items()}
    scheduler = spec.SCHEDULER(optimizer, **arguments)
    if not isinstance(scheduler, LRScheduler):
        raise SpecError(
            f"{spec.__file__}: SCHEDULER {scheduler_name(spec)} returned {scheduler!r}, not an "
            "LRScheduler; a factory function must return the scheduler it builds on the optimizer."
        )
    return scheduler


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
    """Create a throwaway optimizer: the first one in a process imports torch._dynamo (0.7 s), a cost
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
    scheduler = build_scheduler(spec, optimizer)
    losses: list[float] = getattr(spec, "VALIDATION_LOSSES", None) or []
    takes_loss = isinstance(scheduler, ReduceLROnPlateau)
    if takes_loss != hasattr(spec, "VALIDATION_LOSSES"):
        raise SpecError(
            f"{spec.__file__}: VALIDATION_LOSSES is needed by ReduceLROnPlateau and only by it; "
            f"this spec's scheduler is {type(scheduler).__name__}."
        )
    keys = ["lr", "momentum"] if getattr(scheduler, "cycle_momentum", False) else ["lr"]
    columns = {
        column_name(key, index): (group, key)
        for key in keys
        for index, group in enumerate(optimizer.param_groups)
    }
    curve: dict[str, list[float]] = {name: [float(group[key])] for name, (group, key) in columns.items()}
    for step in range(spec.STEPS - 1):
        optimizer.step()  # torch warns when a scheduler steps before its optimizer
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(losses[step])
        else:
            scheduler.step()
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
    per_batch = is_factory(spec.SCHEDULER) or issubclass(spec.SCHEDULER, PER_BATCH_SCHEDULERS)
    lrs = base_lrs(spec)
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
