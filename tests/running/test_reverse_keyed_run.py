"""A custom model with reverse-keyed statements on a 1-6 scale runs end to end through ``pmo run`` (issue 20).

The fixture is tests/data/reverse_keyed: three business units, role weights, blanks and one respondent who
answered too little of a dimension.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import DATA

pytestmark = pytest.mark.notebook


def test_pmo_run_scores_a_custom_six_point_model_with_reversed_statements(tmp_path):
    shutil.copytree(DATA / "reverse_keyed", tmp_path / "ws")
    done = subprocess.run([sys.executable, "-m", "pmo_lib.cli", "run", "ws", "--out", "out", "--format", "html"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    cycle = tmp_path / "out" / "six-point-client" / "2026-q3"
    maturity = pd.read_csv(cycle / "results" / "maturity.csv")
    for column in ("alpha_pairwise", "alpha_ci_low", "alpha_ci_high", "icc1", "icc2"):
        assert maturity[column].notna().all(), column
    assert maturity["score"].between(1, 6).all() and (maturity["cronbach_alpha"] > 0.8).all()
    units = pd.read_csv(cycle / "results" / "maturity_units.csv")
    assert sorted(units["unit"].unique()) == ["East", "North", "South"]
    groups = pd.read_csv(cycle / "results" / "maturity_groups.csv")
    assert (groups["between"] == "unit").sum() == 2
    html = (cycle / "01_maturity_assessment.html").read_text()
    text = " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", html, flags=re.S)).split())
    assert "Budgets are locked once approved. (reversed)" in text  # the item table marks reversed statements
    assert "Adaptive funding (2 reversed)" in html  # and so does the item heatmap
    assert "North leads" in text and "East lags" in text  # the units differ beyond chance in the fixture
    assert "Executive 1, PMO 1, Delivery lead 1" in text  # the method appendix names the weighting
    assert "1 respondent was left out of 1 dimension score" in text  # the data-quality appendix counts r05
