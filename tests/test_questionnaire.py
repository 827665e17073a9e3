"""The questionnaire: workbook, printable PDF, and collecting returned answers."""
from __future__ import annotations

import dataclasses
import datetime as dt

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from pmo_lib import (InputError, QuestionnaireOptions, collect_responses, load_workspace, write_questionnaire,
                     write_questionnaire_pdf)
from pmo_lib.questionnaire import ANONYMITY_NOTE, DEFAULT_ROLES, DONT_KNOW_NOTE, HEADER_ROW


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
    assert done == {"cycle": "C3", "respondents": 2, "answers": 12, "path": tiny / "data" / "assessment.csv"}
    first = (tiny / "data" / "assessment.csv").read_bytes()
    collect_responses(load_workspace(tiny), returned, cycle="C3")
    assert (tiny / "data" / "assessment.csv").read_bytes() == first
    table = load_workspace(tiny)["assessment"]
    r1 = table[(table["cycle"] == "C3") & (table["respondent_id"] == "C3-r1")]
    assert len(r1) == 6 and r1["score"].isna().sum() == 1 and (r1["score"].dropna() == 5).all()
    assert len(table[table["cycle"] == "C3"]) == 18 + 6  # three original respondents plus one new
    assert len(table[table["cycle"] == "C1"]) == 18  # other cycles untouched


def test_duplicates_and_out_of_scale_answers_are_reported_together(tiny, tmp_path):
    ws = load_workspace(tiny)
    returned = tmp_path / "returned"
    returned.mkdir()
    fill(ws.model, returned / "a.xlsx", "same", "PMO", [1, 2, 3, 4, 5, 1])
    fill(ws.model, returned / "b.xlsx", "same", "PMO", [1, 2, 3, 4, 5, 1])
    fill(ws.model, returned / "c.xlsx", "other", "PMO", [9, 2, 3, 4, 5, 1])
    before = (tiny / "data" / "assessment.csv").read_bytes()
    with pytest.raises(InputError) as info:
        collect_responses(ws, returned)
    problems = info.value.problems
    dup = problems[problems["message"].str.contains("also used in a.xlsx")]
    assert len(dup) == 1 and dup.iloc[0]["file"].endswith("b.xlsx")
    scale = problems[problems["column"] == "score"].iloc[0]
    assert scale["file"].endswith("c.xlsx") and scale["row"] == HEADER_ROW + 1 and scale["value"] == 9
    assert (tiny / "data" / "assessment.csv").read_bytes() == before  # nothing written


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
