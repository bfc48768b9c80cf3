"""OneCycleLR: one cycle up to max_lr=0.01 and down again over 10 epochs of 10 steps."""

from torch.optim.lr_scheduler import OneCycleLR

SCHEDULER = OneCycleLR
ARGUMENTS = {"max_lr": 0.01, "epochs": 10, "steps_per_epoch": 10}
BASE_LR = 0.05
STEPS = 100
