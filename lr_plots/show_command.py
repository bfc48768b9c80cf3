"""`lr-plots show "CALL"` (doit.COMMAND entry point `show`): one scheduler call, read with `ast`, never
evaluated, drawn as the spec with that call draws it, sketched in the terminal, saved as a spec if asked."""

import ast
import importlib
import sys
from pathlib import Path
from typing import Any

from doit.cmd_base import Command

from lr_plots.command_line import options_first

# Options that take a value: doit parses with getopt, which stops at the first positional argument,
# so they are moved before the call (`show "StepLR(step_size=30)" --steps 50` works as written).
VALUED_OPTIONS = {"--steps", "--base-lr", "--steps-per-epoch", "-o", "--output", "--save-spec", "--dpi"}
# The text rendering: braille cells of 2 x 4 dots.
TEXT_WIDTH = 60
TEXT_HEIGHT = 10
BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][column] of a cell


class ShowError(Exception):
    """A call that cannot be shown; the message says why, in one line."""


def parse_call(text: str) -> tuple[str, dict[str, Any]]:
    """The dotted name and the keyword arguments of `text`, a call such as
    `OneCycleLR(max_lr=0.1, total_steps=100)` (a bare name is a call without arguments); each
    argument must be a literal (numbers, strings, lists, tuples, dicts, True, False, None)."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as error:
        raise ShowError(f"{text!r} is not a call such as 'StepLR(step_size=30)': {error.msg}.") from None
    call = tree if isinstance(tree, ast.Call) else ast.Call(func=tree, args=[], keywords=[])
    name = dotted_name(call.func)
    if name is None:
        raise ShowError(f"{text!r}: name the scheduler as NAME or package.NAME, like 'StepLR(step_size=30)'.")
    if call.args:
        raise ShowError(f"{text!r}: give every argument by name (the optimizer is given by lr_plots).")
    arguments: dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            raise ShowError(f"{text!r}: give every argument by name, not as **mapping.")
        try:
            arguments[keyword.arg] = ast.literal_eval(keyword.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise ShowError(
                f"{text!r}: the argument {keyword.arg}={ast.unparse(keyword.value)} is not a literal "
                "(a number, string, list, tuple, dict, True, False or None); for anything else, write a spec."
            ) from None
    return name, arguments


def dotted_name(node: ast.expr) -> str | None:
    """`a.b.c` for an expression that is a name or a chain of attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def resolve(name: str) -> tuple[Any, str, str]:
    """The object `name` stands for, the module it was found in and the path of attributes in that
    module: a bare name in torch.optim.lr_scheduler, a dotted one by importing its longest module."""
    parts = name.split(".")
    if len(parts) == 1:
        parts = ["torch", "optim", "lr_scheduler", name]
        where = "torch.optim.lr_scheduler"
    else:
        where = name
    for count in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:count])
        try:
            found: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and module_name.startswith(error.name):
                continue  # no such module: try a shorter one
            raise ShowError(f"{name}: importing {module_name} failed: {error}.") from None
        except Exception as error:
            raise ShowError(
                f"{name}: importing {module_name} failed: {type(error).__name__}: {error}."
            ) from None
        attributes = parts[count:]
        for attribute in attributes:
            if not hasattr(found, attribute):
                raise ShowError(f"{name}: {where} has no {'.'.join(attributes)}.")
            found = getattr(found, attribute)
        return found, module_name, ".".join(attributes)
    raise ShowError(f"{name}: no module of that name can be imported.")


def spec_source(
    title: str, module: str, attributes: str, arguments: dict[str, Any], settings: dict[str, Any]
) -> str:
    """The spec file that draws the same picture."""
    first, _, rest = attributes.partition(".")
    lines = [
        docstring(f"{title}, saved by `lr-plots show`."),
        "",
        f"from {module} import {first}",
        "",
        f"SCHEDULER = {attributes}" if rest else f"SCHEDULER = {first}",
        f"ARGUMENTS = {arguments!r}",
        f"BASE_LR = {settings['base_lr']!r}",
        f"STEPS = {settings['steps']!r}",
    ]
    if settings.get("steps_per_epoch"):
        lines.append(f"STEPS_PER_EPOCH = {settings['steps_per_epoch']!r}")
    return "\n".join(lines) + "\n"


def docstring(text: str) -> str:
    """`text` as a docstring: between triple quotes, or as its repr if those cannot hold it."""
    plain = '"""' not in text and "\\" not in text and not text.endswith('"')
    return f'"""{text}"""' if plain else repr(text)


