"""get_scheduler("reduce_lr_on_plateau"): torch's ReduceLROnPlateau, fed a loss that stops improving."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler
ARGUMENTS = {"name": "reduce_lr_on_plateau", "scheduler_specific_kwargs": {"patience": 5, "factor": 0.5}}
BASE_LR = 0.05
# The loss improves by 5 % a step until it reaches 0.3 at step 24, then stalls: after patience=5
# steps without improvement the LR halves, and again every 6 steps.
VALIDATION_LOSSES = [max(0.3, 0.95**step) for step in range(STEPS)]
