"""The value-stream report in a real browser: headless Chromium (Debian's chromium and chromedriver,
installed by `make browser`, a prerequisite of `make test`) opens the file the pipeline wrote and
every chart must have drawn — a visible <svg> with plotted marks of non-zero size — with no console
error and no request for anything but the file itself.

Selenium is given chromedriver's path, so Selenium Manager never runs (nothing is downloaded). The
test skips, saying why, only where the browser could not be installed; with $CI set it fails instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from orchestration.reporting.report import REPORT_FILE

pytestmark = pytest.mark.pipeline

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# written by `make browser` when it cannot install the browser
BROWSER_NOTE = REPO_ROOT / ".venv" / ".browser-unavailable"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1000",
)

# Per chart: its size on the page and its plotted marks (elements matplotlib tagged mark-*), with the
# marks that have a non-empty box in the chart's own coordinates.
CHARTS_JS = """
return [...document.querySelectorAll('figure.chart')].map(figure => {
  const svgs = figure.querySelectorAll('svg');
  const svg = svgs[0];
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const marks = svg ? [...svg.querySelectorAll('[id*="-mark-"]')] : [];
  const drawn = marks.filter(m => { const b = m.getBBox(); return b.width > 0 || b.height > 0; });
  const shapes = marks.reduce((n, m) => n + m.querySelectorAll('path, use, rect, polyline, line').length, 0);
  return {key: figure.dataset.chart, svgs: svgs.length, width: box.width, height: box.height,
          marks: marks.length, drawn: drawn.length, shapes: shapes};
});
"""

PAGE_JS = """
const external = [...document.querySelectorAll('[src], [href], [srcset]')]
  .flatMap(e => ['src', 'href', 'srcset', 'xlink:href'].map(a => e.getAttribute(a)))
  .filter(v => v && !v.startsWith('#'));
const tiles = [...document.querySelectorAll('.tile')].filter(t => t.getBoundingClientRect().height > 0);
return {
  expected: Number(document.body.dataset.chartCount),
  resources: performance.getEntriesByType('resource').map(r => r.name),
  external: external,
  tiles: tiles.length,
  levels: [...document.querySelectorAll('.level')].map(l => l.textContent),
  headline: document.querySelectorAll('.headline li').length,
};
"""


def browser_or_skip() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    reason = BROWSER_NOTE.read_text().strip() if BROWSER_NOTE.exists() else "run `make browser` to install it"
    message = f"headless browser test: {' and '.join(missing)} missing ({reason})"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must run it")
    pytest.skip(message)


@pytest.fixture(scope="module")
def page(flow_pipeline, tmp_path_factory):
    """The report loaded in headless Chromium: what the page says about its charts, its console and
    the requests it made."""
    browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    report = flow_pipeline.run.settings.warehouse.reports_dir / REPORT_FILE
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        url = report.resolve().as_uri()
        driver.get(url)
        charts = driver.execute_script(CHARTS_JS)
        state = driver.execute_script(PAGE_JS)
        console = driver.get_log("browser")
        requests = []
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                requests.append((message["params"].get("documentURL"), message["params"]["request"]["url"]))
    finally:
        driver.quit()
    return {"url": url, "charts": charts, "state": state, "console": console, "requests": requests}


def test_every_chart_drew(page):
    charts = page["charts"]
    assert len(charts) == page["state"]["expected"] >= 15
    for chart in charts:
        assert chart["svgs"] == 1, chart
        assert chart["width"] > 600 and chart["height"] > 100, f"{chart['key']} has no size: {chart}"
        assert chart["marks"] > 0 and chart["drawn"] > 0 and chart["shapes"] > 0, (
            f"{chart['key']} drew nothing"
        )
    assert page["state"]["tiles"] >= 5 and page["state"]["headline"] >= 3
    assert any(level.startswith(("2023: ", "2021: ")) for level in page["state"]["levels"])


def test_the_page_logs_no_error(page):
    errors = [entry for entry in page["console"] if entry["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors


def test_the_page_loads_nothing_but_itself(page):
    state = page["state"]
    assert state["resources"] == [], "the page fetched sub-resources"
    assert state["external"] == [], "elements name resources outside the document"
    mine = [url for document, url in page["requests"] if document == page["url"]]
    assert mine == [page["url"]]
    assert not [url for _, url in page["requests"] if url.startswith(("http:", "https:", "ws:", "wss:"))]
