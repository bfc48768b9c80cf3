"""Benchmark the docs build with lr_plots.sphinx against sphinx-gallery and matplotlib's plot directive.

In a temporary folder, four Sphinx projects of one page each show the pictures of the same schedules
(every reference spec with a curve), built with `sphinx-build -b html` by this Python:

- sphinx-gallery, running one example script per schedule (plot_<Name>.py);
- matplotlib's plot directive, running the same code inline, one `.. plot::` per schedule;
- lr_plots.sphinx, one `.. lr-schedule::` per spec of a copy of the reference specs;
- plain `.. figure::` directives showing pictures that exist already: Sphinx's own floor.

The example code is each spec's own code (its imports, definitions and fields) followed by a loop
written out for that spec with torch and pyplot alone, no lr_plots. Each project is built cold
(fresh copy), again with nothing changed (no-op), after one schedule's arguments are edited (StepLR's
gamma, in its script, inline block or spec), and, for lr_plots, after a comment is added to that
spec. Repetitions are interleaved (every project's build of a scenario in turn, the order rotated
each repetition); the Markdown table gives the medians, their ratios and the issue's targets. Each
build must exit 0 and leave its pictures in the HTML output, an edited schedule's picture must
change, and the comment edit is checked to leave every curve file of lr_plots as it was.

Usage: python benchmarks/docs_bench.py [--repeat 3] [--processes K] [--only SCENARIO] [--schedules N]
It needs sphinx-gallery: pip install -c constraints.txt -e ".[bench]"
"""

import argparse
import ast
import compileall
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench import MEASURE  # benchmarks/bench.py, beside this file: wall and CPU time of a command
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_SPECS = ROOT / "lr_plots/specs"

GALLERY, PLOT, PLAIN, LR_PLOTS = "sphinx-gallery", "plot directive", "plain figure::", "lr_plots.sphinx"
# lr_plots.sphinx with a warm torch process running (the setting `daemon`; off under CI, as in the
# column before), as when a writer builds the docs again within `daemon` seconds.
WARM = "lr_plots.sphinx, warm torch"
PROJECTS = (GALLERY, PLOT, PLAIN, LR_PLOTS, WARM)  # the order of the table's columns
PEERS = (GALLERY, PLOT)  # the projects that draw their pictures, as lr_plots does
OURS = (LR_PLOTS, WARM)
FOLDERS = {
    GALLERY: "gallery",
    PLOT: "plot_directive",
    PLAIN: "plain",
    LR_PLOTS: "lr_plots",
    WARM: "lr_plots_warm",
}

COLD, NO_OP, ARGUMENTS, COMMENT = "cold", "no-op", "arguments", "comment"
SCENARIOS = {
    COLD: "cold",
    NO_OP: "no-op",
    ARGUMENTS: "one schedule's arguments edited",
    COMMENT: "one spec's comment edited",
}
APPLIES = {
    COLD: PROJECTS,
    NO_OP: PROJECTS,
    ARGUMENTS: (GALLERY, PLOT, LR_PLOTS, WARM),  # the plain figures have no arguments to edit
    COMMENT: OURS,  # the peers' scripts are the code itself: a comment there is an edit
}
# The builds each scenario needs first, in this order, when it is measured alone (--only).
CHAINS = {
    COLD: [COLD],
    NO_OP: [COLD, NO_OP],
    ARGUMENTS: [COLD, ARGUMENTS],
    COMMENT: [COLD, NO_OP, COMMENT],  # its target is lr_plots' no-op time
}
ALL_SCENARIOS = [COLD, NO_OP, ARGUMENTS, COMMENT]

EDITED = "StepLR"  # the schedule whose arguments are edited (and, for lr_plots, whose comment)
ARGUMENTS_EDIT = ('"step_size": 30, "gamma": 0.1', '"step_size": 30, "gamma": 0.2')
COMMENT_EDIT = "# a comment added by the benchmark: no curve changes\n"

