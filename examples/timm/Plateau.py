"""timm's PlateauLRScheduler: the LR falls tenfold when the validation loss stalls for over 10 epochs."""

from timm.scheduler import PlateauLRScheduler

SCHEDULER = PlateauLRScheduler
ARGUMENTS = {"decay_rate": 0.1, "patience_t": 10, "mode": "min"}  # timm's default mode is "max"
BASE_LR = 0.05
STEPS = 100
# One loss per epoch, given to step(epoch, loss) at the end of it: it improves by 5 % an epoch until
# it reaches 0.3 at epoch 24, then stays there.
VALIDATION_LOSSES = [max(0.3, 0.95**epoch) for epoch in range(STEPS)]
