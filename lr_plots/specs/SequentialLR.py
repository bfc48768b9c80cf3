"""SequentialLR: ConstantLR(factor=0.1) for 20 epochs, then ExponentialLR(gamma=0.9) from the base LR."""

from torch.optim.lr_scheduler import ConstantLR, ExponentialLR, SequentialLR

# (class, arguments) pairs are sub-schedulers, built fresh on this picture's own optimizer.
SCHEDULER = SequentialLR
ARGUMENTS = {
    "schedulers": [
        (ConstantLR, {"factor": 0.1, "total_iters": 20}),
        (ExponentialLR, {"gamma": 0.9}),
    ],
    "milestones": [20],
}
BASE_LR = 0.05
STEPS = 100
