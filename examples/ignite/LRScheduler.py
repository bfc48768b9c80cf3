"""ignite's LRScheduler wrapping torch's ExponentialLR (gamma=0.97), called once per iteration."""

from ignite.handlers import LRScheduler
from torch.optim.lr_scheduler import ExponentialLR

SCHEDULER = LRScheduler  # ignite's, not torch's: it takes a torch scheduler built on the optimizer
ARGUMENTS = {"lr_scheduler": (ExponentialLR, {"gamma": 0.97})}
BASE_LR = 0.05
STEPS = 100
