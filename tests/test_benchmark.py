"""The benchmark keeps working: one repetition on 3 specs. A smoke test; speed is never asserted."""

import subprocess
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench


@pytest.mark.slow
def test_benchmark_prints_a_row_of_positive_numbers_per_scenario():
    result = subprocess.run(
        [sys.executable, "benchmarks/bench.py", "--repeat", "1", "--specs", "3", "--scale-specs", "4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("cores: ")
    assert "3 specs, scale: 4 specs" in result.stdout
    rows = [line.split("|")[1:-1] for line in result.stdout.splitlines() if line.startswith("| ")][2:]
    names = [scenario.name for scenario in bench.scenarios()] + [bench.WATCH_SCENARIO]
    assert [cells[0].strip() for cells in rows] == names
    for cells in rows:
        median, to_baseline, to_floor = (float(cell) for cell in cells[1:4])
        assert median > 0 and to_baseline > 0 and to_floor > 0, cells
        if cells[0].strip() != bench.WATCH_SCENARIO:
            assert float(cells[4]) > 0, cells  # peak memory
            assert float(cells[5]) > 0, cells  # CPU seconds
    assert "peak memory of one process: cold doit -n 2" in result.stdout
    assert "explorer: explore.html " in result.stdout