HTML = Path("_build/html")
IMAGES = HTML / "_images"
SPHINX = [sys.executable, "-m", "sphinx", "-b", "html", "-N", "-d", "_build/doctrees", ".", str(HTML)]
CONF_COMMON = 'exclude_patterns = ["_build"]\n'
# One 640x480 PNG per schedule (matplotlib's default figure at 100 dpi), as the other projects have;
# the plot directive's default is three files (80 dpi PNG, 200 dpi PNG, PDF) and a source link.
PLOT_CONF = """extensions = ["matplotlib.sphinxext.plot_directive"]
plot_formats = [("png", 100)]
plot_html_show_formats = False
plot_html_show_source_link = False
"""
GALLERY_CONF = """extensions = ["sphinx_gallery.gen_gallery"]
sphinx_gallery_conf = {"examples_dirs": "examples", "gallery_dirs": "gallery"}
exclude_patterns = ["_build", "examples"]
"""
LR_PLOTS_CONF = """extensions = ["lr_plots.sphinx"]
lr_plots_specs = "schedules"
lr_plots_out = "pictures"
"""
PER_BATCH = ("CyclicLR", "OneCycleLR")  # torch's schedulers stepped once per batch, with momentum


# The generated code.


def assigned(module: ast.Module) -> dict[str, ast.expr]:
    """The names a module assigns at its top level, each with the value last assigned."""
    names = {}
    for statement in module.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = statement.value
    return names


def curve_specs() -> list[Path]:
    """The reference specs that have a curve of their own (not the COMPARE ones), by name."""
    paths = sorted(REFERENCE_SPECS.glob("*.py"))
    return [path for path in paths if "COMPARE" not in assigned(ast.parse(path.read_bytes()))]


def chosen_specs(count: int | None) -> list[Path]:
    """`count` of the curve specs (all without it): the edited one and the first others by name."""
    specs = curve_specs()
    if count is None or count >= len(specs):
        return specs
    edited = [path for path in specs if path.stem == EDITED]
    others = [path for path in specs if path.stem != EDITED]
    return sorted(edited + others[: count - len(edited)])


def sub_scheduler(node: ast.expr) -> bool:
    """A `(SchedulerClass, {arguments})` pair written in ARGUMENTS: a scheduler on the same optimizer."""
    return isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[1], ast.Dict)


