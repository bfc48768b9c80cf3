"""CosineAnnealingLR: the LR follows half a cosine from the base LR to zero over T_max=100 epochs."""

from torch.optim.lr_scheduler import CosineAnnealingLR

SCHEDULER = CosineAnnealingLR
ARGUMENTS = {"T_max": 100}
BASE_LR = 0.05
STEPS = 100
