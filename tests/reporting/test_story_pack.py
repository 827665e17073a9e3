"""The sample's 2026-Q3 pack, as a board reader reads it, tells one story (notebook run).

An independent reader found contradictions between the pack's tables; each assertion checks the
rendered HTML where the reader saw one.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def pack(sample, tmp_path_factory) -> dict[str, str]:
    from tests.reporting.test_client_text import _packs

    pages = _packs(sample, "2026-Q3", tmp_path_factory.mktemp("story-pack"))
    return {p.stem: p.read_text(encoding="utf-8") for p in pages if p.parent.name == "2026-q3"}


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#x27;", "'").replace("&#39;", "'")


def test_i007s_three_finish_measures_are_reconciled_in_the_kpi_analysis(pack):
    text = _text(pack["02_kpi_analysis"])
    assert "Chance the open items are done by the planned end" in text
    assert "Chance on time" not in text  # the bare label the reader took for the initiative's chance
    row = text[text.index("I-007 Customer Data Platform", text.index("Three measures")):][:700]
    assert "(181 days later)" in row and "174 days behind" in row and "(278 days later)" in row
    assert "10 open items, 100% likely" in row and "does not mean on time" in row


def test_severity_badges_match_the_kpi_status_colours_in_the_governance_report(pack):
    page = pack["03_governance_report"]
    assert re.search(r'rag-red"[^>]*>■ Medium<', page) and not re.search(r'rag-amber"[^>]*>▲ Medium<', page)
    text = _text(page)
    assert "Low: its initiative has ended; close the item or hand it over" in text  # R-020 beside 'Critical'


def test_budget_moves_and_cuts_agree_with_the_funding_rules(pack):
    kpi = _text(pack["02_kpi_analysis"])
    assert re.search(r"Budget reallocation 8% ≥ 5% \(at most 10% without the board\)", kpi)
    gov = _text(pack["03_governance_report"])
    assert "ended 2026-04-24: no further budget" in gov and "ended 2026-06-18: no further budget" in gov
    assert "I-001 Mobile booking app is number 1 of 32 in the WSJF ranking, yet the scenario cuts its budget" in gov
