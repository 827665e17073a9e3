"""Sources that are files: Jira's CSV export with its quirks, generic CSV and xlsx exports, the mapping, the snapshot."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pmo_lib.inputs.config import Config
from pmo_lib.inputs.exceptions import InputError
from pmo_lib.inputs.sources import SOURCES_FILE, pull_workspace
from pmo_lib.inputs.sources.mapping import to_date
from pmo_lib.inputs.workspace import load_workspace

JIRA_HEADER = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Created", "Resolved", "Labels", "Labels",
               "Sprint", "Sprint", "Custom field (Journal)", "Custom field (Start date)"]


def jira_row(key, kind, created, resolved, journal, start, labels=("", ""), summary=None):
    return [summary or f"Work on {key}", key, key.split("-")[1], kind, "Done" if resolved else "In Progress",
            created, resolved, *labels, "Sprint 1", "Sprint 2", journal, start]


GOOD_ROWS = [
    jira_row("AEJ-1", "Story", "12/Mar/24 9:41 AM", "20/Mar/24 5:02 PM", "AEJ:Macro", "2024-03-13 09:41",
             summary="Two lines\nof description, with a comma"),
    jira_row("AEJ-2", "Bug", "2024-03-12 09:41", "2024-03-15 11:00", "AEJ:Micro", "14/Mar/24 8:00 AM",
             labels=("macro", "urgent")),
    jira_row("AEJ-3", "Tech debt", "13/Mar/24 10:00 AM", "", "AEJ:Macro", "15/Mar/24 10:00 AM"),
    jira_row("AEJ-4", "Task", "14/Mar/24 10:00 AM", "18/Mar/24 10:00 AM", "AEJ:Micro", ""),  # resolved, never started
    jira_row("AEJ-5", "Risk", "15/Mar/24 10:00 AM", "", "AEJ:Macro", ""),
]

SOURCES_YAML = """
sources:
  tables:
    work_items:
      from: jira-csv
      path: exports/jira.csv
      columns:
        initiative_id: "Custom field (Journal)"
        started: "Start date"
      values:
        initiative_id: {"AEJ:Macro": I1, "AEJ:Micro": I2}
