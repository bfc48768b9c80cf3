"""LinearLR: the LR rises linearly from 0.05 of the base LR to the base LR over 40 epochs."""

from torch.optim.lr_scheduler import LinearLR

SCHEDULER = LinearLR
ARGUMENTS = {"start_factor": 0.05, "total_iters": 40}
BASE_LR = 0.05
STEPS = 100
