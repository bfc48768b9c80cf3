"""timm's create_scheduler_v2 as its train.py calls it: cosine, 1 warm-up epoch, stepped per update."""

from timm.scheduler import create_scheduler_v2

STEPS_PER_EPOCH = 10
STEPS = 100
SCHEDULER = create_scheduler_v2  # returns (scheduler, number of epochs): lr_plots draws the scheduler
ARGUMENTS = {
    "sched": "cosine",
    "num_epochs": STEPS // STEPS_PER_EPOCH,
    "warmup_epochs": 1,
    "warmup_lr": 1e-4,
    "min_lr": 1e-4,
    "step_on_epochs": False,
    "updates_per_epoch": STEPS_PER_EPOCH,
}
BASE_LR = 0.05
