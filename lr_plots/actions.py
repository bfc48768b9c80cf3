"""The actions of dodo.py's tasks: they import torch or matplotlib only when a task runs, and turn
any error into a short doit failure that names the file at fault."""

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from doit.exceptions import TaskFailed

from lr_plots.atomic_file import OutputError
from lr_plots.error_messages import failure_message

if TYPE_CHECKING:
    from lr_plots.curve_child import CurveRequest, Reply


def write_curve(
    spec_path: str, csv_path: str, metadata_path: str, timeout_seconds: float
) -> TaskFailed | None:
    """Action of curve:<Name>: run the spec's scheduler and write its CSV and metadata JSON, in a
    child of the build's one torch process (lr_plots.curve_server), where nothing the spec does can
    harm the build."""
    from lr_plots.curve_child import CurveRequest
    from lr_plots.curve_server import request_curve, should_hand_over

    request = CurveRequest(spec_path, csv_path, metadata_path, timeout_seconds, os.getcwd())
    reply = request_curve(request, load_drawing_code) if should_hand_over() else None
    if reply is None:
        reply = compute_here(request)
    sys.stdout.write(reply.stdout)
    sys.stderr.write(reply.stderr)
    return None if reply.failure is None else TaskFailed(reply.failure)


def load_drawing_code() -> None:
    """Import the drawing code, which the pictures after the curves need, while the torch process
    computes a curve (and first imports torch): matplotlib and torch then load at once, on two
    cores. A no-op where it is imported already (doit's workers fork from a process that has it)."""
    import lr_plots.drawing  # noqa: F401


def compute_here(request: "CurveRequest") -> "Reply":
    """The curve computed by this process, which imports torch if it has not: in a child forked
    from it, or in one of several threads (`doit -P thread` with no torch process at hand), which
    must not fork, in the thread itself, with no time limit."""
    from lr_plots.curve_child import Reply, compute_in_child, write_curve
    from lr_plots.curves import load_optimizer_machinery

    load_optimizer_machinery()
    if threading.active_count() > 1:
        return Reply(write_curve(request), "", "")
    return compute_in_child(request)


def draw_picture(csv_path: str, metadata_path: str, picture_path: str, dpi: float) -> TaskFailed | None:
    """Action of plot:<Name>: draw the curve as a picture."""
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
    """Action of plot:<Name> for a comparison: overlay the curves of the specs `names` (their CSV
    and JSON paths are `members`) in one picture, and write the comparison's JSON."""
    from lr_plots.drawing import draw_comparison_files

    members_files = [(Path(csv), Path(metadata)) for csv, metadata in members]
    return failure_of(
        picture_path,
        lambda: draw_comparison_files(
            names, members_files, normalize, Path(picture_path), Path(metadata_path), dpi
        ),
    )


def build_gallery(output_folder: str, summaries: dict[str, str], picture_format: str) -> TaskFailed | None:
    """Action of gallery: write index.html and overview.png."""
    from lr_plots.gallery import write_gallery

    return failure_of(output_folder, lambda: write_gallery(output_folder, summaries, picture_format))


def build_explorer(
    page_path: str, library_path: str, curves: list[tuple[str, str, str]]
) -> TaskFailed | None:
    """Action of explore: write explore.html and the charting library beside it."""
    from lr_plots.explorer import write_explorer

    return failure_of(page_path, lambda: write_explorer(page_path, library_path, curves))


def failure_of(blamed: str, write: Callable[[], object]) -> TaskFailed | None:
    """Run `write`: None if it succeeds; a file that cannot be written, or any other error, is a
    one-line doit failure naming `blamed` (and its line, when the error arose in it)."""
    try:
        write()
    except OutputError as error:
        return TaskFailed(str(error))
    except Exception as error:
        return TaskFailed(failure_message(blamed, error))
    return None


def remove_orphans(output_folder: str, targets: list[str]) -> None:
    """Clean action: remove the generated files in `output_folder` that are none of `targets`,
    looked for only when `doit clean` runs; it prints what it removes."""
    from lr_plots.discovery import orphaned_outputs

    for path in orphaned_outputs(output_folder, targets):
        print(f"removing orphaned file '{path}'")
        path.unlink(missing_ok=True)
