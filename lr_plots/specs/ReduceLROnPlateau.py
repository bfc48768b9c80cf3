"""ReduceLROnPlateau: the LR falls tenfold whenever the validation loss stalls for over 10 epochs."""

from torch.optim.lr_scheduler import ReduceLROnPlateau

SCHEDULER = ReduceLROnPlateau
ARGUMENTS = {"mode": "min"}
BASE_LR = 0.05
STEPS = 100

# A fixed validation-loss series, so the picture is the same every run: the loss improves by 5% an
# epoch until it reaches 0.3 at epoch 24, then stays there. After 11 epochs without improvement
# (patience=10) the LR drops, from epoch 36 on, and again every 11 epochs, as the loss never improves.
VALIDATION_LOSSES = [max(0.3, 0.95**epoch) for epoch in range(STEPS)]
