"""timm's CosineLRScheduler with restarts: three cycles of 20 epochs, each peak half the one before."""

from timm.scheduler import CosineLRScheduler

SCHEDULER = CosineLRScheduler
ARGUMENTS = {"t_initial": 20, "cycle_limit": 3, "cycle_decay": 0.5, "lr_min": 1e-4}
BASE_LR = 0.05
STEPS = 100  # the last 40 epochs, past cycle_limit, stay at lr_min
