"""get_scheduler("cosine_warmup_with_min_lr"): warm-up from a tenth of the base LR, cosine to a tenth."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler  # its optimizer is its second parameter: lr_plots passes it by name
ARGUMENTS = {
    "name": "cosine_warmup_with_min_lr",
    "num_warmup_steps": 10,
    "num_training_steps": STEPS,
    "scheduler_specific_kwargs": {"min_lr_rate": 0.1, "warmup_lr_rate": 0.1},
}
BASE_LR = 0.05
