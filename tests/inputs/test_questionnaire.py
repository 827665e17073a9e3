"""The questionnaire: workbook, printable PDF, and collecting returned answers."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from pmo_lib import (InputError, PmoError, QuestionnaireOptions, collect_responses, load_workspace, write_questionnaire,
                     write_questionnaire_pdf)
from pmo_lib.inputs.questionnaire import ANONYMITY_NOTE, DEFAULT_ROLES, DONT_KNOW_NOTE, HEADER_ROW


def fill(model, path, respondent, role, scores):
    write_questionnaire(model, path)
    book = openpyxl.load_workbook(path)
    sheet = book["Answers"]
    sheet["B1"], sheet["B2"] = respondent, role
    for offset, score in enumerate(scores):
        sheet.cell(HEADER_ROW + 1 + offset, 4).value = score
    book.save(path)


def test_workbook_lists_every_item_with_an_answer_drop_down_ending_in_dont_know(tiny, tmp_path):
    ws = load_workspace(tiny)
    path = write_questionnaire(ws.model, tmp_path / "q.xlsx")
    sheet = openpyxl.load_workbook(path)["Answers"]
    items = [sheet.cell(r, 1).value for r in range(HEADER_ROW + 1, sheet.max_row + 1)]
    assert items == ws.model.items["item_id"].tolist()
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    answers = rules[f"D{HEADER_ROW + 1}:D{sheet.max_row}"]
    assert answers.type == "list" and answers.formula1 == '"1,2,3,4,5,Don\'t know"'
    assert "1 = Not at all" in sheet["B3"].value and sheet["B3"].value.endswith("Don't know")


def text_of(pdf) -> str:
    return " ".join("".join(page.extract_text() for page in PdfReader(pdf).pages).split())


def workbook_text(path) -> str:
    book = openpyxl.load_workbook(path)
    return " ".join(str(c.value) for sheet in book.worksheets if not sheet.title.startswith("_")
                    for row in sheet.iter_rows() for c in row if c.value is not None)


def test_printable_pdf_has_every_statement(tiny, tmp_path):
    ws = load_workspace(tiny)
    text = text_of(write_questionnaire_pdf(ws.model, tmp_path / "q.pdf"))
    for statement in ws.model.items["text"]:
        assert statement in text
    assert "Respondent code" in text and "Page 1 of" in text and "Don't know" in text


OPTIONS = QuestionnaireOptions(organisation="Northwind Mobility", deadline=dt.date(2026, 12, 15),
                               roles=("Executive", "PMO", "Delivery lead"), contact="Jane Doe, PMO lead")


def unquoted(text: str) -> str:
    return text.replace("\u201c", "").replace("\u201d", "").replace('"', "")


def test_workbook_and_pdf_give_the_same_organisation_deadline_anonymity_and_dont_know_instruction(tiny, tmp_path):
    ws = load_workspace(tiny)
    book = workbook_text(write_questionnaire(ws.model, tmp_path / "q.xlsx", options=OPTIONS))
    pdf = text_of(write_questionnaire_pdf(ws.model, tmp_path / "q.pdf", options=OPTIONS))
    for text in (book, pdf):
        assert "Northwind Mobility" in text
        assert "Please return this questionnaire by Tuesday 15 December 2026." in text
        assert ANONYMITY_NOTE in text
        assert "Questions? Contact Jane Doe, PMO lead." in text
        # one instruction for don't know, word for word, in both forms
        assert unquoted(DONT_KNOW_NOTE) in unquoted(text)
        assert "leave" not in text.lower() and "tick ?" not in text.lower()
    assert "Delivery lead" in pdf and "Other:" not in pdf  # a configured list offers only its roles


def test_without_a_deadline_respondents_are_told_to_use_their_pmos_date(tiny, tmp_path):
    ws = load_workspace(tiny)
    for text in (workbook_text(write_questionnaire(ws.model, tmp_path / "q.xlsx")),
                 text_of(write_questionnaire_pdf(ws.model, tmp_path / "q.pdf"))):
        assert "Please return this questionnaire by the date your PMO gives you." in text
        assert "TBD" not in text and "None" not in text


def test_role_cell_is_a_drop_down_strict_only_when_roles_are_configured(tiny, tmp_path):
    ws = load_workspace(tiny)
    for options, strict, offered in ((OPTIONS, True, list(OPTIONS.roles)), (None, False, list(DEFAULT_ROLES))):
        book = openpyxl.load_workbook(write_questionnaire(ws.model, tmp_path / "q.xlsx", options=options))
        rule = next(v for v in book["Answers"].data_validations.dataValidation if str(v.sqref) == "B2")
        assert rule.type == "list" and bool(rule.showErrorMessage) is strict
        assert [c.value for c in book["_Lists"]["A"]] == offered


def test_header_uses_the_branding_colour_and_a_png_logo_goes_into_both_forms(tiny, tmp_path):
    from PIL import Image

    Image.new("RGB", (120, 40), "#7a1f5c").save(tmp_path / "logo.png")
    ws = load_workspace(tiny)
    options = dataclasses.replace(OPTIONS, colour="#7a1f5c", logo=tmp_path / "logo.png")
    book = openpyxl.load_workbook(write_questionnaire(ws.model, tmp_path / "q.xlsx", options=options))
    assert book["Answers"].cell(HEADER_ROW, 1).fill.fgColor.rgb.endswith("7A1F5C")
    assert len(book["Introduction"]._images) == 1
    reader = PdfReader(write_questionnaire_pdf(ws.model, tmp_path / "q.pdf", options=options))
    assert len(reader.pages[0].images) == 1


def test_options_come_from_pmo_yaml(tiny):
    (tiny / "pmo.yaml").write_text("organisation: Tiny\nmaturity_model: model.yaml\nbranding:\n  logo: logo.png\n"
                                   "  primary_colour: '#123456'\nquestionnaire:\n  deadline: 2026-12-15\n"
                                   "  roles: [Executive, PMO, Delivery lead]\n")
    (tiny / "logo.png").write_bytes(b"not checked here")
    ws = load_workspace(tiny)
    options = QuestionnaireOptions.from_config(ws.config, ws.path)
    assert options == QuestionnaireOptions(organisation="Tiny", deadline=dt.date(2026, 12, 15),
                                           roles=("Executive", "PMO", "Delivery lead"), colour="#123456",
                                           logo=ws.path / "logo.png")


def test_collect_responses_replaces_a_respondents_answers_and_is_idempotent(tiny, tmp_path):
    ws = load_workspace(tiny)
    returned = tmp_path / "returned"
    returned.mkdir()
    fill(ws.model, returned / "a.xlsx", "C3-r1", "Executive", [5, 5, 5, 5, 5, None])
    fill(ws.model, returned / "b.xlsx", "new-1", "PMO", [1, 2, 3, 4, 5, 1])
    done = collect_responses(ws, returned, cycle="C3")
    assert (done.cycle, done.respondents, len(done.answers), done.path) == ("C3", 2, 12, tiny / "data" / "assessment.csv")
    assert done.replaced == 1 and not done.created  # C3-r1 had answered before
    first = (tiny / "data" / "assessment.csv").read_bytes()
    again = collect_responses(tiny, returned, cycle="C3")  # a path will do as well as a loaded workspace
    assert again.replaced == 2
    assert (tiny / "data" / "assessment.csv").read_bytes() == first
    table = load_workspace(tiny)["assessment"]
    r1 = table[(table["cycle"] == "C3") & (table["respondent_id"] == "C3-r1")]
    assert len(r1) == 6 and r1["score"].isna().sum() == 1 and (r1["score"].dropna() == 5).all()
    assert len(table[table["cycle"] == "C3"]) == 18 + 6  # three original respondents plus one new
    assert len(table[table["cycle"] == "C1"]) == 18  # other cycles untouched


def test_out_of_scale_answers_are_located_and_nothing_is_written(tiny, tmp_path):
    ws = load_workspace(tiny)
    returned = tmp_path / "returned"
    returned.mkdir()
    fill(ws.model, returned / "a.xlsx", "one", "PMO", [1, 2, 3, 4, 5, 1])
    fill(ws.model, returned / "c.xlsx", "other", "PMO", [9, 2, 3, 4, 5, 0])
    before = (tiny / "data" / "assessment.csv").read_bytes()
    with pytest.raises(InputError) as info:
        collect_responses(ws, returned)
    problems = info.value.problems
    assert len(problems) == 2 and (problems["table"] == "Answers").all()
    scale = problems.iloc[0]
    assert scale["file"].endswith("c.xlsx") and scale["row"] == HEADER_ROW + 1 and scale["value"] == 9
    assert problems.iloc[1]["row"] == HEADER_ROW + 6 and problems.iloc[1]["column"] == "score"
    assert (tiny / "data" / "assessment.csv").read_bytes() == before  # nothing written
    assert [p.name for p in (tiny / "data").iterdir() if p.name.startswith(".")] == []


def test_a_respondent_who_answered_twice_is_reported_and_the_later_file_wins(tiny, tmp_path):
    ws = load_workspace(tiny)
    returned = tmp_path / "returned"
    returned.mkdir()
    fill(ws.model, returned / "z-first.xlsx", "same", "PMO", [9, 9, 9, 9, 9, 9])  # superseded: its errors do not count
    fill(ws.model, returned / "a-second.xlsx", "same", "PMO", [1, 2, 3, 4, 5, 1])
    os.utime(returned / "z-first.xlsx", (1_700_000_000, 1_700_000_000))
    os.utime(returned / "a-second.xlsx", (1_700_000_100, 1_700_000_100))
    done = collect_responses(ws, returned, cycle="C3")
    assert [(r, a.name, b.name) for r, a, b in done.twice] == [("same", "z-first.xlsx", "a-second.xlsx")]
    assert "same answered twice: kept a-second.xlsx, the later file, and left out z-first.xlsx." in "\n".join(
        done.summary())
    table = load_workspace(tiny)["assessment"]
    assert table.loc[table["respondent_id"] == "same", "score"].tolist() == [1, 2, 3, 4, 5, 1]


def test_summary_counts_roles_against_the_configured_list_and_names_the_blank_statements(tiny, tmp_path):
    with (tiny / "pmo.yaml").open("a") as fh:
        fh.write("questionnaire:\n  roles: [Executive, PMO, Delivery lead]\n")
    ws = load_workspace(tiny)
    returned = tmp_path / "returned"
    returned.mkdir()
    fill(ws.model, returned / "a.xlsx", "n1", "PMO", [None, 2, "Don't know", 4, 5, 1])
    fill(ws.model, returned / "b.xlsx", "n2", "pmo", [None, 2, 3, 4, 5, 1])
    lines = collect_responses(ws, returned, cycle="C3").summary()
    assert lines[0].startswith("Collected 2 questionnaires (12 answers) for cycle C3 into ")
    assert lines[1] == "  Returned per role: Executive 0, PMO 2, Delivery lead 0."
    items = ws.model.items["item_id"].tolist()
    assert lines[2] == f"  Most often left blank or \u201cDon't know\u201d: {items[0]} (2 of 2), {items[2]} (1 of 2)."
    one = tmp_path / "one"
    one.mkdir()
    fill(ws.model, one / "a.xlsx", "n3", "PMO", [1, 2, 3, 4, 5, 1])
    lines = collect_responses(ws, one, cycle="C3").summary()
    assert lines[0].startswith("Collected 1 questionnaire (6 answers)") and "  No statement was left blank." in lines


def test_a_first_collection_creates_the_csv_table_without_needing_the_rest_of_the_workspace(tiny, tmp_path):
    (tiny / "data" / "assessment.csv").unlink()
    (tiny / "data" / "financials.csv").write_text("cycle,initiative_id\n")  # half-filled: not valid
    with pytest.raises(InputError):
        load_workspace(tiny)  # the workspace is not valid; collecting does not need it to be
    from pmo_lib.inputs.model import load_model

    returned = tmp_path / "returned"
    returned.mkdir()
    fill(load_model(tiny / "model.yaml"), returned / "a.xlsx", "n1", "PMO", [1, 2, 3, 4, 5, None])
    done = collect_responses(tiny, returned)
    assert done.created and done.cycle == "C3"  # the latest cycle of the cycles table
    table = pd.read_csv(tiny / "data" / "assessment.csv", dtype=str, keep_default_na=False)
    assert table.columns.tolist() == ["cycle", "respondent_id", "role", "item_id", "score"]
    assert table["score"].tolist() == ["1", "2", "3", "4", "5", ""] and set(table["cycle"]) == {"C3"}


def test_an_unknown_cycle_is_refused_and_a_cycle_is_needed_when_none_is_known(tiny, tmp_path):
    ws = load_workspace(tiny)
    returned = tmp_path / "returned"
    returned.mkdir()
    fill(ws.model, returned / "a.xlsx", "n1", "PMO", [1, 2, 3, 4, 5, 1])
    with pytest.raises(PmoError, match="cycle 'C9' is not in the cycles table; known cycles: C1, C2, C3"):
        collect_responses(tiny, returned, cycle="C9")
    (tiny / "data" / "cycles.csv").write_text("cycle,start_date,end_date\n")
    with pytest.raises(PmoError, match="say which cycle the answers belong to"):
        collect_responses(tiny, returned)
    done = collect_responses(tiny, returned, cycle="C9")
    assert "Cycle C9 is not in the cycles table yet; add it there before validating." in "\n".join(done.summary())


def test_dont_know_is_collected_as_an_empty_score(tiny, tmp_path):
    ws = load_workspace(tiny)
    returned = tmp_path / "returned"
    returned.mkdir()
    fill(ws.model, returned / "a.xlsx", "new-1", "PMO", ["Don't know", 2, "Don\u2019t know", 4, None, 1])
    collect_responses(ws, returned, cycle="C3")
    table = load_workspace(tiny)["assessment"]
    mine = table[table["respondent_id"] == "new-1"].set_index("item_id")["score"]
    assert mine.isna().tolist() == [True, False, True, False, True, False]


def test_a_role_outside_the_configured_list_is_reported_with_file_sheet_row_and_column(tiny, tmp_path):
    with (tiny / "pmo.yaml").open("a") as fh:
        fh.write("questionnaire:\n  roles: [Executive, PMO, Delivery lead]\n")
    ws = load_workspace(tiny)
    returned = tmp_path / "returned"
    returned.mkdir()
    fill(ws.model, returned / "a.xlsx", "new-1", "Sponsor", [1, 2, 3, 4, 5, 1])
    fill(ws.model, returned / "b.xlsx", "new-2", "pmo", [1, 2, 3, 4, 5, 1])
    with pytest.raises(InputError) as info:
        collect_responses(ws, returned, cycle="C3")
    problems = info.value.problems
    assert len(problems) == 1
    row = problems.iloc[0]
    assert row["file"].endswith("a.xlsx") and row["table"] == "Answers"
    assert (row["row"], row["column"], row["value"]) == (2, "B", "Sponsor")
    assert "Executive, PMO, Delivery lead" in row["message"]
    (returned / "a.xlsx").unlink()
    collect_responses(ws, returned, cycle="C3")
    table = load_workspace(tiny)["assessment"]
    assert set(table.loc[table["respondent_id"] == "new-2", "role"]) == {"PMO"}  # the list's spelling


def sheet_snapshot(sheet, max_row=None):
    """What a consultant would notice changing in a sheet: values, formats, notes, drop-downs, layout."""
    cells = {c.coordinate: (c.value, c.number_format, c.font.b, c.font.i, c.fill.fgColor.rgb,
                            c.comment.text if c.comment else None, c.alignment.wrap_text)
             for row in sheet.iter_rows(max_row=max_row) for c in row}
    rules = sorted((str(v.sqref), v.type, v.formula1, v.formula2, v.showErrorMessage, v.error)
                   for v in sheet.data_validations.dataValidation)
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    return cells, rules, sheet.sheet_state, sheet.freeze_panes, widths, sheet.row_dimensions[1].height


@pytest.fixture
def acme(tmp_path):
    """A workspace straight from pmo init, with one cycle typed in below the example row."""
    from pmo_lib import init_workspace

    path = init_workspace(tmp_path / "acme")
    book = openpyxl.load_workbook(path / "data.xlsx")
    book["cycles"].append(["2026-Q3", dt.datetime(2026, 7, 1), dt.datetime(2026, 9, 30)])
    book.save(path / "data.xlsx")
    return path


def answer(path, target, respondent, role, scores):
    book = openpyxl.load_workbook(path / "questionnaire.xlsx")
    sheet = book["Answers"]
    sheet["B1"], sheet["B2"] = respondent, role
    for r in range(HEADER_ROW + 1, sheet.max_row + 1):
        sheet.cell(r, 4).value = scores(r)
    book.save(target)


def test_collecting_into_data_xlsx_changes_only_the_assessment_rows_and_twice_gives_the_same_sheet(acme, tmp_path):
    returned = tmp_path / "returned"
    returned.mkdir()
    answer(acme, returned / "a.xlsx", "R-01", "Executive", lambda r: 1 + r % 5)
    answer(acme, returned / "b.xlsx", "R-02", "pmo", lambda r: None if r < 9 else 2)
    before = openpyxl.load_workbook(acme / "data.xlsx")
    done = collect_responses(acme, returned)
    assert done.cycle == "2026-Q3" and not done.created and done.replaced == 0
    after = openpyxl.load_workbook(acme / "data.xlsx")
    assert after.sheetnames == before.sheetnames
    for name in before.sheetnames:
        limit = 2 if name == "assessment" else None  # the readable headers and the example row stay as they are
        assert sheet_snapshot(after[name], limit) == sheet_snapshot(before[name], limit), name
    rows = list(after["assessment"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 100 and rows[0][:5] == ("2026-Q3", "R-01", "Executive", "SA1", 2)
    assert rows[50][:5] == ("2026-Q3", "R-02", "PMO", "SA1", None)  # the configured spelling of the role
    collect_responses(acme, returned)
    again = list(openpyxl.load_workbook(acme / "data.xlsx")["assessment"].iter_rows(values_only=True))
    assert again[2:] == rows and len(again) == 102
    assert [p.name for p in acme.iterdir() if p.name.startswith(".")] == []


def test_other_rows_of_the_assessment_sheet_stay_and_a_returning_respondent_is_replaced(acme, tmp_path):
    book = openpyxl.load_workbook(acme / "data.xlsx")
    book["cycles"].append(["2026-Q2", dt.datetime(2026, 4, 1), dt.datetime(2026, 6, 30)])
    book["assessment"].append(["2026-Q2", "R-01", "PMO", "SA1", 4])
    book["assessment"].append(["2026-Q3", "R-01", "PMO", "SA1", 1])  # typed by hand; the questionnaire replaces it
    book["assessment"].append(["2026-Q3", "R-07", "PMO", "SA1", 3])
    book.save(acme / "data.xlsx")
    returned = tmp_path / "returned"
    returned.mkdir()
    answer(acme, returned / "a.xlsx", "R-01", "Executive", lambda r: 5)
    done = collect_responses(acme, returned, cycle="2026-Q3")
    assert done.replaced == 1
    rows = list(openpyxl.load_workbook(acme / "data.xlsx")["assessment"].iter_rows(min_row=3, values_only=True))
    assert rows[0][:5] == ("2026-Q2", "R-01", "PMO", "SA1", 4)
    assert rows[1][:5] == ("2026-Q3", "R-07", "PMO", "SA1", 3)  # moved up into the replaced row's place
    assert len(rows) == 2 + 50 and {r[4] for r in rows[2:]} == {5}


def test_a_failed_write_leaves_data_xlsx_as_it_was(acme, tmp_path, monkeypatch):
    returned = tmp_path / "returned"
    returned.mkdir()
    answer(acme, returned / "a.xlsx", "R-01", "Executive", lambda r: 3)
    before = (acme / "data.xlsx").read_bytes()

    def broken_save(self, filename):
        Path(filename).write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        collect_responses(acme, returned)
    assert (acme / "data.xlsx").read_bytes() == before
    assert sorted(p.name for p in acme.iterdir()) == sorted(
        ["data.xlsx", "maturity_model.example.yaml", "pmo.yaml", "questionnaire.pdf", "questionnaire.xlsx"])


def test_a_missing_assessment_sheet_is_created_with_readable_headers(acme, tmp_path):
    book = openpyxl.load_workbook(acme / "data.xlsx")
    del book["assessment"]
    book.save(acme / "data.xlsx")
    returned = tmp_path / "returned"
    returned.mkdir()
    answer(acme, returned / "a.xlsx", "R-01", "Executive", lambda r: 3)
    assert collect_responses(acme, returned).created
    sheet = openpyxl.load_workbook(acme / "data.xlsx")["assessment"]
    assert sheet["A1"].value == "Cycle\ncycle" and sheet["D1"].value == "Statement ID\nitem_id"
    assert sheet.max_row == 51 and sheet["E2"].value == 3
