"""Loading and validating a workspace: every problem named precisely, all at once."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from pmo_lib import InputError, PmoError, load_workspace
from pmo_lib.inputs.scaffold import write_input_workbook

from tests.conftest import edit_csv


def problems_of(path) -> pd.DataFrame:
    with pytest.raises(InputError) as info:
        load_workspace(path)
    return info.value.problems


def one(problems: pd.DataFrame, **match) -> pd.Series:
    rows = problems
    for key, value in match.items():
        rows = rows[rows[key].astype(str).str.contains(str(value), regex=False)] if key == "message" else rows[rows[key] == value]
    assert len(rows) == 1, f"expected one problem matching {match}, got:\n{problems.to_string()}"
    return rows.iloc[0]


def test_tiny_workspace_loads_into_typed_tables(tiny):
    ws = load_workspace(tiny)
    assert ws.cycles == ["C1", "C2", "C3"]
    assert ws["financials"]["earned_value"].dtype == "float64"
    assert str(ws["initiatives"]["start_date"].dtype).startswith("datetime64")
    assert ws.has("feedback") and ws.model.name == "Two-dimension test model"
    assert ws.resolve_cycle(None) == "C3"
    assert ws.previous_cycle("C2") == "C1" and ws.previous_cycle("C1") is None


def test_cycles_are_ordered_by_start_date_not_by_file_order(tiny):
    edit_csv(tiny, "cycles", lambda f: f.iloc[::-1])
    assert load_workspace(tiny).cycles == ["C1", "C2", "C3"]


def test_unknown_cycle_names_the_known_cycles(tiny):
    ws = load_workspace(tiny)
    with pytest.raises(PmoError, match="cycle 'C9' is not in the cycles table; known cycles: C1, C2, C3"):
        ws.resolve_cycle("C9")
    with pytest.raises(PmoError, match="cycle 'C9' is not in the cycles table; known cycles: C1, C2, C3"):
        ws.cycle("C9")


def test_missing_optional_table_is_a_warning_and_an_empty_typed_table(minimal):
    ws = load_workspace(minimal)
    assert not ws.has("feedback")
    assert list(ws["feedback"].columns)[:3] == ["source_row", "cycle", "initiative_id"] or "nps" in ws["feedback"]
    assert any("feedback" in w.message for w in ws.warnings)


def test_every_problem_is_reported_at_once_with_file_row_column_and_value(tiny):
    edit_csv(tiny, "financials", lambda f: f.assign(actual_cost=f["actual_cost"].where(f.index != 2, "lots")))
    edit_csv(tiny, "initiatives", lambda f: f.assign(kind=f["kind"].where(f.index != 1, "programme")))
    edit_csv(tiny, "cycles", lambda f: f.assign(end_date=f["end_date"].where(f.index != 1, "2026-02-30")))
    problems = problems_of(tiny)
    cost = one(problems, column="actual_cost", message="expected a number")
    assert cost["row"] == 4 and cost["value"] == "lots" and cost["file"].endswith("financials.csv")
    kind = one(problems, column="kind", message="must be one of: project, product")
    assert kind["row"] == 3 and kind["value"] == "programme"
    date = one(problems, column="end_date", message="not a real calendar date")
    assert date["row"] == 3 and date["value"] == "2026-02-30"


def test_non_iso_date_is_rejected(tiny):
    edit_csv(tiny, "cycles", lambda f: f.assign(start_date=f["start_date"].where(f.index != 0, "01/01/2026")))
    row = one(problems_of(tiny), column="start_date", message="expected an ISO date YYYY-MM-DD")
    assert row["row"] == 2 and row["value"] == "01/01/2026"


def test_end_before_start(tiny):
    edit_csv(tiny, "cycles", lambda f: f.assign(end_date=f["end_date"].where(f.index != 0, "2025-12-01")))
    row = one(problems_of(tiny), column="end_date", message="end_date is before start_date")
    assert row["row"] == 2


def test_duplicate_ids_point_to_the_first_occurrence(tiny):
    edit_csv(tiny, "initiatives", lambda f: f.assign(initiative_id=f["initiative_id"].where(f.index != 3, "I1")))
    row = one(problems_of(tiny), table="initiatives", message="duplicate")
    assert row["row"] == 5 and "first appears in row 2" in row["message"]


def test_unknown_references_list_the_known_ids(tiny):
    edit_csv(tiny, "financials", lambda f: f.assign(initiative_id=f["initiative_id"].where(f.index != 0, "I9")))
    edit_csv(tiny, "initiatives", lambda f: f.assign(goal_id=f["goal_id"].where(f.index != 0, "G7")))
    problems = problems_of(tiny)
    fin = one(problems, table="financials", column="initiative_id")
    assert fin["value"] == "I9" and "known: I1, I2, I3, I4" in fin["message"]
    goal = one(problems, table="initiatives", column="goal_id")
    assert goal["value"] == "G7" and goal["row"] == 2


def test_negative_money_and_scores_outside_the_scale(tiny):
    edit_csv(tiny, "initiatives", lambda f: f.assign(bac=f["bac"].where(f.index != 0, "-5")))
    edit_csv(tiny, "assessment", lambda f: f.assign(score=f["score"].where(f.index != 0, "7")))
    problems = problems_of(tiny)
    assert one(problems, column="bac", message="must not be negative")["value"] == -5
    score = one(problems, column="score", message="from 1 to 5")
    assert score["row"] == 2 and score["value"] == 7


def test_unknown_item_id_suggests_the_nearest(tiny):
    edit_csv(tiny, "assessment", lambda f: f.assign(item_id=f["item_id"].where(f.index != 0, "a1")))
    row = one(problems_of(tiny), column="item_id")
    assert "did you mean 'A1'" in row["message"] or "not in the maturity model" in row["message"]


def test_cumulative_earned_value_must_not_fall(tiny):
    edit_csv(tiny, "financials", lambda f: f.assign(earned_value=f["earned_value"].where(f.index != 4, "1000")))
    row = one(problems_of(tiny), column="earned_value", message="is cumulative but fell")
    assert row["row"] == 6 and "18,000" in row["message"]


def test_missing_required_table_and_column(tiny):
    (tiny / "data" / "cycles.csv").unlink()
    edit_csv(tiny, "initiatives", lambda f: f.drop(columns="bac"))
    problems = problems_of(tiny)
    assert len(one(problems, table="cycles", message="required table 'cycles' is missing")) > 0
    assert one(problems, table="initiatives", column="bac")["message"].startswith("required column 'bac'")


def test_misspelt_table_name_suggests_the_right_one(tiny):
    (tiny / "data" / "feedback.csv").rename(tiny / "data" / "feedbak.csv")
    assert "did you mean 'feedback'" in one(problems_of(tiny), table="feedbak")["message"]


def test_empty_required_table_is_an_error(tiny):
    (tiny / "data" / "financials.csv").write_text("cycle,initiative_id,budget,planned_value,earned_value,actual_cost\n")
    one(problems_of(tiny), table="financials", message="the table is empty")


def test_semicolon_separator_and_bom_are_read(tiny):
    path = tiny / "data" / "goals.csv"
    text = path.read_text().replace(",", ";")
    path.write_bytes("\ufeff".encode() + text.encode())
    ws = load_workspace(tiny)
    assert ws["goals"]["goal_id"].tolist() == ["G1", "G2"]


def test_non_utf8_file_is_rejected_clearly(tiny):
    path = tiny / "data" / "goals.csv"
    path.write_bytes(path.read_text().replace("Keep customers", "Kundenzufriedenheit für alle").encode("latin-1"))
    row = one(problems_of(tiny), table="goals")
    assert "not UTF-8" in row["message"]


def test_workbook_with_formula_and_merged_header_is_rejected(tiny, tmp_path):
    book_path = tiny / "data.xlsx"
    write_input_workbook(book_path)
    book = openpyxl.load_workbook(book_path)
    for table in ("cycles", "initiatives", "financials", "assessment"):
        frame = pd.read_csv(tiny / "data" / f"{table}.csv", dtype=str, keep_default_na=False)
        sheet = book[table]
        for row in frame.itertuples(index=False):
            sheet.append([float(v) if v.replace(".", "", 1).isdigit() else (v or None) for v in row])
    book["financials"]["C3"] = "=1+1"
    book["cycles"].merge_cells("A1:B1")
    book.save(book_path)
    import shutil
    shutil.rmtree(tiny / "data")
    (tiny / "pmo.yaml").write_text("organisation: Tiny\nmaturity_model: model.yaml\n")
    problems = problems_of(tiny)
    formula = one(problems, table="financials", message="formula")
    assert formula["row"] == 3 and formula["column"] == "budget" and formula["value"] == "=1+1"
    one(problems, table="cycles", message="merged")


def test_workbook_input_loads_like_csv(tiny):
    book_path = tiny / "data.xlsx"
    write_input_workbook(book_path)
    book = openpyxl.load_workbook(book_path)
    for table in ("cycles", "goals", "initiatives", "financials", "assessment"):
        frame = pd.read_csv(tiny / "data" / f"{table}.csv", dtype=str, keep_default_na=False)
        for row in frame.itertuples(index=False):
            book[table].append([v or None for v in row])
    book.save(book_path)
    import shutil
    shutil.rmtree(tiny / "data")
    (tiny / "pmo.yaml").write_text("organisation: Tiny\nmaturity_model: model.yaml\n")
    ws = load_workspace(tiny)
    assert ws["financials"]["earned_value"].sum() == pytest.approx(516000)
    assert ws.source("cycles").endswith("data.xlsx (sheet cycles)")


def test_paths_in_pmo_yaml_must_stay_inside_the_workspace(tiny):
    (tiny / "pmo.yaml").write_text("organisation: Tiny\nmaturity_model: ../../etc/passwd\n")
    row = one(problems_of(tiny), column="maturity_model")
    assert "inside the workspace" in row["message"]


def test_run_cache_is_used_only_while_the_inputs_are_unchanged(tiny, tmp_path, monkeypatch):
    import os

    from pmo_lib.inputs.workspace import RUN_CACHE_ENV, write_run_cache

    ws = load_workspace(tiny)
    ws.warnings.append(ws.warnings[0].__class__("marker", "cycles", "from the cache"))
    cache = write_run_cache(ws, tmp_path / "ws.pickle")
    monkeypatch.setenv(RUN_CACHE_ENV, str(cache))
    assert any(w.file == "marker" for w in load_workspace(tiny).warnings)  # served from the cache
    goals = tiny / "data" / "goals.csv"
    goals.write_text(goals.read_text() + "\n")
    os.utime(goals, ns=(1, 1))
    assert not any(w.file == "marker" for w in load_workspace(tiny).warnings)  # inputs changed: validated again


def test_roles_listed_in_pmo_yaml_are_the_only_roles_the_assessment_accepts(tiny):
    with (tiny / "pmo.yaml").open("a") as fh:
        fh.write("questionnaire:\n  roles: [Executive, PMO, Delivery lead]\n")
    edit_csv(tiny, "assessment", lambda f: f.assign(role=f["role"].replace({"PMO": "pmo"})))
    assert set(load_workspace(tiny)["assessment"]["role"]) == {"Executive", "PMO", "Delivery lead"}  # list's spelling

    def sponsor(frame):
        frame.loc[4, "role"] = "Sponsor"  # spreadsheet row 6
        return frame

    edit_csv(tiny, "assessment", sponsor)
    row = one(problems_of(tiny), table="assessment", column="role")
    assert (row["row"], row["value"]) == (6, "Sponsor")
    assert row["file"].endswith("assessment.csv") and "Executive, PMO, Delivery lead" in row["message"]


def test_without_a_roles_list_any_role_is_accepted(tiny):
    edit_csv(tiny, "assessment", lambda f: f.assign(role="Sponsor"))
    assert set(load_workspace(tiny)["assessment"]["role"]) == {"Sponsor"}


def test_workbook_headers_may_carry_a_readable_name_above_the_code(tiny):
    from pmo_lib.inputs.workspace import header_code

    assert header_code("Budget at completion\nbac") == "bac"
    assert header_code("bac") == "bac" and header_code(" Planned value (PV) \r\n planned_value \n") == "planned_value"
    assert header_code(None) == ""
