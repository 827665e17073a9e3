"""The client templates in the workspace's language: the questionnaire (workbook and PDF) and the input
workbook's instructions (the tables' and columns' meanings too). Their words are translated, their codes are not,
and English is as before."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest
from babel.messages.pofile import read_po

from pmo_lib import QuestionnaireOptions, load_workspace, using_language, write_questionnaire
from pmo_lib.inputs import i18n
from pmo_lib.inputs.questionnaire import HEADER_ROW, questionnaire_html, read_returned
from pmo_lib.inputs.resources import TEMPLATES_DIR
from pmo_lib.inputs.model import load_model
from pmo_lib.inputs.scaffold import refresh_questionnaire, write_input_workbook
from pmo_lib.inputs.tables import TABLES

from ..pagetext import page_texts

#: the files whose words these pages show
SOURCES = ("pmo_lib/inputs/questionnaire.py", "pmo_lib/inputs/scaffold.py", "pmo_lib/inputs/tables.py",
           "templates/maturity_model.yaml")
OPTIONS = QuestionnaireOptions(organisation="Northwind", deadline=dt.date(2026, 10, 16), contact="Ana Silva")


@pytest.fixture(scope="module")
def model():
    return load_model(TEMPLATES_DIR / "maturity_model.yaml")


def english_words(language: str) -> tuple[set[str], set[str]]:
    """The English msgids of these pages that ``language`` translates differently: (short ones, long ones).

    A short word (``Role``) is looked for as a whole cell or text; a sentence anywhere in the text.
    """
    with open(i18n.LOCALE_DIR / "pmo.pot", "rb") as f:
        template = read_po(f)
    short, long = set(), set()
    with using_language(language):
        for message in template:
            if not message.id or isinstance(message.id, tuple):
                continue
            if not any(path.startswith(SOURCES) for path, _ in message.locations):
                continue
            if i18n.gettext(message.id) == message.id or "{" in message.id:
                continue
            (long if len(message.id) >= 25 else short).add(message.id)
    return short, long


def assert_no_english(texts: list[str], language: str) -> None:
    short, long = english_words(language)
    assert len(long) > 60  # the statements, the instructions
    whole = "\n".join(texts)
    assert not [t for t in texts if t.strip() in short]
    assert not [m for m in long if m in whole]


def cells(book) -> list[str]:
    """The text a reader sees: the visible sheets' names and cells (hidden ones hold lists and examples' codes)."""
    shown = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
    return [str(c.value) for sheet in shown for row in sheet.iter_rows() for c in row
            if isinstance(c.value, str)] + [sheet.title for sheet in shown]


@pytest.mark.parametrize("language, deadline, dont_know, answers, statement", [
    ("de", "bis Freitag, 16. Oktober 2026 zurück", "Weiß nicht", "Antworten",
     "Jede Initiative nennt in ihrem Business Case das strategische Ziel, dem sie dient."),
    ("fr", "au plus tard le vendredi 16 octobre 2026", "Je ne sais pas", "Réponses",
     "Chaque initiative indique dans son dossier d'investissement l'objectif stratégique qu'elle sert."),
])
def test_the_questionnaire_workbook_speaks_the_language_and_keeps_its_codes(model, tmp_path, language, deadline,
                                                                          dont_know, answers, statement):
    with using_language(language):
        path = write_questionnaire(model, tmp_path / "q.xlsx", options=OPTIONS)
    book = openpyxl.load_workbook(path)
    assert_no_english(cells(book), language)
    assert book.sheetnames[1] == answers
    sheet = book[answers]
    intro = "\n".join(cells(book))
    assert deadline in intro and statement in intro
    ids = [sheet.cell(r, 1).value for r in range(HEADER_ROW + 1, sheet.max_row + 1)]
    assert ids == model.items["item_id"].tolist()  # the statement ids, the answers' codes, are the same
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules[f"D{HEADER_ROW + 1}:D{sheet.max_row}"].formula1 == f'"1,2,3,4,5,{dont_know}"'
    # a returned translated questionnaire reads as an English one: "Don't know" in any language is no answer
    sheet["B1"], sheet["B2"] = "R-7", "PMO"
    sheet.cell(HEADER_ROW + 1, 4).value, sheet.cell(HEADER_ROW + 2, 4).value = 4, dont_know
    book.save(path)
    answers_read, problems = read_returned(path, model)
    assert problems == []
    assert answers_read["score"].iloc[:2].tolist()[0] == 4 and answers_read["score"].isna().iloc[1]
    assert set(answers_read["respondent_id"]) == {"R-7"} and len(answers_read) == len(model.items)


@pytest.mark.parametrize("language, page_words", [
    ("de", ["Seite \" counter(page) \" von \" counter(pages)", "<html lang=\"de\">", "Weiß<br>nicht",
            "Fragen? Wenden Sie sich an Ana Silva."]),
    ("fr", ["Page \" counter(page) \" sur \" counter(pages)", "<html lang=\"fr\">", "Je ne<br>sais pas",
            "Des questions\u202f? Contactez Ana Silva."]),
])
def test_the_printable_questionnaire_speaks_the_language(model, language, page_words):
    with using_language(language):
        page = questionnaire_html(model, options=OPTIONS)
    assert_no_english(page_texts(page), language)
    for words in page_words:
        assert words in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_pmo_questionnaire_writes_the_workspaces_language(tiny):
    """`pmo questionnaire` (refresh_questionnaire) takes the language from pmo.yaml, without loading the tables."""
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "\nlanguage: de\n")
    xlsx, pdf = refresh_questionnaire(tiny)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Fragebogen zum Reifegrad" in text and "Antwortskala" in text and "Seite 1 von" in text
    assert "Answer scale" not in text and "Statement" not in text
    assert openpyxl.load_workbook(xlsx).sheetnames[:2] == ["Einführung", "Antworten"]
    assert i18n.current_language() == "en"  # the command's language was for its files only


def test_english_questionnaire_is_as_before(model):
    page = questionnaire_html(model, options=OPTIONS)
    assert '<html lang="en">' in page and "Don\u2019t<br>know" in page
    assert 'content: "Page " counter(page) " of " counter(pages);' in page
    assert "Please return this questionnaire by Friday 16 October 2026." in page
    assert "<h1>Maturity questionnaire</h1>" in page and "Questions? Contact Ana Silva." in page


@pytest.mark.parametrize("language, title, heading, note", [
    ("de", "So füllen Sie diese Arbeitsmappe aus", "Geplantes Enddatum", "Pflichttabelle"),
    ("fr", "Comment remplir ce classeur", "Date de fin planifiée", "table obligatoire"),
])
def test_the_input_workbooks_instructions_translate_but_codes_stay(tiny, tmp_path, language, title, heading, note):
    ws = load_workspace(tiny)
    english = openpyxl.load_workbook(write_input_workbook(tmp_path / "en.xlsx", model=ws.model))
    with using_language(language):
        book = openpyxl.load_workbook(write_input_workbook(tmp_path / f"{language}.xlsx", model=ws.model))
    help_sheet = book.worksheets[0]
    assert help_sheet.title.startswith("_")  # the loader skips it in every language
    assert help_sheet["A1"].value == title
    texts = cells(book)
    assert note in texts
    assert_no_english(texts + [c.comment.text for c in book["initiatives"][1] if c.comment], language)  # the meanings too
    # every table sheet and every column code as in English; the readable heading above the code translates
    assert book.sheetnames[1:] == english.sheetnames[1:]
    for spec in TABLES.values():
        codes = [str(c.value).split("\n")[-1] for c in book[spec.name][1]]
        assert codes == [str(c.value).split("\n")[-1] for c in english[spec.name][1]]
        assert [c.value for c in book[spec.name][2]] == [c.value for c in english[spec.name][2]]  # the example
    assert f"{heading}\nplanned_end_date" in [c.value for c in book["initiatives"][1]]
    for word in ("How to fill in this workbook", "required table", "value required", "may be empty",
                 "Planned end date\nplanned_end_date", "Initiative ID\ninitiative_id"):
        assert word not in texts