def plain_code(spec: Path) -> str:
    """The spec's code without its docstring, so that editing its arguments edits this code, then a
    loop written for it as a docs author would, with torch and pyplot only: a fresh SGD optimizer
    (a parameter group per base LR), the scheduler built on it (its sub-schedulers first), stepped
    after each optimizer step (with the validation loss for ReduceLROnPlateau), and the LR plotted
    (momentum, validation loss and epochs on second axes), as lr_plots.curves and lr_plots.drawing do."""
    source = spec.read_text()
    module = ast.parse(source)
    fields = assigned(module)
    lines = source.splitlines()
    if ast.get_docstring(module) is not None:
        lines = lines[module.body[0].end_lineno :]
    while lines and not lines[0].strip():
        lines = lines[1:]
    scheduler = fields.get("SCHEDULER")
    if not isinstance(scheduler, ast.Name) or not isinstance(fields.get("ARGUMENTS"), ast.Dict):
        raise SystemExit(f"{spec}: SCHEDULER is not a name or ARGUMENTS not a dict; no plain example for it")
    functions = {node.name: node for node in module.body if isinstance(node, ast.FunctionDef)}
    factory = functions.get(scheduler.id)
    parameters = [argument.arg for argument in factory.args.args + factory.args.kwonlyargs] if factory else []
    if factory is not None and "optimizer" not in parameters:
        raise SystemExit(f"{spec}: the factory {scheduler.id} has no parameter named optimizer")
    groups = isinstance(fields.get("BASE_LR"), ast.List | ast.Tuple)
    losses = "VALIDATION_LOSSES" in fields
    steps_per_epoch = "STEPS_PER_EPOCH" in fields
    momentum = scheduler.id in PER_BATCH
    x_label = "Step" if momentum or factory or steps_per_epoch else "Epoch"
    arguments = fields["ARGUMENTS"]
    lists_of_pairs, pairs = [], []
    for key, value in zip(arguments.keys, arguments.values, strict=True):
        if isinstance(key, ast.Constant) and isinstance(value, ast.List) and value.elts:
            if all(map(sub_scheduler, value.elts)):
                lists_of_pairs.append(key.value)
        elif isinstance(key, ast.Constant) and sub_scheduler(value):
            pairs.append(key.value)

    code = ["import matplotlib.pyplot as plt", "import torch", "", *lines, ""]
    if groups:
        code += [
            "optimizer = torch.optim.SGD(",
            '    [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in BASE_LR],',
            "    lr=BASE_LR[0],",
            ")",
        ]
    else:
        code.append("optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE_LR)")
    if lists_of_pairs or pairs:
        code.append("arguments = dict(ARGUMENTS)  # its sub-schedulers built on the same optimizer")
        for key in lists_of_pairs:
            name = json.dumps(key)
            code += [
                f"arguments[{name}] = [",
                f"    kind(optimizer=optimizer, **settings) for kind, settings in ARGUMENTS[{name}]",
                "]",
            ]
        for key in pairs:
            name = json.dumps(key)
            code.append(
                f"arguments[{name}] = ARGUMENTS[{name}][0](optimizer=optimizer, **ARGUMENTS[{name}][1])"
            )
        code.append("scheduler = SCHEDULER(optimizer=optimizer, **arguments)")
    else:
        code.append("scheduler = SCHEDULER(optimizer=optimizer, **ARGUMENTS)")
    step = "scheduler.step(VALIDATION_LOSSES[step - 1])" if losses else "scheduler.step()"
    if groups:
        code += [
            'lrs = [[group["lr"]] for group in optimizer.param_groups]',
            "for step in range(1, STEPS):",
            "    optimizer.step()",
            f"    {step}",
            "    for values, group in zip(lrs, optimizer.param_groups):",
            '        values.append(group["lr"])',
        ]
    else:
        code += ['lrs = [optimizer.param_groups[0]["lr"]]']
        if momentum:
            code += ['momenta = [optimizer.param_groups[0]["momentum"]]']
        code += [
            "for step in range(1, STEPS):",
            "    optimizer.step()",
            f"    {step}",
            '    lrs.append(optimizer.param_groups[0]["lr"])',
        ]
        if momentum:
            code += ['    momenta.append(optimizer.param_groups[0]["momentum"])']
    code += ["", "figure, axes = plt.subplots()"]
    if groups:
        code += [
            "for group, values in enumerate(lrs):",
            '    axes.plot(range(STEPS), values, label=f"group {group} (base LR {BASE_LR[group]:g})")',
        ]
    else:
        code.append('axes.plot(range(STEPS), lrs, label="learning rate")')
    code += [
        f'axes.set_title("{spec.stem}")',
        f'axes.set_xlabel("{x_label}")',
        'axes.set_ylabel("Learning Rate")',
        "axes.set_xlim(0, STEPS)",
        'axes.grid(color="k", alpha=0.2, linestyle="--")',
    ]
    second = [("momenta", "Momentum", "C1")] if momentum and not groups else []
    second += [("VALIDATION_LOSSES", "Validation loss", "C2")] if losses else []
    for values, label, colour in second:
        code += [
            "second = axes.twinx()",
            f'second.plot(range(STEPS), {values}, color="{colour}", linestyle="--", label="{label.lower()}")',
            f'second.set_ylabel("{label}")',
        ]
    if steps_per_epoch:
        code += [
            "epochs = axes.secondary_xaxis(",
            '    "top",',
            "    functions=(lambda step: step / STEPS_PER_EPOCH, lambda epoch: epoch * STEPS_PER_EPOCH),",
            ")",
            'epochs.set_xlabel(f"Epoch ({STEPS_PER_EPOCH} steps each)")',
        ]
    if groups or second:
        code.append('figure.legend(loc="upper right", fontsize="small")')
    return "\n".join(code) + "\n"


