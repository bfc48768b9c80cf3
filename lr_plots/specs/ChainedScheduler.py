"""ChainedScheduler: ConstantLR(factor=0.1, 20 epochs) and ExponentialLR(gamma=0.9) applied together."""

from torch.optim.lr_scheduler import ChainedScheduler, ConstantLR, ExponentialLR

# (class, arguments) pairs are sub-schedulers, built fresh on this picture's own optimizer.
SCHEDULER = ChainedScheduler
ARGUMENTS = {
    "schedulers": [
        (ConstantLR, {"factor": 0.1, "total_iters": 20}),
        (ExponentialLR, {"gamma": 0.9}),
    ],
}
BASE_LR = 0.05
STEPS = 100
