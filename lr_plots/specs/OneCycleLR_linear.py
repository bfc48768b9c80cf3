"""OneCycleLR, linear annealing: the one cycle made of straight lines instead of cosines."""

from torch.optim.lr_scheduler import OneCycleLR

SCHEDULER = OneCycleLR
ARGUMENTS = {"max_lr": 0.01, "total_steps": 100, "anneal_strategy": "linear"}
BASE_LR = 0.05
STEPS = 100
