"""LambdaLR with two parameter groups: the backbone warms up for 10 epochs, the head decays at once."""

from torch.optim.lr_scheduler import LambdaLR


def linear_warmup_10(epoch: int) -> float:
    return min(1.0, (epoch + 1) / 10)


def decay_0_95(epoch: int) -> float:
    return 0.95**epoch


SCHEDULER = LambdaLR
ARGUMENTS = {"lr_lambda": [linear_warmup_10, decay_0_95]}  # one function per parameter group
BASE_LR = [0.01, 0.05]  # group 0 (a pretrained backbone), group 1 (a new head)
STEPS = 100