def summary(spec: Path) -> str:
    docstring = ast.get_docstring(ast.parse(spec.read_bytes())) or spec.stem
    return docstring.splitlines()[0]


# The projects.


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def page(title: str, blocks: list[str]) -> str:
    return f"{title}\n{'=' * len(title)}\n\n" + "\n\n".join(blocks) + "\n"


def make_templates(folder: Path, specs: list[Path], processes: int | None) -> dict[str, Path]:
    """The four projects' sources, to be copied afresh for each repetition."""
    names = [spec.stem for spec in specs]
    templates = {project: folder / FOLDERS[project] for project in PROJECTS}

    gallery = templates[GALLERY]
    write(gallery / "conf.py", GALLERY_CONF)
    write(gallery / "index.rst", page("Schedules", [".. toctree::\n\n   gallery/index"]))
    write(gallery / "examples/GALLERY_HEADER.rst", page("Learning-rate schedules", []))
    for spec in specs:
        docstring = f'"""\n{spec.stem}\n{"=" * len(spec.stem)}\n\n{summary(spec)}\n"""\n\n'
        write(gallery / f"examples/plot_{spec.stem}.py", docstring + plain_code(spec))

    plot = templates[PLOT]
    write(plot / "conf.py", PLOT_CONF + CONF_COMMON)
    blocks = [
        f".. plot::\n   :caption: {spec.stem}\n\n" + textwrap.indent(plain_code(spec), "   ")
        for spec in specs
    ]
    write(plot / "index.rst", page("Schedules", blocks))

    plain = templates[PLAIN]
    write(plain / "conf.py", CONF_COMMON)
    write(
        plain / "index.rst",
        page("Schedules", [f".. figure:: pictures/{name}.png\n\n   {name}" for name in names]),
    )
    (plain / "pictures").mkdir()
    for name in names:
        existing_picture(plain / f"pictures/{name}.png")

    lr_plots = templates[LR_PLOTS]
    setting = f"lr_plots_processes = {processes}\n" if processes else ""
    write(lr_plots / "conf.py", LR_PLOTS_CONF + setting + CONF_COMMON)
    write(lr_plots / "index.rst", page("Schedules", [f".. lr-schedule:: {name}" for name in names]))
    (lr_plots / "schedules").mkdir()
    for spec in specs:
        shutil.copy2(spec, lr_plots / "schedules")
    shutil.copytree(lr_plots, templates[WARM])
    write(
        templates[WARM] / "conf.py", LR_PLOTS_CONF + setting + f"lr_plots_daemon = {DAEMON}\n" + CONF_COMMON
    )
    return templates


DAEMON = 600  # lr_plots_daemon of the warm project: seconds the warm torch process waits


def copy_package(workspace: Path) -> dict[str, str]:
    """A copy of lr_plots, byte-compiled as an installed package is, and the environment that
    imports it; every build runs in that environment (the peers do not import lr_plots), as in a
    CI job (CI=true: no torch process outlives a build) but for the warm project's (`warm_env`)."""
    package = workspace / "package"
    shutil.copytree(ROOT / "lr_plots", package / "lr_plots", ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(package / "lr_plots", quiet=1)
    (workspace / "tmp").mkdir()  # a temporary folder of its own: its warm processes are the only ones it sees
    return {**os.environ, "PYTHONPATH": str(package), "CI": "true", "TMPDIR": str(workspace / "tmp")}


def warm_env(env: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in env.items() if name != "CI"}


def warm_processes(env: dict[str, str], action: str = "status") -> str:
    command = [sys.executable, "-m", "lr_plots.command", "daemon", action]
    return subprocess.run(command, env=warm_env(env), capture_output=True, text=True, check=True).stdout


def keep_warm(workspace: Path, template: Path, env: dict[str, str]) -> None:
    """Make sure the warm torch process the warm project's builds use is running (it is the same
    for every copy of that project: one Python, sys.path and lr_plots), started if need be by an
    untimed build of a copy of it; its outputs are then removed."""
    if "[daemon] pid" in warm_processes(env):
        return
    folder = workspace / "warming"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(template, folder)
    subprocess.run(SPHINX, cwd=folder, env=warm_env(env), capture_output=True, check=True)
    shutil.rmtree(folder)


def warm_package(workspace: Path, specs: list[Path], env: dict[str, str]) -> None:
    """Fill the copied package's cache of its code dependencies (beside its bytecode), as any use of
    an installed lr_plots has, so that every cold build finds it alike: `lr-plots list`, not timed."""
    folder = workspace / "warm"
    (folder / "schedules").mkdir(parents=True)
    for spec in specs:
        shutil.copy2(spec, folder / "schedules")
    command = [sys.executable, "-m", "lr_plots.command", "list", "specs=schedules", "out=pictures"]
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"lr-plots list failed in {folder}:\n{done.stdout}{done.stderr}")


