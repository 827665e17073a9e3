"""The maturity report's sentences on real questionnaires (reversed statements, missing answers, units, weights)
in German and French: whole sentences with plural forms, numbers in the locale, English as before."""
from __future__ import annotations

import shutil

import pytest

from pmo_lib import (Maturity, Minimums, compare_groups, item_statistics, left_out, load_workspace, score_dimensions,
                     unit_scores, using_language)
from pmo_lib.reporting import questionnaire_report as q
from tests.conftest import DATA

WEIGHTS = Maturity(role_weights={"Executive": 1.5, "PMO": 1, "Delivery lead": 1})
LEAST = Minimums(interval_respondents=2, group_size=2)


@pytest.fixture
def six(tmp_path):
    """tests/data/reverse_keyed: two reversed statements per dimension, three units, one respondent left out."""
    target = tmp_path / "six"
    shutil.copytree(DATA / "reverse_keyed", target)
    return load_workspace(target)


def _texts(ws) -> dict[str, str]:
    a = ws["assessment"]
    dims = score_dimensions(a, ws.model, options=WEIGHTS)
    lo = left_out(a, ws.model, options=WEIGHTS)
    units, groups = unit_scores(a, ws.model, seed=1), compare_groups(a, ws.model)
    return {"reversed": q.reversed_note(ws.model), "gap": q.alpha_gap_text(dims, gap=0.0),
            "interval": q.reliability_interval_table(dims)["alpha_interval"].iloc[0],
            "answered": q.left_out_table(lo, ws.model)["answered"].iloc[0], "left": q.left_out_text(lo, WEIGHTS),
            "units": q.unit_reading(groups, units, ws.model, minimums=LEAST), "icc": q.unit_icc_text(dims),
            "weights": q.weighting_text(WEIGHTS), "none": q.unit_reading(groups, units.iloc[0:0], ws.model),
            "statement": q.item_table(item_statistics(a, ws.model), ws.model)["statement"].iloc[1]}


def test_english_sentences_are_as_before(six):
    texts = _texts(six)
    assert texts["reversed"].startswith("4 statements of the questionnaire are *reverse-keyed*")
    assert texts["answered"] == "1 of 4 statements" and texts["interval"] == "0.76 to 0.96"
    assert "1 respondent was left out of 1 dimension score this cycle" in texts["left"]
    assert "(Executive 1.5, PMO 1, Delivery lead 1;" in texts["weights"] and "Its 95% interval" in texts["weights"]
    assert texts["statement"].endswith(" (reversed)")


@pytest.mark.parametrize("language, expected", [
    ("de", {"reversed": "4 Aussagen des Fragebogens sind *umgekehrt gepolt*", "interval": "0,76 bis 0,96",
            "answered": "1 von 4 Aussagen", "left": "wurde 1 Person aus 1 Dimensionswert ausgeschlossen",
            "units": "in 2 von 2 Dimensionen", "icc": "mit 79\u00a0%", "weights": "(Executive 1,5, PMO 1,",
            "none": "Die Antworten tragen keinen Geschäftsbereich", "statement": "(umgekehrt gepolt)",
            "gap": "0,90 über alle Antworten"}),
    ("fr", {"reversed": "4 énoncés du questionnaire sont *inversés*", "interval": "0,76 à 0,96",
            "answered": "1 sur 4 énoncés", "left": "1 répondant a été écarté de 1 score de dimension",
            "units": "sur 2 dimensions sur 2", "icc": "à 79\u00a0%", "weights": "(Executive 1,5, PMO 1,",
            "none": "Les réponses ne portent aucune unité", "statement": "(inversé)",
            "gap": "0,90 sur toutes les réponses"}),
])
def test_the_sentences_speak_the_language(six, language, expected):
    with using_language(language):
        texts = _texts(six)
    for key, words in expected.items():
        assert words in texts[key], (key, texts[key])
    for text in texts.values():
        assert "statement" not in text and "respondent" not in text and "dimension score" not in text
