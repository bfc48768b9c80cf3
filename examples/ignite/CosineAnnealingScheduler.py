"""ignite's CosineAnnealingScheduler: cosine cycles of 50 iterations from 0.05 down to 0.001."""

from ignite.handlers import CosineAnnealingScheduler

SCHEDULER = CosineAnnealingScheduler
ARGUMENTS = {"param_name": "lr", "start_value": 0.05, "end_value": 0.001, "cycle_size": 50}
BASE_LR = 0.05
STEPS = 100  # iterations: the scheduler is called as each starts
