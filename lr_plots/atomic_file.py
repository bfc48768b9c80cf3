"""Write a file under a temporary name and rename it into place, so no reader sees half a file."""

import os
from pathlib import Path


class OutputError(Exception):
    """An output file could not be written; the message names it and says why."""


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step: readers see the old file or the new one, never a mix."""
    # The pid keeps two builds running at once in one folder from sharing a temporary file.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        reason = error.strerror or str(error)
        raise OutputError(f"cannot write {path}: {reason} ({error.filename or path}).") from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    remove_abandoned_temporaries(path)


def remove_abandoned_temporaries(path: Path) -> None:
    """Delete temporary files for `path` left by killed processes (those whose pid is not running)."""
    for temporary in path.parent.glob(f".{path.name}.*.tmp"):
        pid = temporary.name[len(path.name) + 2 : -len(".tmp")]
        if pid.isdigit() and not process_is_running(int(pid)):
            temporary.unlink(missing_ok=True)


def process_is_running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie, dead but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists but belongs to someone else
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc here (macOS): trust kill()
    return state not in ("Z", "X")
