"""LambdaLR: the LR is the base LR times a function of the epoch, here epoch // 30."""

from torch.optim.lr_scheduler import LambdaLR


def epoch_floordiv_30(epoch: int) -> float:
    return epoch // 30


SCHEDULER = LambdaLR
ARGUMENTS = {"lr_lambda": epoch_floordiv_30}
BASE_LR = 0.05
STEPS = 100
