"""The actions of dodo.py's tasks: they import torch or matplotlib only when a task runs, and turn
any error into a short doit failure that names the file at fault."""

import signal
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from doit.exceptions import TaskFailed

from lr_plots.atomic_file import OutputError


class TimeLimitExceeded(BaseException):
    """Raised into a spec that runs too long; a BaseException, so `except Exception` can't swallow it."""


def write_curve(spec_path: str, csv_path: str, timeout_seconds: float) -> TaskFailed | None:
    """Action of curve:<Name>: run the spec's scheduler and write its CSV."""
    from lr_plots.curves import SpecError, write_curve_csv

    try:
        with time_limit(timeout_seconds):
            write_curve_csv(Path(spec_path), Path(csv_path))
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


def draw_picture(csv_path: str, png_path: str, title: str) -> TaskFailed | None:
    """Action of plot:<Name>: draw the curve CSV as a PNG."""
    from lr_plots.drawing import draw_curve_png

    try:
        draw_curve_png(Path(csv_path), Path(png_path), title)
    except OutputError as error:
        return TaskFailed(str(error))
    except Exception as error:
        return TaskFailed(failure_message(csv_path, error))
    return None


def remove_files(paths: list[str]) -> None:
    """Clean action for outputs no task owns any more; `doit clean` prints what it removes."""
    for path in paths:
        print(f"removing orphaned file '{path}'")
        Path(path).unlink(missing_ok=True)


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
