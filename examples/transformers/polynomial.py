"""get_scheduler("polynomial"): warm-up, then a quadratic decay to lr_end=0.001 at step 100."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler  # its optimizer is its second parameter: lr_plots passes it by name
ARGUMENTS = {
    "name": "polynomial",
    "num_warmup_steps": 10,
    "num_training_steps": STEPS,
    "scheduler_specific_kwargs": {"lr_end": 0.001, "power": 2.0},
}
BASE_LR = 0.05
