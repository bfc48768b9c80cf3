"""Draw the learning-rate curve of PyTorch LR schedulers, one spec module per picture, built by doit."""
