"""A consultant's first engagement, end to end, through the command line only.

``pmo init``; fill in the tables as someone with Excel would (native dates, one
cycle, one initiative); answer three copies of the questionnaire, one with
blanks and one with an out-of-scale answer that is then corrected; collect them
twice; ``pmo status``, ``pmo validate`` and ``pmo run``. Once with the workbook
``pmo init`` writes, once with CSV files.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.test_cli import pmo

pytestmark = pytest.mark.notebook

CYCLE = "2026-Q3"
HEADER_ROW = 5  # the questionnaire's header row; statements follow
ROWS = {
    "cycles": {"cycle": CYCLE, "start_date": dt.datetime(2026, 7, 1), "end_date": dt.datetime(2026, 9, 30)},
    "initiatives": {"initiative_id": "I-100", "name": "Customer portal", "kind": "project", "owner": "Ann Lee",
                    "status": "active", "start_date": dt.datetime(2026, 2, 1),
                    "planned_end_date": dt.datetime(2027, 3, 31), "bac": 500000},
    "financials": {"cycle": CYCLE, "initiative_id": "I-100", "budget": 120000, "planned_value": 200000,
                   "earned_value": 180000, "actual_cost": 210000},
}


def codes(sheet) -> list[str]:
    """Column codes of a sheet whose row 1 holds "Readable name" newline "code"."""
    return [str(c.value).splitlines()[-1] if c.value else "" for c in sheet[1]]


def fill_workbook(path: Path) -> None:
    """Type one row per required table below the example rows, dates as Excel dates."""
    book = openpyxl.load_workbook(path)
    for table, values in ROWS.items():
        sheet = book[table]
        header = codes(sheet)
        row = sheet.max_row + 1
        for column, value in values.items():
            sheet.cell(row, header.index(column) + 1, value)
    book.save(path)


def fill_csv(workspace: Path) -> None:
    """The same rows as CSV files, with the workbook's column codes as headers, and no workbook."""
    book = openpyxl.load_workbook(workspace / "data.xlsx")
    (workspace / "data.xlsx").unlink()
    (workspace / "data").mkdir()
    for table, values in ROWS.items():
        text = {k: v.date().isoformat() if isinstance(v, dt.datetime) else v for k, v in values.items()}
        columns = [c for c in codes(book[table]) if c]
        pd.DataFrame([text]).reindex(columns=columns).to_csv(workspace / "data" / f"{table}.csv", index=False)


def answer(questionnaire: Path, target: Path, respondent: str, role: str, score) -> None:
    """Answer a copy of the questionnaire: ``score(row)`` gives each statement's answer."""
    shutil.copy(questionnaire, target)
    book = openpyxl.load_workbook(target)
    sheet = book["Answers"]
    sheet["B1"], sheet["B2"] = respondent, role
    for r in range(HEADER_ROW + 1, sheet.max_row + 1):
        sheet.cell(r, 4).value = score(r)
    book.save(target)


def snapshot(book: openpyxl.Workbook, name: str, max_row: int | None = None):
    sheet = book[name]
    cells = {c.coordinate: (c.value, c.number_format, c.comment.text if c.comment else None)
             for row in sheet.iter_rows(max_row=max_row) for c in row}
    rules = sorted((str(v.sqref), v.type, v.formula1, v.formula2, v.error) for v in sheet.data_validations.dataValidation)
    return cells, rules, sheet.sheet_state


