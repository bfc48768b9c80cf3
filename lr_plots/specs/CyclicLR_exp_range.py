"""CyclicLR, exp_range: the amplitude shrinks by gamma=0.98 every step."""

from torch.optim.lr_scheduler import CyclicLR

SCHEDULER = CyclicLR
ARGUMENTS = {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10, "mode": "exp_range", "gamma": 0.98}
BASE_LR = 0.05
STEPS = 100
