"""`doit review` (and `lr-plots review`): build, then compare the pictures with an earlier output folder
or git revision, writing review.html, review.md and review.json (lr_plots.review does the comparing)."""

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from doit.cmd_base import Command, TaskLoader2
from doit.exceptions import InvalidDodoFile

from lr_plots.command_line import command_line_variables, options_first
from lr_plots.discovery import find_spec_files
from lr_plots.error_messages import LoadError
from lr_plots.options import Options, read_options
from lr_plots.review import (
    ReviewInputError,
    check_output_folder,
    compare_folders,
    specs_at_revision,
    terminal_lines,
    write_review,
)
from lr_plots.watch import run_build

# Bad input, told in one line: a base or revision that cannot be reviewed, and bad settings or spec
# file names.
INPUT_ERRORS = (ReviewInputError, InvalidDodoFile, LoadError)


def say(line: str) -> None:
    print(f"[review] {line}", flush=True)


def picture_names(options: Options) -> list[str]:
    """The pictures a build of `options` draws: one per spec file, curve or comparison."""
    specs, comparisons = find_spec_files(options.spec_folder, options.output_folder, options.picture_format)
    return sorted([spec.name for spec in specs] + [comparison.name for comparison in comparisons])


class Review(Command):
    """doit command plugin: `doit review BASE_FOLDER | --rev REV [--fail-on-change] [NAME=VALUE ...]`."""

    name = "review"
    doc_purpose = "compare every picture with an earlier build or git revision; write review.html/.md/.json"
    doc_usage = "BASE_FOLDER | --rev REV [--fail-on-change] [NAME=VALUE ...]"
    # One paragraph: doit's help wraps each line of it on its own.
    doc_description = (
        "Brings the output folder up to date, as `doit run` would, then compares it picture by picture "
        "with BASE_FOLDER (an output folder built before), or with the spec folder as it was at the git "
        "revision REV, built now into a temporary folder. Writes review.html, review.md (also appended to "
        "$GITHUB_STEP_SUMMARY if set) and review.json in the output folder, and prints one line per "
        "picture that differs."
    )
    cmd_options = (
        {
            "name": "rev",
            "long": "rev",
            "type": str,
            "default": "",
            "help": "compare with the spec folder as it was at this git revision, built now",
        },
        {
            "name": "fail_on_change",
            "long": "fail-on-change",
            "type": bool,
            "default": False,
            "help": "exit 1 if any picture changed, was added or removed, or is drawn differently",
        },
    )

    def __init__(self, task_loader: TaskLoader2 | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The loader doit chose (a dodo.py's, or lr-plots' own): the builds run with it.
        self.task_loader = task_loader

    def parse_execute(self, in_args: list[str]) -> int:
        code: int = super().parse_execute(options_first(in_args, {"--rev"}))
        return code

    def execute(self, opt_values: dict[str, Any], pos_args: list[str]) -> int:
        # doit has taken the NAME=VALUE arguments off the command line; each build is given them again.
        variables = command_line_variables()
        revision: str = opt_values["rev"]
        temporary: Path | None = None
        try:
            options = read_options(variables)
            names = picture_names(options)
            if "review" in names:
                raise ReviewInputError(
                    f"{options.spec_folder}/review.py: its review.json would be overwritten by the review's; "
                    "rename the spec file."
                )
            if bool(revision) == bool(pos_args) or len(pos_args) > 1:
                raise ReviewInputError("give one BASE_FOLDER or --rev REV (not both, nor neither).")
            # The base is checked before any build, so bad input fails at once.
            if revision:
                temporary = Path(tempfile.mkdtemp(prefix="lr-plots-review-"))
                sha = specs_at_revision(Path(options.spec_folder), revision, temporary / "specs")
                base, base_label = temporary / "out", f"revision {revision} ({sha[:12]})"
            else:
                base, base_label = Path(pos_args[0]), pos_args[0]
                check_output_folder(base)
            # Both builds before any comparing: a failed build has pictures missing, not removed.
            code = self.build("the build", variables)
            base_names = None
            if temporary is not None and code == 0:
                base_variables = {**variables, "specs": str(temporary / "specs"), "out": str(base)}
                code = self.build(f"the build of revision {revision}", base_variables)
                base_names = picture_names(read_options(base_variables))
            if code != 0:
                say("nothing compared")
                return code
            out = Path(options.output_folder)
            review = compare_folders(base, out, base_names, names, base_label, str(out))
            paths = write_review(review, out)
            for line in terminal_lines(review, paths["review.html"]):
                say(line)
        except INPUT_ERRORS as error:
            print(f"ERROR: {error}", file=sys.stderr, flush=True)
            return 3
        finally:
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)
        return 1 if opt_values["fail_on_change"] and review.anything_changed else 0

    def build(self, what: str, variables: dict[str, str]) -> int:
        """Run `doit run` with `variables` as watch runs it (in a forked child) and say how it
        went; its exit code."""
        report = run_build(self.task_loader, [f"{key}={value}" for key, value in sorted(variables.items())])
        say(f"{what}: {report.summary()}")
        for failure in report.failures:
            say(f"  {failure}")
        return report.code
