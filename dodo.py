"""Build one learning-rate picture per spec module in lr_plots/specs: `doit list --all` names them."""

from doit.tools import config_changed

from lr_plots.actions import draw_picture, write_curve
from lr_plots.discovery import find_specs, installed_version

DOIT_CONFIG = {
    "default_tasks": ["curve", "plot"],
    "backend": "sqlite3",
    "dep_file": ".doit.db",
}

SPECS = find_specs("lr_plots/specs", "lr_scheduler_images")
CURVE_CODE = ["lr_plots/curves.py", "lr_plots/atomic_file.py", "lr_plots/actions.py"]
DRAWING_CODE = ["lr_plots/drawing.py", "lr_plots/atomic_file.py", "lr_plots/actions.py"]


def task_curve():
    """Run each spec's torch scheduler; write lr_scheduler_images/<Name>.csv (step,lr)."""
    torch_version = config_changed({"torch": installed_version("torch")})
    for spec in SPECS:
        yield {
            "name": spec.name,
            "doc": spec.doc,
            "file_dep": [spec.path, *CURVE_CODE],
            "targets": [spec.csv],
            "actions": [(write_curve, [spec.path, spec.csv])],
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
