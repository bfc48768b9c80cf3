"""Find the spec files that dodo.py makes tasks of, and the comparisons among them, without importing
them (and so without torch): each is read with `ast`."""

import ast
import keyword
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lr_plots.error_messages import LoadError


@dataclass(frozen=True)
class SpecFile:
    """One spec module and the pictures' files it gives, as paths relative to the project."""

    name: str
    path: str
    csv: str
    metadata: str
    picture: str
    doc: str


@dataclass(frozen=True)
class Comparison:
    """A spec module defining COMPARE = [names of other specs]: one picture overlaying their curves."""

    name: str
    path: str
    metadata: str
    picture: str
    doc: str
    members: tuple[str, ...]
    normalize: bool


def find_spec_files(
    spec_folder: str, output_folder: str, picture_format: str
) -> tuple[list[SpecFile], list[Comparison]]:
    """Every `<Name>.py` in `spec_folder`, sorted by name: the specs with a curve, and the
    comparisons; refuses names that cannot be a task and comparisons of anything but those specs."""
    specs = []
    comparisons = []
    names_by_lowercase: dict[str, str] = {}
    for path in sorted(Path(spec_folder).glob("*.py")):
        name = path.stem
        if not name.isidentifier() or keyword.iskeyword(name):
            raise LoadError(
                f"{path}: a spec file's name must be a valid Python identifier, because it names "
                f"the tasks curve:{name} and plot:{name} and the picture {name}.png; rename the "
                "file (letters, digits and underscores, not starting with a digit)."
            )
        clash = names_by_lowercase.setdefault(name.lower(), name)
        if clash != name:
            raise LoadError(
                f"{path}: its picture {name}.png would overwrite {clash}.png (from "
                f"{Path(spec_folder) / clash}.py) on a case-insensitive file system (macOS, "
                "Windows); rename one of the two spec files."
            )
        module = parse_spec(path)
        doc = first_docstring_line(module)
        metadata, picture = f"{output_folder}/{name}.json", f"{output_folder}/{name}.{picture_format}"
        if module is not None and "COMPARE" in top_level_names(module):
            members, normalize = comparison_fields(path, module)
            comparisons.append(Comparison(name, str(path), metadata, picture, doc, members, normalize))
        else:
            specs.append(SpecFile(name, str(path), f"{output_folder}/{name}.csv", metadata, picture, doc))
    check_comparisons(spec_folder, comparisons, {spec.name for spec in specs})
    return specs, comparisons


def parse_spec(path: Path) -> ast.Module | None:
    """The spec's syntax tree, or None if it does not parse (its curve task will say why)."""
    try:
        return ast.parse(path.read_bytes(), str(path))
    except (SyntaxError, ValueError):
        return None


def top_level_names(module: ast.Module) -> dict[str, ast.expr]:
    """The names the module assigns at its top level, each with the value last assigned."""
    names: dict[str, ast.expr] = {}
    for statement in module.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if statement.value is not None:
                names[statement.target.id] = statement.value
    return names


def comparison_fields(path: Path, module: ast.Module) -> tuple[tuple[str, ...], bool]:
    """COMPARE and NORMALIZE of a comparison, read as literals, or LoadError naming the field."""
    names = top_level_names(module)
    if "SCHEDULER" in names:
        raise LoadError(
            f"{path}: COMPARE makes it a comparison of other specs' curves, so it must not set "
            "SCHEDULER too; draw the scheduler in a spec file of its own and name that in COMPARE."
        )
    try:
        members = ast.literal_eval(names["COMPARE"])
    except ValueError:
        members = None
    if not isinstance(members, list) or not all(isinstance(member, str) for member in members):
        raise LoadError(
            f"{path}: COMPARE must be a list of spec names written out as strings, like "
            f'COMPARE = ["StepLR", "ExponentialLR"] (got {ast.unparse(names["COMPARE"])}).'
        )
    if not members:
        raise LoadError(f"{path}: COMPARE is an empty list; name the specs to compare.")
    normalize: object = False
    if "NORMALIZE" in names:
        try:
            normalize = ast.literal_eval(names["NORMALIZE"])
        except ValueError:
            normalize = None
    if not isinstance(normalize, bool):
        raise LoadError(f"{path}: NORMALIZE must be True or False (got {ast.unparse(names['NORMALIZE'])}).")
    return tuple(members), normalize


def check_comparisons(spec_folder: str, comparisons: list[Comparison], curve_names: set[str]) -> None:
    """LoadError naming the comparison's file and the name at fault, unless each comparison
    names specs of the same folder that have a curve, each once."""
    comparison_names = {comparison.name for comparison in comparisons}
    for comparison in comparisons:
        seen: set[str] = set()
        for member in comparison.members:
            if member == comparison.name:
                problem = ", the comparison itself"
            elif member in comparison_names:
                problem = f", another comparison ({Path(spec_folder) / member}.py); name specs with curves"
            elif member not in curve_names:
                problem = f", but there is no spec file {Path(spec_folder) / member}.py"
            elif member in seen:
                problem = " twice"
            else:
                seen.add(member)
                continue
            raise LoadError(f"{comparison.path}: COMPARE names {member!r}{problem}.")


GENERATED_SUFFIXES = (".csv", ".json", ".png", ".svg", ".html", ".js", ".tmp")
GENERATED_NAMES = ("review.md",)  # `lr-plots review`'s summary; README.md is the folder's own


def orphaned_outputs(output_folder: str, targets: list[str]) -> list[Path]:
    """Generated files in `output_folder` that are none of `targets` (what the tasks build now):
    the files of deleted specs or of another picture format, and temporary files of killed builds."""
    owned = {Path(path).name for path in targets}
    return sorted(
        path
        for path in Path(output_folder).glob("*")
        if path.is_file()
        and (path.suffix in GENERATED_SUFFIXES or path.name in GENERATED_NAMES)
        and path.name not in owned
    )


def first_docstring_line(module: ast.Module | None) -> str:
    """The first line of the module docstring, or a note saying why there is none."""
    if module is None:
        return "(cannot be parsed: run it to see the error)"
    docstring = ast.get_docstring(module)
    return docstring.splitlines()[0] if docstring else ""


def installed_version(distribution: str) -> str:
    """The installed version of `distribution`, read from package metadata without importing it."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"
