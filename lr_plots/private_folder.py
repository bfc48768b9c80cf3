"""This user's private folder, <tmp>/lr_plots-<uid>: where the builds' torch processes listen."""

import os
import stat
import tempfile
from pathlib import Path


def private_folder() -> Path | None:
    """<tmp>/lr_plots-<uid>, made readable by this user only, where the sockets live; None if it
    cannot be made or belongs to someone else."""
    folder = Path(tempfile.gettempdir()) / f"lr_plots-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder
