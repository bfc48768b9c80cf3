"""Decays side by side: step, multi-step, exponential and cosine, all from the base LR 0.05."""

COMPARE = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR"]
