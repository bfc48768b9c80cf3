"""Warm-up strategies side by side: linear then cosine, inverse square root, and LinearLR's ramp."""

COMPARE = ["LambdaLR_cosine_with_warmup", "SequentialLR_warmup_cosine", "WarmupInverseSqrtLR", "LinearLR"]
NORMALIZE = True  # each LR over its base LR, so the shapes compare whatever the base LR
