"""The questionnaire: workbook, printable PDF, and collecting returned answers."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from pmo_lib import InputError, collect_responses, load_workspace, write_questionnaire, write_questionnaire_pdf
from pmo_lib.questionnaire import HEADER_ROW


def fill(model, path, respondent, role, scores):
    write_questionnaire(model, path)
    book = openpyxl.load_workbook(path)
    sheet = book["Answers"]
    sheet["B1"], sheet["B2"] = respondent, role
    for offset, score in enumerate(scores):
        sheet.cell(HEADER_ROW + 1 + offset, 4).value = score
    book.save(path)


def test_workbook_lists_every_item_with_a_score_drop_down(tiny, tmp_path):
    ws = load_workspace(tiny)
    path = write_questionnaire(ws.model, tmp_path / "q.xlsx")
    sheet = openpyxl.load_workbook(path)["Answers"]
    items = [sheet.cell(r, 1).value for r in range(HEADER_ROW + 1, sheet.max_row + 1)]
    assert items == ws.model.items["item_id"].tolist()
    rule = sheet.data_validations.dataValidation[0]
    assert (rule.formula1, rule.formula2) == ("1", "5")
    assert "1 = Not at all" in sheet["B3"].value


def test_printable_pdf_has_every_statement(tiny, tmp_path):
    ws = load_workspace(tiny)
    text = "".join(page.extract_text() for page in PdfReader(write_questionnaire_pdf(ws.model, tmp_path / "q.pdf")).pages)
    for statement in ws.model.items["text"]:
        assert statement.split()[0] in text
    assert "Respondent id" in text and "Page 1 of" in text


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
