"""ignite's ConcatScheduler: 20 iterations of a linear ramp up, then cosine cycles of 80 down."""

from ignite.handlers import ConcatScheduler, CosineAnnealingScheduler, LinearCyclicalScheduler

SCHEDULER = ConcatScheduler
ARGUMENTS = {
    "schedulers": [
        # half a cycle of 40 iterations: from 0.001 up to 0.05 over the first 20
        (
            LinearCyclicalScheduler,
            {"param_name": "lr", "start_value": 0.001, "end_value": 0.05, "cycle_size": 40},
        ),
        (
            CosineAnnealingScheduler,
            {"param_name": "lr", "start_value": 0.05, "end_value": 0.001, "cycle_size": 80},
        ),
    ],
    "durations": [20],
}
BASE_LR = 0.05
STEPS = 100
