"""get_scheduler("greedy"): GreedyLR raises the LR while the loss improves and lowers it once it stalls."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler
ARGUMENTS = {
    "name": "greedy",
    "scheduler_specific_kwargs": {"patience": 3, "factor": 0.8, "min_lr": 0.001, "max_lr": 0.1},
}
BASE_LR = 0.05
# Stepped with the loss of each evaluation, as the Trainer steps it: the loss improves by 5 % a step
# for 40 steps (the LR is divided by factor every 4 steps, up to max_lr), then stalls (multiplied by it).
VALIDATION_LOSSES = [0.95 ** min(step, 39) for step in range(STEPS)]
