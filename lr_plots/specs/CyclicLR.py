"""CyclicLR: the LR cycles between 0.01 and 0.1, rising for 10 steps and falling for 10."""

from torch.optim.lr_scheduler import CyclicLR

SCHEDULER = CyclicLR
ARGUMENTS = {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10}
BASE_LR = 0.05
STEPS = 100
