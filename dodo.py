"""Build one learning-rate picture per spec module in lr_plots/specs: `doit list --all` names them.

The tasks are defined in lr_plots/tasks.py, where `lr-plots` and the Sphinx extension find them too;
a spec's picture is changed in its file in lr_plots/specs/, every picture's look in lr_plots/drawing.py.
This repository adds one task of its own, `doit docs`: the documentation site of docs/, which `doit`
alone does not build.
"""

import hashlib
import os
import shutil
import sys
from glob import glob
from typing import Any

from doit.tools import config_changed

from lr_plots import tasks
from lr_plots.tasks import *  # noqa: F403  (DOIT_CONFIG and the task_* creators)

# `doit` alone runs lr_plots' tasks, and only them: the site is built by `doit docs`.
DOIT_CONFIG = {
    **tasks.DOIT_CONFIG,
    "default_tasks": [creator.removeprefix("task_") for creator in tasks.TASK_CREATORS],
}

DOCS_BUILD = "docs/_build"
# What the site is made from: its own sources, the package it documents and draws with (the
# reference specs among them), the example specs it shows and the changelog it includes.
DOCS_SOURCES = ["docs/**/*", "lr_plots/**/*.py", "lr_plots/templates/*", "examples/**/*.py", "CHANGELOG.md"]


def docs_sources() -> list[str]:
    """Every file of DOCS_SOURCES, but what the site's build writes and Python's bytecode."""
    found = {path for pattern in DOCS_SOURCES for path in glob(pattern, recursive=True)}
    return sorted(
        path
        for path in found
        if os.path.isfile(path) and not path.startswith(f"{DOCS_BUILD}/") and "__pycache__" not in path
    )


class SourcesChanged(config_changed):
    """Out of date when a byte of a Python source changes: the site shows spec files as they are,
    comments included, and docstrings through autodoc, while lr_plots' file check (CodeChecker)
    takes a Python file for changed only when its code is. Worked out when doit checks the task."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__("")
        self.paths = [path for path in paths if path.endswith(".py")]

    def _calc_digest(self) -> str:
        digest = hashlib.md5()
        for path in self.paths:
            with open(path, "rb") as file:
                digest.update(f"{path}\0{hashlib.md5(file.read()).hexdigest()}\0".encode())
        return digest.hexdigest()


# Only where the site's sources are: the tests and the benchmark build copies of the project that
# hold this file but no docs/, where the task could never be up to date.
if os.path.isfile("docs/conf.py"):

    def task_docs() -> dict[str, Any]:
        """Build the documentation site into docs/_build/html, its pictures with it (not part of `doit`)."""
        sources = docs_sources()
        sphinx = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n"]
        return {
            "file_dep": sources,
            "targets": [f"{DOCS_BUILD}/html/index.html"],
            "actions": [[*sphinx, "docs", f"{DOCS_BUILD}/html"]],
            "uptodate": [SourcesChanged(sources)],
            "clean": [(shutil.rmtree, [DOCS_BUILD], {"ignore_errors": True})],
        }
