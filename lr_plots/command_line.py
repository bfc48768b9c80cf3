"""What lr_plots' doit commands (watch, review, show) share about their command line."""


def options_first(arguments: list[str], valued: set[str]) -> list[str]:
    """`arguments` with the options (and the values of those in `valued`) before the positional
    arguments, which follow a `--`: doit parses a command's options with getopt, which stops at the
    first positional argument, so `review BASE --fail-on-change` would lose its option. An argument
    such as `-1.5` is a number, not an option."""
    options, positional = [], []
    remaining = iter(arguments)
    for argument in remaining:
        if argument == "--":
            positional += list(remaining)
        elif argument.startswith("-") and not argument[1:2].isdigit():
            options.append(argument)
            if argument in valued and (value := next(remaining, None)) is not None:
                options.append(value)
        else:
            positional.append(argument)
    return [*options, "--", *positional]


def command_line_variables() -> dict[str, str]:
    """lr_plots' settings given as variables on this command line (`doit watch out=DIR`): doit takes
    them off the arguments before a command sees them, and each build's `doit run` sets them anew."""
    from doit import get_var

    from lr_plots.options import SETTINGS

    return {key: value for key in SETTINGS if (value := get_var(key)) is not None}
