"""get_scheduler("cosine_with_restarts"): warm-up, then three cosine cycles restarting from the base LR."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler  # its optimizer is its second parameter: lr_plots passes it by name
ARGUMENTS = {
    "name": "cosine_with_restarts",
    "num_warmup_steps": 10,
    "num_training_steps": STEPS,
    "scheduler_specific_kwargs": {"num_cycles": 3},
}
BASE_LR = 0.05
