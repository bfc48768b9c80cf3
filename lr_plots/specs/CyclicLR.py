"""CyclicLR: the LR cycles between 0.01 and 0.1, rising for 10 steps and falling for 10."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, CyclicLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return CyclicLR(optimizer, base_lr=0.01, max_lr=0.1, step_size_up=10)
