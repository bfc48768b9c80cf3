"""timm's CosineLRScheduler stepped per epoch (t_in_epochs=True) in epochs of 10 updates: a staircase."""

from timm.scheduler import CosineLRScheduler

STEPS_PER_EPOCH = 10  # optimizer updates per epoch; the LR moves only when an epoch ends
STEPS = 100
SCHEDULER = CosineLRScheduler
ARGUMENTS = {"t_initial": STEPS // STEPS_PER_EPOCH, "lr_min": 1e-4, "t_in_epochs": True}
BASE_LR = 0.05
