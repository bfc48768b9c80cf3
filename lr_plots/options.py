"""dodo.py's command-line variables (`doit format=svg dpi=200 specs=DIR out=DIR timeout=SECONDS`),
checked once when dodo.py loads."""

from dataclasses import dataclass
from pathlib import Path

from doit.exceptions import InvalidDodoFile

PICTURE_FORMATS = ("png", "svg")
DEFAULT_OUTPUT = "lr_scheduler_images"


@dataclass(frozen=True)
class Options:
    """What to build from where, and how the pictures are written."""

    spec_folder: str
    output_folder: str
    picture_format: str
    dpi: float
    timeout_seconds: float

    @property
    def dep_file(self) -> str:
        """doit's database: .doit.db for the project's own pictures; with out=DIR, DIR/.doit.db, so
        that each output folder keeps its own state and switching between them rebuilds nothing."""
        if self.output_folder == DEFAULT_OUTPUT:
            return ".doit.db"
        return str(Path(self.output_folder) / ".doit.db")


def parse_options(specs: str, out: str, picture_format: str, dpi: str, timeout: str) -> Options:
    """Options from the variables' text, or InvalidDodoFile saying which one is wrong and why."""
    if not Path(specs).is_dir():
        raise InvalidDodoFile(f"specs={specs}: there is no such folder of spec files.")
    if picture_format not in PICTURE_FORMATS:
        raise InvalidDodoFile(f"format={picture_format}: the picture format must be one of "
                              f"{', '.join(PICTURE_FORMATS)}.")
    return Options(specs.rstrip("/"), out.rstrip("/"), picture_format,
                   _positive(dpi, "dpi"), _positive(timeout, "timeout"))


def _positive(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise InvalidDodoFile(f"{name}={text}: it must be a positive number.")
    return value