def existing_picture(path: Path) -> None:
    """A picture the plain project shows: a 640x480 PNG at 100 dpi, the size of the others' pictures
    (its content is nothing to Sphinx, and drawing real ones would cost a torch import per run)."""
    Image.new("RGB", (640, 480), "white").save(path, format="png", dpi=(100, 100))


# The checks.


def expected_pictures(project: str, names: list[str]) -> list[str]:
    """The PNG files each project's HTML output must hold, one per schedule, sorted."""
    if project == GALLERY:
        return sorted(f"sphx_glr_plot_{name}_001.png" for name in names)
    if project == PLOT:  # numbered in the order of the page
        return sorted(f"index-{number}.png" for number in range(1, len(names) + 1))
    return sorted(f"{name}.png" for name in names)


def found_pictures(project: str, folder: Path) -> list[str]:
    """The PNG files of the HTML output that are pictures of schedules (not sphinx-gallery's thumbnails)."""
    pattern = {GALLERY: "sphx_glr_plot_*_0*.png", PLOT: "index-*.png"}.get(project, "*.png")
    return sorted(path.name for path in (folder / IMAGES).glob(pattern))


def edited_picture(project: str, names: list[str]) -> Path:
    if project == GALLERY:
        return IMAGES / f"sphx_glr_plot_{EDITED}_001.png"
    if project == PLOT:
        return IMAGES / f"index-{names.index(EDITED) + 1}.png"
    return IMAGES / f"{EDITED}.png"


def digest(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def curve_files(folder: Path) -> dict[str, int]:
    """The modification time of each of lr_plots' curve files (CSV and JSON): a curve task that
    runs writes both, anew."""
    pictures = folder / "pictures"
    return {
        path.name: path.stat().st_mtime_ns
        for path in sorted(pictures.glob("*.csv")) + sorted(pictures.glob("*.json"))
    }


def edit_arguments(folder: Path, project: str) -> None:
    """Change StepLR's gamma where each project has it: its script, its inline block, its spec."""
    path = {
        GALLERY: folder / f"examples/plot_{EDITED}.py",
        PLOT: folder / "index.rst",
        LR_PLOTS: folder / f"schedules/{EDITED}.py",
        WARM: folder / f"schedules/{EDITED}.py",
    }[project]
    text = path.read_text()
    old, new = ARGUMENTS_EDIT
    if text.count(old) != 1:
        sys.exit(f"{path}: {old!r} is not there once, so the benchmark cannot edit {EDITED}'s arguments")
    path.write_text(text.replace(old, new))


@dataclass
class Build:
    """One measured build: times, and what the checks found."""

    seconds: float
    cpu_seconds: float
    recomputed: list[str] = field(default_factory=list)  # the specs whose curve files lr_plots wrote anew
    summary: str = ""  # lr_plots' own line, "lr_plots: N of M pictures rebuilt"


def measure(folder: Path, env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *SPHINX],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def build(scenario: str, project: str, folder: Path, names: list[str], env: dict[str, str]) -> Build:
    """Make the scenario's edit, run sphinx-build in `folder`, measured, and check what it built."""
    before_picture = before_curves = None
    if scenario == ARGUMENTS:
        before_picture = digest(folder / edited_picture(project, names))
        edit_arguments(folder, project)
    elif scenario == COMMENT:
        before_curves = curve_files(folder)
        with open(folder / f"schedules/{EDITED}.py", "a") as spec:
            spec.write(COMMENT_EDIT)
    result = measure(folder, env)
    where = f"{SCENARIOS[scenario]}, {project} ({folder})"
    if result["code"] != 0:
        sys.exit(f"sphinx-build failed with exit code {result['code']}: {where}:\n{result['output']}")
    found, expected = found_pictures(project, folder), expected_pictures(project, names)
    if found != expected:
        missing = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected))
        sys.exit(
            f"{where}: the HTML output has {len(found)} pictures, not {len(expected)} "
            f"(missing {missing}, unexpected {extra}):\n{result['output']}"
        )
    if before_picture is not None and digest(folder / edited_picture(project, names)) == before_picture:
        sys.exit(f"{where}: the picture of {EDITED} did not change after its arguments were edited")
    measured = Build(result["seconds"], result["cpu_seconds"])
    if before_curves is not None:
        after = curve_files(folder)
        changed = [name for name, mtime in after.items() if before_curves.get(name) != mtime]
        measured.recomputed = sorted({Path(name).stem for name in changed})
    rebuilt = re.search(r"^lr_plots: \d+ of \d+ pictures rebuilt$", result["output"], re.MULTILINE)
    measured.summary = rebuilt.group(0) if rebuilt else ""
    return measured


