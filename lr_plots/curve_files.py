"""The files of a curve, written and read here only: its CSV (`step,lr[,lr_1,...][,momentum[,...]]
[,val_loss]`, one row per step) and its JSON (title, arguments, parameter groups; for a comparison,
its members)."""

import csv
import json
from pathlib import Path
from typing import Any

Columns = dict[str, list[float]]  # the values of each column after `step`, `lr` first


def column_name(kind: str, group: int) -> str:
    """A CSV column: `lr` or `momentum` for the first parameter group, `lr_1`, `momentum_1`, ... after."""
    return kind if group == 0 else f"{kind}_{group}"


def column_kind(column: str) -> tuple[str, int]:
    """What a column holds and for which parameter group: `lr_2` is ("lr", 2), `momentum` ("momentum", 0)."""
    kind, _, suffix = column.rpartition("_")
    return (kind, int(suffix)) if suffix.isdigit() else (column, 0)


def curve_csv(columns: Columns) -> bytes:
    """CSV text with a `step,lr,...` header; repr() gives the shortest text that reads back exactly."""
    rows = [",".join(["step", *columns])]
    rows += [
        ",".join([str(step), *(repr(value) for value in values)])
        for step, values in enumerate(zip(*columns.values(), strict=True))
    ]
    return ("\n".join(rows) + "\n").encode()


def read_curve_csv(path: Path) -> Columns:
    """The columns of a curve CSV after `step`, checking that steps run 0, 1, 2, ..."""
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    if not rows or rows[0][:2] != ["step", "lr"]:
        raise ValueError(f"{path}: the first line must start with the header 'step,lr'.")
    names = rows[0][1:]
    columns: Columns = {name: [] for name in names}
    for line, row in enumerate(rows[1:], start=2):
        try:
            step, values = int(row[0]), [float(value) for value in row[1:]]
        except ValueError:
            raise ValueError(f"{path}, line {line}: expected numbers, got {row!r}.") from None
        if step != line - 2 or len(values) != len(names):
            raise ValueError(f"{path}, line {line}: expected step {line - 2} and {len(names)} values.")
        for name, value in zip(names, values, strict=True):
            columns[name].append(value)
    if not columns["lr"]:
        raise ValueError(f"{path}: the curve has no steps.")
    return columns


def metadata_json(metadata: dict[str, Any]) -> bytes:
    """The JSON of a curve or a comparison: sorted keys, one per line, so it diffs well."""
    return (json.dumps(metadata, indent=1, sort_keys=True) + "\n").encode()


def read_metadata(path: Path) -> dict[str, Any]:
    """The JSON of a curve or a comparison."""
    metadata: dict[str, Any] = json.loads(path.read_text())
    return metadata


def group_base_lrs(metadata: dict[str, Any]) -> list[float]:
    """The base LR of each parameter group, from a curve's JSON (a number, or a list of them)."""
    base_lr = metadata["base_lr"]
    return list(base_lr) if isinstance(base_lr, list) else [base_lr]
