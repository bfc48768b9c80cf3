"""ChainedScheduler: ConstantLR(factor=0.1, 20 epochs) and ExponentialLR(gamma=0.9) applied together."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import ChainedScheduler, ConstantLR, ExponentialLR, LRScheduler

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return ChainedScheduler(
        [
            ConstantLR(optimizer, factor=0.1, total_iters=20),
            ExponentialLR(optimizer, gamma=0.9),
        ]
    )
