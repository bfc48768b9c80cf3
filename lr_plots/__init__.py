"""Draw the learning-rate curve of PyTorch LR schedulers, one spec module per picture, built by doit."""

__version__ = "0.2.0"
