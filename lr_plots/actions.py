"""The actions of dodo.py's tasks: they import torch or matplotlib only when a task runs, and turn
any error into a short doit failure that names the file at fault."""

import traceback
from pathlib import Path

from doit.exceptions import TaskFailed


def write_curve(spec_path: str, csv_path: str) -> TaskFailed | None:
    """Action of curve:<Name>: run the spec's scheduler and write its CSV."""
    from lr_plots.curves import SpecError, write_curve_csv

    try:
        write_curve_csv(Path(spec_path), Path(csv_path))
    except SpecError as error:
        return TaskFailed(str(error))
    except Exception as error:
        return TaskFailed(failure_message(spec_path, error))
    return None


def draw_picture(csv_path: str, png_path: str, title: str) -> TaskFailed | None:
    """Action of plot:<Name>: draw the curve CSV as a PNG."""
    from lr_plots.drawing import draw_curve_png

    try:
        draw_curve_png(Path(csv_path), Path(png_path), title)
    except Exception as error:
        return TaskFailed(failure_message(csv_path, error))
    return None


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
