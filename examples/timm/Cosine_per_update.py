"""timm's CosineLRScheduler stepped per update (t_in_epochs=False): warm-up over 10 updates, then a cosine."""

from timm.scheduler import CosineLRScheduler

STEPS_PER_EPOCH = 10
STEPS = 100
SCHEDULER = CosineLRScheduler
# t_initial and warmup_t count optimizer updates when t_in_epochs is False.
ARGUMENTS = {"t_initial": STEPS, "lr_min": 1e-4, "warmup_t": 10, "warmup_lr_init": 1e-4, "t_in_epochs": False}
BASE_LR = 0.05
