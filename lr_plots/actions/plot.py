"""The action of plot:<Name>: a curve, or a comparison of several, drawn as a picture."""

from pathlib import Path

from doit.exceptions import TaskFailed

from lr_plots.actions.failures import failure_of


def draw_picture(csv_path: str, metadata_path: str, picture_path: str, dpi: float) -> TaskFailed | None:
    """Draw the curve as a picture."""
    from lr_plots.drawing import draw_curve

    return failure_of(
        csv_path, lambda: draw_curve(Path(csv_path), Path(metadata_path), Path(picture_path), dpi)
    )


def draw_comparison(
    names: list[str],
    members: list[tuple[str, str]],
    normalize: bool,
    picture_path: str,
    metadata_path: str,
    dpi: float,
) -> TaskFailed | None:
    """Overlay the curves of the specs `names` (their CSV and JSON paths are `members`) in one
    picture, and write the comparison's JSON."""
    from lr_plots.drawing import draw_comparison_files

    members_files = [(Path(csv), Path(metadata)) for csv, metadata in members]
    return failure_of(
        picture_path,
        lambda: draw_comparison_files(
            names, members_files, normalize, Path(picture_path), Path(metadata_path), dpi
        ),
    )


def import_drawing_code() -> None:
    """Import the drawing code, which the pictures after the curves need: the curve tasks run it
    while the torch process computes a curve (and first imports torch), so that matplotlib and torch
    load at once, on two cores. A no-op where it is imported already (doit's workers fork from a
    process that has it)."""
    import lr_plots.drawing  # noqa: F401
