"""timm's TanhLRScheduler: a tanh-shaped decay from the base LR to lr_min=1e-4 over 100 epochs."""

from timm.scheduler import TanhLRScheduler

SCHEDULER = TanhLRScheduler
ARGUMENTS = {"t_initial": 100, "lr_min": 1e-4}
BASE_LR = 0.05
STEPS = 100
