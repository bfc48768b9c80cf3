"""get_scheduler("constant"): the base LR throughout: get_scheduler's 'constant' takes no step counts."""

from transformers import get_scheduler

STEPS = 100
SCHEDULER = get_scheduler  # its optimizer is its second parameter: lr_plots passes it by name
ARGUMENTS = {"name": "constant"}
BASE_LR = 0.05
