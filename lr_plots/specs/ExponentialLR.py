"""ExponentialLR: each epoch multiplies the LR by gamma=0.95."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, ExponentialLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return ExponentialLR(optimizer, gamma=0.95)
