"""The sample organisation's pack in German and French, through the command line (issue 22's "done when").

One cycle of the sample runs three times, in English, German and French, as a consultant runs it: ``pmo run``
on a workspace whose ``pmo.yaml`` names the language. The checks:

* no English kit string is left in any report or in the index: every message of the catalogues, cut into the
  literal pieces between its placeholders, is looked for in the pages' visible text. A piece the translation
  keeps as it is ("Dashboard"), or that the workspace's own data holds (a role, a scenario's name), is not the
  kit's English;
* numbers, money, percentages and dates follow the locale, as CLDR publishes them (de: 1.234,5 and 2.073.516 €,
  dates dd.MM.y; fr: a narrow no-break space groups thousands, 12 % with a no-break space);
* the results are the same files, byte for byte, in every language.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..pagetext import english_pieces, visible

pytestmark = pytest.mark.notebook

CYCLE = "2026-Q3"
LANGUAGES = ("en", "de", "fr")


@pytest.fixture(scope="module")
def packs(sample, tmp_path_factory) -> dict[str, Path]:
    """The cycle's output folder per language (HTML only: the PDF is printed from the same HTML)."""
    root = tmp_path_factory.mktemp("i18n-sample")
    out = {}
    for language in LANGUAGES:
        workspace = root / f"ws-{language}"
        shutil.copytree(sample, workspace)
        (workspace / "pmo.yaml").write_text((workspace / "pmo.yaml").read_text() + f"language: {language}\n")
        done = subprocess.run([sys.executable, "-m", "pmo_lib.cli", "run", str(workspace), "--cycle", CYCLE,
                               "--out", str(root / language), "--jobs", "2", "--format", "html"],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        (organisation,) = [p for p in (root / language).iterdir() if p.is_dir()]
        out[language] = organisation
    return out


def _client_words(workspace: Path) -> str:
    """The workspace's own text (its data and pmo.yaml): words found there are the client's, not the kit's."""
    return " ".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(workspace.rglob("*"))
                    if p.is_file() and p.suffix in (".csv", ".yaml", ".yml"))


@pytest.mark.parametrize("language", ["de", "fr"])
def test_no_english_kit_string_is_left_in_the_samples_pack(packs, sample, language):
    pages = sorted(packs[language].glob("*/*.html")) + [packs[language] / "index.html"]
    assert {p.name for p in pages} >= {"00_playbook.html", "01_maturity_assessment.html", "02_kpi_analysis.html",
                                       "03_governance_report.html", "index.html"}
    pieces = english_pieces(language)
    assert len(pieces) > 1000
    client = _client_words(sample)
    english = {p.name: visible(p.read_text(encoding="utf-8")) for p in sorted(packs["en"].glob("*/*.html"))}
    seen = 0
    left = {}
    for page in pages:
        text = visible(page.read_text(encoding="utf-8"))
        assert f'lang="{language}"' in page.read_text(encoding="utf-8")
        found = [(piece, source) for piece, source in pieces.items() if piece in text and piece not in client]
        if found:
            left[page.name] = found
        seen += sum(piece in english.get(page.name, "") for piece in pieces)
    assert left == {}
    assert seen > 500  # the check finds the kit's English where it is: on the English pages


def test_numbers_and_dates_follow_the_locale(packs):
    text = {language: " ".join(visible(p.read_text(encoding="utf-8")) for p in sorted(packs[language].glob("*/*.html")))
            for language in LANGUAGES}
    # German: a decimal comma, "." groups thousands, the euro after the amount, dates dd.MM.y
    assert re.search(r"\b\d{1,3}(?:\.\d{3})+\u00a0€", text["de"]) and re.search(r"\b\d+,\d{1,2}\b", text["de"])
    assert re.search(r"\b\d{2}\.\d{2}\.20\d\d\b", text["de"])
    assert re.search(r"\d\u00a0%", text["de"])  # 12 % with a no-break space
    english_money = r"\bEUR\s?-?\d{1,3}(?:,\d{3})+"  # the kit's English format (the sample's own notes may say "EUR 1.2m")
    assert not re.search(english_money, text["de"]) and not re.search(r"\b\d{1,3},\d{3}\.\d", text["de"])
    # French: a narrow no-break space groups thousands, a decimal comma, 12 % with a no-break space
    assert re.search(r"\d\u202f\d{3}", text["fr"]) and re.search(r"\d\u00a0%", text["fr"])
    assert not re.search(english_money, text["fr"]) and re.search(r"\d\u202f\d{3}(?:,\d+)?\u00a0€", text["fr"])
    # English keeps the kit's own formats
    assert re.search(r"EUR\s\d{1,3}(?:,\d{3})+", text["en"]) and re.search(r"\b20\d\d-\d\d-\d\d\b", text["en"])


def test_the_results_are_the_same_whatever_the_language(packs):
    def results(language: str) -> dict[str, bytes]:
        folder = next(packs[language].glob("*/results"))
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

    english = results("en")
    assert len(english) > 20 and "exceptions.csv" in english and "exceptions.texts.json" in english
    for language in ("de", "fr"):
        assert results(language) == english, language