"""


def write_jira_csv(path: Path, rows: list[list[str]], header: list[str] = JIRA_HEADER) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))  # Jira's byte-order mark


@pytest.fixture
def jira_ws(tiny) -> Path:
    """The tiny workspace with its work items from a Jira CSV export."""
    (tiny / "data" / "work_items.csv").unlink()
    write_jira_csv(tiny / "exports" / "jira.csv", GOOD_ROWS)
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + SOURCES_YAML)
    return tiny


def items(ws) -> pd.DataFrame:
    frame = ws["work_items"].set_index("item_id")[["initiative_id", "item_type", "created", "started", "finished"]]
    for col in ("created", "started", "finished"):
        frame[col] = frame[col].dt.strftime("%Y-%m-%d").fillna("")
    return frame.astype(object)


def test_jira_csv_quirks_are_read(jira_ws):
    ws = load_workspace(jira_ws, from_sources=True)
    got = items(ws)
    assert list(got.index) == ["AEJ-1", "AEJ-2", "AEJ-3", "AEJ-4", "AEJ-5"]
    assert got.loc["AEJ-1"].tolist() == ["I1", "feature", "2024-03-12", "2024-03-13", "2024-03-20"]
    assert got.loc["AEJ-2"].tolist() == ["I2", "defect", "2024-03-12", "2024-03-14", "2024-03-15"]
    assert got.loc["AEJ-3", "item_type"] == "debt" and got.loc["AEJ-5", "item_type"] == "risk"
    assert got.loc["AEJ-4", "started"] == "" and got.loc["AEJ-4", "finished"] == "2024-03-18"
    assert ws.source("work_items") == "exports/jira.csv"


def test_finished_without_start_counts_in_throughput_and_is_reported(jira_ws):
    ws = load_workspace(jira_ws, from_sources=True)
    notes = [w.message for w in ws.warnings if w.table == "work_items"]
    assert any("1 of 3 finished work items (33%) have no start date" in n for n in notes), notes
    from pmo_lib.reporting.report import data_quality_table
    assert data_quality_table(ws)["message"].str.contains("left out of flow time").any()


def test_unmapped_values_are_reported_once_each_with_counts(jira_ws):
    rows = GOOD_ROWS + [jira_row(f"AEJ-{n}", "Epic", "15/Mar/24 10:00 AM", "", "AEJ:Macro", "") for n in (6, 7, 8)]
    rows.append(jira_row("AEJ-9", "Story", "15/Mar/24 10:00 AM", "", "AEJ:Unknown", ""))
    write_jira_csv(jira_ws / "exports" / "jira.csv", rows)
    with pytest.raises(InputError) as caught:
        load_workspace(jira_ws, from_sources=True)
    lines = [p.format() for p in caught.value.problem_list]
    assert len(lines) == 2, lines
    epic = next(line for line in lines if "'Epic'" in line)
    assert "3 rows: line 8 (issue AEJ-6), line 9 (issue AEJ-7), line 10 (issue AEJ-8)" in epic
    assert "values.item_type" in epic and "'*'" in epic
    assert "'AEJ:Unknown' is not mapped (1 row: line 11 (issue AEJ-9))" in next(l for l in lines if "Unknown" in l)


def test_catch_all_takes_the_unmapped_values(jira_ws):
    rows = GOOD_ROWS + [jira_row("AEJ-6", "Epic", "15/Mar/24 10:00 AM", "", "AEJ:Macro", "")]
    write_jira_csv(jira_ws / "exports" / "jira.csv", rows)
    text = (jira_ws / "pmo.yaml").read_text() + '        item_type: {"*": feature, Bug: defect}\n'
    (jira_ws / "pmo.yaml").write_text(text)
    got = items(load_workspace(jira_ws, from_sources=True))
    assert got.loc["AEJ-6", "item_type"] == "feature" and got.loc["AEJ-2", "item_type"] == "defect"
    assert got.loc["AEJ-5", "item_type"] == "risk"  # the default map still applies


def test_contradictions_are_errors_naming_the_issue_and_line(jira_ws):
    rows = list(GOOD_ROWS)
    rows[2] = jira_row("AEJ-1", "Story", "13/Mar/24 10:00 AM", "", "AEJ:Macro", "")  # a duplicate key
    rows[3] = jira_row("AEJ-4", "Task", "14/Mar/24 10:00 AM", "01/Mar/24 10:00 AM", "AEJ:Micro", "")  # before created
    write_jira_csv(jira_ws / "exports" / "jira.csv", rows)
    with pytest.raises(InputError) as caught:
        load_workspace(jira_ws, from_sources=True)
    lines = [p.format() for p in caught.value.problem_list]
    assert any(l.startswith("exports/jira.csv line 5 (issue AEJ-1)") and "duplicate item_id 'AEJ-1'; it first "
               "appears at line 2 (issue AEJ-1)" in l for l in lines), lines
    assert any(l.startswith("exports/jira.csv line 6 (issue AEJ-4)") and "finished is before created (2024-03-14)"
               in l for l in lines), lines


def test_a_multi_line_description_moves_the_lines_after_it(jira_ws):
    rows = list(GOOD_ROWS)
    rows[1] = jira_row("AEJ-2", "Bug", "2024-03-12 09:41", "2024-03-15 11:00", "AEJ:Micro", "someday")
    write_jira_csv(jira_ws / "exports" / "jira.csv", rows)
    with pytest.raises(InputError) as caught:
        load_workspace(jira_ws, from_sources=True)
    (line,) = [p.format() for p in caught.value.problem_list]
    # the first issue's summary spans lines 2 and 3, so the second issue starts on line 4
    assert line.startswith("exports/jira.csv line 4 (issue AEJ-2), table work_items, column started (from "
                           "'Custom field (Start date)'): expected a date"), line


def test_repeated_headers_without_a_map_need_one(jira_ws):
    text = (jira_ws / "pmo.yaml").read_text().replace('started: "Start date"', 'started: "Start date"\n        owner: Labels')
    (jira_ws / "pmo.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        load_workspace(jira_ws, from_sources=True)
    assert "the work_items table has no column 'owner'" in str(caught.value)


def test_a_missing_column_names_what_the_export_has(jira_ws):
    text = (jira_ws / "pmo.yaml").read_text().replace('"Start date"', '"Start"')
    (jira_ws / "pmo.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        load_workspace(jira_ws, from_sources=True)
    (problem,) = caught.value.problem_list
    assert problem.column == "sources.tables.work_items.columns.started" and problem.row is not None
    assert "exports/jira.csv has no column 'Start'" in problem.message


def test_zone_aware_timestamps_become_dates_in_the_workspace_time_zone():
    from zoneinfo import ZoneInfo

    berlin, utc, la = ZoneInfo("Europe/Berlin"), ZoneInfo("UTC"), ZoneInfo("America/Los_Angeles")
    assert to_date("2024-03-12T23:30:00.000-0500", berlin) == "2024-03-13"
    assert to_date("2024-03-12T23:30:00.000-0500", la) == "2024-03-12"
    assert to_date("2024-03-13T00:30:00+01:00", utc) == "2024-03-12"
    assert to_date("2024-03-13T00:30:00Z", berlin) == "2024-03-13"
    assert to_date("12/Mar/24 9:41 PM", utc) == "2024-03-12"  # no zone: already the workspace's
    assert to_date("2024-03-12 09:41", utc) == "2024-03-12"
    assert to_date("3/12/2024 9:41:00 AM", utc) is None  # day and month are ambiguous: date_format says
    assert to_date("3/12/2024 9:41:00 AM", utc, "%m/%d/%Y %I:%M:%S %p") == "2024-03-12"


ADO_YAML = """
timezone: America/New_York
sources:
  tables:
    work_items:
      from: csv
      path: exports/ado.csv
      date_format: "%m/%d/%Y %I:%M:%S %p"
      columns:
        item_id: ID
        item_type: Work Item Type
        initiative_id: Area Path
        created: Created Date
        started: Activated Date
        finished: Closed Date
      values:
        item_type: {User Story: feature, Product Backlog Item: feature, Bug: defect, Risk: risk, "*": feature}
        initiative_id: {"Fabrikam\\\\Web": I1, "Fabrikam\\\\Mobile": I2}
