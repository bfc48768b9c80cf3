"""How each family of schedulers (torch's, timm's, ignite's, transformers') is built on an optimizer and
stepped as its library steps it in training: one small adapter per family, chosen from what it is."""

import inspect
import sys
from collections.abc import Callable, Sequence
from typing import Any

from torch.optim import Optimizer
from torch.optim.lr_scheduler import CyclicLR, LRScheduler, OneCycleLR, ReduceLROnPlateau

# Schedulers meant to step once per batch rather than once per epoch.
PER_BATCH_SCHEDULERS = (CyclicLR, OneCycleLR)


def loaded(module: str, name: str) -> Any:
    """`module.name` if `module` is imported already, else None: an object of a library exists only
    once its module is imported, so a spec that uses torch alone never imports timm or ignite."""
    found = sys.modules.get(module)
    return getattr(found, name, None) if found is not None else None


def is_class_of(scheduler: object, *bases: Any) -> bool:
    return isinstance(scheduler, type) and any(
        base is not None and issubclass(scheduler, base) for base in bases
    )


def parameters(function: object) -> list[inspect.Parameter]:
    """The parameters of `function` (or of a class's constructor); none for a builtin without a signature."""
    try:
        return list(inspect.signature(function).parameters.values())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return []


def has_parameter(function: object, name: str) -> bool:
    """Whether `function` (or a class's constructor) takes a parameter called `name`."""
    return any(parameter.name == name for parameter in parameters(function))


def passes_arguments_on(function: object) -> bool:
    """Whether `function` takes *args or **kwargs, handing them on (ignite's LinearCyclicalScheduler
    passes its optimizer on to CyclicalScheduler that way)."""
    variable = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return any(parameter.kind in variable for parameter in parameters(function))


class Family:
    """One library's schedulers: which classes and objects are its own, how they are built on an
    optimizer, and how they are stepped from one step of the curve to the next."""

    accepted = ""  # what this family accepts, for the message about a scheduler no family knows
    reads_lr_scale = False  # whether its schedulers multiply each group's LR by the group's `lr_scale`

    def knows_class(self, scheduler: object) -> bool:
        """Whether `scheduler` is a class of this family (a spec's SCHEDULER, or a sub-scheduler pair's)."""
        raise NotImplementedError

    def scheduler_in(self, built: object) -> Any:
        """The scheduler of this family in what a class or factory returned, or None."""
        raise NotImplementedError

    def builds_without_optimizer(self, scheduler: object) -> bool:
        """Whether `scheduler` (a class or function) reaches the optimizer only through the
        sub-schedulers it is given, and so is called without it."""
        return False

    def per_batch(self, scheduler: type) -> bool:
        """Whether the class `scheduler` steps once per batch (its picture's x axis counts steps)."""
        return False

    def takes_losses(self, scheduler: Any) -> bool:
        """Whether the built `scheduler` is driven by a validation loss (the spec's VALIDATION_LOSSES)."""
        return False

    def start(self, scheduler: Any) -> None:
        """Whatever sets the LR of step 0 beyond building the scheduler."""

    def advance(self, scheduler: Any, step: int, losses: Sequence[float], steps_per_epoch: int) -> None:
        """Step the scheduler so that the optimizer holds the LR of `step`, after the optimizer's
        update of step - 1; `losses` are the spec's VALIDATION_LOSSES, one per step, if it takes them."""
        raise NotImplementedError


class TorchFamily(Family):
    """torch.optim.lr_scheduler: `step()` after each optimizer step; ReduceLROnPlateau `step(loss)`."""

    accepted = "a torch.optim.lr_scheduler class (LRScheduler, ReduceLROnPlateau)"

    def knows_class(self, scheduler: object) -> bool:
        return is_class_of(scheduler, LRScheduler, ReduceLROnPlateau)

    def scheduler_in(self, built: object) -> Any:
        return built if isinstance(built, LRScheduler | ReduceLROnPlateau) else None

    def per_batch(self, scheduler: type) -> bool:
        return issubclass(scheduler, PER_BATCH_SCHEDULERS)

    def takes_losses(self, scheduler: Any) -> bool:
        return isinstance(scheduler, ReduceLROnPlateau)

    def advance(self, scheduler: Any, step: int, losses: Sequence[float], steps_per_epoch: int) -> None:
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(losses[step - 1])
        else:
            scheduler.step()


