"""The [tool.lr_plots] table of pyproject.toml, command-line variables over it, the defaults, and one
clear line for each bad setting; and a built output folder that stays up to date when moved."""

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CURVE_NAMES, OUTPUT, ROOT, copy_project, executed, output_files, run_doit

LR_PLOTS = [str(Path(sys.executable).with_name("lr-plots"))]
SPEC = '"""A spec."""\nfrom torch.optim.lr_scheduler import StepLR\nSCHEDULER = StepLR\n'
SPEC += 'ARGUMENTS = {"step_size": 3}\nBASE_LR = 0.05\nSTEPS = 10\n'


def user_project(folder: Path, table: str = "") -> Path:
    """A folder with two spec files in schedules/ and, if given, a [tool.lr_plots] table."""
    (folder / "schedules").mkdir(parents=True)
    for name in ("First", "Second"):
        (folder / "schedules" / f"{name}.py").write_text(SPEC)
    if table:
        (folder / "pyproject.toml").write_text(f'[project]\nname = "mine"\n\n[tool.lr_plots]\n{table}\n')
    return folder


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def info_targets(project: Path, task: str, *variables: str) -> list[str]:
    """The targets `lr-plots info` names for `task`: what the options make of the paths, no build."""
    # `info` exits 1 when the task is not up to date, as here where nothing is built.
    output = run_doit(project, "info", task, *variables, python=LR_PLOTS, check=False).stdout
    return [line.strip()[2:] for line in output.split("targets    :", 1)[1].splitlines() if line.strip()]


def test_no_configuration_draws_the_reference_specs_into_lr_scheduler_images(tmp_path):
    listing = run_doit(tmp_path, "list", "--all", python=LR_PLOTS).stdout
    assert {line.split()[0] for line in listing.splitlines() if line.startswith("curve:")} == {
        f"curve:{name}" for name in CURVE_NAMES
    }
    assert info_targets(tmp_path, "plot:StepLR") == [f"{OUTPUT}/StepLR.png"]


def test_table_gives_defaults_and_variables_override_them(tmp_path):
    project = user_project(tmp_path, 'specs = "schedules"\nout = "docs/_images/lr"\nformat = "svg"')
    assert info_targets(project, "plot:First") == ["docs/_images/lr/First.svg"]
    assert info_targets(project, "plot:First", "format=png", "out=pictures") == ["pictures/First.png"]


BAD_SETTINGS = {
    "unknown key": ("colour = 1", "pyproject.toml: [tool.lr_plots] has an unknown key 'colour'"),
    "bad number": (
        'dpi = "many"',
        "pyproject.toml: [tool.lr_plots] dpi = 'many': it must be a positive number.",
    ),
    "bad daemon time": (
        "daemon = -5",
        "pyproject.toml: [tool.lr_plots] daemon = '-5': it must be a number, 0 or more.",
    ),
    "bad format": ('format = "gif"', "pyproject.toml: [tool.lr_plots] format = 'gif': the picture format"),
    "missing folder": ('specs = "nowhere"', "[tool.lr_plots] specs = 'nowhere': there is no such folder"),
    "no spec files": ('specs = "empty"', "specs = 'empty': the folder has no spec files"),
}


@pytest.mark.parametrize("command", ["lr-plots", "doit"])
@pytest.mark.parametrize("case", BAD_SETTINGS)
def test_bad_setting_stops_loading_with_one_line_naming_key_and_file(tmp_path, command, case):
    setting, message = BAD_SETTINGS[case]
    project = user_project(tmp_path, setting)
    (project / "empty").mkdir()
    if command == "doit":
        (project / "dodo.py").write_text("from lr_plots.tasks import *  # noqa: F403\n")
    before = files_in(project)

    python = LR_PLOTS if command == "lr-plots" else [sys.executable, "-m", "doit"]
    result = run_doit(project, python=python, check=False)
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert files_in(project) == before


def test_pyproject_that_does_not_parse_is_one_line(tmp_path):
    project = user_project(tmp_path)
    (project / "pyproject.toml").write_text("[tool.lr_plots\nspecs = 'schedules'\n")
    result = run_doit(project, python=LR_PLOTS, check=False)
    assert result.returncode == 3
    assert result.stderr.startswith("ERROR: pyproject.toml: cannot be read as TOML: ")
    assert result.stderr.count("\n") == 1
    assert sorted(files_in(project)) == ["pyproject.toml", "schedules/First.py", "schedules/Second.py"]


def test_missing_spec_folder_variable_is_one_line(tmp_path):
    result = run_doit(tmp_path, "specs=nowhere", python=LR_PLOTS, check=False)
    assert (result.returncode, result.stderr) == (
        3,
        "ERROR: specs=nowhere: there is no such folder of spec files.\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_help_names_lr_plots():
    result = subprocess.run([*LR_PLOTS, "--help"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("lr-plots ")
    assert "lr-plots run" in result.stdout and "lr-plots watch" in result.stdout


def test_output_folder_and_database_moved_elsewhere_stay_up_to_date(built_template, tmp_path):
    # The CI caching recipe: restore a built output folder and its .doit.db into a fresh clone at
    # another path; every file's time is new (copied without keeping times).
    clone = copy_project(tmp_path / "elsewhere" / "clone", keep_times=False)
    shutil.rmtree(clone / OUTPUT)
    shutil.copytree(built_template / OUTPUT, clone / OUTPUT, copy_function=shutil.copy)
    shutil.copy(built_template / ".doit.db", clone / ".doit.db")

    assert executed(run_doit(clone)) == set()
    assert output_files(clone) == output_files(built_template)


def configuration_table() -> list[list[str]]:
    """The rows of the table in docs/configuration.md, each cell's text without its backquotes."""
    lines = (ROOT / "docs/configuration.md").read_text().splitlines()
    start = lines.index("| command line | `[tool.lr_plots]` | `conf.py` | default | meaning |") + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("| "):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows


def test_the_configuration_page_lists_every_setting_with_its_spellings_and_default(tmp_path):
    """Every [tool.lr_plots] key (options.SETTINGS), the variable that sets it, and every conf.py
    name that the Sphinx extension registers, once each in docs/configuration.md's table; the
    defaults are the package's."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    from lr_plots.options import DAEMON_SECONDS, DEFAULT_OUTPUT, SETTINGS, Options

    rows = configuration_table()
    keys = [row[1] for row in rows if row[1] != "none"]
    assert keys == list(SETTINGS)
    for variable, key, *_ in rows:
        if key != "none":
            assert variable.startswith(f"{key}="), (variable, key)

    (tmp_path / "conf.py").write_text('extensions = ["lr_plots.sphinx"]\n')
    # As sphinx-build does: what the application registers in docutils is undone after it, so the
    # Sphinx builds that this test process runs next find nothing registered twice.
    with docutils_namespace():
        app = Sphinx(tmp_path, tmp_path, tmp_path / "_build", tmp_path / "_doctrees", "html", status=None)
        registered = sorted(name for name in app.config.values if name.startswith("lr_plots_"))
    assert sorted(row[2] for row in rows if row[2] != "none") == registered

    defaults = {row[1]: row[3] for row in rows}
    fields = {field.name: field.default for field in dataclasses.fields(Options)}
    assert defaults["out"] == DEFAULT_OUTPUT
    assert defaults["format"] == fields["picture_format"]
    assert float(defaults["dpi"]) == fields["dpi"]
    assert float(defaults["timeout"]) == fields["timeout_seconds"]
    assert defaults["daemon"] == f"{DAEMON_SECONDS:g}`; `0` in CI"
