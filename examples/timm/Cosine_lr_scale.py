"""timm's CosineLRScheduler on two parameter groups, the second with lr_scale=0.1 (layer-wise decay)."""

from timm.scheduler import CosineLRScheduler

SCHEDULER = CosineLRScheduler
ARGUMENTS = {"t_initial": 100, "warmup_t": 5, "warmup_lr_init": 1e-4}
BASE_LR = [0.05, 0.05]
LR_SCALE = [1.0, 0.1]  # each group's `lr_scale`: timm sets its LR to the schedule's value times it
STEPS = 100
