"""CosineAnnealingWarmRestarts: cosine annealing restarted from the base LR every T_0=20 epochs."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, CosineAnnealingWarmRestarts

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return CosineAnnealingWarmRestarts(optimizer, T_0=20)
