"""The index and a report open in a real browser offline: no console errors, no outside requests."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")]


def test_index_and_report_load_offline_without_errors(tiny, tmp_path):
    from playwright.sync_api import sync_playwright

    result = subprocess.run([sys.executable, "-m", "pmo_lib.cli", "run", str(tiny), "--cycle", "C3", "--out", "out",
                             "--format", "html"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    org = tmp_path / "out" / "tiny-test-org"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        requests, problems = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto((org / "index.html").as_uri())
        assert page.locator("table tbody tr").count() == 1
        page.locator("a", has_text="HTML").first.click()
        page.wait_for_load_state()
        assert "Maturity assessment" in page.title()
        # tiny has 3 respondents and 3 cycles: trend and role charts give way to sentences (issue 14),
        # the bars, radar or heatmaps that remain are inline SVG with a text alternative
        assert page.locator("figure.pmo-figure svg[role=img]").count() >= 2
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366  # nothing forces sideways scrolling on a laptop screen
        for report in ("02_kpi_analysis.html", "03_governance_report.html"):
            page.goto((org / "c3" / report).as_uri())
        browser.close()
    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests
    assert problems == []
