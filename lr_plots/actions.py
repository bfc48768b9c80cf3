"""The actions of dodo.py's tasks: they import torch or matplotlib only when a task runs, and turn
any error into a short doit failure that names the file at fault."""

import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from doit.exceptions import TaskFailed

from lr_plots.atomic_file import OutputError


class TimeLimitExceeded(BaseException):
    """Raised into a spec that runs too long; a BaseException, so `except Exception` can't swallow it."""


def write_curve(
    spec_path: str, csv_path: str, metadata_path: str, timeout_seconds: float
) -> TaskFailed | None:
    """Action of curve:<Name>: run the spec's scheduler, write its CSV and metadata JSON, by the
    build's one torch process (lr_plots.curve_server)."""
    from lr_plots.curve_server import request_curve, should_hand_over

    if should_hand_over():
        reply = request_curve(spec_path, csv_path, metadata_path, timeout_seconds, load_drawing_code)
        if reply is not None:
            sys.stdout.write(reply.stdout)
            sys.stderr.write(reply.stderr)
            return None if reply.failure is None else TaskFailed(reply.failure)
    return write_curve_here(spec_path, csv_path, metadata_path, timeout_seconds)


def load_drawing_code() -> None:
    """Import the drawing code, which the pictures after the curves need, while the torch process
    computes a curve (and first imports torch): matplotlib and torch then load at once, on two
    cores. A no-op where it is imported already (doit's workers fork from a process that has it)."""
    import lr_plots.drawing  # noqa: F401


def write_curve_here(
    spec_path: str, csv_path: str, metadata_path: str, timeout_seconds: float
) -> TaskFailed | None:
    """Run the spec's scheduler in this process and write its CSV and metadata JSON."""
    from lr_plots.curves import SpecError, load_optimizer_machinery, write_curve_files

    load_optimizer_machinery()  # once per process, before the clock starts: not the spec's time
    try:
        with time_limit(timeout_seconds):
            write_curve_files(Path(spec_path), Path(csv_path), Path(metadata_path))
    except (SpecError, OutputError) as error:
        return TaskFailed(str(error))
    except TimeLimitExceeded:
        return TaskFailed(
            f"{spec_path}: stopped after {timeout_seconds:g} s without finishing (a loop that never "
            "ends?); if it is only slow, give it longer with `doit timeout=SECONDS`."
        )
    except Exception as error:
        return TaskFailed(failure_message(spec_path, error))
    return None


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


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitExceeded in the block after `seconds` (only in the main thread, as signals
    are; doit runs actions there unless told to use threads with `-P thread`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def failure_message(path: str, error: Exception) -> str:
    """'<path>, line N: <ErrorType>: <message>', with the line of `path` where the error arose."""
    where = path
    if isinstance(error, SyntaxError) and error.lineno:
        where = f"{path}, line {error.lineno}"
        error = SyntaxError(error.msg)
    else:
        target = Path(path).resolve()
        lines = [
            frame.lineno
            for frame in traceback.extract_tb(error.__traceback__)
            if Path(frame.filename).resolve() == target
        ]
        if lines:
            where = f"{path}, line {lines[-1]}"
    if str(error).startswith(str(path)):
        return str(error)
    return f"{where}: {type(error).__name__}: {error}"
