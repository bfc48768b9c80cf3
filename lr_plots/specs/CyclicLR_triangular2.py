"""CyclicLR, triangular2: like triangular, but each cycle's amplitude is half the last one's."""

from torch.optim.lr_scheduler import CyclicLR

SCHEDULER = CyclicLR
ARGUMENTS = {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 10, "mode": "triangular2"}
BASE_LR = 0.05
STEPS = 100
