"""Find the spec files that dodo.py makes tasks of, without importing them (and so without torch)."""

import ast
import keyword
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from doit.exceptions import InvalidDodoFile


@dataclass(frozen=True)
class SpecFile:
    """One spec module and the pictures' files it gives, as paths relative to the project."""

    name: str
    path: str
    csv: str
    metadata: str
    picture: str
    doc: str


def find_specs(spec_folder: str, output_folder: str, picture_format: str) -> list[SpecFile]:
    """Every `<Name>.py` in `spec_folder`, sorted by name; refuses names that cannot be a task."""
    specs = []
    names_by_lowercase: dict[str, str] = {}
    for path in sorted(Path(spec_folder).glob("*.py")):
        name = path.stem
        if not name.isidentifier() or keyword.iskeyword(name):
            raise InvalidDodoFile(
                f"{path}: a spec file's name must be a valid Python identifier, because it names "
                f"the tasks curve:{name} and plot:{name} and the picture {name}.png; rename the "
                "file (letters, digits and underscores, not starting with a digit)."
            )
        clash = names_by_lowercase.setdefault(name.lower(), name)
        if clash != name:
            raise InvalidDodoFile(
                f"{path}: its picture {name}.png would overwrite {clash}.png (from "
                f"{Path(spec_folder) / clash}.py) on a case-insensitive file system (macOS, "
                "Windows); rename one of the two spec files."
            )
        specs.append(
            SpecFile(
                name=name,
                path=str(path),
                csv=f"{output_folder}/{name}.csv",
                metadata=f"{output_folder}/{name}.json",
                picture=f"{output_folder}/{name}.{picture_format}",
                doc=first_docstring_line(path),
            )
        )
    return specs


GENERATED_SUFFIXES = (".csv", ".json", ".png", ".svg", ".html", ".js", ".tmp")


def orphaned_outputs(output_folder: str, targets: list[str]) -> list[Path]:
    """Generated files in `output_folder` that are none of `targets` (what the tasks build now):
    the files of deleted specs or of another picture format, and temporary files of killed builds."""
    owned = {Path(path).name for path in targets}
    return sorted(
        path
        for path in Path(output_folder).glob("*")
        if path.is_file() and path.suffix in GENERATED_SUFFIXES and path.name not in owned
    )


def first_docstring_line(path: Path) -> str:
    """The first line of the module docstring, or a note saying why there is none."""
    try:
        docstring = ast.get_docstring(ast.parse(path.read_bytes(), str(path)))
    except (SyntaxError, ValueError):
        return "(cannot be parsed: run it to see the error)"
    return docstring.splitlines()[0] if docstring else ""


def installed_version(distribution: str) -> str:
    """The installed version of `distribution`, read from package metadata without importing it."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"
