"""The documentation site of docs/: built once, as `doit docs` builds it (warnings are errors, every
reference must resolve) but into a temporary folder, then every page opened from disk in one headless
Chromium (Selenium with Debian's chromedriver, the network off): no console error, every image
loaded, every link to a local file resolving, to an existing id for a #fragment."""

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT, SPEC_NAMES
from test_explorer import chromium  # noqa: F401  (the fixture: headless Chromium, network off)

# The example folders drawn: only ignite's, whose library imports quickest in each curve's child;
# the other example pages say they are left out.
EXAMPLES = "ignite"
# What each page reports once it has loaded: its images, the local links, its ids.
PAGE_STATE = """
return {
  images: [...document.images].map((image) => ({
    src: image.currentSrc || image.src, complete: image.complete, width: image.naturalWidth})),
  links: [...document.querySelectorAll("a[href]")].map((link) => link.href),
  h1: [...document.querySelectorAll("h1")].map((heading) => heading.textContent),
};
"""

# Scrolls to the image whose address is arguments[0] and waits until it is decoded (or fails to be).
WAIT_FOR_IMAGE = """
const image = [...document.images].find((each) => (each.currentSrc || each.src) === arguments[0]);
image.scrollIntoView();
return image.decode().catch(() => null);
"""


class Ids(HTMLParser):
    """Every id (and every <a name>) of an HTML file: what a #fragment may name."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


def source_files() -> dict[str, int]:
    """The files of docs/ and their sizes: what the build must leave alone."""
    return {str(path): path.stat().st_size for path in (ROOT / "docs").rglob("*") if path.is_file()}


def build_site(tmp_path: Path) -> tuple[Path, Path]:
    """The site built from docs/ into tmp_path/html, its pictures into tmp_path/pictures."""
    html, pictures = tmp_path / "html", tmp_path / "pictures"
    command = [
        *(sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n"),
        # -N: plain text even where Sphinx would colour it (it does when CI=true).
        *("-N", "-q", "-d", str(tmp_path / "doctrees")),
        *("-D", f"lr_plots_out={pictures / 'torch'}", "-D", f"lr_plots_docs_examples={EXAMPLES}"),
        *("docs", str(html)),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return html, pictures


def link_problem(url: str, html: Path, pictures: Path, ids: dict[Path, set[str]]) -> str | None:
    """What is wrong with a link to a local file, or None; links elsewhere are not checked."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    target = Path(unquote(parts.path))
    if not target.is_file():
        return f"{url}: no such file"
    if not parts.fragment:
        return None
    fragment = unquote(parts.fragment)
    if target == html / "_explorer" / "explore.html":
        # The explorer's #<Name> names a curve to show, not an element.
        exists = (pictures / "torch" / f"{fragment}.csv").is_file()
        return None if exists else f"{url}: the explorer has no curve {fragment}"
    if target not in ids:
        ids[target] = Ids(target).ids
    return None if fragment in ids[target] else f"{url}: {target.name} has no id {fragment!r}"


@pytest.mark.slow
def test_docs_site_builds_and_every_page_loads_in_chromium(tmp_path, chromium):  # noqa: F811
    before = source_files()
    html, pictures = build_site(tmp_path)
    assert source_files() == before, "the build wrote into docs/"

    # Every reference spec is on the gallery's torch page, drawn by lr-schedule; ignite's folder too.
    torch_page = (html / "gallery" / "torch.html").read_text()
    assert torch_page.count('<figure class="lr-schedule') == len(SPEC_NAMES)
    ignite_specs = sorted((ROOT / "examples" / "ignite").glob("*.py"))
    assert (html / "gallery" / "ignite.html").read_text().count('<figure class="lr-schedule') == len(
        ignite_specs
    )
    assert "leaves out the pictures of examples/timm" in (html / "gallery" / "timm.html").read_text()

    pages = sorted(path for path in html.rglob("*.html") if path.parent != html / "_explorer")
    assert len(pages) >= 17, pages
    screenshots = tmp_path / "screenshots"
    screenshots.mkdir()
    ids: dict[Path, set[str]] = {}
    problems = []
    for page in pages:
        name = page.relative_to(html).as_posix()
        chromium.get(page.as_uri())
        state = chromium.execute_script(PAGE_STATE)
        # An image below the fold that has not loaded yet: scrolled to, and waited for.
        for image in state["images"]:
            if not (image["complete"] and image["width"] > 0):
                chromium.execute_script(WAIT_FOR_IMAGE, image["src"])
        state = chromium.execute_script(PAGE_STATE)
        chromium.execute_script("window.scrollTo(0, 0);")
        chromium.save_screenshot(str(screenshots / f"{name.replace('/', '_')}.png"))
        errors = [entry["message"] for entry in chromium.get_log("browser") if entry["level"] == "SEVERE"]
        problems += [f"{name}: console: {message}" for message in errors]
        problems += [
            f"{name}: image not loaded: {image['src']}"
            for image in state["images"]
            if not (image["complete"] and image["width"] > 0)
        ]
        for url in state["links"]:
            problem = link_problem(url, html, pictures, ids)
            if problem is not None:
                problems.append(f"{name}: {problem}")
        if not state["h1"] and name != "search.html":  # furo's search page has no <h1>
            problems.append(f"{name}: no heading")
    (tmp_path / "pages.json").write_text(json.dumps([page.relative_to(html).as_posix() for page in pages]))
    assert problems == []
