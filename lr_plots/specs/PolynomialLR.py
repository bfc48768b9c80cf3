"""PolynomialLR: the LR decays to zero over 50 epochs as a polynomial of power 0.9."""

from torch.optim.lr_scheduler import PolynomialLR

SCHEDULER = PolynomialLR
ARGUMENTS = {"total_iters": 50, "power": 0.9}
BASE_LR = 0.05
STEPS = 100
