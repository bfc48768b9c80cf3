"""timm's MultiStepLRScheduler: 3 epochs of warm-up, then the LR falls tenfold at epochs 30 and 80."""

from timm.scheduler import MultiStepLRScheduler

SCHEDULER = MultiStepLRScheduler
ARGUMENTS = {"decay_t": [30, 80], "decay_rate": 0.1, "warmup_t": 3, "warmup_lr_init": 0.005}
BASE_LR = 0.05
STEPS = 100
