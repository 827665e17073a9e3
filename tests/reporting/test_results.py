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


def test_recorded_texts_are_english_in_the_csv_and_come_back_able_to_speak_german(tmp_path):
    """The CSV holds the English; the messages go beside it, and read_result gives back texts that say themselves
    in the report's language (the governance report reads the KPI analysis's register this way)."""
    from pmo_lib.inputs import i18n

    late = i18n.nsay("{count} day", "{count} days", 90)
    record(pd.DataFrame({"id": ["E01", "E02"], "short": [late, "client words"]}), "exceptions", tmp_path)
    assert (tmp_path / "exceptions.csv").read_text() == "id,short\nE01,90 days\nE02,client words\n"
    back = read_result(tmp_path, "exceptions")
    assert isinstance(back.loc[0, "short"], i18n.Text) and not isinstance(back.loc[1, "short"], i18n.Text)
    with i18n.using("de"):
        assert [i18n.shown(v) for v in back["short"]] == ["90 Tage", "client words"]
    # a table without recorded texts leaves no file beside it, and recording one again removes the old one
    record(pd.DataFrame({"id": ["E01"], "short": ["plain"]}), "exceptions", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exceptions.csv"]
