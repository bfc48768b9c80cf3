"""README.md's quickstart is exactly what CI runs, on the Pythons that pyproject.toml claims."""

import importlib.util
import re
import tomllib

from conftest import ROOT
from packaging.version import Version


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_quickstart_is_two_commands_that_ci_runs_verbatim():
    commands = quickstart_commands()
    assert len(commands) == 2
    ci_lines = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    for command in commands:
        assert command in ci_lines
    assert ci_lines.index(commands[0]) < ci_lines.index(commands[1])


def test_the_classifiers_name_exactly_the_pythons_ci_tests():
    """CI runs the whole suite on the oldest Python that `requires-python` admits and the quicker
    part on each of `other_pythons`; the classifiers name those, and no other."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    oldest = project["requires-python"].removeprefix(">=")
    others = re.search(r'^other_pythons="([^"]*)"$', (ROOT / ".ci/run").read_text(), re.M).group(1).split()
    claimed = [
        classifier.rsplit(" :: ", 1)[1]
        for classifier in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", classifier)
    ]
    assert claimed == [oldest, *others]


def test_ci_installs_each_dependency_at_its_lower_bound():
    """The constraints that CI installs on one Python pin each of lr_plots' dependencies at its
    lower bound in pyproject.toml (none newer than constraints.txt's pin) and keep the other pins."""
    spec = importlib.util.spec_from_file_location("oldest_constraints", ROOT / ".ci/oldest_constraints.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bounds = module.lower_bounds()
    assert set(bounds) == {
        "torch",
        "matplotlib",
        "doit",
        "jinja2",
        "pillow",
        "watchfiles",
        "plotly",
        "sphinx",
    }
    pinned = (ROOT / "constraints.txt").read_text().splitlines()
    oldest = module.oldest_constraints().splitlines()
    assert len(oldest) == len(pinned)
    for old, new in zip(pinned, oldest, strict=True):
        name, _, version = old.partition("==")
        bound = bounds.get(module.canonicalize_name(name))
        if bound is None:
            assert new == old
        else:
            assert new == f"{module.canonicalize_name(name)}=={bound}"
            assert Version(bound) <= Version(version), old
    assert 'python .ci/oldest_constraints.py >"$work/oldest.txt"' in (ROOT / ".ci/run").read_text()