"""


def test_an_azure_devops_query_export(tiny):
    (tiny / "data" / "work_items.csv").unlink()
    (tiny / "exports").mkdir()
    (tiny / "exports" / "ado.csv").write_text(
        "ID,Work Item Type,Title,State,Area Path,Created Date,Activated Date,Closed Date\n"
        "4711,User Story,Sign-in,Closed,Fabrikam\\Web,3/12/2024 9:41:00 AM,3/13/2024 10:00:00 AM,3/20/2024 4:00:00 PM\n"
        "4712,Bug,Crash,Active,Fabrikam\\Mobile,3/14/2024 9:41:00 AM,3/15/2024 10:00:00 AM,\n"
        "4713,Task,Docs,New,Fabrikam\\Web,3/16/2024 9:41:00 AM,,\n", encoding="utf-8")
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + ADO_YAML)
    got = items(load_workspace(tiny, from_sources=True))
    assert got.loc["4711"].tolist() == ["I1", "feature", "2024-03-12", "2024-03-13", "2024-03-20"]
    assert got.loc["4712"].tolist() == ["I2", "defect", "2024-03-14", "2024-03-15", ""]
    assert got.loc["4713", "item_type"] == "feature"


SHEET_YAML = """
sources:
  tables:
    initiatives:
      from: xlsx
      path: exports/portfolio.xlsx
      sheet: Initiatives
      columns:
        initiative_id: Project ID
        name: Project Name
        kind: Type
        goal_id: Strategic Goal
        owner: Sponsor
        status: Status
        start_date: Start
        planned_end_date: Baseline Finish
        forecast_end_date: Finish
        actual_end_date: Actual Finish
        bac: Budget
      values:
        kind: {Project: project, Product: product}
        status: {"Not Started": proposed, "In Progress": active, "On Hold": on_hold, Complete: closed, Cancelled: cancelled}
