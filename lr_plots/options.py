"""What to build from where, and how: the [tool.lr_plots] table of ./pyproject.toml, overridden by
doit's command-line variables (`format=svg dpi=200 specs=DIR out=DIR timeout=SECONDS daemon=SECONDS`)."""

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lr_plots.error_messages import LoadError

PICTURE_FORMATS = ("png", "svg")
DEFAULT_OUTPUT = "lr_scheduler_images"
# The reference specs, shipped inside the package: what is drawn when no spec folder is named.
REFERENCE_SPECS = Path(__file__).resolve().parent / "specs"
CONFIG_FILE = "pyproject.toml"
SETTINGS = ("specs", "out", "format", "dpi", "timeout", "daemon")
# How long the warm torch process waits for the next build (lr_plots.warm_torch), unless the
# environment is a CI job, where nothing should outlive the job.
DAEMON_SECONDS = 600.0


def default_daemon_seconds() -> float:
    """DAEMON_SECONDS, or 0 (no warm torch process) where the variable CI says this is a CI job."""
    ci = os.environ.get("CI", "").strip().lower()
    return 0.0 if ci not in ("", "0", "false", "no") else DAEMON_SECONDS


@dataclass(frozen=True)
class Options:
    """What to build from where, and how the pictures are written."""

    spec_folder: str
    output_folder: str
    picture_format: str = "png"
    dpi: float = 100.0
    timeout_seconds: float = 120.0
    daemon_seconds: float = 0.0

    @property
    def dep_file(self) -> str:
        """doit's database: .doit.db for the default output folder; otherwise DIR/.doit.db, so
        that each output folder keeps its own state and switching between them rebuilds nothing."""
        if self.output_folder == DEFAULT_OUTPUT:
            return ".doit.db"
        return str(Path(self.output_folder) / ".doit.db")


def project_path(path: str | Path) -> str:
    """`path` as the tasks name it: relative to the build's folder when inside it, so that a built
    output folder and its database moved with the project elsewhere stay up to date."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)


def read_settings(config_file: str = CONFIG_FILE) -> dict[str, str]:
    """The [tool.lr_plots] table of `config_file` (if the file exists), its values as text, or
    LoadError naming the file and the key at fault."""
    if not os.path.exists(config_file):
        return {}
    try:
        with open(config_file, "rb") as file:
            table = tomllib.load(file).get("tool", {}).get("lr_plots", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LoadError(f"{config_file}: cannot be read as TOML: {error}.") from error
    if not isinstance(table, dict):
        raise LoadError(f"{config_file}: [tool.lr_plots] must be a table.")
    settings = {}
    for key, value in table.items():
        if key not in SETTINGS:
            raise LoadError(
                f"{config_file}: [tool.lr_plots] has an unknown key {key!r}; "
                f"the keys are {', '.join(SETTINGS)}."
            )
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise LoadError(
                f"{config_file}: [tool.lr_plots] {key} = {value!r}: it must be a string or a number."
            )
        settings[key] = str(value)
    return settings


def read_options(variables: dict[str, str], config_file: str = CONFIG_FILE) -> Options:
    """The options of a build in the current folder: `variables` (doit's command-line variables)
    over the [tool.lr_plots] table of `config_file`, over the defaults."""
    settings = read_settings(config_file)
    given = {key: value for key, value in variables.items() if key in SETTINGS}

    def where(key: str) -> str:
        if key in given:
            return f"{key}={given[key]}"
        return f"{config_file}: [tool.lr_plots] {key} = {settings[key]!r}"

    chosen = {**settings, **given}
    specs = chosen.get("specs")
    spec_folder = project_path(specs) if specs else project_path(REFERENCE_SPECS)
    if specs and not Path(specs).is_dir():
        raise LoadError(f"{where('specs')}: there is no such folder of spec files.")
    if not any(Path(spec_folder).glob("*.py")):
        raise LoadError(
            f"{where('specs') if specs else spec_folder}: the folder has no spec files (<Name>.py)."
        )
    picture_format = chosen.get("format", "png")
    if picture_format not in PICTURE_FORMATS:
        raise LoadError(f"{where('format')}: the picture format must be one of {', '.join(PICTURE_FORMATS)}.")
    return Options(
        spec_folder=spec_folder,
        output_folder=project_path(chosen.get("out", DEFAULT_OUTPUT)),
        picture_format=picture_format,
        dpi=_positive(chosen.get("dpi", "100"), where, "dpi"),
        timeout_seconds=_positive(chosen.get("timeout", "120"), where, "timeout"),
        daemon_seconds=_positive(
            chosen.get("daemon", str(default_daemon_seconds())), where, "daemon", zero=True
        ),
    )


def _positive(text: str, where: Callable[[str], str], key: str, zero: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0 <= value if zero else 0 < value) or value == float("inf"):
        raise LoadError(f"{where(key)}: it must be a {'number, 0 or more' if zero else 'positive number'}.")
    return value
