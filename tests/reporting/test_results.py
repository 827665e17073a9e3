"""Recording results: deterministic CSV, safe for spreadsheets."""
from __future__ import annotations

import pandas as pd

from pmo_lib import read_result, record


def test_record_writes_nothing_without_a_folder(tmp_path):
    frame = pd.DataFrame({"a": [1]})
    assert record(frame, "x", None) is frame
    assert not any(tmp_path.iterdir())


def test_record_is_byte_identical_and_round_trips(tmp_path):
    frame = pd.DataFrame({"kpi_id": ["cpi", "nps"], "value": [0.977272727272, float("nan")], "status": ["green", "n/a"]})
    record(frame, "kpis", tmp_path / "a")
    record(frame, "kpis", tmp_path / "b")
    assert (tmp_path / "a" / "kpis.csv").read_bytes() == (tmp_path / "b" / "kpis.csv").read_bytes()
    back = read_result(tmp_path / "a", "kpis")
    assert back["status"].tolist() == ["green", "n/a"]
    assert back["value"].iloc[0] == 0.977272727272


def test_text_that_a_spreadsheet_would_run_is_neutralised(tmp_path):
    frame = pd.DataFrame({"title": ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "fine"], "n": [-1, 2, 3, 4]})
    record(frame, "t", tmp_path)
    text = (tmp_path / "t.csv").read_text()
    assert "'=HYPERLINK" in text and "'+1" in text and "'@SUM" in text
    assert "\n-1" not in text or ",-1" in text  # numbers stay numbers
    assert read_result(tmp_path, "t")["n"].tolist() == [-1, 2, 3, 4]
