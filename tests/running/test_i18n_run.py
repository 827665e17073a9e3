"""A whole report in another language (issue 22): the playbook in German, its results as in English."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pmo_lib import render_html

from ..pagetext import english_pieces, visible
from .test_notebooks import execute

pytestmark = pytest.mark.notebook

CONTEXT = {"organisation": "Tiny", "title": "PMO playbook", "cycle": "C2", "date": "2026-01-01",
           "as_of": "2026-06-30", "primary_colour": "#1f4e79", "logo": None, "failure": None, "kit_version": "test"}


def _in_both(tiny: Path, tmp_path: Path, notebooks: tuple[str, ...], title: str) -> tuple[str, str, list[str]]:
    """The last of ``notebooks`` run on ``tiny`` in English and in German (each after the ones before it, as pmo run
    does), rendered: (English page, German page, the names of the result files). The results must be the same
    files, byte for byte, whatever the language. No language goes in the renderer's context: it takes the
    workspace's from the notebook's papermill parameters, as a worker process of pmo run does."""
    english = tmp_path / "en-ws"
    shutil.copytree(tiny, english)
    pages = {}
    for language, workspace in (("en", english), ("de", tiny)):
        (workspace / "pmo.yaml").write_text((workspace / "pmo.yaml").read_text() + f"language: {language}\n")
        for name in notebooks:
            nb = execute(name, workspace, tmp_path / language, cycle="C2")
        pages[language] = render_html(nb, context={**CONTEXT, "title": title})
    en_results = sorted(p.name for p in (tmp_path / "en" / "results").iterdir())
    assert en_results == sorted(p.name for p in (tmp_path / "de" / "results").iterdir())
    for name in en_results:
        assert (tmp_path / "en" / "results" / name).read_bytes() == (tmp_path / "de" / "results" / name).read_bytes(), name
    return pages["en"], pages["de"], en_results


def test_the_playbook_speaks_german_and_its_results_stay_as_in_english(tiny, tmp_path):
    _, page, _ = _in_both(tiny, tmp_path, ("maturity", "kpis", "playbook"), "PMO playbook")
    text = visible(page)

    # none of the playbook's own English strings is left; the German ones are there
    pieces = english_pieces("de", ("notebooks/00_playbook", "templates/report"))
    assert len(pieces) > 40
    left = [piece for piece in pieces if piece in text]
    assert left == []
    assert '<html lang="de">' in page
    for german in ("So nutzen Sie dieses Playbook", "Entscheidungsrechte", "Leitplanken", "Planungszyklus C2",
                   "Datenstand 30.06.2026, Ende des Zyklus", "Erstellt am 01.01.2026", "Inhalt",
                   "Glossar der KPIs und Begriffe", "PMO-Playbook"):
        assert german in text, german
    # numbers in the German way: a decimal comma in the scores (e.g. 2,35), never a decimal point
    assert re.search(r"\b\d,\d\d\b", text)
    assert not re.search(r"(?<![\d.])\d\.\d\d(?![\d.])", text.replace("2026", ""))  # -4.000 € groups thousands


#: Where the maturity report's own words are: its notebook, and the reporting modules whose functions it calls
#: for its narrative, readings, notes, peer comparison and charts.
MATURITY_SOURCES = ("notebooks/01_maturity", "pmo_lib/reporting/narrative.py", "pmo_lib/reporting/peers.py",
                    "pmo_lib/reporting/charts.py", "pmo_lib/reporting/report.py")


def test_the_maturity_report_speaks_german_and_its_results_stay_as_in_english(tiny, tmp_path):
    english_page, page, en_results = _in_both(tiny, tmp_path, ("maturity",), "Maturity assessment")

    pieces = english_pieces("de", MATURITY_SOURCES)
    assert len(pieces) > 60
    english_text, text = visible(english_page), visible(page)
    assert [piece for piece in pieces if piece in text] == []
    assert any(piece in english_text for piece in pieces)  # the check can see the English it looks for
    for german in ("Zusammenfassung für die Geschäftsleitung", "Das Reifegradprofil", "Anhang: Methode",
                   "Was jede Dimension von ihrer nächsten Stufe trennt", "Wie belastbar sind die Werte?"):
        assert german in text, german
    assert re.search(r"\b\d,\d\d\b", text)  # scores with a decimal comma


#: Where the KPI report's own words are: its notebook, and the modules whose functions it calls for its summary,
#: scorecard, trend sentences, forecast and calibration narrative, tables and charts, and the exception register.
KPI_SOURCES = ("notebooks/02_kpi", "pmo_lib/analysis/trends.py", "pmo_lib/reporting/register.py")


def test_the_kpi_report_speaks_german_and_its_results_stay_as_in_english(tiny, tmp_path):
    english_page, page, en_results = _in_both(tiny, tmp_path, ("kpis",), "KPI analysis")

    pieces = english_pieces("de", KPI_SOURCES)
    assert len(pieces) > 60
    english_text, text = visible(english_page), visible(page)
    # the exception register's descriptions are recorded in English and shown in German
    assert "exceptions.texts.json" in en_results
    assert [piece for piece in pieces if piece in text] == []
    assert any(piece in english_text for piece in pieces)  # the check can see the English it looks for
    # the executive summary, the scorecard's trend words, the trend note and the charts' own words
    for words in ("portfolio KPIs in C2", "on track", "at risk", "too few cycles", "A trend test needs at least",
                  "Throughput went from", "Items in progress", "finished so far", "Waiting to start",
                  "the value as a share of actual cost"):
        assert words in english_text, words
        assert words not in text, words
    for german in ("Zusammenfassung für die Geschäftsleitung", "Von 25 Portfolio-KPIs in C2", "Regelkarten",
                   "Wie gut waren die früheren Prognosen?", "Anhang: KPI-Definitionen", "zu wenige Zyklen",
                   "Ein Trendtest braucht mindestens", "Der Durchsatz hat sich von"):
        assert german in text, german
    assert re.search(r"\b\d,\d\d\b", text)  # indices such as 0,98 with a decimal comma
    assert not re.search(r"\bCPI\) (?:liegt bei )?\d\.\d\d", text)


#: Where the governance report's own words are: its notebook, the modules of its selection, priorities and
#: dashboard views, and (below) the narrative its dashboard, summary, funding line, action line and agenda are written by.
GOVERNANCE_SOURCES = ("notebooks/03_governance", "pmo_lib/reporting/selection.py", "pmo_lib/reporting/priorities.py",
                      "pmo_lib/reporting/dashboard.py")
GOVERNANCE_FUNCTIONS = ("governance_summary", "next_agenda", "funding_line", "actions_line")


def test_the_governance_report_speaks_german_and_its_results_stay_as_in_english(tiny, tmp_path):
    english_page, page, en_results = _in_both(tiny, tmp_path, ("governance",), "Governance report")

    pieces = english_pieces("de", GOVERNANCE_SOURCES, narrative=GOVERNANCE_FUNCTIONS)
    assert len(pieces) > 100
    english_text, text = visible(english_page), visible(page)
    # the register's and the selection's recorded texts are English in the results and German on the page
    assert "portfolio.texts.json" in en_results
    assert [piece for piece in pieces if piece in text] == []
    assert any(piece in english_text for piece in pieces)  # the check can see the English it looks for
    for german in ("Auf einen Blick", "Portfolioüberblick", "Adaptive Finanzierung", "Prioritäten und Kapazität",
                   "Tagesordnung für die nächste Sitzung des Lenkungsausschusses", "Reifegrad:"):
        assert german in text, german

