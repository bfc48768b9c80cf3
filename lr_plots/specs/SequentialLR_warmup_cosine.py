"""Warm-up then cosine, the most used recipe: LinearLR for 10 epochs, then CosineAnnealingLR."""

from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

SCHEDULER = SequentialLR
ARGUMENTS = {
    "schedulers": [
        (LinearLR, {"start_factor": 0.1, "total_iters": 10}),
        (CosineAnnealingLR, {"T_max": 90}),
    ],
    "milestones": [10],
}
BASE_LR = 0.05
STEPS = 100
