"""ExponentialLR: each epoch multiplies the LR by gamma=0.95."""

from torch.optim.lr_scheduler import ExponentialLR

SCHEDULER = ExponentialLR
ARGUMENTS = {"gamma": 0.95}
BASE_LR = 0.05
STEPS = 100
