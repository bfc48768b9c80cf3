"""doit rebuilds exactly the pictures whose definitions changed, and cleans what it built."""

import json
import sys

import pytest
from conftest import (
    DOIT_PROBE,
    OUTPUT,
    SPEC_NAMES,
    STEP_LR_EDIT_REBUILDS,
    executed,
    importers,
    output_files,
    picture_files,
    recording_torch_imports,
    run_doit,
    tasks,
    torch_importers,
)

REFERENCE_PICTURES = {
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
    "ChainedScheduler",
    "SequentialLR",
}


def test_cold_build_makes_every_picture_and_csv(built_template):
    assert set(output_files(built_template)) == picture_files(SPEC_NAMES)
    assert REFERENCE_PICTURES <= set(SPEC_NAMES)


def test_second_run_executes_nothing(built_project):
    assert executed(run_doit(built_project)) == set()


def test_changed_arguments_rebuild_exactly_that_curve_and_plot(built_template, edited_template):
    # edited_template: the built template, StepLR's gamma changed from 0.1 to 0.5, then `doit`.
    # Compare_decay overlays StepLR's curve, so it is redrawn too; no other comparison is.
    assert set(json.loads((edited_template / "executed.json").read_text())) == STEP_LR_EDIT_REBUILDS
    before, after = output_files(built_template), output_files(edited_template)
    assert after["StepLR.csv"].splitlines()[31] == b"30,0.025"
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {
        "StepLR.csv",
        "StepLR.json",
        "StepLR.png",
        "Compare_decay.png",
        "index.html",
        "overview.png",
        "explore.html",
    }


def test_comment_or_docstring_change_computes_no_curve_and_rewrites_no_png(built_project, tmp_path):
    # A spec's state is its code (its syntax tree without docstrings): a comment redoes nothing,
    # and no process imports torch.
    spec = built_project / "lr_plots/specs/StepLR.py"
    png = built_project / OUTPUT / "StepLR.png"
    png_stat = png.stat()

    spec.write_text(spec.read_text() + "# a comment\n")
    env = recording_torch_imports(tmp_path / "probe")
    assert executed(run_doit(built_project, env=env)) == set()
    assert torch_importers(tmp_path / "probe") == 0

    # The gallery shows the docstring's first line, so it alone is redone.
    spec.write_text(spec.read_text().replace('"""StepLR:', '"""StepLR, reworded:'))
    assert executed(run_doit(built_project)) == {"gallery"}
    assert "StepLR, reworded:" in (built_project / OUTPUT / "index.html").read_text()

    assert png.stat().st_mtime_ns == png_stat.st_mtime_ns
    assert png.stat().st_ino == png_stat.st_ino


def test_drawing_change_replots_everything_without_torch(built_project, tmp_path):
    drawing = built_project / "lr_plots/drawing.py"
    drawing.write_text(drawing.read_text() + "\n_EDITED = True  # the drawing code changed\n")

    result = run_doit(
        built_project,
        "-n",
        "2",
        python=[sys.executable, "-c", DOIT_PROBE],
        env={**recording_torch_imports(tmp_path / "probe"), "BLOCK": "torch"},
    )
    assert executed(result) == tasks("plot")
    assert result.stdout.splitlines()[-1] == "imported:"  # the drawing ran in the workers
    # Nor did any other process: the workers (which start from a forkserver, where BLOCK does not
    # reach) or a torch process.
    assert torch_importers(tmp_path / "probe") == 0
    # matplotlib was imported once, by the forkserver, not by each worker.
    assert importers(tmp_path / "probe", "matplotlib") == 1


def test_in_process_drawing_build_does_not_import_torch(built_project):
    drawing = built_project / "lr_plots/drawing.py"
    drawing.write_text(drawing.read_text() + "\n_EDITED = True  # the drawing code changed\n")

    result = run_doit(built_project, python=[sys.executable, "-c", DOIT_PROBE])
    assert executed(result) == tasks("plot")
    assert result.stdout.splitlines()[-1] == "imported: matplotlib"


def test_curve_code_change_reruns_curves_and_no_plot(built_project):
    curves = built_project / "lr_plots/curves.py"
    curves.write_text(curves.read_text() + "\n_EDITED = True  # the curve code changed, not its output\n")
    assert executed(run_doit(built_project)) == tasks("curve")


def test_deleted_png_rebuilds_only_that_one(built_project):
    (built_project / OUTPUT / "CyclicLR.png").unlink()
    assert executed(run_doit(built_project)) == {"plot:CyclicLR"}
    assert (built_project / OUTPUT / "CyclicLR.png").exists()


def test_clean_removes_generated_files_and_nothing_else(built_project, fresh_project):
    def sources(project):
        return {
            str(path.relative_to(project))
            for path in project.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith(".doit.db")
        }

    run_doit(built_project, "clean")
    assert output_files(built_project) == {}
    assert sources(built_project) == sources(fresh_project)


def test_clean_one_task_removes_only_its_picture(built_project):
    before = set(output_files(built_project))
    run_doit(built_project, "clean", "plot:StepLR")
    assert set(output_files(built_project)) == before - {"StepLR.png"}


@pytest.mark.parametrize(("library", "kind"), [("torch", "curve"), ("matplotlib", "plot")])
def test_new_library_version_reruns_the_tasks_that_use_it(built_project, library, kind):
    # Pretends another version is installed by changing what package metadata says, before dodo
    # loads. A new torch reruns every curve (the same CSVs come out, so no plot follows); a new
    # matplotlib redraws every picture.
    probe = (
        "import importlib.metadata as metadata; real = metadata.version\n"
        f"metadata.version = lambda name: '0.0+other' if name == {library!r} else real(name)\n" + DOIT_PROBE
    )
    assert executed(run_doit(built_project, python=[sys.executable, "-c", probe])) == tasks(kind)
