"""ignite's PiecewiseLinear: up to 0.05 in 10 iterations, down to 0.01 at 60, to zero at 100."""

from ignite.handlers import PiecewiseLinear

SCHEDULER = PiecewiseLinear
ARGUMENTS = {"param_name": "lr", "milestones_values": [(0, 0.0), (10, 0.05), (60, 0.01), (100, 0.0)]}
BASE_LR = 0.05
STEPS = 100
