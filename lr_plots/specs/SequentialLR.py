"""SequentialLR: ConstantLR(factor=0.1) for 20 epochs, then ExponentialLR(gamma=0.9) from the base LR."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import ConstantLR, ExponentialLR, LRScheduler, SequentialLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return SequentialLR(
        optimizer,
        schedulers=[
            ConstantLR(optimizer, factor=0.1, total_iters=20),
            ExponentialLR(optimizer, gamma=0.9),
        ],
        milestones=[20],
    )
