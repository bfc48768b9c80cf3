"""timm's StepLRScheduler: the LR falls tenfold every 30 epochs."""

from timm.scheduler import StepLRScheduler

SCHEDULER = StepLRScheduler
ARGUMENTS = {"decay_t": 30, "decay_rate": 0.1}
BASE_LR = 0.05
STEPS = 100
