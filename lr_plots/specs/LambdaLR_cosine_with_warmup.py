"""Linear warm-up for 10 steps, then cosine decay to zero: transformers' get_cosine_schedule_with_warmup."""

import math
from functools import partial

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR


def warmup_then_cosine(step: int, num_warmup_steps: int, num_training_steps: int, num_cycles: float) -> float:
    """The factor transformers documents: step / num_warmup_steps while warming up, then
    0.5 * (1 + cos(pi * 2 * num_cycles * progress)) for the progress from 0 to 1 after it."""
    if step < num_warmup_steps:
        return step / max(1, num_warmup_steps)
    progress = (step - num_warmup_steps) / max(1, num_training_steps - num_warmup_steps)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress)))


def cosine_schedule_with_warmup(
    optimizer: Optimizer, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5
) -> LambdaLR:
    """A factory as transformers writes them: the optimizer first, a LambdaLR returned."""
    factor = partial(
        warmup_then_cosine,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
    )
    return LambdaLR(optimizer, factor)


SCHEDULER = cosine_schedule_with_warmup  # or transformers.get_cosine_schedule_with_warmup
ARGUMENTS = {"num_warmup_steps": 10, "num_training_steps": 100}
BASE_LR = 0.05
STEPS = 100