"""


def test_a_smartsheet_or_ms_project_sheet_of_initiatives(tiny):
    import datetime as dt

    import openpyxl

    ini = pd.read_csv(tiny / "data" / "initiatives.csv", dtype=str, keep_default_na=False)
    (tiny / "data" / "initiatives.csv").unlink()
    status = {"proposed": "Not Started", "active": "In Progress", "on_hold": "On Hold", "closed": "Complete",
              "cancelled": "Cancelled"}
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Initiatives")
    sheet.append(["Project ID", "Project Name", "Type", "Strategic Goal", "Sponsor", "Status", "Start",
                  "Baseline Finish", "Finish", "Actual Finish", "Budget", "% Complete"])

    def day(text):
        return dt.datetime.fromisoformat(text) if text else None

    for _, r in ini.iterrows():
        sheet.append([r.initiative_id, r["name"], r.kind.title(), r.goal_id or None, r.owner or None, status[r.status],
                      day(r.start_date), day(r.planned_end_date), day(r.forecast_end_date), day(r.actual_end_date),
                      float(r.bac), 0.5])
    (tiny / "exports").mkdir()
    book.save(tiny / "exports" / "portfolio.xlsx")
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + SHEET_YAML)
    ws = load_workspace(tiny, from_sources=True)
    reference = load_workspace(DATA_TINY)
    cols = ["initiative_id", "name", "kind", "goal_id", "status", "start_date", "planned_end_date", "bac"]
    pd.testing.assert_frame_equal(ws["initiatives"][cols], reference["initiatives"][cols])
    bad = sheet.cell(row=3, column=6)
    bad.value = "Paused"
    book.save(tiny / "exports" / "portfolio.xlsx")
    with pytest.raises(InputError) as caught:
        load_workspace(tiny, from_sources=True)
    assert "Status 'Paused' is not mapped (1 row: sheet Initiatives row 3 (Project ID 'I2'))" in str(caught.value)


DATA_TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def test_pull_writes_the_snapshot_that_runs_read(jira_ws):
    done = pull_workspace(jira_ws)
    record = json.loads((jira_ws / "data" / SOURCES_FILE).read_text())
    entry = record["tables"]["work_items"]
    body = (jira_ws / "data" / "work_items.csv").read_bytes()
    import hashlib
    assert entry["sha256"] == hashlib.sha256(body).hexdigest() and entry["rows"] == 5
    assert entry["source"] == "exports/jira.csv" and entry["from"] == "jira-csv" and entry["pulled_at"].endswith("Z")
    assert done.tables["work_items"]["rows"] == 5
    assert body.decode().splitlines()[1] == "AEJ-1,I1,feature,2024-03-12,2024-03-13,2024-03-20"
    ws = load_workspace(jira_ws)  # from the snapshot now
    assert ws.snapshot["tables"]["work_items"]["sha256"] == entry["sha256"]
    assert items(ws).equals(items(load_workspace(jira_ws, from_sources=True)))
    from pmo_lib.inputs.sources import manifest_snapshot
    summary = manifest_snapshot(ws)
    assert summary["tables"]["work_items"]["sha256"] == entry["sha256"] and summary["sha256"]


def test_a_failed_pull_changes_nothing(jira_ws):
    pull_workspace(jira_ws)
    before = {p.name: p.read_bytes() for p in (jira_ws / "data").iterdir()}
    rows = GOOD_ROWS + [jira_row("AEJ-6", "Epic", "15/Mar/24 10:00 AM", "", "AEJ:Macro", "")]
    write_jira_csv(jira_ws / "exports" / "jira.csv", rows)
    with pytest.raises(InputError):
        pull_workspace(jira_ws)
    assert {p.name: p.read_bytes() for p in (jira_ws / "data").iterdir()} == before
    assert sorted(p.name for p in jira_ws.iterdir()) == ["data", "exports", "model.yaml", "pmo.yaml"]


def test_runs_need_a_pull_and_notice_a_changed_source_or_a_hand_edit(jira_ws):
    with pytest.raises(InputError, match="never pulled; run 'pmo pull"):
        load_workspace(jira_ws)
    pull_workspace(jira_ws)
    path = jira_ws / "data" / "work_items.csv"
    path.write_text(path.read_text().replace("AEJ-5,I1,risk", "AEJ-5,I2,risk"))
    ws = load_workspace(jira_ws)
    assert any("changed by hand after it was pulled" in w.message for w in ws.warnings)
    (jira_ws / "pmo.yaml").write_text((jira_ws / "pmo.yaml").read_text().replace("AEJ:Micro", "AEJ:Mikro"))
    with pytest.raises(InputError, match="changed in pmo.yaml since the last pull"):
        load_workspace(jira_ws)


def test_a_table_both_typed_in_and_sourced_is_refused(jira_ws):
    shutil.copy(DATA_TINY / "data" / "work_items.csv", jira_ws / "data" / "work_items.csv")
    with pytest.raises(InputError, match="both typed into the workspace and read from exports/jira.csv"):
        load_workspace(jira_ws, from_sources=True)


def test_a_missing_export_is_one_clear_problem(jira_ws):
    (jira_ws / "exports" / "jira.csv").unlink()
    with pytest.raises(InputError) as caught:
        load_workspace(jira_ws, from_sources=True)
    assert [p.format() for p in caught.value.problem_list] == [
        "exports/jira.csv, table work_items: the export file does not exist in the workspace folder"]


@pytest.mark.parametrize("sources, message", [
    ({"tables": {"work_items": {"path": "x.txt"}}}, "say where the table comes from"),
    ({"tables": {"work_items": {"from": "sql", "query": "SELECT 1", "path": "x.csv"}}}, "path does not apply"),
    ({"tables": {"work_items": {"from": "jira", "url": "https://x"}}}, "from jira needs jql"),
    ({"tables": {"work_items": {"from": "sql", "table": "a", "query": "b"}}}, "exactly one of table and query"),
    ({"tables": {"work_items": {"from": "jira-csv", "path": "a.csv", "colums": {}}}}, "Extra inputs"),
    ({"tables": {"work_items": {"from": "excel", "path": "a.csv"}}}, "from must be one of"),
])
def test_source_settings_are_strict(sources, message):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        Config.model_validate({"organisation": "X", "sources": sources})


def test_timezone_is_checked():
    from pydantic import ValidationError

    assert Config.model_validate({"organisation": "X"}).timezone == "UTC"
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        Config.model_validate({"organisation": "X", "timezone": "Mars/Olympus"})


def test_unstarted_items_count_in_throughput_but_not_in_flow_time(tiny):
    from pmo_lib.analysis.kpis import compute_kpis

    from ..conftest import edit_csv

    before = load_workspace(tiny)
    edit_csv(tiny, "work_items", lambda f: f.assign(started=f["started"].where(f["item_id"] != "W10", "")))
    after = load_workspace(tiny)

    def kpi(ws, kpi_id):
        frame = compute_kpis(ws.cycle("C3"), ws.catalog)
        return frame[(frame["kpi_id"] == kpi_id) & (frame["scope"] == "portfolio")].iloc[0]

    assert kpi(after, "throughput")["value"] == kpi(before, "throughput")["value"] == 4
    assert kpi(after, "flow_time_p50")["n"] == kpi(before, "flow_time_p50")["n"] - 1
    (note,) = [w.message for w in after.warnings if "no start date" in w.message]
    assert note == ("1 of 10 finished work items (10%) have no start date: they count in throughput but are left out "
                    "of flow time")
    assert not [w for w in before.warnings if "no start date" in w.message]


def test_a_password_with_url_characters_still_makes_a_valid_url(monkeypatch):
    from sqlalchemy.engine import make_url

    from pmo_lib.inputs.exceptions import _Collector
    from pmo_lib.inputs.sources.mapping import Secrets, expand_env, public_url

    monkeypatch.setenv("PMO_TEST_PW", "p@ss/w#rd:1")
    monkeypatch.setenv("PMO_TEST_HOST", "db.example.com")
    secrets, issues = Secrets(), _Collector()
    written = "postgresql://pmo:${PMO_TEST_PW}@${PMO_TEST_HOST}:5432/portfolio"
    url = make_url(expand_env(written, "sources.database", secrets, issues, "pmo.yaml", 3))
    assert (url.username, url.password, url.host, url.database) == ("pmo", "p@ss/w#rd:1", "db.example.com", "portfolio")
    assert not issues.problems
    assert secrets.mask(f"failed for {url.render_as_string(hide_password=False)}") == \
        "failed for postgresql://pmo:***@***:5432/portfolio"
    assert public_url(written) == "postgresql://${PMO_TEST_HOST}:5432/portfolio"


def test_each_cycle_counts_the_unstarted_items_finished_by_its_end(tiny):
    from pmo_lib.reporting.report import data_quality_table

    from ..conftest import edit_csv

    # W2 finished in C1 and W12 in C3, both without a start; C3 has no feedback rows
    edit_csv(tiny, "work_items", lambda f: f.assign(started=f["started"].where(~f["item_id"].isin(["W2", "W12"]), "")))
    edit_csv(tiny, "feedback", lambda f: f[f["cycle"] != "C3"])
    ws = load_workspace(tiny)
    tail = "have no start date: they count in throughput but are left out of flow time"
    assert f"2 of 10 finished work items (20%) {tail}" in [w.message for w in ws.warnings]  # pmo validate's view

    def notes(cycle):
        return [w.message for w in ws.warnings_for(cycle) if "no start date" in w.message or "no rows" in w.message]

    c1 = "cycle 'C1' has no rows in feedback"  # tiny has none for C1
    assert notes("C1") == [f"1 of 2 work items finished by the end of C1 (50%) {tail}", c1]
    assert notes(ws.cycle("C2")) == [f"1 of 6 work items finished by the end of C2 (17%) {tail}", c1]
    assert notes("C3") == [f"2 of 10 work items finished by the end of C3 (20%) {tail}", c1,
                           "cycle 'C3' has no rows in feedback"]
    appendix = data_quality_table(ws, ws.cycle("C1"))
    assert appendix["message"].str.contains("1 of 2 work items finished by the end of C1").any()
    assert not appendix["message"].str.contains("2 of 10|C3").any()
    assert data_quality_table(ws)["message"].str.contains("2 of 10 finished work items").any()


def test_the_appendix_names_a_pulled_table_by_its_source_and_the_workspace_in_words(jira_ws):
    from pmo_lib.reporting.report import data_quality_table

    pull_workspace(jira_ws)
    ws = load_workspace(jira_ws)  # from the snapshot, as a run reads it
    assert ws.source("work_items") == "exports/jira.csv"
    appendix = data_quality_table(ws, "C1").set_index("table")
    assert appendix.at["work items", "source"] == "exports/jira.csv"
    assert appendix.at["work items", "message"].startswith("1 of 3 work items finished by the end of C1 (33%)")
    assert appendix.at["initiative status", "source"] == "workspace"
    assert "." not in appendix["source"].tolist()


def test_a_replaced_export_is_a_warning_and_the_report_keeps_the_pulled_rows(jira_ws):
    from pmo_lib.reporting.report import data_quality_table

    pull_workspace(jira_ws)
    pulled = items(load_workspace(jira_ws))
    write_jira_csv(jira_ws / "exports" / "jira.csv", GOOD_ROWS[:3])  # a new export, not pulled yet
    ws = load_workspace(jira_ws)
    assert items(ws).equals(pulled)
    (note,) = [w for w in ws.warnings if "export" in w.message]
    assert note.file == "exports/jira.csv" and note.table == "work_items"
    assert note.message.startswith("the export changed since the last pull on ")
    assert note.message.endswith(f"the report uses the rows pulled then: run 'pmo pull {jira_ws}' (or 'pmo run "
                                 "--pull') to use it")
    assert data_quality_table(ws, "C3")["message"].str.contains("the export changed since the last pull").any()
    pull_workspace(jira_ws)
    assert not [w for w in load_workspace(jira_ws).warnings if "export" in w.message]


FINANCIALS_YAML = """    financials: {from: csv, path: exports/financials.csv}
"""


@pytest.fixture
def two_sources(jira_ws) -> Path:
    """jira_ws with its financials from a CSV export too: two pulled tables."""
    shutil.move(jira_ws / "data" / "financials.csv", jira_ws / "exports" / "financials.csv")
    text = (jira_ws / "pmo.yaml").read_text().replace("  tables:\n", "  tables:\n" + FINANCIALS_YAML)
    (jira_ws / "pmo.yaml").write_text(text)
    pull_workspace(jira_ws)
    return jira_ws


def test_a_changed_time_zone_is_said_once_with_the_tables_it_affects(two_sources):
    (two_sources / "pmo.yaml").write_text((two_sources / "pmo.yaml").read_text() + "timezone: Europe/Berlin\n")
    with pytest.raises(InputError) as caught:
        load_workspace(two_sources)
    (problem,) = caught.value.problem_list
    assert problem.column == "timezone" and problem.row is not None
    assert problem.message.startswith("timezone changed from UTC to Europe/Berlin in pmo.yaml since the last pull (")
    assert "it affects 2 tables: financials, work_items; " in problem.message
    assert "run 'pmo pull" in problem.message and "(or 'pmo run --pull')" in problem.message


def test_a_sourced_table_whose_entry_changed_is_not_also_missing(two_sources):
    text = (two_sources / "pmo.yaml").read_text().replace("exports/financials.csv", "exports/finance.csv")
    (two_sources / "pmo.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        load_workspace(two_sources)
    (line,) = [p.format() for p in caught.value.problem_list]
    assert "column sources.tables.financials: sources.tables.financials changed in pmo.yaml since the last pull" \
        in line
    assert "missing" not in line


def test_a_wrong_column_name_suggests_the_closest_columns_first(jira_ws):
    text = (jira_ws / "pmo.yaml").read_text().replace('"Start date"', '"Begin date"')
    (jira_ws / "pmo.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        load_workspace(jira_ws, from_sources=True)
    (problem,) = caught.value.problem_list
    assert problem.message.startswith("exports/jira.csv has no column 'Begin date'; did you mean "
                                      "'Custom field (Start date)'?"), problem.message
    listed = problem.message.split("It has ", 1)[1]
    assert listed.startswith("Custom field (Start date), ")


def test_rows_whose_values_map_to_several_kit_values_are_one_line(jira_ws):
    rows = [jira_row("AEJ-1", "Story", "12/Mar/24 9:41 AM", "", "AEJ:Macro", "", labels=("macro", "micro")),
            jira_row("AEJ-2", "Story", "12/Mar/24 9:41 AM", "", "AEJ:Macro", "", labels=("micro", "macro")),
            jira_row("AEJ-3", "Story", "12/Mar/24 9:41 AM", "", "AEJ:Macro", "", labels=("macro", "macro")),
            jira_row("AEJ-4", "Story", "12/Mar/24 9:41 AM", "", "AEJ:Macro", "", labels=("micro", "other"))]
    write_jira_csv(jira_ws / "exports" / "jira.csv", rows)
    text = (jira_ws / "pmo.yaml").read_text().replace('initiative_id: "Custom field (Journal)"', "initiative_id: Labels")
    text = text.replace('initiative_id: {"AEJ:Macro": I1, "AEJ:Micro": I2}', "initiative_id: {macro: I1, micro: I2}")
    (jira_ws / "pmo.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        load_workspace(jira_ws, from_sources=True)
    (line,) = [p.format() for p in caught.value.problem_list]
    assert line.startswith("exports/jira.csv, table work_items, column initiative_id (from 'Labels'): Labels holds "
                           "several values in a row that map to different initiative_id values;"), line
    assert line.endswith("(2 rows: line 2 (issue AEJ-1): macro + micro, line 3 (issue AEJ-2): micro + macro)")
