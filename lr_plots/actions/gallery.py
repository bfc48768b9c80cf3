"""The action of gallery: index.html and overview.png."""

from doit.exceptions import TaskFailed

from lr_plots.actions.failures import failure_of


def build_gallery(output_folder: str, summaries: dict[str, str], picture_format: str) -> TaskFailed | None:
    """Write index.html and overview.png."""
    from lr_plots.gallery import write_gallery

    return failure_of(output_folder, lambda: write_gallery(output_folder, summaries, picture_format))
