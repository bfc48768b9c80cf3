"""get_scheduler("cosine"): linear warm-up for 10 steps, then half a cosine down to zero at step 100."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler  # its optimizer is its second parameter: lr_plots passes it by name
ARGUMENTS = {"name": "cosine", "num_warmup_steps": 10, "num_training_steps": STEPS}
BASE_LR = 0.05
