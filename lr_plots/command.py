"""`lr-plots`: doit itself with lr_plots' tasks loaded and no dodo.py needed (as Nikola wraps doit),
so every doit command, option and variable works: `lr-plots -n 4 specs=DIR`, `lr-plots clean`."""

import sys
from typing import Any

from doit.cmd_base import NamespaceTaskLoader
from doit.cmd_help import Help
from doit.doit_cmd import DoitMain

from lr_plots import __version__
from lr_plots.error_messages import LoadError
from lr_plots.options import Options, read_settings


class PictureTaskLoader(NamespaceTaskLoader):
    """Loads the tasks of lr_plots.tasks: for `options` if given, else for this run's options (its
    variables over ./pyproject.toml), as a dodo.py importing them would."""

    def __init__(self, options: Options | None = None) -> None:
        super().__init__()
        self.options = options

    def setup(self, opt_values: dict[str, Any]) -> None:
        from lr_plots.tasks import PictureTasks, tasks_of_this_run  # after doit has read the variables

        tasks = PictureTasks(self.options) if self.options else tasks_of_this_run()
        self.namespace = tasks.namespace()


class LrPlotsHelp(Help):
    """doit's help, saying which program it is."""

    name = "help"

    def print_usage(self, cmds: dict[str, Any]) -> None:
        print(f"lr-plots {__version__} -- learning-rate pictures of PyTorch's LR schedulers, built by doit")
        print("Configure it in the [tool.lr_plots] table of ./pyproject.toml (specs, out, format, dpi,")
        print("timeout, daemon) or with variables on the command line: lr-plots specs=DIR out=DIR -n 4")
        print()
        super().print_usage(cmds)


class LrPlotsMain(DoitMain):
    """DoitMain with lr_plots' task loader and its own name in help and messages."""

    BIN_NAME = "lr-plots"
    DOIT_CMDS = tuple(LrPlotsHelp if command is Help else command for command in DoitMain.DOIT_CMDS)

    def run(self, all_args: list[str]) -> int:
        if all_args[:1] in (["--help"], ["-h"]):  # doit answers --help with its own Help class
            all_args = ["help", *all_args[1:]]
        code: int = super().run(all_args)
        return code


def main(arguments: list[str] | None = None) -> int:
    """The console command: checks ./pyproject.toml first (doit would stop on a bad one with a
    traceback), then runs doit with lr_plots' tasks."""
    try:
        read_settings()
    except LoadError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 3
    return LrPlotsMain(PictureTaskLoader()).run(sys.argv[1:] if arguments is None else arguments)


if __name__ == "__main__":
    sys.exit(main())
