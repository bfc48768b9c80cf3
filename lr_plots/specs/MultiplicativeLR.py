"""MultiplicativeLR: each epoch multiplies the LR by a function's value, here 0.95."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, MultiplicativeLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return MultiplicativeLR(optimizer, lr_lambda=lambda epoch: 0.95)
