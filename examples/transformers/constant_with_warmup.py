"""get_scheduler("constant_with_warmup"): linear warm-up for 10 steps, then the base LR."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler  # its optimizer is its second parameter: lr_plots passes it by name
ARGUMENTS = {"name": "constant_with_warmup", "num_warmup_steps": 10}
BASE_LR = 0.05
