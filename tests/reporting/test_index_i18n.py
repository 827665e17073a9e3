"""The cycle index in the workspace's language: its words, and numbers and dates in the locale's formats."""
from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from pmo_lib import load_workspace, using_language
from pmo_lib.inputs import i18n
from pmo_lib.reporting.index import headline, maturity_line, write_index
from pmo_lib.reporting.manifest import Manifest, Outcome, Status

from ..pagetext import page_texts
from .test_index import _record_maturity

SOURCES = ("pmo_lib/reporting/index.py", "templates/report/portfolio_index.html.j2")


def _english(language: str) -> list[str]:
    """The index's own English words that ``language`` translates differently, with placeholders cut out."""
    with open(i18n.LOCALE_DIR / "pmo.pot", "rb") as f:
        template = read_po(f)
    words = []
    with using_language(language):
        for message in template:
            if message.id and not isinstance(message.id, tuple) and i18n.gettext(message.id) != message.id \
                    and any(path.startswith(SOURCES) for path, _ in message.locations):
                words += [part.strip(" .:") for part in message.id.replace("\n", " ").split("{")[0:1] if
                          len(part.strip(" .:")) > 3]
    return words


def _org(ws, tmp_path):
    org = tmp_path / "org"
    report = Outcome("maturity", "01_maturity_assessment.ipynb", Status.OK, 1.0,
                     outputs={"html": "01_maturity_assessment.html", "pdf": "01_maturity_assessment.pdf"})
    for cycle, finished in (("C2", "2026-01-02T03:04:05"), ("C3", "2026-04-02T13:14:05")):
        _record_maturity(ws, cycle, org / cycle.lower() / "results")
        Manifest(cycle, Status.OK, (report,), finished=finished).write(org / cycle.lower())
    return org


@pytest.mark.parametrize("language, words, when, decimal", [
    ("de", ["Berichte für 2 von 3 Planungszyklen.", "Gesamtreifegrad über die Zyklen", "Berichte und Laufstatus",
            "● Fertig", "Reifegradbewertung:"], "02.04.2026, 13:14 Uhr", ","),
    ("fr", ["Rapports pour 2 sur 3 cycles de planification.", "Maturité globale au fil des cycles",
            "Rapports et état de l'exécution", "● Terminé", "Évaluation de la maturité\u00a0:"],
     "2 avr. 2026 à 13:14", ","),
])
def test_the_index_speaks_the_workspaces_language(tiny, tmp_path, language, words, when, decimal):
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + f"\nlanguage: {language}\n")
    ws = load_workspace(tiny)
    org = _org(ws, tmp_path)
    with using_language("en"):  # the page takes its language from the workspace, whatever is current
        page = write_index(org, ws).read_text()
    text = "\n".join(page_texts(page))
    assert f'<html lang="{language}">' in page
    for word in words + [when]:
        assert word in text, word
    english = _english(language)
    assert len(english) >= 10
    assert not [w for w in english if w in text]
    # numbers in the locale: the score with a decimal comma, in the line and on the trend chart
    with using_language(language):
        line = maturity_line(headline(org / "c3" / "results"), ws.model)
    score = line.split(" ")[0]
    assert decimal in score and "." not in score and line in text
    assert f">{score}</text>" in page


def test_the_english_index_keeps_its_words_and_formats(tiny, tmp_path):
    ws = load_workspace(tiny)
    page = write_index(_org(ws, tmp_path), ws).read_text()
    assert '<html lang="en">' in page and "Reports for 2 of 3 planning cycles." in page
    assert '● Complete</span> <small>2026-04-02 13:14</small>' in page
    assert "Maturity assessment: <a href=" in page and "3.89 (" in page