def text_rendering(columns: dict[str, list[float]], title: str) -> list[str]:
    """A small picture of the LR of every parameter group, in braille characters, with its range."""
    lines_of_values = [values for name, values in columns.items() if name.split("_")[0] == "lr"]
    low = min(min(values) for values in lines_of_values)
    high = max(max(values) for values in lines_of_values)
    steps = len(lines_of_values[0])
    dots_x, dots_y = TEXT_WIDTH * 2, TEXT_HEIGHT * 4
    cells = [[0] * TEXT_WIDTH for _ in range(TEXT_HEIGHT)]

    def dot_row(value: float) -> int:  # 0 at the top
        share = 0.0 if high == low else (value - low) / (high - low)
        return dots_y - 1 - round(share * (dots_y - 1))

    for values in lines_of_values:
        previous = None
        for x in range(dots_x):
            row = dot_row(values[round(x * (steps - 1) / (dots_x - 1))])
            # A vertical run down (or up) to the previous column's dot, so that drops stay connected.
            span = [row] if previous is None else range(min(row, previous), max(row, previous) + 1)
            for y in span:
                cells[y // 4][x // 2] |= BRAILLE_BITS[y % 4][x % 2]
            previous = row
    labels = [f"{high:.3g}", f"{low:.3g}"]
    margin = max(map(len, labels))
    rows = []
    for index, cell_row in enumerate(cells):
        label = labels[0] if index == 0 else labels[1] if index == TEXT_HEIGHT - 1 else ""
        rows.append(f"{label:>{margin}} ┤" + "".join(chr(0x2800 + bits) for bits in cell_row))
    last = str(steps - 1)
    rows.append(" " * margin + " └" + "─" * TEXT_WIDTH)
    rows.append(" " * (margin + 2) + "0" + last.rjust(TEXT_WIDTH - 1))
    return [title, *rows]


class Show(Command):
    """doit command plugin: `doit show "SCHEDULER(name=value, ...)" [options]`."""

    name = "show"
    doc_purpose = 'draw one scheduler call, e.g. "OneCycleLR(max_lr=0.1, total_steps=100)", and sketch it'
    doc_usage = '"SCHEDULER(name=value, ...)" [--steps N] [--base-lr LR] [-o FILE] [--save-spec FILE.py]'
    doc_description = (
        "Reads the call with ast (its arguments must be literals; it is never evaluated): a bare name is "
        "a class of torch.optim.lr_scheduler, a dotted one is imported (transformers.get_scheduler, "
        "timm.scheduler.CosineLRScheduler). Writes the picture a spec with that call and these settings "
        "gives (<Name>.png, or -o FILE, .png or .svg), prints a sketch of the curve, and with --save-spec "
        "writes that spec file."
    )
    cmd_options = (
        {
            "name": "steps",
            "long": "steps",
            "type": int,
            "default": 100,
            "help": "steps drawn [default: %(default)s]",
        },
        {
            "name": "base_lr",
            "long": "base-lr",
            "type": float,
            "default": 0.05,
            "help": "the optimizer's starting LR [default: %(default)s]",
        },
        {
            "name": "steps_per_epoch",
            "long": "steps-per-epoch",
            "type": int,
            "default": 0,
            "help": "steps per epoch, for an epoch axis (and timm's epoch steps); 0 for none",
        },
        {
            "name": "output",
            "short": "o",
            "long": "output",
            "type": str,
            "default": "",
            "help": "the picture's file",
        },
        {
            "name": "save_spec",
            "long": "save-spec",
            "type": str,
            "default": "",
            "help": "write the spec file too",
        },
        {
            "name": "dpi",
            "long": "dpi",
            "type": float,
            "default": 100.0,
            "help": "dots per inch [default: 100]",
        },
    )

    def __init__(self, task_loader: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # draws no task: the loader doit passes is not needed

    def parse_execute(self, in_args: list[str]) -> int:
        code: int = super().parse_execute(options_first(in_args, VALUED_OPTIONS))
        return code

    def execute(self, opt_values: dict[str, Any], pos_args: list[str]) -> int:
        try:
            calls = pos_args or calls_taken_as_variables()
            if len(calls) != 1:
                raise ShowError('give one call to draw, in quotes: lr-plots show "StepLR(step_size=30)".')
            show(calls[0], opt_values)
        except ShowError as error:
            print(f"ERROR: {error}", file=sys.stderr, flush=True)
            return 3
        return 0


def calls_taken_as_variables() -> list[str]:
    """The call, if doit took it for a NAME=VALUE variable: doit treats every argument holding `=` as
    one (`OneCycleLR(max_lr=0.1)` becomes the variable `OneCycleLR(max_lr` set to `0.1)`) before a
    command sees it; a name that is no identifier was never meant as one."""
    from doit import doit_cmd

    variables: dict[str, str] = doit_cmd._CMDLINE_VARS or {}
    return [f"{name}={value}" for name, value in variables.items() if not name.isidentifier()]


def show(call: str, options: dict[str, Any]) -> None:
    """Draw `call` with `options` (the command's), print its sketch, and save its spec if asked."""
    from lr_plots.api import spec_curve, spec_module
    from lr_plots.atomic_file import OutputError, write_atomically
    from lr_plots.drawing import render_picture

    name, arguments = parse_call(call)
    output = Path(options["output"] or f"{name.rpartition('.')[2]}.png")
    if output.suffix not in (".png", ".svg"):
        raise ShowError(f"{output}: the picture's file must end in .png or .svg.")
    saved = Path(options["save_spec"]) if options["save_spec"] else None
    if saved is not None and not (saved.suffix == ".py" and saved.stem.isidentifier()):
        raise ShowError(f"{saved}: a spec file is named <Name>.py, Name a Python identifier.")
    scheduler, module, attributes = resolve(name)
    settings = {"steps": options["steps"], "base_lr": options["base_lr"]}
    if options["steps_per_epoch"]:
        settings["steps_per_epoch"] = options["steps_per_epoch"]
    try:
        spec = spec_module(scheduler, {**settings, "arguments": arguments}, where=name)
        values, metadata = spec_curve(spec)
    except Exception as error:
        # A spec's problem names the scheduler already; a scheduler refusing its arguments is told in
        # its own words, after the call.
        said = str(error) if str(error).startswith(f"{name}:") else f"{call}: {type(error).__name__}: {error}"
        raise ShowError(said.replace("\n", " ")) from None
    try:
        write_atomically(output, render_picture(values, metadata, output.suffix[1:], options["dpi"]))
        if saved is not None:
            saved.parent.mkdir(parents=True, exist_ok=True)
            source = spec_source(metadata["title"], module, attributes, arguments, settings)
            write_atomically(saved, source.encode())
    except (OutputError, OSError) as error:
        raise ShowError(str(error)) from None
    for line in text_rendering(values, metadata["title"]):
        print(line)
    print(f"wrote {output}" + (f" and {saved}" if saved is not None else ""), flush=True)
