"""Draw the learning-rate curve of PyTorch LR schedulers, one spec module per picture, built by doit.

The public API is `curve`, `figure` and `compare` (lr_plots.api), imported when first used, so that
`import lr_plots` imports neither torch nor matplotlib; every other module is private."""

from typing import TYPE_CHECKING, Any

__version__ = "0.3.0"
__all__ = ["compare", "curve", "figure"]

if TYPE_CHECKING:
    from lr_plots.api import compare, curve, figure


def __getattr__(name: str) -> Any:
    # Imported here, not at the top: lr_plots.code_dependencies follows only the top-level imports of
    # this file, and every process that imports any lr_plots module runs it.
    if name in __all__:
        from lr_plots import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