def assessment_rows(workspace: Path, form: str) -> list[tuple]:
    """The collected answers as (cycle, respondent, role, item, score) with a blank as None."""
    if form == "csv":
        table = pd.read_csv(workspace / "data" / "assessment.csv", dtype=str, keep_default_na=False)
        return [(c, r, o, i, int(s) if s else None) for c, r, o, i, s in table.itertuples(index=False)]
    sheet = openpyxl.load_workbook(workspace / "data.xlsx")["assessment"]
    return [tuple(row[:5]) for row in sheet.iter_rows(min_row=3, values_only=True)]  # below header and example


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_first_engagement_from_init_to_reports(tmp_path, form):
    assert pmo("init", "acme", cwd=tmp_path).returncode == 0
    acme = tmp_path / "acme"
    if form == "xlsx":
        fill_workbook(acme / "data.xlsx")
    else:
        fill_csv(acme)
    before = openpyxl.load_workbook(acme / "data.xlsx") if form == "xlsx" else None

    returned = tmp_path / "returned"
    returned.mkdir()
    blanks = {HEADER_ROW + 1, HEADER_ROW + 2, HEADER_ROW + 7}
    answer(acme / "questionnaire.xlsx", returned / "R-01.xlsx", "R-01", "Executive", lambda r: 1 + r % 5)
    answer(acme / "questionnaire.xlsx", returned / "R-02.xlsx", "R-02", "PMO",
           lambda r: None if r in blanks else ("Don't know" if r == HEADER_ROW + 3 else 4))
    answer(acme / "questionnaire.xlsx", returned / "R-03.xlsx", "R-03", "Delivery lead",
           lambda r: 9 if r == HEADER_ROW + 4 else 3)
    data_file = acme / ("data.xlsx" if form == "xlsx" else "data")
    untouched = (data_file.read_bytes() if form == "xlsx" else sorted(p.name for p in data_file.iterdir()))

    # an answer off the scale: located, and nothing merged
    bad = pmo("collect-responses", "acme", "returned", "--cycle", CYCLE, cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "1 problem in the returned questionnaires in returned; nothing was collected:" in bad.stderr
    assert re.search(r"R-03\.xlsx, table Answers, row 9, column score: score must be a whole number from 1 to 5.*"
                     r"\(got 9\)", bad.stderr), bad.stderr
    assert (data_file.read_bytes() if form == "xlsx" else sorted(p.name for p in data_file.iterdir())) == untouched

    # corrected, then collected twice
    book = openpyxl.load_workbook(returned / "R-03.xlsx")
    book["Answers"].cell(HEADER_ROW + 4, 4).value = 3
    book.save(returned / "R-03.xlsx")
    first = pmo("collect-responses", "acme", "returned", "--cycle", CYCLE, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "Collected 3 questionnaires (150 answers) for cycle 2026-Q3 into acme/" in out
    assert "Returned per role: Executive 1, PMO 1, Delivery lead 1, Product owner 0." in out
    assert "Most often left blank or \u201cDon't know\u201d: SA1 (1 of 3), SA2 (1 of 3), SA3 (1 of 3), " in out
    assert "The workspace is valid, 1 cycle (2026-Q3)." in out
    rows = assessment_rows(acme, form)
    second = pmo("collect-responses", "acme", "returned", cwd=tmp_path)  # the latest cycle by default
    assert second.returncode == 0, second.stderr
    assert "Replaced the earlier answers of 3 respondents in cycle 2026-Q3." in second.stdout
    assert assessment_rows(acme, form) == rows  # idempotent

    assert len(rows) == 150 and {r[0] for r in rows} == {CYCLE}
    by_respondent = pd.DataFrame(rows, columns=["cycle", "respondent_id", "role", "item_id", "score"])
    assert by_respondent.groupby("respondent_id").size().to_dict() == {"R-01": 50, "R-02": 50, "R-03": 50}
    assert by_respondent.groupby("respondent_id")["score"].apply(lambda s: s.isna().sum()).to_dict() == {
        "R-01": 0, "R-02": 4, "R-03": 0}
    assert set(by_respondent.loc[by_respondent["respondent_id"] == "R-03", "score"]) == {3}
    if form == "xlsx":  # every other sheet exactly as it was; the assessment's header and example row too
        after = openpyxl.load_workbook(acme / "data.xlsx")
        assert after.sheetnames == before.sheetnames
        for name in before.sheetnames:
            limit = 2 if name == "assessment" else None
            assert snapshot(after, name, limit) == snapshot(before, name, limit), name
        assert snapshot(after, "cycles")[1]  # the sheet compared does have drop-downs and checks
        assert after["_Examples"].sheet_state == "hidden"
    else:
        assert sorted(p.name for p in (acme / "data").iterdir()) == [
            "assessment.csv", "cycles.csv", "financials.csv", "initiatives.csv"]

    status = pmo("status", "acme", cwd=tmp_path)
    assert status.returncode == 0 and "Traceback" not in status.stderr
    text = status.stdout
    assert re.search(r"\[x\] cycles +1 row ", text) and re.search(r"\[x\] assessment +150 rows ", text)
    assert "customer value (NPS, CSAT) and the value-for-money chart" in text
    assert "Questionnaires returned for 2026-Q3: 3 respondents." in text and "Still expected: Product owner." in text
    assert "Validation: valid, 1 cycle (2026-Q3)." in text
    assert len(text.splitlines()) <= 24  # one screen

    valid = pmo("validate", "acme", cwd=tmp_path)
    assert valid.returncode == 0, valid.stderr
    assert "1 cycle (2026-Q3)." in valid.stdout and "cycles (1 row)" in valid.stdout
    assert "assessment (150 rows)" in valid.stdout and "1 cycles" not in valid.stdout

    run = pmo("run", "acme", "--cycle", CYCLE, "--format", "html", "--out", "reports", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    pack = tmp_path / "reports" / "acme" / "2026-q3"
    for stem in ("00_playbook", "01_maturity_assessment", "02_kpi_analysis", "03_governance_report"):
        html = (pack / f"{stem}.html").read_text()
        assert "Acme" in html and "Traceback" not in html and "This report is incomplete" not in html
    maturity = pd.read_csv(pack / "results" / "maturity.csv").set_index("dimension_id")
    # R-02 left SA1-SA4 blank: 1 of 5 strategic alignment statements is below maturity.min_answered (a half,
    # issue 20), so R-02 is left out of that dimension only
    assert maturity.at["strategic_alignment", "n_respondents"] == 2
    assert (maturity.drop(index="strategic_alignment")["n_respondents"] == 3).all()


def test_status_of_a_new_workspace_is_a_checklist_not_a_crash(tmp_path):
    assert pmo("init", "acme", cwd=tmp_path).returncode == 0
    result = pmo("status", "acme", cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    out = result.stdout
    assert re.search(r"\[ \] cycles +empty +required", out)
    assert "collect the returned questionnaires with pmo collect-responses" in out
    assert "Validation: 4 problems to fix:" in out and "Questionnaires returned: none yet" in out

    # a broken pmo.yaml and a half-typed table: still a checklist
    (tmp_path / "acme" / "pmo.yaml").write_text("organisation: Acme\ncurency: EUR\n")
    book = openpyxl.load_workbook(tmp_path / "acme" / "data.xlsx")
    book["cycles"].append(["2026-Q3", "not a date", None])
    book.save(tmp_path / "acme" / "data.xlsx")
    result = pmo("status", "acme", cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "pmo.yaml has 1 problem" in result.stdout and re.search(r"\[x\] cycles +1 row ", result.stdout)


def test_every_optional_table_says_what_it_would_add_to_the_reports():
    from pmo_lib.inputs.engagement import SECTIONS_BY_TABLE
    from pmo_lib.inputs.tables import TABLES

    assert set(SECTIONS_BY_TABLE) == {name for name, spec in TABLES.items() if not spec.required}
    assert SECTIONS_BY_TABLE["feedback"] == "customer value (NPS, CSAT) and the value-for-money chart"


def test_status_with_sources_agrees_with_validate_before_and_after_a_pull(tmp_path):
    from pmo_lib.inputs.engagement import status_lines
    from pmo_lib.inputs.scaffold import init_workspace
    from pmo_lib.inputs.sources import pull_workspace
    from tests.test_cli_sources import jira_export, walkthrough_workspace

    ws = walkthrough_workspace(tmp_path / "ws")

    def table_line(lines: list[str], table: str) -> str:
        return next(line for line in lines if line.startswith(f"  [x] {table} ") or line.startswith(f"  [ ] {table} "))

    before = status_lines(ws)  # never pulled: read from the sources, as pmo validate reads them
    assert before[1] == "Tables (sources in pmo.yaml):"
    assert re.match(r"  \[x\] work_items +12 rows +optional, from Jira CSV export exports/jira.csv$",
                    table_line(before, "work_items"))
    assert re.match(r"  \[x\] financials +12 rows +required, from database sqlite:///portfolio.db query$",
                    table_line(before, "financials"))
    assert re.match(r"  \[x\] cycles +3 rows +required, from database sqlite:///portfolio.db table cycles$",
                    table_line(before, "cycles"))
    assert "Validation: valid, 3 cycles (C1 to C3)." in before
    assert before[-1].startswith(f"Next: pmo pull {ws} (the sources were never pulled), then pmo run {ws}")

    pull_workspace(ws)
    init_workspace(tmp_path / "fresh")  # pmo init's untouched workbook, left in place after the pull
    shutil.copy(tmp_path / "fresh" / "data.xlsx", ws / "data.xlsx")
    after = status_lines(ws)
    assert after[1] == "Tables (sources in pmo.yaml):"
    assert not [line for line in after if "keep only one" in line or "empty" in line and "required" in line]
    assert table_line(after, "work_items") == table_line(before, "work_items")
    assert "Validation: valid, 3 cycles (C1 to C3)." in after
    assert after[-1].startswith(f"Next: pmo run {ws} (the last pull)")

    items = pd.read_csv(TINY_ITEMS, dtype=str, keep_default_na=False)
    (ws / "exports" / "jira.csv").write_bytes(jira_export(items.iloc[:-1]))  # a new export
    assert status_lines(ws)[-1].startswith(f"Next: pmo run --pull {ws} (an export changed since the last pull)")


TINY_ITEMS = Path(__file__).resolve().parents[1] / "data" / "tiny" / "data" / "work_items.csv"
