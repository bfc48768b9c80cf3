"""The three CyclicLR modes side by side: triangular, triangular2 and exp_range."""

COMPARE = ["CyclicLR", "CyclicLR_triangular2", "CyclicLR_exp_range"]