# The run and the report.


def run(
    repeat: int, specs: list[Path], processes: int | None, only: str | None
) -> dict[tuple[str, str], list[Build]]:
    """Every repetition from fresh copies; in each, each scenario of the chain for every project it
    applies to, in turn, the projects' order rotated by one each repetition."""
    chain = CHAINS[only] if only else ALL_SCENARIOS
    projects = APPLIES[only] if only else PROJECTS
    names = [spec.stem for spec in specs]
    workspace = Path(tempfile.mkdtemp(prefix="lr_plots_docs_bench_"))
    env = copy_package(workspace)
    try:
        warm_package(workspace, specs, env)
        templates = make_templates(workspace / "templates", specs, processes)
        results: dict[tuple[str, str], list[Build]] = {}
        for repetition in range(repeat):
            shift = repetition % len(projects)
            order = projects[shift:] + projects[:shift]
            folders = {}
            for project in order:
                folders[project] = workspace / "run" / FOLDERS[project]
                shutil.rmtree(folders[project], ignore_errors=True)
                shutil.copytree(templates[project], folders[project])
            for scenario in chain:
                for project in order:
                    if project in APPLIES[scenario]:
                        if project == WARM:
                            keep_warm(workspace, templates[WARM], env)
                        project_env = warm_env(env) if project == WARM else env
                        measured = build(scenario, project, folders[project], names, project_env)
                        results.setdefault((scenario, project), []).append(measured)
    except BaseException:
        print(f"The benchmark stopped; its projects are kept in {workspace}", file=sys.stderr)
        raise
    finally:
        warm_processes(env, "stop")
    shutil.rmtree(workspace, ignore_errors=True)
    return results


