"""The explorer page: built, rebuilt and cleaned like the pictures, and used in a real headless Chromium
(Selenium with Debian's chromedriver), opened from file:// with the network off."""

import csv
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXPLORER_FILES, OUTPUT, executed, output_files, run_doit
from test_gallery import CHROMIUM_FLAGS, find_chromium, png_size

from lr_plots.explorer import plotly_library

WINDOW = (1200, 700)
REFERENCE_CURVES = {"StepLR", "CosineAnnealingLR", "OneCycleLR"}  # shown when the page opens
# What the test reads of each trace: Plotly's own state after it drew the chart.
TRACES = """
const chart = document.getElementById("explorer");
return chart._fullData.map((trace) => ({
  curve: trace.meta.curve, column: trace.meta.column, visible: trace.visible, y: trace.y, text: trace.text,
  width: trace.line.width}));
"""


def curve_columns(folder: Path) -> dict[str, dict[str, list[str]]]:
    """Every curve's CSV columns but `step`, as text, by curve name (comparisons have no CSV)."""
    curves = {}
    for path in sorted(folder.glob("*.csv")):
        with open(path, newline="") as file:
            header, *rows = csv.reader(file)
        curves[path.stem] = {
            column: [row[index] for row in rows] for index, column in enumerate(header) if column != "step"
        }
    return curves


def base_lr_of(folder: Path, curve: str, column: str) -> float:
    """The base LR of the parameter group whose LR is `column` (`lr`, `lr_1`, ...)."""
    base_lr = json.loads((folder / f"{curve}.json").read_text())["base_lr"]
    group = int(column.rpartition("_")[2]) if column != "lr" else 0
    return base_lr[group] if isinstance(base_lr, list) else base_lr


def find_chromedriver() -> str:
    if path := shutil.which("chromedriver"):
        return path
    if os.environ.get("LR_PLOTS_REQUIRE_CHROMIUM"):
        pytest.fail("chromedriver is required here (LR_PLOTS_REQUIRE_CHROMIUM is set) but not installed")
    pytest.skip("chromedriver is not installed (Debian package chromium-driver); .ci/run installs it")


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator:
    """One headless Chromium with its console log kept and the network off, its page 1200x700."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = find_chromium()
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,700"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit chromedriver, so that Selenium Manager never looks for (or downloads) one.
    driver = webdriver.Chrome(service=Service(find_chromedriver()), options=options)
    try:
        driver.set_network_conditions(offline=True, latency=0, download_throughput=-1, upload_throughput=-1)
        frame = driver.execute_script("return [outerWidth - innerWidth, outerHeight - innerHeight]")
        driver.set_window_size(WINDOW[0] + frame[0], WINDOW[1] + frame[1])
        yield driver
    finally:
        driver.quit()


def open_page(driver, url: str) -> float:
    """Load `url` anew and wait until Plotly has drawn the chart; the seconds it took."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")  # so that a URL differing only in its #hash loads the page again
    start = time.perf_counter()
    driver.get(url)
    WebDriverWait(driver, 30, poll_frequency=0.02).until(
        lambda d: d.execute_script("return !!document.querySelector('.main-svg')")
    )
    return time.perf_counter() - start


def click(driver, selector: str, text: str) -> None:
    """Click the one element matching `selector` (a legend entry, a button) whose text is `text`."""
    script = """const [selector, text] = arguments;
      return [...document.querySelectorAll(selector)].filter((element) => element.textContent === text);"""
    matches = driver.execute_script(script, selector, text)
    assert len(matches) == 1, f"{len(matches)} elements {selector} say {text!r}"
    matches[0].click()


def click_legend(driver, name: str) -> None:
    """Click the legend entry `name` (Plotly acts on it once the time for a double click is over)."""
    click(driver, "#explorer .legend .traces", name)


def widths(driver, names: set[str]) -> dict[str, float]:
    """The line width of the LR of each curve of `names` (its first parameter group's)."""
    return {
        trace["curve"]: trace["width"]
        for trace in driver.execute_script(TRACES)
        if trace["curve"] in names and trace["column"] == "lr"
    }


def shown(driver) -> set[tuple[str, str]]:
    return {
        (trace["curve"], trace["column"])
        for trace in driver.execute_script(TRACES)
        if trace["visible"] is True
    }


