"""LinearLR: the LR rises linearly from 0.05 of the base LR to the base LR over 40 epochs."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, LinearLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return LinearLR(optimizer, start_factor=0.05, total_iters=40)
