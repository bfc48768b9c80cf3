"""Benchmark doit builds against a plain one-process loop and against the import floor of torch and
matplotlib, in a temporary copy of the project; prints a Markdown table of medians and ratios.

Usage: python benchmarks/bench.py [--repeat 5] [--specs 15] [--scale-specs 500]
"""

import argparse
import compileall
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = "lr_scheduler_images"

# Runs a command and reports its wall time, the CPU time (user + system) of all the processes it
# started, and the largest resident set of any of them. Linux accounts a waited-for grandchild, such
# as a doit worker, in RUSAGE_CHILDREN too; as a child subreaper this process also adopts and waits
# for those that outlive their parent (multiprocessing's forkserver ends just after doit does, and
# doit's workers are its children), so none is left out; but a warm torch process, which waits for
# the next build, is not waited for.
MEASURE = """
import ctypes, json, os, resource, subprocess, sys, time
WARM = b"settings['idle_seconds']"  # a warm torch process, which outlives the build by design
if sys.platform == "linux":
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
while True:
    try:
        children = open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split()
    except OSError:
        children = []
    waited = [pid for pid in children if WARM not in open(f"/proc/{pid}/cmdline", "rb").read()]
    if not waited:
        break
    try:
        os.waitpid(int(waited[0]), 0)
    except ChildProcessError:
        pass
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "code": done.returncode, "output": done.stdout + done.stderr,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime, "max_rss_kib": usage.ru_maxrss}))
"""
FLOOR = (
    "import torch; torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1); "
    "from matplotlib.figure import Figure; from matplotlib.backends.backend_agg import FigureCanvasAgg"
)
DOIT = [sys.executable, "-m", "doit"]
GALLERY_FILES = ("index.html", "overview.png")
EXPLORER_FILES = ("explore.html", "plotly.min.js")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A cold `doit -n 2` took 0.78 of the baseline (README, before lr_plots.curve_server): issue 13 asks
# that it be no slower.
BEFORE_TORCH_PROCESS_N2 = 0.784


@dataclass
class Scenario:
    """One timed command, run in `project` after `prepare(project, repetition)` (not timed); with
    `warm`, a warm torch process (setting `daemon`) is running when it starts."""

    name: str
    project: str
    command: list[str]
    prepare: Callable[[Path, int], None]
    warm: bool = False


def environment(project: Path, warm: bool = False) -> dict[str, str]:
    """The environment of every command run in `project`: PYTHONPATH makes the copy's lr_plots the
    one imported (also by baseline.py); CI=true (no warm torch process) unless `warm`; a temporary
    folder of the benchmark's own, so its warm torch processes are the only ones it sees."""
    env = {**os.environ, "PYTHONPATH": str(project), "CI": "true", "TMPDIR": str(project.parent / "tmp")}
    if warm:
        del env["CI"]
    return env


WARM = "daemon=600"  # how long the warm torch process waits for the next build, in the warm rows


def keep_warm(project: Path) -> None:
    """Make sure a warm torch process for `project` runs, started (if none is) by a build that has
    one curve to compute, so that the timed command finds it."""
    listed = subprocess.run(
        [*DOIT, "daemon"], cwd=project, env=environment(project, warm=True), capture_output=True, text=True
    )
    if "[daemon] pid" not in listed.stdout:
        (project / OUTPUT / f"{first_spec(project).stem}.csv").unlink(missing_ok=True)
        subprocess.run(
            [*DOIT, "-n", "2", WARM],
            cwd=project,
            env=environment(project, warm=True),
            check=True,
            capture_output=True,
        )


def stop_warm(project: Path) -> None:
    subprocess.run(
        [*DOIT, "daemon", "stop"], cwd=project, env=environment(project, warm=True), capture_output=True
    )


