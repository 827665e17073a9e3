"""The cycle index: its maturity line, read from the results a maturity notebook records."""
from __future__ import annotations

import json

import pandas as pd

from pmo_lib import Minimums, load_workspace, overall_maturity, record, score_dimensions
from pmo_lib.inputs.exceptions import Failure
from pmo_lib.reporting.index import headline, maturity_line, write_index
from pmo_lib.reporting.manifest import Manifest, Outcome, Status

LEAST = Minimums(interval_respondents=2, group_size=2)  # the tiny workspace has three respondents a cycle


def _record_maturity(ws, cycle: str, folder, *, overall: bool = True):
    a = ws["assessment"]
    now = a[a["cycle"] == cycle]
    record(score_dimensions(now, ws.model, minimums=LEAST), "maturity", folder)
    if overall:
        previous = ws.previous_cycle(cycle)
        record(overall_maturity(now, ws.model, previous=a[a["cycle"] == previous] if previous else None,
                                minimums=LEAST), "maturity_overall", folder)


def test_line_leads_with_score_and_interval_then_level_and_distance(tiny):
    ws = load_workspace(tiny)
    head = {"maturity_score": 3.60, "maturity_ci": (3.4232, 3.7323), "maturity_level": 1, "maturity_next_level": 2,
            "maturity_gap": 0.0222, "maturity_blockers": 1, "kpi_status": None}
    assert maturity_line(head, ws.model) == "3.60 (3.42–3.73) · level 1 Initial, 0.02 short of level 2"
    head.update(maturity_blockers=4, maturity_gap=1.05)
    assert maturity_line(head, ws.model) == ("3.60 (3.42–3.73) · level 1 Initial, 4 statements short of level 2, "
                                             "the furthest by 1.05")
    head.update(maturity_level=3, maturity_next_level=None, maturity_gap=None, maturity_blockers=0)
    assert maturity_line(head, ws.model) == "3.60 (3.42–3.73) · level 3 Defined, the top level"


def test_headline_reads_the_recorded_overall_result(tiny, tmp_path):
    # C3: overall (2 * 4 + 11/3) / 3 = 3.89; flow at level 2, held back from 3 by F3 at 3.00 against 3.80.
    ws = load_workspace(tiny)
    _record_maturity(ws, "C3", tmp_path)
    head = headline(tmp_path)
    assert head["maturity_score"] == 3.89 and head["maturity_level"] == 2
    assert head["maturity_next_level"] == 3 and head["maturity_blockers"] == 1
    low, high = head["maturity_ci"]
    assert low <= 3.89 <= high
    line = maturity_line(head, ws.model)
    assert line.startswith("3.89 (") and line.endswith("· level 2 Repeatable, 0.80 short of level 3")


def test_a_pack_recorded_before_the_overall_result_still_shows_score_and_level(tiny, tmp_path):
    ws = load_workspace(tiny)
    _record_maturity(ws, "C3", tmp_path, overall=False)
    assert maturity_line(headline(tmp_path), ws.model) == "3.89 · level 2 Repeatable"


def test_index_lines_move_with_the_cycles(tiny, tmp_path):
    ws = load_workspace(tiny)
    org = tmp_path / "org"
    for cycle in ("C2", "C3"):
        pack = org / cycle.lower()
        _record_maturity(ws, cycle, pack / "results")
        (pack / "manifest.json").write_text(json.dumps({
            "status": "ok", "finished": "2026-01-01T00:00:00", "cycle": cycle,
            "notebooks": [{"report": "maturity", "notebook": "01_maturity_assessment.ipynb", "status": "ok",
                           "outputs": {"html": "01_maturity_assessment.html"}}]}))
    page = write_index(org, ws).read_text()
    lines = [maturity_line(headline(org / c / "results"), ws.model) for c in ("c2", "c3")]
    assert lines[0] != lines[1]
    for line in lines:
        assert line in page
    assert "e+0" not in page and "e-0" not in page
    assert pd.read_csv(org / "c3" / "results" / "maturity_overall.csv")["n_blockers"].iloc[0] == 1


def _write_manifest(pack, manifest: Manifest) -> None:
    pack.mkdir(parents=True, exist_ok=True)
    manifest.write(pack)


def test_index_escapes_every_name_and_shows_a_failed_pack_beside_the_last_good_one(tiny, tmp_path):
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text().replace(
        "organisation: Tiny Test Org", "organisation: \"<script>alert('org')</script>\""))
    ws = load_workspace(tiny)
    org = tmp_path / "org"
    _record_maturity(ws, "C3", org / "c3" / "results")
    good = Outcome("maturity", "01_maturity_assessment.ipynb", Status.OK, 1.0,
                   outputs={"html": "01_maturity_assessment.html", "pdf": "01_maturity_assessment.pdf"})
    odd = Outcome("unknown", "<img src=x onerror=alert(1)>.ipynb", Status.FAILED, 1.0,
                  Failure("<img src=x onerror=alert(1)>.ipynb", None, "KilledWorker", "gave up"))
    _write_manifest(org / "c3", Manifest("C3", Status.OK, (good,), finished="2026-01-02T03:04:05"))
    _write_manifest(org / "_failed" / "c3", Manifest("C3", Status.FAILED, (good, odd), finished="2026-01-03T03:04:05"))
    page = write_index(org, ws).read_text()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;org&#39;)&lt;/script&gt;" in page  # shown, as text
    assert "&lt;img src=x onerror=alert(1)&gt;.ipynb: no output <span class=\"rag rag-red\">■ Failed</span>" in page
    assert '● Complete</span> <small>2026-01-02 03:04</small>' in page
    assert '<hr>' in page and '■ Failed</span> <small>2026-01-03 03:04</small>' in page
    assert ('Maturity assessment: <a href="c3/01_maturity_assessment.html">HTML</a> · '
            '<a href="c3/01_maturity_assessment.pdf">PDF</a></li>') in page
    assert '<a href="_failed/c3/01_maturity_assessment.html">HTML</a>' in page
    # one cycle with results draws no trend line yet, and says so
    assert "<svg" not in page and "Trend shown once two cycles have results." in page
    assert "Reports for 1 of 3 planning cycles." in page


def test_the_index_page_is_the_template(tiny, tmp_path, monkeypatch):
    """The page comes from templates/report/portfolio_index.html.j2: a consultant's own copy changes it."""
    import pmo_lib.reporting.index as index

    assert (index.TEMPLATES_DIR / "report" / index.INDEX_TEMPLATE).is_file()
    own = tmp_path / "templates" / "report"
    own.mkdir(parents=True)
    (own / index.INDEX_TEMPLATE).write_text("{{ organisation }}: {% for row in rows %}{{ row.cycle }} {% endfor %}")
    monkeypatch.setattr(index, "TEMPLATES_DIR", tmp_path / "templates")
    ws = load_workspace(tiny)
    org = tmp_path / "org"
    for cycle in ("C2", "C3"):
        _write_manifest(org / cycle.lower(), Manifest(cycle, Status.OK, ()))
    assert write_index(org, ws).read_text() == "Tiny Test Org: C3 C2 "
