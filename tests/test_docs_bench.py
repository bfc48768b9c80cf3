"""The docs benchmark keeps working: one repetition drawing one schedule, every scenario, a table with
every column; and the example code it writes for the peers runs each reference spec's scheduler as
lr_plots does. Speed is never asserted."""

import math
import subprocess
import sys

import pytest
from conftest import CURVE_NAMES, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import docs_bench

HEADER = [
    "scenario",
    "sphinx-gallery",
    "plot directive",
    "plain figure::",
    "lr_plots.sphinx",
    "lr_plots.sphinx, warm torch",
    "lr_plots / faster peer (warm)",
    "target (lr_plots; warm)",
    "met (warm)",
]
VERDICTS = ("met", "**not met**")


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("|")[1:-1]]


@pytest.mark.slow
def test_docs_benchmark_prints_a_row_per_scenario_with_every_column():
    result = subprocess.run(
        [sys.executable, "benchmarks/docs_bench.py", "--repeat", "1", "--schedules", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("cores: ")
    assert "sphinx-gallery 0." in result.stdout and "; 1 schedule;" in result.stdout
    lines = result.stdout.splitlines()
    header = lines.index("| " + " | ".join(HEADER) + " |")
    rows = [cells(line) for line in lines[header + 2 : header + 6]]
    assert [row[0] for row in rows] == list(docs_bench.SCENARIOS.values())
    for row in rows:
        assert len(row) == len(HEADER), row
        for project, value in zip(HEADER[1:6], row[1:6], strict=True):
            if value != "—":
                assert float(value) > 0, (project, row)
        verdict, warm_verdict = row[-1].split(" (")
        assert verdict in VERDICTS and warm_verdict.rstrip(")") in VERDICTS, row
    cold, no_op, arguments, comment = rows
    assert "—" not in cold[1:7] and "—" not in no_op[1:7]
    assert arguments[3] == "—" and "—" not in (arguments[1], arguments[4], arguments[5])
    assert comment[1:4] == ["—", "—", "—"] and "no curve recomputed (0 recomputed;" in comment[7]


def test_the_peers_example_code_computes_each_reference_spec_s_curve_as_lr_plots_does():
    """The code the benchmark writes for sphinx-gallery and the plot directive, run here, gives the
    LR (each group's, and the momentum) of lr_plots' own curve, and makes one figure."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from lr_plots.curves import load_spec, scheduler_curve

    specs = docs_bench.curve_specs()
    assert [spec.stem for spec in specs] == CURVE_NAMES  # every spec but the comparisons
    for spec in specs:
        namespace = {"__name__": "__main__"}
        exec(compile(docs_bench.plain_code(spec), str(spec), "exec"), namespace)
        expected = scheduler_curve(load_spec(spec))
        groups = namespace["lrs"] if isinstance(namespace["lrs"][0], list) else [namespace["lrs"]]
        columns = [expected["lr"]] + [expected[f"lr_{group}"] for group in range(1, len(groups))]
        if "momenta" in namespace:
            groups, columns = [*groups, namespace["momenta"]], [*columns, expected["momentum"]]
        for values, column in zip(groups, columns, strict=True):
            assert len(values) == len(column) and all(map(math.isclose, values, column)), spec.stem
        assert len(plt.get_fignums()) == 1, spec.stem
        plt.close("all")
