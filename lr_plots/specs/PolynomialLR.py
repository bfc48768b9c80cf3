"""PolynomialLR: the LR decays to zero over 50 epochs as a polynomial of power 0.9."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler, PolynomialLR

BASE_LR = 0.05
STEPS = 100


def make_scheduler(optimizer: Optimizer) -> LRScheduler:
    return PolynomialLR(optimizer, total_iters=50, power=0.9)
