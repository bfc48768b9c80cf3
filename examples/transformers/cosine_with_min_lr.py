"""get_scheduler("cosine_with_min_lr"): warm-up, then half a cosine down to min_lr=0.005."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler  # its optimizer is its second parameter: lr_plots passes it by name
ARGUMENTS = {
    "name": "cosine_with_min_lr",
    "num_warmup_steps": 10,
    "num_training_steps": STEPS,
    "scheduler_specific_kwargs": {"min_lr": 0.005},
}
BASE_LR = 0.05
