"""The benchmark's baseline: every spec's picture drawn by one plain process, with no build tool.

Usage: python baseline.py SPEC_FOLDER OUTPUT_FOLDER
"""

import json
import sys
from pathlib import Path

from lr_plots.curves import curve_metadata, load_spec, scheduler_curve
from lr_plots.drawing import render_picture


def draw_all(spec_folder: Path, output_folder: Path) -> None:
    """Load each spec, run its scheduler and write its PNG, one after the other."""
    output_folder.mkdir(exist_ok=True)
    for spec_path in sorted(spec_folder.glob("*.py")):
        spec = load_spec(spec_path)
        metadata = json.loads(curve_metadata(spec, spec.SCHEDULER))
        picture = render_picture(scheduler_curve(spec), metadata)
        (output_folder / f"{spec_path.stem}.png").write_bytes(picture)


if __name__ == "__main__":
    draw_all(Path(sys.argv[1]), Path(sys.argv[2]))
