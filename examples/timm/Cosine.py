"""timm's CosineLRScheduler per epoch: 5 epochs of warm-up from 1e-4, then half a cosine to lr_min=1e-4."""

from timm.scheduler import CosineLRScheduler

SCHEDULER = CosineLRScheduler
ARGUMENTS = {"t_initial": 100, "lr_min": 1e-4, "warmup_t": 5, "warmup_lr_init": 1e-4}
BASE_LR = 0.05
STEPS = 100  # epochs: with no STEPS_PER_EPOCH each step is an epoch
