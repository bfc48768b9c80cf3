"""timm's PolyLRScheduler: a quadratic decay (power=2) from the base LR to lr_min=1e-4 over 100 epochs."""

from timm.scheduler import PolyLRScheduler

SCHEDULER = PolyLRScheduler
ARGUMENTS = {"t_initial": 100, "power": 2.0, "lr_min": 1e-4}
BASE_LR = 0.05
STEPS = 100
