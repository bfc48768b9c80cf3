"""Print constraints.txt with each of lr_plots' own dependencies (and the `sphinx` extra's) pinned at
its lower bound in pyproject.toml instead: the oldest versions that lr_plots admits, for CI to test.

Usage: python .ci/oldest_constraints.py > oldest.txt; pip install -c oldest.txt -e ".[test]"
"""

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def lower_bounds() -> dict[str, str]:
    """Each direct dependency's `>=` version, by its canonical name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    bounds = {}
    for line in [*project["dependencies"], *project["optional-dependencies"]["sphinx"]]:
        requirement = Requirement(line)
        (version,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        bounds[canonicalize_name(requirement.name)] = version
    return bounds


def oldest_constraints() -> str:
    bounds = lower_bounds()
    lines = []
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        name = canonicalize_name(line.split("==")[0]) if "==" in line else None
        lines.append(f"{name}=={bounds.pop(name)}" if name in bounds else line)
    if bounds:
        sys.exit(f"constraints.txt pins none of {', '.join(sorted(bounds))}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(oldest_constraints())
