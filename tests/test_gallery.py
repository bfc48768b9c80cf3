"""The gallery page and contact sheet, output options, and drawing another folder's specs."""

import functools
import http.server
import json
import os
import re
import shutil
import struct
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import (
    CURVE_NAMES,
    OUTPUT,
    SPEC_NAMES,
    executed,
    few_tasks,
    output_files,
    picture_files,
    run_doit,
)

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Loads the gallery in a frame of the same origin, then writes what every image did into the page.
IMAGE_CHECK_PAGE = """<!DOCTYPE html>
<html><body><pre id="result">pending</pre>
<iframe id="gallery" src="{gallery}" width="1200" height="900"></iframe>
<script>
document.getElementById("gallery").addEventListener("load", () => {{
  const images = [...document.getElementById("gallery").contentDocument.images];
  document.getElementById("result").textContent = JSON.stringify(
    images.map(image => ({{src: image.getAttribute("src"), width: image.naturalWidth}})));
}});
</script></body></html>
"""


def png_size(path: Path) -> tuple[int, int]:
    return struct.unpack(">II", path.read_bytes()[16:24])


def test_gallery_lists_every_picture_with_links_and_arguments(built_template):
    html = (built_template / OUTPUT / "index.html").read_text()
    for name in SPEC_NAMES:
        assert f'<img src="{name}.png"' in html
        assert (f'<a href="{name}.csv">' in html) == (name in CURVE_NAMES), name
        title = json.loads((built_template / OUTPUT / f"{name}.json").read_text())["title"]
        assert title.replace("'", "&#39;").replace('"', "&#34;") in html, name
    width, height = png_size(built_template / OUTPUT / "overview.png")
    assert width == 4 * 320 and height == -(-len(SPEC_NAMES) // 4) * 240


def test_gallery_is_rebuilt_only_when_a_picture_changes(built_project):
    (built_project / OUTPUT / "StepLR.png").unlink()
    assert executed(run_doit(built_project)) == {"plot:StepLR"}  # the same bytes come back


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    if os.environ.get("LR_PLOTS_REQUIRE_CHROMIUM"):
        pytest.fail("Chromium is required here (LR_PLOTS_REQUIRE_CHROMIUM is set) but not installed")
    pytest.skip("Chromium is not installed (Debian package chromium); .ci/run installs it")


@pytest.fixture
def served(built_template, tmp_path):
    """The built output folder served on 127.0.0.1, with a page that checks the gallery's images."""
    root = tmp_path / "site"
    shutil.copytree(built_template / OUTPUT, root / OUTPUT)
    (root / "check.html").write_text(IMAGE_CHECK_PAGE.format(gallery=f"{OUTPUT}/index.html"))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.log_message = lambda *args: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [find_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_gallery_in_headless_chromium_loads_every_image(served, tmp_path):
    page = run_chromium(tmp_path, "--virtual-time-budget=10000", "--dump-dom", f"{served}/check.html")
    result = re.search(r'<pre id="result">(.*?)</pre>', page.stdout, re.S)
    assert result, page.stdout + page.stderr
    images = json.loads(result.group(1).replace("&quot;", '"'))
    assert sorted(image["src"] for image in images) == sorted(f"{name}.png" for name in SPEC_NAMES)
    assert all(image["width"] == 640 for image in images), images

    screenshot = tmp_path / "gallery.png"
    shot = run_chromium(
        tmp_path, f"--screenshot={screenshot}", "--window-size=1280,1600", f"{served}/{OUTPUT}/index.html"
    )
    assert screenshot.exists(), shot.stderr
    assert png_size(screenshot) == (1280, 1600)


@pytest.mark.early
def test_output_options_rebuild_the_pictures_they_change(built_few_template, built_few_project):
    # Six specs, one of each kind of output: every picture is drawn three times over.
    result = run_doit(built_few_project, "-n", "2", "format=svg")
    assert executed(result) == few_tasks("plot") | {"gallery"}
    svg = (built_few_project / OUTPUT / "StepLR.svg").read_text()
    assert svg.startswith("<?xml") and "Matplotlib v" not in svg and "<dc:date>" not in svg
    assert 'src="StepLR.svg"' in (built_few_project / OUTPUT / "index.html").read_text()
    assert executed(run_doit(built_few_project, "format=svg")) == set()

    assert executed(run_doit(built_few_project, "-n", "2", "dpi=200")) == few_tasks("plot") | {"gallery"}
    assert png_size(built_few_project / OUTPUT / "StepLR.png") == (1280, 960)

    assert executed(run_doit(built_few_project, "-n", "2")) == few_tasks("plot") | {"gallery"}
    reference = output_files(built_few_template)
    assert {
        name: data for name, data in output_files(built_few_project).items() if name in reference
    } == reference

    result = run_doit(built_few_project, "clean")  # the SVGs are now another format's: orphans
    assert f"removing orphaned file '{OUTPUT}/StepLR.svg'" in result.stdout
    assert output_files(built_few_project) == {}


def test_bad_option_is_refused_at_load(built_project):
    result = run_doit(built_project, "format=gif", check=False)
    assert result.returncode != 0
    assert "format=gif: the picture format must be one of png, svg." in result.stderr


CUSTOM_SPEC = '''"""Halves the LR every 5 epochs <script>alert("escape me")</script>."""

from torch.optim.lr_scheduler import LRScheduler


class HalvingLR(LRScheduler):
    def __init__(self, optimizer, every, label, last_epoch=-1):
        self.every = every
        self.label = label
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base_lr * 0.5 ** (self.last_epoch // self.every) for base_lr in self.base_lrs]


SCHEDULER = HalvingLR
ARGUMENTS = {"every": 5, "label": "<b>bold</b>"}
BASE_LR = 0.1
STEPS = 30
'''


def test_specs_and_out_draw_another_folder_incrementally(fresh_project, tmp_path):
    specs, out = tmp_path / "my_specs", tmp_path / "my_pictures"
    specs.mkdir()
    (specs / "HalvingLR.py").write_text(CUSTOM_SPEC)
    variables = [f"specs={specs}", f"out={out}"]
    rebuilt = {"curve:HalvingLR", "plot:HalvingLR", "gallery", "explore"}

    assert executed(run_doit(fresh_project, "-n", "2", *variables)) == rebuilt
    assert set(output_files(tmp_path, "my_pictures")) == picture_files(["HalvingLR"])
    rows = (out / "HalvingLR.csv").read_text().splitlines()
    assert [float(row.split(",")[1]) for row in rows[1:]] == [0.1 * 0.5 ** (n // 5) for n in range(30)]
    assert (out / ".doit.db").exists() and not (fresh_project / ".doit.db").exists()
    assert output_files(fresh_project) == {}  # the project's own pictures are untouched

    html = (out / "index.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold" not in html
    explorer = (out / "explore.html").read_text()
    assert "&lt;b&gt;bold&lt;/b&gt;" in explorer and "<b>bold" not in explorer

    assert executed(run_doit(fresh_project, "-n", "2", *variables)) == set()
    spec = specs / "HalvingLR.py"
    spec.write_text(spec.read_text().replace('"every": 5', '"every": 10'))
    assert executed(run_doit(fresh_project, "-n", "2", *variables)) == rebuilt
