"""A consultant's first engagement: one cycle, one initiative, three questionnaires returned.

At that size no interval, reliability, agreement, role test or trend means anything, so the reports must print
none of them and say in words what each needs instead (issue 14). The fixture is tests/data/first_engagement,
scored against the kit's default model.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from pmo_lib import read_result, render_html, run_workspace
from tests.conftest import DATA
from tests.running.test_notebooks import execute

pytestmark = pytest.mark.notebook


@pytest.fixture
def first(tmp_path) -> Path:
    target = tmp_path / "first"
    shutil.copytree(DATA / "first_engagement", target)
    return target


def _visible_text(html: str) -> str:
    """The words a reader sees: no styles, no markup; a figure counts by its title (aria-label)."""
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"<svg[^>]*aria-label=\"([^\"]*)\".*?</svg>", r" \1 ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _assert_no_statistic_below_its_minimum(text: str) -> None:
    assert not re.search(r"α\s*=", text), "an alpha value is printed"
    assert "Cronbach's α" not in text and "rwg =" not in text, "the reliability table is shown"
    assert not re.search(r"interval \d|CI (low|high)|\d\.\d\d–\d\.\d\d", text), "an interval is printed"
    assert not re.search(r"\d+ of \d+ dimensions (are|is) below target beyond doubt", text)
    assert "Every dimension over the cycles" not in text, "a page of one-point trend charts"
    assert "Mean dimension score per respondent role" not in text, "per-person role means"
    assert not re.search(r"\bnan\b", text)


def _assert_says_what_is_needed(text: str) -> None:
    assert "The score has no confidence interval: an interval needs at least 5 respondents" in text
    assert "No dimension has a confidence interval: an interval needs at least 5 respondents" in text
    assert "Reliability and agreement cannot be judged yet. Reliability needs at least 5 respondents who " \
           "answered every statement of a dimension, and agreement at least 5 respondents" in text
    assert ("Roles are not compared: a comparison needs at least two roles with 3 respondents each, and this "
            "cycle has Delivery lead 1, Executive 1, PMO 1") in text
    assert "Trend charts need at least 4 assessed cycles; so far there is 1 assessed cycle (2026-Q3)" in text
    assert "How much data each statistic needs" in text and "Trend charts: at least 4 assessed cycles" in text


def test_the_maturity_notebook_prints_no_statistic_below_its_minimum(first, tmp_path):
    nb = execute("maturity", first, tmp_path / "out")
    results = tmp_path / "out" / "results"
    maturity = read_result(results, "maturity")
    assert maturity["score"].notna().all() and (maturity["n_respondents"] == 3).all()
    assert maturity[["ci_low", "ci_high", "cronbach_alpha", "rwg"]].isna().all().all()
    overall = read_result(results, "maturity_overall").iloc[0]
    assert np.isnan(overall["ci_low"]) and overall["n_respondents"] == 3
    assert read_result(results, "maturity_groups")["p_value"].isna().all()
    html = render_html(nb, context={"organisation": "First Client", "title": "Maturity assessment",
                                    "cycle": "2026-Q3", "date": "2026-10-01", "primary_colour": "#1f4e79",
                                    "logo": None, "failure": None, "kit_version": "test"})
    text = _visible_text(html)
    _assert_no_statistic_below_its_minimum(text)
    _assert_says_what_is_needed(text)


def test_the_notebook_uses_the_minimums_set_in_pmo_yaml(first, tmp_path):
    # Lowered far enough, the same three respondents give numbers, and the appendix quotes the lowered values.
    with open(first / "pmo.yaml", "a") as fh:
        fh.write("minimums:\n  alpha_complete_cases: 2\n  agreement_respondents: 3\n  interval_respondents: 3\n"
                 "  trend_cycles: 2\n")
    nb = execute("maturity", first, tmp_path / "out")
    maturity = read_result(tmp_path / "out" / "results", "maturity")
    assert maturity["ci_low"].notna().all() and maturity["rwg"].notna().all()
    assert maturity["cronbach_alpha"].notna().any()
    text = " ".join(str(o.get("data", {}).get("text/markdown", "")) for c in nb.cells for o in c.get("outputs", []))
    assert "Confidence interval: at least 3 respondents" in text and "Trend charts: at least 2 assessed cycles" in text


def test_the_whole_first_run_shows_no_statistic_below_its_minimum(first, tmp_path):
    summary = run_workspace(first, out=tmp_path / "reports", formats=("html",), progress=False)
    assert summary.exit_code == 0
    folder = tmp_path / "reports" / "first-client" / "2026-q3"
    text = _visible_text((folder / "01_maturity_assessment.html").read_text(encoding="utf-8"))
    _assert_no_statistic_below_its_minimum(text)
    _assert_says_what_is_needed(text)
    for report in ("00_playbook", "02_kpi_analysis", "03_governance_report"):
        other = _visible_text((folder / f"{report}.html").read_text(encoding="utf-8"))
        assert not re.search(r"\bnan\b", other), report
        assert not re.search(r"beyond doubt|95% interval", other), report
    kpis = _visible_text((folder / "02_kpi_analysis.html").read_text(encoding="utf-8"))
    assert "A trend test needs at least 4 cycles with data and control limits 5." in kpis
    assert "Trend tests and control limits of every portfolio KPI" not in kpis  # no table of n/a rows
