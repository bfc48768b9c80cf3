"""Build one learning-rate picture per spec module in lr_plots/specs: `doit list --all` names them."""

from doit import get_var
from doit.tools import config_changed

from lr_plots.actions import build_gallery, draw_picture, remove_orphans, write_curve
from lr_plots.dependency_db import hold_build_lock, set_aside_if_corrupted
from lr_plots.discovery import find_specs, installed_version
from lr_plots.options import DEFAULT_OUTPUT, parse_options

OPTIONS = parse_options(
    specs=get_var("specs", "lr_plots/specs"),
    out=get_var("out", DEFAULT_OUTPUT),
    picture_format=get_var("format", "png"),
    dpi=get_var("dpi", "100"),
    timeout=get_var("timeout", "120"),
)
# sqlite3-each-task: doit's sqlite3 backend committing every finished task (see pyproject.toml).
DOIT_CONFIG = {"backend": "sqlite3-each-task", "dep_file": OPTIONS.dep_file}
hold_build_lock(f"{OPTIONS.dep_file}.lock")
set_aside_if_corrupted(OPTIONS.dep_file)

OUT = OPTIONS.output_folder
SPECS = find_specs(OPTIONS.spec_folder, OUT, OPTIONS.picture_format)
CURVE_CODE = ["lr_plots/curves.py", "lr_plots/atomic_file.py", "lr_plots/actions.py"]
DRAWING_CODE = ["lr_plots/drawing.py", "lr_plots/atomic_file.py", "lr_plots/actions.py"]
GALLERY_CODE = ["lr_plots/gallery.py", "lr_plots/templates/index.html.j2", "lr_plots/atomic_file.py"]
GALLERY = [f"{OUT}/index.html"] + ([f"{OUT}/overview.png"] if OPTIONS.picture_format == "png" else [])


def task_curve():
    """Run each spec's torch scheduler; write <out>/<Name>.csv (step,lr,...) and <Name>.json."""
    torch_version = config_changed({"torch": installed_version("torch")})
    for spec in SPECS:
        yield {
            "name": spec.name,
            "doc": spec.doc,
            "file_dep": [spec.path, *CURVE_CODE],
            "targets": [spec.csv, spec.metadata],
            "actions": [(write_curve, [spec.path, spec.csv, spec.metadata, OPTIONS.timeout_seconds])],
            "uptodate": [torch_version],
            "clean": True,
        }


def task_plot():
    """Draw each curve as <out>/<Name>.png (or .svg with format=svg)."""
    # doit keeps one config_changed value per task, so every drawing option goes into this one.
    drawing_options = config_changed({
        "matplotlib": installed_version("matplotlib"),
        "format": OPTIONS.picture_format,
        "dpi": OPTIONS.dpi,
    })
    for spec in SPECS:
        yield {
            "name": spec.name,
            "doc": spec.doc,
            "file_dep": [spec.csv, spec.metadata, *DRAWING_CODE],
            "targets": [spec.picture],
            "actions": [(draw_picture, [spec.csv, spec.metadata, spec.picture, OPTIONS.dpi])],
            "uptodate": [drawing_options],
            "clean": True,
        }


def task_gallery():
    """Write <out>/index.html, every picture with its arguments, and overview.png, a contact sheet."""
    summaries = {spec.name: spec.doc for spec in SPECS}
    return {
        "file_dep": [path for spec in SPECS for path in (spec.picture, spec.metadata)] + GALLERY_CODE,
        "targets": GALLERY,
        "actions": [(build_gallery, [OUT, summaries, OPTIONS.picture_format])],
        "uptodate": [config_changed({"format": OPTIONS.picture_format, "summaries": summaries})],
        "clean": True,
    }


def task_orphans():
    """On `doit clean`: remove generated files no task builds now (deleted specs, killed builds)."""
    targets = [path for spec in SPECS for path in (spec.csv, spec.metadata, spec.picture)] + GALLERY
    return {"actions": None, "clean": [(remove_orphans, [OUT, targets])]}
