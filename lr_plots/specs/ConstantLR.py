"""ConstantLR: the LR is held at factor=0.5 of the base LR for the first 40 epochs."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, ConstantLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return ConstantLR(optimizer, factor=0.5, total_iters=40)
