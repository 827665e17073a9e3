"""pmo init: a workspace a consultant can fill in."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from pmo_lib import InputError, PmoError, collect_responses, init_workspace, load_config, load_workspace
from pmo_lib.inputs.model import load_model
from pmo_lib.inputs.resources import TEMPLATES_DIR
from pmo_lib.inputs.scaffold import column_label, example_row, write_input_workbook
from pmo_lib.inputs.tables import TABLES
from pmo_lib.inputs.workspace import EXAMPLE_MARKER, header_code

D = dt.date
MODEL = load_model(TEMPLATES_DIR / "maturity_model.yaml")


def fill_in(path):
    """Type a small organisation into the workbook pmo init wrote, below the example rows."""
    book = openpyxl.load_workbook(path / "data.xlsx")
    rows = {
        "cycles": [["2026-Q1", D(2026, 1, 1), D(2026, 3, 31)], ["2026-Q2", D(2026, 4, 1), D(2026, 6, 30)]],
        "initiatives": [["P-1", "New website", "project", None, "Ann", "active", D(2026, 1, 10), D(2026, 12, 31),
                         None, None, 500000],
                        ["P-2", "Payroll", "product", None, None, "on_hold", D(2026, 2, 1), D(2027, 1, 31),
                         D(2027, 3, 31), None, 250000.5]],
        "financials": [["2026-Q1", "P-1", 100000, 80000, 70000, 75000],
                       ["2026-Q2", "P-1", 120000, 200000, 180000, 190000],
                       ["2026-Q2", "P-2", 50000, 40000, 40000, 41000]],
        "assessment": [["2026-Q2", f"R{r}", role, item, 1 + (r + i) % 5]
                       for r, role in enumerate(["Executive", "PMO", "Delivery lead"])
                       for i, item in enumerate(MODEL.items["item_id"])],
    }
    for table, values in rows.items():
        for row in values:
            book[table].append(row)
    book.save(path / "data.xlsx")


def test_init_creates_config_workbook_and_questionnaire(tmp_path):
    path = init_workspace(tmp_path / "acme")
    assert load_config(path).organisation == "Acme"
    book = openpyxl.load_workbook(path / "data.xlsx")
    for name, spec in TABLES.items():
        assert [header_code(c.value) for c in book[name][1]][:len(spec.columns)] == spec.column_names
    assert "Budget at completion" in book["initiatives"]["K1"].comment.text  # header notes
    help_rows = [r for r in book["_Instructions"].iter_rows(values_only=True)]
    assert (None, "bac", "Budget at completion", "value required",
            "Budget at completion, in the workspace currency.") in help_rows
    answers = openpyxl.load_workbook(path / "questionnaire.xlsx")["Answers"]
    statements = [r[0] for r in answers.iter_rows(min_row=6, values_only=True) if r[0]]
    assert (path / "questionnaire.pdf").read_bytes().startswith(b"%PDF")
    assert len(statements) == 50
    assert "Acme" in answers.parent["Introduction"]["A1"].value


def test_headers_are_readable_names_with_the_code_beneath(tmp_path):
    book = openpyxl.load_workbook(write_input_workbook(tmp_path / "data.xlsx"))
    assert book["initiatives"]["K1"].value == "Budget at completion\nbac"
    assert book["financials"]["D1"].value == "Planned value (PV)\nplanned_value"
    assert book["initiatives"]["H1"].value == "Planned end date\nplanned_end_date"
    assert column_label("work_items", "item_id") == "Work item ID"
    assert column_label("initiative_status", "note") == "Note"  # a table without a written label still reads


def test_every_sheet_has_one_marked_example_row_that_the_loader_skips(tmp_path):
    path = init_workspace(tmp_path / "acme")
    book = openpyxl.load_workbook(path / "data.xlsx")
    for name, spec in TABLES.items():
        sheet = book[name]
        assert sheet.max_row == 2
        assert sheet.cell(2, len(spec.columns) + 1).value == EXAMPLE_MARKER
        assert sheet["A2"].value is not None
    with pytest.raises(InputError) as info:
        load_workspace(path)  # only examples: every required table is empty, nothing else is wrong
    problems = info.value.problems
    assert set(problems["message"]) == {"the table is empty; it needs at least one row"}
    assert set(problems["table"]) == {"cycles", "initiatives", "financials", "assessment"}


def test_example_rows_are_valid_rows_of_their_tables(tmp_path):
    # the examples are what a client copies, so they obey the contract themselves
    path = tmp_path / "ws"
    path.mkdir()
    (path / "pmo.yaml").write_text("organisation: Example\n")
    (path / "data").mkdir()
    for spec in TABLES.values():
        row = {k: (v.isoformat() if isinstance(v, dt.date) else ("" if v is None else v))
               for k, v in example_row(spec).items()}
        pd.DataFrame([row]).to_csv(path / "data" / f"{spec.name}.csv", index=False)
    ws = load_workspace(path)
    assert ws.cycles == ["2026-Q3"] and ws["initiatives"]["initiative_id"].tolist() == ["I-001"]


def test_a_filled_in_init_workbook_validates_and_loads_without_the_example_rows(tmp_path):
    path = init_workspace(tmp_path / "acme")
    fill_in(path)
    ws = load_workspace(path)
    assert ws.cycles == ["2026-Q1", "2026-Q2"]  # the example's 2026-Q3 is not loaded
    assert ws["initiatives"]["initiative_id"].tolist() == ["P-1", "P-2"]
    assert ws["initiatives"]["source_row"].tolist() == [3, 4]  # spreadsheet rows, after the example
    assert ws["initiatives"]["bac"].sum() == pytest.approx(750000.5)
    assert len(ws["assessment"]) == 3 * 50
    assert not ws.has("goals")


def test_an_error_in_a_data_row_names_its_spreadsheet_row(tmp_path):
    path = init_workspace(tmp_path / "acme")
    fill_in(path)
    book = openpyxl.load_workbook(path / "data.xlsx")
    book["initiatives"]["H4"] = "31/01/2027"
    book["financials"]["B5"] = "P-9"
    book.save(path / "data.xlsx")
    with pytest.raises(InputError) as info:
        load_workspace(path)
    problems = info.value.problems.set_index("column")
    assert problems.loc["planned_end_date", "row"] == 4
    assert problems.loc["planned_end_date", "value"] == "31/01/2027"
    assert problems.loc["initiative_id", "row"] == 5
    assert problems.loc["initiative_id", "file"].endswith("data.xlsx (sheet financials)")


def test_an_edited_example_row_is_reported_not_dropped(tmp_path):
    path = init_workspace(tmp_path / "acme")
    fill_in(path)
    book = openpyxl.load_workbook(path / "data.xlsx")
    book["cycles"]["A2"] = "2025-Q4"  # real data typed over the example, the marker left in place
    book.save(path / "data.xlsx")
    with pytest.raises(InputError) as info:
        load_workspace(path)
    problem = info.value.problems.iloc[0]
    assert (problem["table"], problem["row"]) == ("cycles", 2)
    assert "delete the marker to load the row as data" in problem["message"]
    book["cycles"]["D2"] = None  # the marker removed: the row is data
    book.save(path / "data.xlsx")
    assert set(load_workspace(path).cycles) == {"2025-Q4", "2026-Q1", "2026-Q2"}


def test_a_workbook_with_plain_code_headers_still_loads(tmp_path):
    path = init_workspace(tmp_path / "acme")
    fill_in(path)
    book = openpyxl.load_workbook(path / "data.xlsx")
    for name, spec in TABLES.items():
        for i, col in enumerate(spec.columns, start=1):
            book[name].cell(1, i).value = col.name
        book[name].delete_rows(2)  # no example row either
    del book["_Examples"]
    book.save(path / "data.xlsx")
    ws = load_workspace(path)
    assert ws["initiatives"]["source_row"].tolist() == [2, 3]


def test_the_workbook_checks_dates_numbers_identifiers_and_lists_itself(tmp_path):
    path = init_workspace(tmp_path / "acme")
    book = openpyxl.load_workbook(path / "data.xlsx")

    def rules(sheet):
        return {str(v.sqref).split(":")[0]: v for v in book[sheet].data_validations.dataValidation}

    ini = rules("initiatives")
    assert (ini["G2"].type, ini["G2"].operator) == ("date", "between")  # start_date
    assert (ini["K2"].type, ini["K2"].operator, ini["K2"].formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert ini["A2"].type == "custom" and 'FIND(" ",A2)' in ini["A2"].formula1  # no spaces in an id
    assert ini["C2"].type == "list" and ini["F2"].type == "list"  # kind and status
    assert "COUNTIF('goals'!$A:$A,D2)" in ini["D2"].formula1  # a goal id must be on the goals sheet
    assert "TRIM(A2)=A2" in rules("cycles")["A2"].formula1  # cycle names may hold single spaces
    fb = rules("feedback")
    assert (fb["D2"].type, fb["D2"].formula1, fb["D2"].formula2) == ("whole", "0", "10")  # nps
    goals = rules("goals")
    assert (goals["D2"].type, goals["D2"].formula1, goals["D2"].formula2) == ("decimal", "0", "1")
    answers = rules("assessment")
    assert answers["C2"].formula1 == '"Executive,PMO,Delivery lead,Product owner"'  # roles from pmo.yaml
    assert answers["D2"].type == "list" and (answers["E2"].formula1, answers["E2"].formula2) == ("1", "5")
    for rule in (ini["A2"], ini["G2"], ini["K2"]):
        assert rule.showErrorMessage and str(rule.sqref).endswith("2000")


def test_collect_responses_fills_the_assessment_sheet_of_the_init_workspace(tmp_path):
    path = init_workspace(tmp_path / "acme")
    fill_in(path)
    returned = tmp_path / "returned"
    returned.mkdir()
    q = openpyxl.load_workbook(path / "questionnaire.xlsx")
    q["Answers"]["B1"], q["Answers"]["B2"] = "R9", "Product owner"
    q.save(returned / "r9.xlsx")
    done = collect_responses(load_workspace(path), returned)
    assert done.path == path / "data.xlsx" and done.cycle == "2026-Q2"
    table = load_workspace(path)["assessment"]
    assert len(table[table["respondent_id"] == "R9"]) == 50 and table["score"].notna().sum() == 150


def test_blank_workspace_validates_with_clear_errors_not_a_crash(tmp_path):
    path = init_workspace(tmp_path / "acme")
    with pytest.raises(InputError) as info:
        load_workspace(path)
    messages = " ".join(info.value.problems["message"])
    assert "the table is empty" in messages


def test_init_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(PmoError, match="not an empty folder"):
        init_workspace(tmp_path / "x")


def test_pmo_questionnaire_writes_it_again_from_the_edited_pmo_yaml_before_any_data(tmp_path, capsys):
    from pypdf import PdfReader

    from pmo_lib.cli import main

    path = init_workspace(tmp_path / "acme")
    text = (path / "pmo.yaml").read_text()
    (path / "pmo.yaml").write_text(text.replace("  # deadline: 2026-12-15", "  deadline: 2026-12-15")
                                   .replace("roles: [Executive, PMO, Delivery lead, Product owner]",
                                            "roles: [Board member, PMO]"))
    assert main(["questionnaire", str(path)]) == 0
    assert "questionnaire.pdf" in capsys.readouterr().out
    pdf = " ".join("".join(p.extract_text() for p in PdfReader(path / "questionnaire.pdf").pages).split())
    assert "Acme" in pdf and "Tuesday 15 December 2026" in pdf and "Board member" in pdf
    assert "Executive" not in pdf
    book = openpyxl.load_workbook(path / "questionnaire.xlsx")
    assert [c.value for c in book["_Lists"]["A"]] == ["Board member", "PMO"]


def test_pmo_questionnaire_names_a_missing_logo(tmp_path, capsys):
    from pmo_lib.cli import main

    path = init_workspace(tmp_path / "acme")
    text = (path / "pmo.yaml").read_text().replace("  # logo: logo.png", "  logo: logo.png")
    (path / "pmo.yaml").write_text(text)
    assert main(["questionnaire", str(path)]) != 0
    assert "branding.logo in pmo.yaml names 'logo.png'" in capsys.readouterr().err
