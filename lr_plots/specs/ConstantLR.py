"""ConstantLR: the LR is held at factor=0.5 of the base LR for the first 40 epochs."""

from torch.optim.lr_scheduler import ConstantLR

SCHEDULER = ConstantLR
ARGUMENTS = {"factor": 0.5, "total_iters": 40}
BASE_LR = 0.05
STEPS = 100
