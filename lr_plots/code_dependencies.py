"""The files of the lr_plots package that a module reaches, read from the code with `ast` (nothing is
imported): the task whose action is in that module depends on exactly these files."""

import ast
import json
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from lr_plots.atomic_file import OutputError, write_atomically

PACKAGE = Path(__file__).resolve().parent
NAME = PACKAGE.name


# Where what was read is kept: in the package's bytecode folder, so it goes with the package.
CACHE = PACKAGE / "__pycache__" / "lr_plots-code-dependencies.json"


def files_reached_by(modules: Sequence[str]) -> dict[str, list[Path]]:
    """`reached_files` of each of `modules`, read from the code once and then kept beside the
    package's bytecode for as long as no file of the package changes its size or time (as Python
    keeps its bytecode): reading the code takes longer than loading the tasks otherwise does. Where
    that folder cannot be written, the code is read each time."""
    signature = [[relative(path), *file_state(path)] for path in package_files()]
    try:
        cached = json.loads(CACHE.read_text())
    except (OSError, ValueError):
        cached = None
    if cached and cached["signature"] == signature and all(module in cached["reached"] for module in modules):
        return {module: [PACKAGE / path for path in cached["reached"][module]] for module in modules}
    reached = {module: reached_files(module) for module in modules}
    record = {
        "signature": signature,
        "reached": {m: [relative(p) for p in paths] for m, paths in reached.items()},
    }
    try:
        write_atomically(CACHE, json.dumps(record).encode())
    except OutputError:
        pass  # a package this user cannot write to
    return reached


def file_state(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def reached_files(module: str) -> list[Path]:
    """The package files that `module` (a dotted name in lr_plots) reaches, sorted: its own file, the
    `__init__.py` of each package above it, the lr_plots modules it imports (anywhere in it: an
    action imports what it needs when it runs), theirs in turn, and every file of the package that
    a reached module names in a string, such as a template. A package's `__init__.py` runs when any
    module in it is imported, but the imports inside its functions only when those are called, so
    only its top-level imports are followed."""
    reached: set[str] = set()
    waiting = [module]
    while waiting:
        name = waiting.pop()
        if name not in reached:
            reached.add(name)
            waiting += [*parents(name), *imports(name)]
    files = {module_file(name) for name in reached}
    named = {text for name in reached for text in strings(name)}
    files |= {path for path in data_files() if path.name in named or relative(path) in named}
    return sorted(files)


def parents(module: str) -> list[str]:
    """The packages above `module`, whose `__init__.py` importing it runs: lr_plots, lr_plots.x, ..."""
    parts = module.split(".")
    return [".".join(parts[:count]) for count in range(1, len(parts))]


@cache
def module_file(module: str) -> Path:
    """The file of an lr_plots module or package."""
    path = PACKAGE.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def module_name(path: Path) -> str:
    """The dotted name of the lr_plots module or package whose file is `path` (module_file's inverse)."""
    parts = [NAME, *Path(relative(path)).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def syntax_tree(module: str) -> ast.Module:
    return ast.parse(module_file(module).read_bytes(), str(module_file(module)))


@cache
def imports(module: str) -> list[str]:
    """The lr_plots modules that `module` imports: those of its top level only, for a package's
    `__init__.py`."""
    tree = syntax_tree(module)
    is_package = module_file(module).name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    statements = tree.body if is_package else list(ast.walk(tree))
    found = []
    for statement in statements:
        if isinstance(statement, ast.Import):
            found += [alias.name for alias in statement.names]
        elif isinstance(statement, ast.ImportFrom):
            base = statement.module or ""
            if statement.level:  # from . import x, from .x import y
                anchor = package.split(".")[: len(package.split(".")) - statement.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in statement.names]  # a module, if it is one
    return sorted({name for name in found if is_module(name)})


def is_module(name: str) -> bool:
    """Whether `name` is an lr_plots module or package (not a name inside one, not another library)."""
    return (name == NAME or name.startswith(f"{NAME}.")) and module_file(name).is_file()


@cache
def strings(module: str) -> frozenset[str]:
    """The string constants written in `module`."""
    return frozenset(
        node.value
        for node in ast.walk(syntax_tree(module))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


@cache
def package_files() -> list[Path]:
    """Every file of the package but its bytecode and its reference specs (which are the inputs of
    tasks, not code they run)."""
    files = []
    for folder, subfolders, names in os.walk(PACKAGE):
        subfolders[:] = sorted(name for name in subfolders if name not in ("__pycache__", "specs"))
        files += [Path(folder, name) for name in sorted(names)]
    return files


def data_files() -> list[Path]:
    """The package's files that are not Python code (templates), which a module may read."""
    return [path for path in package_files() if path.suffix != ".py"]


def relative(path: Path) -> str:
    """`path` inside the package, as code would write it: templates/index.html.j2."""
    return path.relative_to(PACKAGE).as_posix()