class TimmFamily(Family):
    """timm.scheduler: as timm's training loop drives them, `step_update(num_updates)` after every
    optimizer update (num_updates counting the updates done) and, at the end of each epoch,
    `step(epoch)` with the number of the epoch about to start and the validation metric; the
    schedule itself reads t_in_epochs to know which of the two moves it."""

    accepted = "a timm.scheduler class (a subclass of timm.scheduler.scheduler.Scheduler)"
    reads_lr_scale = True

    def base(self) -> Any:
        return loaded("timm.scheduler.scheduler", "Scheduler")

    def knows_class(self, scheduler: object) -> bool:
        return is_class_of(scheduler, self.base())

    def scheduler_in(self, built: object) -> Any:
        base = self.base()
        if base is None:
            return None
        # timm's create_scheduler_v2 returns (scheduler, number of epochs to train).
        if isinstance(built, tuple) and len(built) == 2 and isinstance(built[1], int):
            built = built[0]
        return built if isinstance(built, base) else None

    def takes_losses(self, scheduler: Any) -> bool:
        plateau = loaded("timm.scheduler.plateau_lr", "PlateauLRScheduler")
        return plateau is not None and isinstance(scheduler, plateau)

    def advance(self, scheduler: Any, step: int, losses: Sequence[float], steps_per_epoch: int) -> None:
        scheduler.step_update(num_updates=step)
        if step % steps_per_epoch == 0:  # the epoch step - 1 ended: its validation loss, if any
            scheduler.step(step // steps_per_epoch, losses[step - 1] if losses else None)


class IgniteFamily(Family):
    """ignite.handlers' parameter schedulers: called once per iteration, as an
    `Events.ITERATION_STARTED` handler, each call setting the LR of the iteration about to run."""

    accepted = (
        "an ignite.handlers parameter scheduler (ParamScheduler subclasses such as "
        "CosineAnnealingScheduler, ParamGroupScheduler, create_lr_scheduler_with_warmup)"
    )

    def bases(self) -> tuple[Any, Any]:
        module = "ignite.handlers.param_scheduler"
        return loaded(module, "ParamScheduler"), loaded(module, "ParamGroupScheduler")

    def knows_class(self, scheduler: object) -> bool:
        return is_class_of(scheduler, *self.bases())

    def scheduler_in(self, built: object) -> Any:
        bases = tuple(base for base in self.bases() if base is not None)
        return built if bases and isinstance(built, bases) else None

    def builds_without_optimizer(self, scheduler: object) -> bool:
        # ConcatScheduler, ParamGroupScheduler, ignite's LRScheduler and create_lr_scheduler_with_warmup
        # take schedulers (built on the optimizer), not the optimizer.
        warmup = loaded("ignite.handlers.param_scheduler", "create_lr_scheduler_with_warmup")
        is_ignite = self.knows_class(scheduler) or (warmup is not None and scheduler is warmup)
        return is_ignite and not (has_parameter(scheduler, "optimizer") or passes_arguments_on(scheduler))

    def per_batch(self, scheduler: type) -> bool:
        return True

    def start(self, scheduler: Any) -> None:
        plateau = loaded("ignite.handlers.param_scheduler", "ReduceLROnPlateauScheduler")
        if plateau is not None and isinstance(scheduler, plateau):
            raise TypeError(
                "ignite's ReduceLROnPlateauScheduler reads the metrics of a running ignite Engine; draw "
                "torch's ReduceLROnPlateau with VALIDATION_LOSSES instead"
            )
        scheduler(None)

    def advance(self, scheduler: Any, step: int, losses: Sequence[float], steps_per_epoch: int) -> None:
        scheduler(None)


class TransformersFamily(Family):
    """transformers' GreedyLR (its other schedulers are torch's LambdaLR and ReduceLROnPlateau): stepped
    with the validation metric after each evaluation, as transformers' Trainer steps ReduceLROnPlateau
    and it alike."""

    accepted = "transformers' GreedyLR"

    def greedy(self) -> Any:
        return loaded("transformers.optimization", "GreedyLR")

    def knows_class(self, scheduler: object) -> bool:
        return is_class_of(scheduler, self.greedy())

    def scheduler_in(self, built: object) -> Any:
        greedy = self.greedy()
        return built if greedy is not None and isinstance(built, greedy) else None

    def takes_losses(self, scheduler: Any) -> bool:
        return True

    def advance(self, scheduler: Any, step: int, losses: Sequence[float], steps_per_epoch: int) -> None:
        scheduler.step(losses[step - 1])


# In the order they are asked; a new family is one more adapter here.
FAMILIES: list[Family] = [TorchFamily(), TimmFamily(), IgniteFamily(), TransformersFamily()]


def accepted() -> str:
    """What SCHEDULER may be, in one sentence."""
    kinds = [family.accepted for family in FAMILIES]
    return f"SCHEDULER may be {', '.join(kinds)}, or a function that builds one on the optimizer."


def family_of_class(scheduler: object) -> Family | None:
    """The family whose class `scheduler` is, or None."""
    return next((family for family in FAMILIES if family.knows_class(scheduler)), None)


def family_of(built: object) -> tuple[Family, Any] | None:
    """The family of what a class or factory returned, and the scheduler in it; None if no family
    knows it."""
    for family in FAMILIES:
        scheduler = family.scheduler_in(built)
        if scheduler is not None:
            return family, scheduler
    return None


def construct(scheduler: Callable[..., Any], optimizer: Optimizer, arguments: dict[str, Any]) -> Any:
    """Call the class or function `scheduler` with `arguments` and the optimizer: as its parameter
    named `optimizer` if it has one (transformers' get_scheduler takes the name first), else as its
    first argument, or not at all when it reaches the optimizer only through its sub-schedulers."""
    if any(family.builds_without_optimizer(scheduler) for family in FAMILIES):
        return scheduler(**arguments)
    if has_parameter(scheduler, "optimizer"):
        return scheduler(optimizer=optimizer, **arguments)
    return scheduler(optimizer, **arguments)
