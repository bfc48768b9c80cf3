"""`doit review` and `lr-plots review`: every picture a change moves, against a folder built before or
a git revision built now, as review.html (checked in headless Chromium), review.md and review.json."""

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FEW_SPECS, OUTPUT, ROOT, build_once, copy_project, edit_step_lr, keep_only, run_doit
from test_explorer import chromium  # noqa: F401  (the fixture: headless Chromium, network off)
from test_gallery import png_size

LR_PLOTS = [sys.executable, "-m", "lr_plots.command"]
REVIEW_FILES = {"review.html", "review.md", "review.json"}
# What a page test reads: each section's picture and status, its images, the LR lines of its overlay.
SECTIONS = """
return [...document.querySelectorAll("section")].map((section) => ({
  name: section.dataset.name,
  status: section.dataset.status,
  images: [...section.querySelectorAll("img")].map((image) => ({
    src: image.src.slice(0, 22), width: image.naturalWidth, complete: image.complete})),
  overlays: [...section.querySelectorAll(".overlay svg")].map((svg) =>
    [...svg.querySelectorAll('g[id^="axes"] > g[id^="line2d"] > path')].map((line) => line.getAttribute("d"))
  ),
}));
"""


def environment(**extra: str) -> dict[str, str]:
    """This environment without CI's GITHUB_STEP_SUMMARY (a test run must not write to the job's
    summary), with `extra`."""
    return {**{key: value for key, value in os.environ.items() if key != "GITHUB_STEP_SUMMARY"}, **extra}


def review(project: Path, *args: str, python: list[str] | None = None, **extra: str):
    """`doit review ARGS` (or `lr-plots review` with python=LR_PLOTS) in `project`, not checked."""
    return run_doit(project, "review", *args, check=False, python=python, env=environment(**extra))


def lr_column(folder: Path, name: str) -> list[float]:
    with open(folder / f"{name}.csv", newline="") as file:
        return [float(row["lr"]) for row in csv.DictReader(file)]


def review_lines(result: subprocess.CompletedProcess) -> list[str]:
    """The lines review prints after its build lines."""
    lines = [line for line in result.stdout.splitlines() if line.startswith("[review] ")]
    return [line[len("[review] ") :] for line in lines if not line.startswith("[review] the build")]


def pictures_by_name(folder: Path) -> dict[str, dict]:
    return {
        picture["name"]: picture for picture in json.loads((folder / "review.json").read_text())["pictures"]
    }


@pytest.fixture(scope="session")
def reviewed(built_few_template: Path, tmp_path_factory, worker_id) -> Path:
    """The built FEW_SPECS project with StepLR's gamma edited, WarmupInverseSqrtLR deleted and
    ExponentialLR added, after `doit review BASE` and then `doit review BASE --fail-on-change`, BASE
    being the template's output folder; made once. results.json holds both runs, summary.md the
    GITHUB_STEP_SUMMARY of the first (which held a line before)."""

    def build(project: Path) -> None:
        shutil.copytree(built_few_template, project)
        edit_step_lr(project)
        (project / "lr_plots/specs/WarmupInverseSqrtLR.py").unlink()
        shutil.copy(ROOT / "lr_plots/specs/ExponentialLR.py", project / "lr_plots/specs")
        (project / "summary.md").write_text("earlier step\n")
        base = os.path.relpath(built_few_template / OUTPUT, project)
        first = review(project, base, GITHUB_STEP_SUMMARY=str(project / "summary.md"))
        page = (project / OUTPUT / "review.html").read_bytes()
        second = review(project, base, "--fail-on-change")
        runs = {
            name: {"code": run.returncode, "stdout": run.stdout, "stderr": run.stderr}
            for name, run in (("first", first), ("second", second))
        }
        same = page == (project / OUTPUT / "review.html").read_bytes()
        (project / "results.json").write_text(json.dumps({**runs, "same_page": same}))

    return build_once(tmp_path_factory, worker_id, "reviewed", build)


