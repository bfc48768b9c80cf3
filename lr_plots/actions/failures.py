"""Errors of the core turned into doit's: a task that fails says so in one line naming the file."""

from collections.abc import Callable

from doit.exceptions import TaskFailed

from lr_plots.atomic_file import OutputError
from lr_plots.error_messages import failure_message


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
