"""MultiplicativeLR: each epoch multiplies the LR by a function's value, here always 0.95."""

from torch.optim.lr_scheduler import MultiplicativeLR


def always_0_95(epoch: int) -> float:
    return 0.95


SCHEDULER = MultiplicativeLR
ARGUMENTS = {"lr_lambda": always_0_95}
BASE_LR = 0.05
STEPS = 100
