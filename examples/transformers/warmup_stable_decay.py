"""get_scheduler("warmup_stable_decay"): warm up 10 steps, hold, cosine decay over the last 30."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler  # its optimizer is its second parameter: lr_plots passes it by name
ARGUMENTS = {
    "name": "warmup_stable_decay",
    "num_warmup_steps": 10,
    "num_training_steps": STEPS,
    "scheduler_specific_kwargs": {"num_decay_steps": 30},
}
BASE_LR = 0.05
