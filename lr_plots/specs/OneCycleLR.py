"""OneCycleLR: one cycle up to max_lr=0.01 and down again over 10 epochs of 10 steps."""

from torch.optim.lr_scheduler import OneCycleLR

STEPS_PER_EPOCH = 10  # the scheduler steps once per batch, 10 batches an epoch
STEPS = 100
SCHEDULER = OneCycleLR
ARGUMENTS = {"max_lr": 0.01, "epochs": STEPS // STEPS_PER_EPOCH, "steps_per_epoch": STEPS_PER_EPOCH}
BASE_LR = 0.05
