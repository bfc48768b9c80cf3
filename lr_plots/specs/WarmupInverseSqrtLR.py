"""A scheduler of our own, not torch's: linear warm-up for 10 epochs, then decay as 1/sqrt(epoch)."""

import math

from torch import Tensor
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler


class WarmupInverseSqrtLR(LRScheduler):
    """The schedule of "Attention Is All You Need": base_lr * min(t / warmup, sqrt(warmup / t)),
    with t = epoch + 1."""

    def __init__(self, optimizer: Optimizer, warmup_epochs: int, last_epoch: int = -1) -> None:
        self.warmup_epochs = warmup_epochs
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float | Tensor]:
        t = self.last_epoch + 1
        factor = min(t / self.warmup_epochs, math.sqrt(self.warmup_epochs / t))
        return [base_lr * factor for base_lr in self.base_lrs]


SCHEDULER = WarmupInverseSqrtLR
ARGUMENTS = {"warmup_epochs": 10}
BASE_LR = 0.05
STEPS = 100
