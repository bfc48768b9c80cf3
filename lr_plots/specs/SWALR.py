"""SWALR: stochastic weight averaging anneals the LR to swa_lr=0.01 over 10 epochs, then holds it."""

from torch.optim.swa_utils import SWALR

SCHEDULER = SWALR
ARGUMENTS = {"swa_lr": 0.01, "anneal_epochs": 10, "anneal_strategy": "cos"}
BASE_LR = 0.05
STEPS = 100