def copy_project(destination: Path, spec_count: int, total_specs: int) -> Path:
    """A copy of the project with its first `spec_count` specs, plus variations of them that differ
    in their base LR (the scale test's 'variations of the existing ones') up to `total_specs`."""
    shutil.copytree(ROOT / "lr_plots", destination / "lr_plots", ignore=shutil.ignore_patterns("__pycache__"))
    # Byte-compiled once, as pip does when it installs a package and Python on a first import: this
    # machine sets PYTHONDONTWRITEBYTECODE, so every process of every run compiled the copy anew.
    compileall.compile_dir(destination / "lr_plots", quiet=1)
    shutil.copytree(ROOT / OUTPUT, destination / OUTPUT, ignore=shutil.ignore_patterns("*.png", "*.csv"))
    for name in ("dodo.py", "pyproject.toml"):  # pyproject.toml holds doit's plugin settings
        shutil.copy2(ROOT / name, destination / name)
    shutil.copy2(ROOT / "benchmarks/baseline.py", destination / "baseline.py")
    specs = destination / "lr_plots/specs"
    # The specs with a curve first, then the comparisons, which are kept only with all of those.
    originals = sorted(specs.glob("*.py"), key=lambda path: ("COMPARE =" in path.read_text(), path.name))
    for path in originals[spec_count:]:
        path.unlink()
    kept = originals[:spec_count]
    for variant in range(total_specs - spec_count):
        path = kept[variant % spec_count]
        base_lr = f"BASE_LR = {0.05 + (variant + 1) * 1e-5!r}"
        (specs / f"{path.stem}_v{variant}.py").write_text(path.read_text().replace("BASE_LR = 0.05", base_lr))
    return destination


def remove_outputs(project: Path, repetition: int = 0) -> None:
    for path in (project / OUTPUT).glob("*.*"):
        if path.suffix in (".png", ".csv"):
            path.unlink()
    for path in project.glob(".doit.db*"):
        path.unlink()


def build(project: Path, repetition: int = 0) -> None:
    subprocess.run([*DOIT, "-n", "2"], cwd=project, env=environment(project), check=True, capture_output=True)


def first_spec(project: Path) -> Path:
    return sorted((project / "lr_plots/specs").glob("*.py"))[0]


def change_arguments_in_place(spec: Path) -> None:
    text = spec.read_text()
    old, new = (
        ("BASE_LR = 0.05", "BASE_LR = 0.04")
        if "BASE_LR = 0.05" in text
        else ("BASE_LR = 0.04", "BASE_LR = 0.05")
    )
    spec.write_text(text.replace(old, new))


def change_arguments(project: Path, repetition: int) -> None:
    build(project)
    change_arguments_in_place(first_spec(project))


def change_arguments_warm(project: Path, repetition: int) -> None:
    build(project)
    keep_warm(project)
    change_arguments_in_place(first_spec(project))


def remove_outputs_warm(project: Path, repetition: int) -> None:
    keep_warm(project)
    remove_outputs(project)


def remove_outputs_warm_elsewhere(project: Path, repetition: int) -> None:
    """A warm torch process started by another project's build (the `small` project beside this
    one), then a cold build here."""
    keep_warm(project.parent / "small")
    remove_outputs(project)


def change_comment(project: Path, repetition: int) -> None:
    build(project)
    with open(first_spec(project), "a") as spec:
        spec.write(f"# comment {repetition}\n")


def change_drawing(project: Path, repetition: int) -> None:
    build(project)
    with open(project / "lr_plots/drawing.py", "a") as drawing:
        drawing.write(f"_EDITED = {repetition}  # the drawing code changed\n")


def remove_files(project: Path, names: tuple[str, ...]) -> None:
    for name in names:
        (project / OUTPUT / name).unlink(missing_ok=True)


def remove_gallery(project: Path, repetition: int) -> None:
    build(project)
    remove_files(project, GALLERY_FILES)


def remove_gallery_and_explorer(project: Path, repetition: int) -> None:
    build(project)
    remove_files(project, GALLERY_FILES + EXPLORER_FILES)


def nothing(project: Path, repetition: int) -> None:
    pass


SPHINX = [sys.executable, "-m", "sphinx", "-q"]
SPHINX_CONF = 'extensions = ["lr_plots.sphinx"]\nlr_plots_specs = "../schedules"\nlr_plots_out = "pictures"\n'


