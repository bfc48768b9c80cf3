"""The action of explore: explore.html and plotly.min.js beside it."""

from doit.exceptions import TaskFailed

from lr_plots.actions.failures import failure_of


def build_explorer(
    page_path: str, library_path: str, curves: list[tuple[str, str, str]]
) -> TaskFailed | None:
    """Write explore.html and the charting library beside it."""
    from lr_plots.explorer import write_explorer

    return failure_of(page_path, lambda: write_explorer(page_path, library_path, curves))
