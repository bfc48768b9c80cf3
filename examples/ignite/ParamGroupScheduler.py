"""ignite's ParamGroupScheduler: a cosine on parameter group 0, a triangle on group 1."""

from ignite.handlers import CosineAnnealingScheduler, LinearCyclicalScheduler, ParamGroupScheduler

SCHEDULER = ParamGroupScheduler
ARGUMENTS = {
    "schedulers": [
        (
            CosineAnnealingScheduler,
            {
                "param_name": "lr",
                "start_value": 0.05,
                "end_value": 0.0,
                "cycle_size": 100,
                "param_group_index": 0,
            },
        ),
        (
            LinearCyclicalScheduler,
            {
                "param_name": "lr",
                "start_value": 0.001,
                "end_value": 0.01,
                "cycle_size": 25,
                "param_group_index": 1,
            },
        ),
    ],
    "names": ["lr_group_0", "lr_group_1"],
}
BASE_LR = [0.05, 0.01]
STEPS = 100