def copy_docs_project(destination: Path, spec_count: int) -> Path:
    """Two Sphinx projects showing the pictures of the first `spec_count` specs: docs/, with the
    lr_plots extension drawing them and its directive showing them, and docs_plain/, without the
    extension, showing the same files with `.. figure::`."""
    specs = sorted((ROOT / "lr_plots/specs").glob("*.py"))[:spec_count]
    (destination / "schedules").mkdir(parents=True)
    for path in specs:
        shutil.copy2(path, destination / "schedules")
    names = [path.stem for path in specs]
    for folder, conf, directive in (
        ("docs", SPHINX_CONF, ".. lr-schedule:: {}"),
        ("docs_plain", "", ".. figure:: ../docs/pictures/{}.png"),
    ):
        (destination / folder).mkdir()
        (destination / folder / "conf.py").write_text(conf)
        figures = "\n\n".join(directive.format(name) for name in names)
        (destination / folder / "index.rst").write_text(f"Pictures\n========\n\n{figures}\n")
    return destination


def build_docs(project: Path, repetition: int = 0) -> None:
    for folder in ("docs", "docs_plain"):
        subprocess.run(
            [*SPHINX, folder, f"{folder}/_build"],
            cwd=project,
            env=environment(project),
            check=True,
            capture_output=True,
        )


def scenarios() -> list[Scenario]:
    baseline = [sys.executable, "baseline.py", "lr_plots/specs", "baseline_images"]
    return [
        Scenario("baseline: one plain process", "small", baseline, nothing),
        Scenario(
            "floor: import torch, make an SGD, import Agg", "small", [sys.executable, "-c", FLOOR], nothing
        ),
        Scenario('python -c "import torch"', "small", [sys.executable, "-c", "import torch"], nothing),
        Scenario('python -c "import doit"', "small", [sys.executable, "-c", "import doit"], nothing),
        Scenario("cold doit -n 1", "small", [*DOIT, "-n", "1"], remove_outputs),
        Scenario("cold doit -n 2", "small", [*DOIT, "-n", "2"], remove_outputs),
        Scenario("cold doit -n 4", "small", [*DOIT, "-n", "4"], remove_outputs),
        Scenario("cold doit -n 8", "small", [*DOIT, "-n", "8"], remove_outputs),
        Scenario("no-op doit", "small", DOIT, build),
        Scenario("no-op doit -n 4", "small", [*DOIT, "-n", "4"], build),
        Scenario("one spec's arguments changed, doit", "small", DOIT, change_arguments),
        Scenario("one spec's comment changed, doit", "small", DOIT, change_comment),
        Scenario(WARM_COLD, "small", [*DOIT, "-n", "2", WARM], remove_outputs_warm, warm=True),
        Scenario(WARM_EDIT, "small", [*DOIT, WARM], change_arguments_warm, warm=True),
        Scenario(WARM_OTHER, "other", [*DOIT, "-n", "2", WARM], remove_outputs_warm_elsewhere, warm=True),
        Scenario("drawing code changed, doit -n 2", "small", [*DOIT, "-n", "2"], change_drawing),
        Scenario(GALLERY_SCENARIO, "small", [*DOIT, "gallery"], remove_gallery),
        Scenario(EXPLORER_SCENARIO, "small", [*DOIT, "gallery", "explore"], remove_gallery_and_explorer),
        Scenario("scale: cold doit -n 2", "scale", [*DOIT, "-n", "2"], remove_outputs),
        Scenario("scale: no-op doit", "scale", DOIT, build),
        Scenario(NO_OP_SPHINX_PLAIN, "docs", [*SPHINX, "docs_plain", "docs_plain/_build"], build_docs),
        Scenario(NO_OP_SPHINX, "docs", [*SPHINX, "docs", "docs/_build"], build_docs),
    ]


WARM_COLD = "cold doit -n 2, warm torch process"
WARM_EDIT = "one spec's arguments changed, doit, warm torch process"
WARM_OTHER = "cold doit -n 2 in another project, warm torch process of the first"
NO_OP_SPHINX_PLAIN = "no-op sphinx-build, the pictures' files shown with figure::"
NO_OP_SPHINX = "no-op sphinx-build, extension lr_plots.sphinx drawing and showing them"


