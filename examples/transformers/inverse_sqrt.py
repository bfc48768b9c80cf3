"""get_scheduler("inverse_sqrt"): linear warm-up for 10 steps, then 1 / sqrt(step)."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler  # its optimizer is its second parameter: lr_plots passes it by name
ARGUMENTS = {"name": "inverse_sqrt", "num_warmup_steps": 10}
BASE_LR = 0.05