def installed(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def report(
    results: dict[tuple[str, str], list[Build]],
    repeat: int,
    count: int,
    processes: int | None,
    only: str | None,
) -> str:
    wall = {key: statistics.median(build.seconds for build in builds) for key, builds in results.items()}
    cpu = {key: statistics.median(build.cpu_seconds for build in builds) for key, builds in results.items()}

    def cell(values: dict[tuple[str, str], float], scenario: str, project: str) -> str:
        return f"{values[scenario, project]:.2f}" if (scenario, project) in values else "—"

    def faster_peer(scenario: str) -> float | None:
        times = [wall[scenario, peer] for peer in PEERS if (scenario, peer) in wall]
        return min(times) if times else None

    def target(scenario: str, ours: str) -> tuple[str, bool | None]:
        lr_plots = wall.get((scenario, ours))
        peer = faster_peer(scenario)
        if lr_plots is None:
            return "", None
        if scenario in (COLD, ARGUMENTS) and peer is not None:
            share = 0.6 if scenario == COLD else 0.4
            return f"<= {share} x faster peer ({share * peer:.2f} s)", lr_plots <= share * peer
        if scenario == NO_OP and (NO_OP, PLAIN) in wall:
            extra = lr_plots - wall[NO_OP, PLAIN]
            return f"<= plain figure:: no-op + 0.2 s ({extra:+.3f} s)", extra <= 0.2
        if scenario == COMMENT and (NO_OP, ours) in wall:
            no_op = wall[NO_OP, ours]
            recomputed = max(len(build.recomputed) for build in results[COMMENT, ours])
            said = {build.summary for build in results[COMMENT, ours]} - {""}
            return (
                f"no curve recomputed ({recomputed} recomputed{'; ' if said else ''}"
                f"{', '.join(sorted(said))}) and <= its no-op + 0.3 s "
                f"(no-op {no_op:.2f} s, {lr_plots - no_op:+.3f} s)",
                recomputed == 0 and lr_plots <= no_op + 0.3,
            )
        return "", None

    shown = [only] if only else ALL_SCENARIOS
    columns = " | ".join(PROJECTS)
    lines = [
        f"cores: {os.cpu_count()}; python {platform.python_version()}; torch {installed('torch')}; "
        f"sphinx {installed('sphinx')}; sphinx-gallery {installed('sphinx-gallery')}; "
        f"matplotlib {installed('matplotlib')}; doit {installed('doit')}; "
        f"{count} schedule{'' if count == 1 else 's'}; "
        f"lr_plots_processes: {processes if processes else 'the default'}; "
        f"{repeat} repetitions interleaved, medians",
        "",
        "Wall seconds of `sphinx-build -b html`:",
        "",
        f"| scenario | {columns} | lr_plots / faster peer (warm) | target (lr_plots; warm) | met (warm) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for scenario in shown:
        cells = " | ".join(cell(wall, scenario, project) for project in PROJECTS)
        peer = faster_peer(scenario)
        ratios, goals, verdicts = [], [], []
        for ours in OURS:
            lr_plots = wall.get((scenario, ours))
            ratios.append(f"{lr_plots / peer:.2f}" if peer and lr_plots is not None else "—")
            goal, met = target(scenario, ours)
            goals.append(goal)
            verdicts.append("" if met is None else "met" if met else "**not met**")
        goal_text = goals[0] if goals[0] == goals[1] or not goals[1] else "; ".join(goals)
        lines.append(
            f"| {SCENARIOS[scenario]} | {cells} | {ratios[0]} ({ratios[1]}) | {goal_text} | "
            f"{verdicts[0]} ({verdicts[1]}) |"
        )
    lines += [
        "",
        "CPU seconds (user + system) of all the processes of the build:",
        "",
        f"| scenario | {columns} |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scenario in shown:
        lines.append(f"| {SCENARIOS[scenario]} | {' | '.join(cell(cpu, scenario, p) for p in PROJECTS)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of every scenario [default: 3]")
    parser.add_argument(
        "--processes",
        type=int,
        help="lr_plots_processes of the lr_plots.sphinx project [default: the extension's default]",
    )
    parser.add_argument("--only", choices=ALL_SCENARIOS, help="measure this scenario alone")
    parser.add_argument(
        "--schedules",
        type=int,
        help=f"draw this many schedules, {EDITED} and the first others by name [default: all]",
    )
    arguments = parser.parse_args()
    if arguments.repeat < 1 or (arguments.processes is not None and arguments.processes < 1):
        parser.error("--repeat and --processes must be at least 1")
    if arguments.schedules is not None and arguments.schedules < 1:
        parser.error("--schedules must be at least 1")
    specs = chosen_specs(arguments.schedules)
    if EDITED not in [spec.stem for spec in specs]:
        sys.exit(f"there is no reference spec {EDITED}.py to edit")
    results = run(arguments.repeat, specs, arguments.processes, arguments.only)
    print(report(results, arguments.repeat, len(specs), arguments.processes, arguments.only))


if __name__ == "__main__":
    main()