@pytest.mark.early  # a build with torch
def test_review_names_each_moved_picture_and_what_moved(reviewed, built_few_template):
    results = json.loads((reviewed / "results.json").read_text())
    assert results["first"]["code"] == 0, results["first"]
    folder = reviewed / OUTPUT
    facts = json.loads((folder / "review.json").read_text())
    unchanged = sorted(set(FEW_SPECS) - {"StepLR", "WarmupInverseSqrtLR"})
    assert facts["summary"] == {"changed": 1, "added": 1, "removed": 1, "redrawn": 0, "unchanged": 4}
    statuses = {name: picture["status"] for name, picture in pictures_by_name(folder).items()}
    assert statuses == {
        "StepLR": "changed",
        "ExponentialLR": "added",
        "WarmupInverseSqrtLR": "removed",  # its files are still there until `doit clean`
        **dict.fromkeys(unchanged, "unchanged"),
    }

    # StepLR's changes, worked out here from the two CSVs: gamma 0.1 -> 0.5 every 30 steps.
    step_lr = pictures_by_name(folder)["StepLR"]
    before, after = lr_column(built_few_template / OUTPUT, "StepLR"), lr_column(folder, "StepLR")
    absolute = [abs(new - old) for old, new in zip(before, after, strict=True)]
    relative = [change / old for change, old in zip(absolute, before, strict=True)]
    assert step_lr["first_difference"] == 30 == next(step for step, change in enumerate(absolute) if change)
    largest = step_lr["largest_absolute_change"]
    assert largest == {
        "change": max(absolute),
        "step": absolute.index(max(absolute)),
        "column": "lr",
        "before": before[largest["step"]],
        "after": after[largest["step"]],
    }
    assert (largest["step"], largest["change"]) == (30, pytest.approx(0.025 - 0.005))
    largest = step_lr["largest_relative_change"]
    assert (largest["step"], largest["change"]) == (90, max(relative))
    assert largest["change"] == pytest.approx(0.05 * 0.5**3 / (0.05 * 0.1**3) - 1)  # 124 times more
    assert step_lr["arguments"] == [{"name": "gamma", "before": "0.1", "after": "0.5"}]
    assert step_lr["settings"] == []
    assert (step_lr["title_before"], step_lr["title_after"]) == (
        "StepLR(step_size=30, gamma=0.1)",
        "StepLR(step_size=30, gamma=0.5)",
    )

    # One line per picture that moved, and the total.
    assert review_lines(subprocess.CompletedProcess([], 0, results["first"]["stdout"])) == [
        "changed: StepLR: gamma: 0.1 -> 0.5; differs from step 30, by up to 0.02 (step 30) "
        "or 12,400 % (step 90)",
        "added: ExponentialLR",
        "removed: WarmupInverseSqrtLR",
        "1 picture changed, 1 added, 1 removed, 0 drawn differently with the same values, 4 unchanged; "
        f"see {OUTPUT}/review.html",
    ]

    # The Markdown summary, also appended to $GITHUB_STEP_SUMMARY.
    markdown = (folder / "review.md").read_text()
    assert markdown.startswith("### LR pictures: 1 picture changed, 1 added, 1 removed,")
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[:2] for row in rows] == [
        ["| StepLR", "changed"],
        ["| ExponentialLR", "added"],
        ["| WarmupInverseSqrtLR", "removed"],
    ]
    assert rows[0].endswith("| 30 | gamma: 0.1 → 0.5 |") and "12,400 % at step 90" in rows[0]
    assert (reviewed / "summary.md").read_text() == "earlier step\n" + markdown


def test_review_fails_on_change_when_asked_and_writes_the_same_page(reviewed):
    results = json.loads((reviewed / "results.json").read_text())
    assert results["second"]["code"] == 1, results["second"]
    assert "[review] the build: up to date" in results["second"]["stdout"]
    assert results["same_page"]  # byte for byte, for the same inputs
    assert results["second"]["stderr"] == ""


def test_review_page_in_headless_chromium(reviewed, chromium, tmp_path):  # noqa: F811
    folder = reviewed / OUTPUT
    page = (folder / "review.html").read_text()
    assert "http" not in page.replace("http://www.w3.org/", "")  # offline: nothing to fetch, no links out
    chromium.get((folder / "review.html").as_uri())
    sections = {section["name"]: section for section in chromium.execute_script(SECTIONS)}
    assert {name: section["status"] for name, section in sections.items()} == {
        "StepLR": "changed",
        "ExponentialLR": "added",
        "WarmupInverseSqrtLR": "removed",
    }
    # The pictures, embedded (the base may be a temporary folder, gone by now), loaded and drawn.
    counts = {name: len(section["images"]) for name, section in sections.items()}
    assert counts == {"StepLR": 2, "ExponentialLR": 1, "WarmupInverseSqrtLR": 1}
    for section in sections.values():
        for image in section["images"]:
            assert image["complete"] and image["width"] > 0, section["name"]
            assert image["src"] == "data:image/png;base64,", section["name"]
    # StepLR's overlay: two LR lines, before and after, which are not the same line.
    (overlay,) = sections["StepLR"]["overlays"]
    assert len(overlay) == 2 and overlay[0] != overlay[1], overlay
    assert all(section["overlays"] == [] for name, section in sections.items() if name != "StepLR")
    assert [entry for entry in chromium.get_log("browser") if entry["level"] == "SEVERE"] == []

    # A screenshot for the README: the summary and the changed picture, 1200x900.
    frame = chromium.execute_script("return [outerWidth - innerWidth, outerHeight - innerHeight]")
    chromium.set_window_size(1200 + frame[0], 900 + frame[1])
    screenshot = tmp_path / "review.png"
    assert chromium.save_screenshot(str(screenshot))
    assert png_size(screenshot) == (1200, 900)
    if os.environ.get("LR_PLOTS_UPDATE_DOCS"):  # a test run does not change the checkout unless asked
        shutil.copy(screenshot, ROOT / "docs/review.png")


