"""MultiStepLR: the LR falls by a factor gamma=0.1 at epochs 30 and 80."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, MultiStepLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return MultiStepLR(optimizer, milestones=[30, 80], gamma=0.1)
