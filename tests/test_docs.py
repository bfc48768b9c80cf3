"""README.md's quickstart is exactly what CI runs."""

import re

from conftest import ROOT


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
