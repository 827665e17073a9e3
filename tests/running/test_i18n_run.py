"""A whole report in another language (issue 22): the playbook in German, its results as in English."""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from pmo_lib import render_html
from pmo_lib.inputs import i18n

from .test_notebooks import execute

pytestmark = pytest.mark.notebook

CONTEXT = {"organisation": "Tiny", "title": "PMO playbook", "cycle": "C2", "date": "2026-01-01",
           "as_of": "2026-06-30", "primary_colour": "#1f4e79", "logo": None, "failure": None, "kit_version": "test"}


def _run(workspace: Path, out: Path, language: str) -> str:
    (workspace / "pmo.yaml").write_text((workspace / "pmo.yaml").read_text() + f"language: {language}\n")
    execute("maturity", workspace, out, cycle="C2")
    execute("kpis", workspace, out, cycle="C2")
    nb = execute("playbook", workspace, out, cycle="C2")
    # no language in the context: the renderer takes the workspace's from the notebook's papermill parameters,
    # as a worker process of pmo run does
    return render_html(nb, context=CONTEXT)


def _visible(page: str) -> str:
    body = page.split("<body", 1)[1]
    body = re.sub(r"<style.*?</style>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _pieces(sources: tuple[str, ...], *, narrative: tuple[str, ...] = ()) -> list[str]:
    """A report's own English strings, from the German catalogue: the messages of ``sources`` (files, or the start
    of their paths) and of the ``narrative`` functions in narrative.py, cut into the literal pieces between their
    placeholders that are long enough to be English sentences or labels (markup and Markdown links cut out)."""
    import inspect

    from pmo_lib.reporting import narrative as module
    lines = set()
    for name in narrative:
        source, start = inspect.getsourcelines(getattr(module, name))
        lines |= set(range(start, start + len(source)))
    catalogue = read_po((i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "pmo.po").open("rb"), locale="de")
    pieces = []
    for message in catalogue:
        if not message.id or not any(f.startswith(sources) or (f == "pmo_lib/reporting/narrative.py" and line in lines)
                                     for f, line in message.locations):
            continue
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
            text = re.sub(r"\*+|#|<[^>]+>", "", text)
            for piece in re.split(r"\{[a-z_0-9]+\}", text):
                piece = piece.strip(" .,:;()-\n")
                if len(piece) >= 8 and " " in piece and "|" not in piece:
                    pieces.append(piece)
    return pieces


def test_the_playbook_speaks_german_and_its_results_stay_as_in_english(tiny, tmp_path):
    english = tmp_path / "en-ws"
    shutil.copytree(tiny, english)
    _run(english, tmp_path / "en", "en")
    page = _run(tiny, tmp_path / "de", "de")
    text = _visible(page)

    # results: the same files, byte for byte, whatever the language
    en_results = sorted(p.name for p in (tmp_path / "en" / "results").iterdir())
    assert en_results == sorted(p.name for p in (tmp_path / "de" / "results").iterdir())
    for name in en_results:
        assert (tmp_path / "en" / "results" / name).read_bytes() == (tmp_path / "de" / "results" / name).read_bytes(), name

    # none of the playbook's own English strings is left; the German ones are there
    pieces = _pieces(("notebooks/00_playbook", "templates/report"))
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
    english = tmp_path / "en-ws"
    shutil.copytree(tiny, english)
    pages = {}
    for language, workspace in (("en", english), ("de", tiny)):
        (workspace / "pmo.yaml").write_text((workspace / "pmo.yaml").read_text() + f"language: {language}\n")
        nb = execute("maturity", workspace, tmp_path / language, cycle="C2")
        pages[language] = render_html(nb, context={**CONTEXT, "title": "Maturity assessment"})

    en_results = sorted(p.name for p in (tmp_path / "en" / "results").iterdir())
    assert en_results == sorted(p.name for p in (tmp_path / "de" / "results").iterdir())
    for name in en_results:
        assert (tmp_path / "en" / "results" / name).read_bytes() == (tmp_path / "de" / "results" / name).read_bytes(), name

    pieces = _pieces(MATURITY_SOURCES)
    assert len(pieces) > 60
    english_text, text = _visible(pages["en"]), _visible(pages["de"])
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
    english = tmp_path / "en-ws"
    shutil.copytree(tiny, english)
    pages = {}
    for language, workspace in (("en", english), ("de", tiny)):
        (workspace / "pmo.yaml").write_text((workspace / "pmo.yaml").read_text() + f"language: {language}\n")
        nb = execute("kpis", workspace, tmp_path / language, cycle="C2")
        pages[language] = render_html(nb, context={**CONTEXT, "title": "KPI analysis"})

    # results: the same files, byte for byte, whatever the language
    en_results = sorted(p.name for p in (tmp_path / "en" / "results").iterdir())
    assert en_results == sorted(p.name for p in (tmp_path / "de" / "results").iterdir())
    for name in en_results:
        assert (tmp_path / "en" / "results" / name).read_bytes() == (tmp_path / "de" / "results" / name).read_bytes(), name

    pieces = _pieces(KPI_SOURCES)
    assert len(pieces) > 60
    english_text, text = _visible(pages["en"]), _visible(pages["de"])
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
    english = tmp_path / "en-ws"
    shutil.copytree(tiny, english)
    pages = {}
    for language, workspace in (("en", english), ("de", tiny)):
        (workspace / "pmo.yaml").write_text((workspace / "pmo.yaml").read_text() + f"language: {language}\n")
        nb = execute("governance", workspace, tmp_path / language, cycle="C2")
        pages[language] = render_html(nb, context={**CONTEXT, "title": "Governance report"})

    en_results = sorted(p.name for p in (tmp_path / "en" / "results").iterdir())
    assert en_results == sorted(p.name for p in (tmp_path / "de" / "results").iterdir())
    for name in en_results:
        assert (tmp_path / "en" / "results" / name).read_bytes() == (tmp_path / "de" / "results" / name).read_bytes(), name

    pieces = _pieces(GOVERNANCE_SOURCES, narrative=GOVERNANCE_FUNCTIONS)
    assert len(pieces) > 100
    english_text, text = _visible(pages["en"]), _visible(pages["de"])
    # the register's recorded descriptions stay English by design ("forecast 90 days late"): a piece they contain
    # may show through them
    recorded = " ".join((tmp_path / "de" / "results" / name).read_text() for name in en_results)
    assert [piece for piece in pieces if piece in text and piece not in recorded] == []
    assert any(piece in english_text for piece in pieces)  # the check can see the English it looks for
    for german in ("Auf einen Blick", "Portfolioüberblick", "Adaptive Finanzierung", "Prioritäten und Kapazität",
                   "Tagesordnung für die nächste Sitzung des Lenkungsausschusses", "Reifegrad:"):
        assert german in text, german

