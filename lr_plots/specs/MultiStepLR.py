"""MultiStepLR: the LR falls by a factor gamma=0.1 at epochs 30 and 80."""

from torch.optim.lr_scheduler import MultiStepLR

SCHEDULER = MultiStepLR
ARGUMENTS = {"milestones": [30, 80], "gamma": 0.1}
BASE_LR = 0.05
STEPS = 100