def test_a_restyle_is_drawn_differently_with_the_same_values(built_few_template, tmp_path):
    project = Path(shutil.copytree(built_few_template, tmp_path / "restyled"))
    drawing = project / "lr_plots/drawing.py"
    text = drawing.read_text()
    assert 'axes.grid(color="k", alpha=0.2,' in text
    drawing.write_text(text.replace('axes.grid(color="k", alpha=0.2,', 'axes.grid(color="k", alpha=0.3,'))
    result = review(project, str(built_few_template / OUTPUT), "--fail-on-change")
    assert result.returncode == 1, result.stderr
    for name in FEW_SPECS:  # the same values, other pictures
        assert (project / OUTPUT / f"{name}.csv").read_bytes() == (
            built_few_template / OUTPUT / f"{name}.csv"
        ).read_bytes()
    assert review_lines(result) == [f"drawn differently, same values: {name}" for name in FEW_SPECS] + [
        f"0 pictures changed, 0 added, 0 removed, {len(FEW_SPECS)} drawn differently with the same values, "
        f"0 unchanged; see {OUTPUT}/review.html"
    ]
    assert {picture["status"] for picture in pictures_by_name(project / OUTPUT).values()} == {"redrawn"}
    page = (project / OUTPUT / "review.html").read_text()
    assert page.count('data-status="redrawn"') == len(FEW_SPECS) and "<svg" not in page


def test_nothing_changed_with_lr_plots_and_clean_removes_the_review(built_few_project, built_few_template):
    base = str(built_few_template / OUTPUT)
    result = review(built_few_project, base, "--fail-on-change", python=LR_PLOTS)
    assert result.returncode == 0, result.stderr
    assert review_lines(result) == [
        f"no picture changed ({len(FEW_SPECS)} unchanged); see {OUTPUT}/review.html"
    ]
    folder = built_few_project / OUTPUT
    assert json.loads((folder / "review.json").read_text())["anything_changed"] is False
    assert "no picture changed" in (folder / "review.md").read_text()
    assert 'id="nothing"' in (folder / "review.html").read_text()

    run_doit(built_few_project, "clean", python=LR_PLOTS)
    assert not {path.name for path in folder.iterdir()} & REVIEW_FILES
    assert (folder / "README.md").exists()


