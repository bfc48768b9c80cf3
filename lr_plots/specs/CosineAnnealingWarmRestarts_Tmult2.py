"""CosineAnnealingWarmRestarts with T_mult=2: each cycle twice as long as the last (10, 20, 40 epochs)."""

from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts

SCHEDULER = CosineAnnealingWarmRestarts
ARGUMENTS = {"T_0": 10, "T_mult": 2}
BASE_LR = 0.05
STEPS = 100