def test_explorer_in_headless_chromium(built_template, chromium, tmp_path, record_property):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    folder = built_template / OUTPUT
    curves = curve_columns(folder)
    page = (folder / "explore.html").as_uri()
    record_property("explorer_open_seconds", open_page(chromium, page))

    # One trace per column of every curve, each parameter group's LR and momentum, validation loss.
    traces = chromium.execute_script(TRACES)
    assert [(trace["curve"], trace["column"]) for trace in traces] == [
        (curve, column) for curve, columns in curves.items() for column in columns
    ]
    lr_traces = [trace for trace in traces if trace["column"].split("_")[0] == "lr"]
    assert len(lr_traces) == sum(
        column.split("_")[0] == "lr" for columns in curves.values() for column in columns
    )
    for trace in traces:  # the CSV's numbers, and as hover text the same numbers, exactly
        values = curves[trace["curve"]][trace["column"]]
        assert trace["y"] == [float(value) for value in values], trace["curve"]
        assert [float(text) for text in trace["text"]] == trace["y"], trace["curve"]
    assert shown(chromium) == {(curve, "lr") for curve in REFERENCE_CURVES}
    assert (
        chromium.execute_script("return document.getElementById('explorer')._fullLayout.yaxis2.visible")
        is False
    )

    # Hovering over step 50 shows every visible curve's value there, as the CSV writes it.
    plot_area = chromium.find_element(By.CSS_SELECTOR, "#explorer .nsewdrag")
    x = chromium.execute_script("return document.getElementById('explorer')._fullLayout.xaxis.l2p(50)")
    ActionChains(chromium).move_to_element_with_offset(
        plot_area, x - plot_area.size["width"] // 2, 0
    ).perform()
    hover = WebDriverWait(chromium, 10, poll_frequency=0.02).until(
        lambda d: d.execute_script("return document.querySelector('#explorer .hoverlayer').textContent")
    )
    for curve in REFERENCE_CURVES:
        assert f"{curve} : {curves[curve]['lr'][50]}" in hover, hover

    # A legend click shows a curve, another hides it; a momentum curve brings its axis along.
    wait = WebDriverWait(chromium, 5, poll_frequency=0.02)
    click_legend(chromium, "ExponentialLR")
    wait.until(lambda d: ("ExponentialLR", "lr") in shown(d))
    click_legend(chromium, "ExponentialLR")
    wait.until(lambda d: ("ExponentialLR", "lr") not in shown(d))
    click_legend(chromium, "CyclicLR momentum")
    wait.until(lambda d: ("CyclicLR", "momentum") in shown(d))
    assert (
        chromium.execute_script("return document.getElementById('explorer')._fullLayout.yaxis2.visible")
        is True
    )

    # The y axis switches to log and back, and to the LR divided by its group's base LR and back.
    y_axis_type = "return document.getElementById('explorer')._fullLayout.yaxis.type"
    click(chromium, "#explorer .updatemenu-button", "log")
    assert chromium.execute_script(y_axis_type) == "log"
    click(chromium, "#explorer .updatemenu-button", "LR / base LR")
    for trace in chromium.execute_script(TRACES):
        values = [float(value) for value in curves[trace["curve"]][trace["column"]]]
        if trace["column"].split("_")[0] == "lr":
            base_lr = base_lr_of(folder, trace["curve"], trace["column"])
            values = [value / base_lr for value in values]
        assert trace["y"] == values, trace["curve"]
    assert chromium.find_element(By.CSS_SELECTOR, "#explorer .ytitle").text == "LR / base LR of its group"
    screenshot = tmp_path / "explorer.png"
    assert chromium.save_screenshot(str(screenshot))
    assert png_size(screenshot) == WINDOW
    click(chromium, "#explorer .updatemenu-button", "absolute LR")
    click(chromium, "#explorer .updatemenu-button", "linear")
    assert chromium.execute_script(y_axis_type) == "linear"
    for trace in chromium.execute_script(TRACES):
        assert trace["y"] == [float(value) for value in curves[trace["curve"]][trace["column"]]]

    # explore.html#<Name> (the gallery's link) opens with that curve shown, thicker than the others;
    # a new #<Name> shows another, thicker too.
    curve, other = sorted(set(curves) - REFERENCE_CURVES)[:2]
    open_page(chromium, f"{page}#{curve}")
    assert shown(chromium) == {(name, "lr") for name in REFERENCE_CURVES | {curve}}
    assert widths(chromium, {curve, "StepLR"}) == {curve: 3.5, "StepLR": 2}
    chromium.execute_script(f"location.hash = {other!r}")
    wait.until(lambda d: (other, "lr") in shown(d))
    assert widths(chromium, {other}) == {other: 3.5}

    # A double click on a shown curve's legend entry (two clicks within Plotly's double-click time)
    # shows it alone; another shows every curve.
    click_legend(chromium, "ExponentialLR")
    wait.until(lambda d: ("ExponentialLR", "lr") in shown(d))
    for _ in range(2):
        click_legend(chromium, "ExponentialLR")
    wait.until(lambda d: shown(d) == {("ExponentialLR", "lr")})
    for _ in range(2):
        click_legend(chromium, "ExponentialLR")
    wait.until(lambda d: len(shown(d)) == len(traces))

    # Nothing but the page's own folder was loaded, and the console has no errors.
    sources = chromium.execute_script("return [...document.querySelectorAll('[src]')].map((e) => e.src)")
    assert sources == [(folder / "plotly.min.js").as_uri()]
    errors = [entry for entry in chromium.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_explorer_page_works_offline_with_the_packaged_plotly(built_template):
    folder = built_template / OUTPUT
    page = (folder / "explore.html").read_text()
    assert '<script src="plotly.min.js"></script>' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert (folder / "plotly.min.js").read_bytes() == plotly_library().read_bytes()
    assert sum((folder / name).stat().st_size for name in EXPLORER_FILES) <= 5_000_000
    gallery = (folder / "index.html").read_text()
    assert '<a href="explore.html">' in gallery and '<a href="explore.html#StepLR">' in gallery


def test_explorer_is_rebuilt_alone_the_same_and_cleaned(built_template, built_project):
    run_doit(built_project, "clean", "explore")
    assert set(output_files(built_template)) - set(output_files(built_project)) == EXPLORER_FILES
    assert executed(run_doit(built_project)) == {"explore"}
    assert output_files(built_project) == output_files(built_template)  # byte-identical

    template = built_project / "lr_plots/templates/explore.html.j2"
    template.write_text(template.read_text().replace("<h1>", "<h1>Changed: "))
    assert executed(run_doit(built_project)) == {"explore"}
