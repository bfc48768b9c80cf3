"""ignite's LinearCyclicalScheduler: a triangle from 0.01 up to 0.1 and back every 20 iterations."""

from ignite.handlers import LinearCyclicalScheduler

SCHEDULER = LinearCyclicalScheduler
ARGUMENTS = {"param_name": "lr", "start_value": 0.01, "end_value": 0.1, "cycle_size": 20}
BASE_LR = 0.05
STEPS = 100