def measure(command: list[str], project: Path, warm: bool = False) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        cwd=project,
        env=environment(project, warm),
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    if result["code"] != 0:
        sys.exit(f"{' '.join(command)} failed in {project}:\n{result['output']}")
    return result


WATCH_SCENARIO = "watch: spec saved -> new PNG on disk"
GALLERY_SCENARIO = "gallery rebuilt, doit gallery"
EXPLORER_SCENARIO = "gallery and explorer rebuilt, doit gallery explore"


def measure_watch(project: Path, repeat: int) -> list[dict]:
    """Seconds from saving a spec to its new picture on disk, with `doit watch` running."""
    build(project)
    env = environment(project)
    watcher = subprocess.Popen(
        [*DOIT, "watch"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        for line in watcher.stdout:
            if line.startswith("[watch] watching"):
                break
        spec = first_spec(project)
        picture = project / OUTPUT / f"{spec.stem}.png"
        results = []
        for _repetition in range(repeat):
            before = picture.stat().st_mtime_ns
            start = time.perf_counter()
            change_arguments_in_place(spec)
            while picture.stat().st_mtime_ns == before:
                if time.perf_counter() - start > 60:
                    sys.exit("doit watch did not redraw the picture within 60 s")
                time.sleep(0.002)
            results.append({"seconds": time.perf_counter() - start, "cpu_seconds": 0, "max_rss_kib": 0})
            for line in watcher.stdout:  # the build's report: the next edit starts after it
                if line.startswith("[watch] rebuilt"):
                    break
        return results
    finally:
        os.killpg(watcher.pid, signal.SIGINT)
        watcher.wait(timeout=30)


def measure_explorer_open(project: Path, repeat: int) -> list[float]:
    """Seconds from asking headless Chromium (a fresh one each time, its start not counted) to open
    explore.html from disk, with the network off, to the chart drawn; none without Chromium and
    chromedriver (Debian's chromium and chromium-driver)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not (chromium and chromedriver):
        return []
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    page = (project / OUTPUT / "explore.html").resolve().as_uri()
    results = []
    for _repetition in range(repeat):
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        profile = tempfile.TemporaryDirectory(prefix="lr_plots_chromium_")  # a fresh profile each time
        for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile.name}"]:
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(chromedriver), options=options)
        try:
            driver.set_network_conditions(
                offline=True, latency=0, download_throughput=-1, upload_throughput=-1
            )
            start = time.perf_counter()
            driver.get(page)
            WebDriverWait(driver, 60, poll_frequency=0.01).until(
                lambda d: d.execute_script("return !!document.querySelector('#explorer .main-svg')")
            )
            results.append(time.perf_counter() - start)
        finally:
            driver.quit()
            profile.cleanup()
    return results


def explorer_report(project: Path, repeat: int) -> str:
    """The explorer's size with its library, and how long it takes to open in headless Chromium."""
    sizes = {name: (project / OUTPUT / name).stat().st_size / 1e6 for name in EXPLORER_FILES}
    total = sum(sizes.values())
    size = " + ".join(f"{name} {megabytes:.3f} MB" for name, megabytes in sizes.items())
    opening = measure_explorer_open(project, repeat)
    if opening:
        seconds = statistics.median(opening)
        opens = (
            f"opens in {seconds:.2f} s in headless Chromium from file:// (median of {len(opening)}, "
            f"a fresh browser each; target < 2 s: {'yes' if seconds < 2 else '**no**'})"
        )
    else:
        opens = "opening not measured (needs chromium and chromedriver)"
    return f"explorer: {size} = {total:.3f} MB (target <= 5 MB: {'yes' if total <= 5 else '**no**'}); {opens}"


def run(repeat: int, spec_count: int, scale_specs: int) -> tuple[dict[str, list[dict]], dict[str, int], str]:
    """Every scenario once per repetition, in turn (A B C A B C ...), so noise hits all alike."""
    workspace = Path(tempfile.mkdtemp(prefix="lr_plots_bench_"))
    (workspace / "tmp").mkdir()
    try:
        projects = {
            "small": copy_project(workspace / "small", spec_count, spec_count),
            "other": copy_project(workspace / "other", spec_count, spec_count),
            "scale": copy_project(workspace / "scale", spec_count, scale_specs),
            "docs": copy_docs_project(workspace / "docs", spec_count),
        }
        counts = {name: len(list((path / "lr_plots/specs").glob("*.py"))) for name, path in projects.items()}
        results: dict[str, list[dict]] = {scenario.name: [] for scenario in scenarios()}
        for repetition in range(repeat):
            for scenario in scenarios():
                project = projects[scenario.project]
                scenario.prepare(project, repetition)
                results[scenario.name].append(measure(scenario.command, project, scenario.warm))
        stop_warm(projects["small"])
        # Last, alone: a warm process and an edit loop, not a command to interleave with the others.
        results[WATCH_SCENARIO] = measure_watch(projects["small"], repeat)
        return results, counts, explorer_report(projects["small"], repeat)
    finally:
        stop_warm(projects["small"])
        shutil.rmtree(workspace, ignore_errors=True)


def report(results: dict[str, list[dict]], counts: dict[str, int], repeat: int, explorer: str) -> str:
    seconds = {name: statistics.median(r["seconds"] for r in runs) for name, runs in results.items()}
    rss = {name: max(r["max_rss_kib"] for r in runs) / 1024 for name, runs in results.items()}
    cpu = {name: statistics.median(r["cpu_seconds"] for r in runs) for name, runs in results.items()}
    baseline = seconds["baseline: one plain process"]
    floor = seconds["floor: import torch, make an SGD, import Agg"]
    import_doit = seconds['python -c "import doit"']
    small, scale = counts["small"], counts["scale"]
    per_picture = seconds["cold doit -n 2"] / small
    scale_per_picture = seconds["scale: cold doit -n 2"] / scale

    serial, serial_cpu = seconds["cold doit -n 1"], cpu["cold doit -n 1"]
    edit = seconds["one spec's arguments changed, doit"]
    targets = {
        "cold doit -n 2": (
            f"<= 0.7 x baseline; <= {BEFORE_TORCH_PROCESS_N2:.2f} x baseline (its time before issue 13)",
            [
                seconds["cold doit -n 2"] <= 0.7 * baseline,
                seconds["cold doit -n 2"] <= BEFORE_TORCH_PROCESS_N2 * baseline,
            ],
        ),
        "cold doit -n 1": ("<= 1.0 x baseline", seconds["cold doit -n 1"] <= baseline),
        "cold doit -n 4": (
            f"<= 1.0 x doit -n 1 ({seconds['cold doit -n 4'] / serial:.2f} x); "
            f"CPU <= 1.3 x doit -n 1's ({cpu['cold doit -n 4'] / serial_cpu:.2f} x)",
            [seconds["cold doit -n 4"] <= serial, cpu["cold doit -n 4"] <= 1.3 * serial_cpu],
        ),
        "cold doit -n 8": (
            f"<= 1.0 x doit -n 1 ({seconds['cold doit -n 8'] / serial:.2f} x)",
            seconds["cold doit -n 8"] <= serial,
        ),
        "no-op doit": (
            f"<= 0.05 x baseline, <= 2.5 x import doit ({seconds['no-op doit'] / import_doit:.2f} x)",
            seconds["no-op doit"] <= 0.05 * baseline and seconds["no-op doit"] <= 2.5 * import_doit,
        ),
        "no-op doit -n 4": (
            f"<= 1.3 x no-op doit ({seconds['no-op doit -n 4'] / seconds['no-op doit']:.2f} x)",
            seconds["no-op doit -n 4"] <= 1.3 * seconds["no-op doit"],
        ),
        "one spec's arguments changed, doit": (
            "<= 0.7 x baseline, <= 1.3 x floor",
            seconds["one spec's arguments changed, doit"] <= min(0.7 * baseline, 1.3 * floor),
        ),
        WARM_COLD: (
            f"<= 0.6 x cold doit -n 2 ({seconds[WARM_COLD] / seconds['cold doit -n 2']:.2f} x)",
            seconds[WARM_COLD] <= 0.6 * seconds["cold doit -n 2"],
        ),
        WARM_EDIT: (
            f"<= 0.4 x without it ({seconds[WARM_EDIT] / edit:.2f} x)",
            seconds[WARM_EDIT] <= 0.4 * edit,
        ),
        WARM_OTHER: (
            f"<= 1.1 x in the first project ({seconds[WARM_OTHER] / seconds[WARM_COLD]:.2f} x)",
            seconds[WARM_OTHER] <= 1.1 * seconds[WARM_COLD],
        ),
        "drawing code changed, doit -n 2": (
            "<= 0.3 x baseline",
            seconds["drawing code changed, doit -n 2"] <= 0.3 * baseline,
        ),
        "scale: no-op doit": (
            f"<= 3 x {small}-spec no-op ({seconds['scale: no-op doit'] / seconds['no-op doit']:.2f} x)",
            seconds["scale: no-op doit"] <= 3 * seconds["no-op doit"],
        ),
        WATCH_SCENARIO: ("<= 0.08 x baseline", seconds[WATCH_SCENARIO] <= 0.08 * baseline),
        NO_OP_SPHINX: (
            f"<= 0.3 s more than without ({seconds[NO_OP_SPHINX] - seconds[NO_OP_SPHINX_PLAIN]:+.3f} s)",
            seconds[NO_OP_SPHINX] <= seconds[NO_OP_SPHINX_PLAIN] + 0.3,
        ),
        EXPLORER_SCENARIO: (
            f"<= gallery + 0.5 s (+{seconds[EXPLORER_SCENARIO] - seconds[GALLERY_SCENARIO]:.3f} s)",
            seconds[EXPLORER_SCENARIO] <= seconds[GALLERY_SCENARIO] + 0.5,
        ),
        "scale: cold doit -n 2": (
            f"per picture <= 1.2 x {small}-spec ({scale_per_picture / per_picture:.2f} x)",
            scale_per_picture <= 1.2 * per_picture,
        ),
    }
    cold_rss, baseline_rss = rss["cold doit -n 2"], rss["baseline: one plain process"]
    lines = [
        f"cores: {os.cpu_count()}; python {platform.python_version()}; torch {version('torch')}; "
        f"matplotlib {version('matplotlib')}; doit {version('doit')}; "
        f"{repeat} repetitions interleaved, medians; {small} specs, scale: {scale} specs",
        "",
        "| scenario | median s | x baseline | x floor | peak RSS MiB | CPU s | target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for name, value in seconds.items():
        target, met = targets.get(name, ("", None))
        verdicts = [] if met is None else met if isinstance(met, list) else [met]
        mark = "; ".join("yes" if verdict else "**no**" for verdict in verdicts)
        peak = f"{rss[name]:.0f}" if rss[name] else ""
        cpu_seconds = f"{cpu[name]:.2f}" if cpu[name] else ""
        lines.append(
            f"| {name} | {value:.3f} | {value / baseline:.3f} | {value / floor:.2f} | "
            f"{peak} | {cpu_seconds} | {target} | {mark} |"
        )
    lines += [
        "",
        f"per picture, cold doit -n 2: {per_picture * 1000:.1f} ms with {small} specs, "
        f"{scale_per_picture * 1000:.1f} ms with {scale} specs",
        f"peak memory of one process: cold doit -n 2 {cold_rss:.0f} MiB, baseline {baseline_rss:.0f} MiB "
        f"(target: at most the baseline's: {'yes' if cold_rss <= baseline_rss else '**no**'})",
        explorer,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of every scenario")
    parser.add_argument(
        "--specs",
        type=int,
        default=len(list((ROOT / "lr_plots/specs").glob("*.py"))),
        help="how many of the project's specs to use [default: all]",
    )
    parser.add_argument("--scale-specs", type=int, default=500, help="spec count of the scale test")
    arguments = parser.parse_args()
    results, counts, explorer = run(arguments.repeat, arguments.specs, arguments.scale_specs)
    print(report(results, counts, arguments.repeat, explorer))


if __name__ == "__main__":
    main()
