"""LambdaLR: the LR is the base LR times a function of the epoch, here epoch // 30."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, LambdaLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return LambdaLR(optimizer, lr_lambda=lambda epoch: epoch // 30)
