"""The benchmark's baseline: every spec's picture drawn by one plain process, with no build tool.

Usage: python baseline.py SPEC_FOLDER OUTPUT_FOLDER
"""

import json
import sys
from pathlib import Path

from lr_plots.curves import curve_metadata, load_spec, scheduler_curve
from lr_plots.discovery import find_spec_files
from lr_plots.drawing import comparison_title, render_comparison, render_picture


def draw_all(spec_folder: Path, output_folder: Path) -> None:
    """Load each spec, run its scheduler and write its PNG, one after the other; then each comparison."""
    output_folder.mkdir(exist_ok=True)
    specs, comparisons = find_spec_files(str(spec_folder), str(output_folder), "png")
    curves = {}
    for spec_file in specs:
        spec = load_spec(Path(spec_file.path))
        curves[spec_file.name] = (json.loads(curve_metadata(spec)), scheduler_curve(spec))
        picture = render_picture(curves[spec_file.name][1], curves[spec_file.name][0])
        (output_folder / f"{spec_file.name}.png").write_bytes(picture)
    for comparison in comparisons:
        members = [curves[name] for name in comparison.members]
        picture = render_comparison(members, comparison_title(list(comparison.members)), comparison.normalize)
        (output_folder / f"{comparison.name}.png").write_bytes(picture)


if __name__ == "__main__":
    draw_all(Path(sys.argv[1]), Path(sys.argv[2]))
