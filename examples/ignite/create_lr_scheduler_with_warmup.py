"""ignite's create_lr_scheduler_with_warmup: 10 iterations of linear warm-up from 0, then a cosine."""

from ignite.handlers import CosineAnnealingScheduler, create_lr_scheduler_with_warmup

SCHEDULER = create_lr_scheduler_with_warmup
ARGUMENTS = {
    "lr_scheduler": (
        CosineAnnealingScheduler,
        {"param_name": "lr", "start_value": 0.05, "end_value": 0.001, "cycle_size": 180},
    ),
    "warmup_start_value": 0.0,
    "warmup_duration": 10,
}
BASE_LR = 0.05
STEPS = 100
