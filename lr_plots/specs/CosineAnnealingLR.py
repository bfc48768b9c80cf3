"""CosineAnnealingLR: the LR follows half a cosine from the base LR to zero over T_max=100 epochs."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, CosineAnnealingLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return CosineAnnealingLR(optimizer, T_max=100)
