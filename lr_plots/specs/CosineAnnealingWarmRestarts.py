"""CosineAnnealingWarmRestarts: cosine annealing restarted from the base LR every T_0=20 epochs."""

from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts

SCHEDULER = CosineAnnealingWarmRestarts
ARGUMENTS = {"T_0": 20}
BASE_LR = 0.05
STEPS = 100
