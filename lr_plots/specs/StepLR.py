"""StepLR: the LR falls by a factor gamma=0.1 every step_size=30 epochs."""

from torch.optim.lr_scheduler import StepLR

SCHEDULER = StepLR
ARGUMENTS = {"step_size": 30, "gamma": 0.1}
BASE_LR = 0.05
STEPS = 100
