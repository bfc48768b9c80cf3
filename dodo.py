"""Build one learning-rate picture per spec module in lr_plots/specs: `doit list --all` names them."""

from doit import get_var
from doit.tools import config_changed

from lr_plots.actions import draw_picture, remove_files, write_curve
from lr_plots.dependency_db import hold_build_lock, set_aside_if_corrupted
from lr_plots.discovery import find_specs, installed_version, orphaned_outputs

DEP_FILE = ".doit.db"
DOIT_CONFIG = {"backend": "sqlite3", "dep_file": DEP_FILE}
hold_build_lock(f"{DEP_FILE}.lock")
set_aside_if_corrupted(DEP_FILE)

OUTPUT = "lr_scheduler_images"
SPECS = find_specs("lr_plots/specs", OUTPUT)
CURVE_CODE = ["lr_plots/curves.py", "lr_plots/atomic_file.py", "lr_plots/actions.py"]
DRAWING_CODE = ["lr_plots/drawing.py", "lr_plots/atomic_file.py", "lr_plots/actions.py"]
CURVE_TIMEOUT_SECONDS = float(get_var("timeout", "120"))


def task_curve():
    """Run each spec's torch scheduler; write lr_scheduler_images/<Name>.csv (step,lr)."""
    torch_version = config_changed({"torch": installed_version("torch")})
    for spec in SPECS:
        yield {
            "name": spec.name,
            "doc": spec.doc,
            "file_dep": [spec.path, *CURVE_CODE],
            "targets": [spec.csv],
            "actions": [(write_curve, [spec.path, spec.csv, CURVE_TIMEOUT_SECONDS])],
            "uptodate": [torch_version],
            "clean": True,
        }


def task_plot():
    """Draw each curve's CSV as lr_scheduler_images/<Name>.png."""
    matplotlib_version = config_changed({"matplotlib": installed_version("matplotlib")})
    for spec in SPECS:
        yield {
            "name": spec.name,
            "doc": spec.doc,
            "file_dep": [spec.csv, *DRAWING_CODE],
            "targets": [spec.png],
            "actions": [(draw_picture, [spec.csv, spec.png, spec.name])],
            "uptodate": [matplotlib_version],
            "clean": True,
        }


def task_orphans():
    """On `doit clean`: remove pictures and CSVs whose spec is gone, and abandoned temporary files."""
    return {
        "actions": None,
        "clean": [(remove_files, [[str(path) for path in orphaned_outputs(OUTPUT, SPECS)]])],
    }