def git(project: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    return subprocess.run(command, cwd=project, check=True, capture_output=True, text=True).stdout


@pytest.mark.early  # a build with torch
def test_review_against_a_git_revision(built_few_template, tmp_path):
    # The revision before has StepLR with gamma 0.5; the checkout is back at 0.1, as built.
    project = keep_only(Path(shutil.copytree(built_few_template, tmp_path / "repo")), ["StepLR", "CyclicLR"])
    git(project, "init", "-q")
    spec = project / "lr_plots/specs/StepLR.py"
    original = spec.read_text()
    edit_step_lr(project)
    git(project, "add", "lr_plots/specs")
    git(project, "commit", "-q", "-m", "gamma 0.5")
    spec.write_text(original)
    git(project, "commit", "-q", "-a", "-m", "gamma 0.1")
    (tmp_path / "tmp").mkdir()
    result = review(project, "--rev", "HEAD~1", TMPDIR=str(tmp_path / "tmp"))
    assert result.returncode == 0, result.stdout + result.stderr
    sha = git(project, "rev-parse", "HEAD~1").strip()
    assert "[review] the build of revision HEAD~1: rebuilt curve:CyclicLR" in result.stdout
    assert review_lines(result) == [
        "changed: StepLR: gamma: 0.5 -> 0.1; differs from step 30, by up to 0.02 (step 30) "
        "or 99.2 % (step 90)",
        f"1 picture changed, 0 added, 0 removed, 0 drawn differently with the same values, 1 unchanged; "
        f"see {OUTPUT}/review.html",
    ]
    facts = json.loads((project / OUTPUT / "review.json").read_text())
    assert facts["base"] == f"revision HEAD~1 ({sha[:12]})"
    assert facts["summary"] == {"changed": 1, "added": 0, "removed": 0, "redrawn": 0, "unchanged": 1}
    assert list((tmp_path / "tmp").glob("lr-plots-review-*")) == []  # the revision's specs and build: gone
    assert git(project, "status", "--porcelain", "lr_plots/specs") == ""


@pytest.fixture(scope="module")
def unbuilt_projects(tmp_path_factory) -> tuple[Path, Path]:
    """Two projects with one spec and nothing built: one a git checkout with one commit, one not."""
    folder = tmp_path_factory.mktemp("unbuilt")
    checkout = keep_only(copy_project(folder / "checkout"), ["StepLR"])
    git(checkout, "init", "-q")
    git(checkout, "add", "lr_plots/specs")
    git(checkout, "commit", "-q", "-m", "one spec")
    return checkout, keep_only(copy_project(folder / "plain"), ["StepLR"])


@pytest.mark.parametrize(
    ("project", "args", "message"),
    [
        ("plain", ["no-such-folder"], "ERROR: no-such-folder: there is no such folder to compare with."),
        ("plain", ["lr_plots/specs"], "ERROR: lr_plots/specs: not an lr_plots output folder"),
        (
            "checkout",
            ["--rev", "no-such-branch"],
            "ERROR: --rev no-such-branch: git does not know this revision.",
        ),
        ("plain", ["--rev", "HEAD"], "ERROR: --rev HEAD: lr_plots/specs is not in a git checkout."),
        ("checkout", ["--rev", "HEAD", "other"], "ERROR: give one BASE_FOLDER or --rev REV"),
        ("plain", [], "ERROR: give one BASE_FOLDER or --rev REV"),
    ],
)
def test_bad_input_is_one_line_and_exit_3(unbuilt_projects, project, args, message):
    folder = unbuilt_projects[0] if project == "checkout" else unbuilt_projects[1]
    start = time.perf_counter()
    result = review(folder, *args, GIT_CEILING_DIRECTORIES=str(folder.parent))
    assert result.returncode == 3
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""  # found before any build
    assert time.perf_counter() - start < 10
    assert not (folder / OUTPUT / "review.html").exists()


def write_folder(folder: Path, title: str, arguments: str, lrs: list[float]) -> None:
    """An output folder with one picture, Hostile: its CSV, its JSON and a small PNG."""
    from PIL import Image

    folder.mkdir()
    rows = "".join(f"{step},{lr!r}\n" for step, lr in enumerate(lrs))
    (folder / "Hostile.csv").write_text(f"step,lr\n{rows}")
    metadata = {"title": title, "arguments": arguments, "base_lr": 0.1, "groups": 1, "steps": len(lrs)}
    metadata |= {"scheduler": "Hostile", "steps_per_epoch": None, "x_label": "Step"}
    (folder / "Hostile.json").write_text(json.dumps(metadata))
    Image.new("RGB", (8, 6), "white" if lrs[1] else "black").save(folder / "Hostile.png")


def test_what_comes_from_specs_is_escaped_and_an_lr_leaving_0_is_an_infinite_change(tmp_path):
    from lr_plots.review import compare_folders, review_html, review_json, review_markdown

    title = "Hostile(text='</svg><script>alert(1)</script> | *x* -->')"
    write_folder(tmp_path / "before", title, "text='a, b', milestones=[1, 2]", [0.5, 0.0, 0.25])
    after = "text='a, b', milestones=[1, 3], extra='</b>|*x*'"
    write_folder(tmp_path / "after", title + "!", after, [0.5, 0.125, 1.0])
    review = compare_folders(tmp_path / "before", tmp_path / "after")
    (picture,) = review.pictures
    assert (picture.status, picture.first_difference) == ("changed", 1)
    assert [(change.name, change.before, change.after) for change in picture.arguments] == [
        ("extra", None, "'</b>|*x*'"),
        ("milestones", "[1, 2]", "[1, 3]"),
    ]
    facts = json.loads(review_json(review))["pictures"][0]
    assert facts["largest_absolute_change"] == {
        "change": 0.75,
        "step": 2,
        "column": "lr",
        "before": 0.25,
        "after": 1.0,
    }
    # Step 1 leaves 0: an infinite relative change, written as null.
    assert facts["largest_relative_change"] == {
        "change": None,
        "step": 1,
        "column": "lr",
        "before": 0.0,
        "after": 0.125,
    }

    page = review_html(review).decode()
    assert "<script" not in page and "</svg><" not in page.replace("</svg><figcaption>", "")
    assert "&lt;/svg&gt;&lt;script&gt;" in page
    (row,) = [line for line in review_markdown(review).splitlines() if line.startswith("| Hostile")]
    assert row.count("|") - row.count("\\|") == 6 and "<" not in row and "\\*x\\*" in row
