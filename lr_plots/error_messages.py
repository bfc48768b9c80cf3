"""How an error is told to the user: one line naming the file at fault, and its line when the error
arose in it."""

import traceback
from pathlib import Path


class LoadError(Exception):
    """The tasks cannot be made: a bad setting, spec file name or comparison. The message names the
    file (or the variable) and says what is wrong."""


def failure_message(path: str, error: BaseException) -> str:
    """'<path>, line N: <ErrorType>: <message>', with the line of `path` where the error arose."""
    where = path
    if isinstance(error, SyntaxError) and error.lineno:
        where = f"{path}, line {error.lineno}"
        error = SyntaxError(error.msg)
    else:
        where = where_in(path, error)
    if str(error).startswith(str(path)):
        return str(error)
    text = str(error)
    return f"{where}: {type(error).__name__}: {text}" if text else f"{where}: {type(error).__name__}"


def where_in(path: str, error: BaseException) -> str:
    """'<path>, line N' for the last line of `path` in the traceback of `error`, else `path`."""
    target = Path(path).resolve()
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve() == target
    ]
    return f"{path}, line {lines[-1]}" if lines else path
