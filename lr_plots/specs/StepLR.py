"""StepLR: the LR falls by a factor gamma=0.1 every step_size=30 epochs."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, StepLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return StepLR(optimizer, step_size=30, gamma=0.1)
