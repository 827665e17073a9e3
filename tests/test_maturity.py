"""Maturity model loading and scoring, checked against hand-computed values."""
from __future__ import annotations

import numpy as np
import pytest

from pmo_lib import (ConfigError, load_model, load_workspace, maturity_trend, overall_level, overall_score,
                     score_dimensions)
from pmo_lib.resources import TEMPLATES_DIR


def test_default_model_has_eight_dimensions_and_fifty_single_question_items():
    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    assert model.dimensions["dimension_id"].tolist() == [
        "strategic_alignment", "adaptive_funding", "customer_value", "flow_delivery",
        "continuous_improvement", "transparency_automation", "governance", "customer_engagement"]
    assert len(model.items) == 50
    assert model.levels == {1: "Initial", 2: "Repeatable", 3: "Defined", 4: "Measured", 5: "Adaptive"}
    assert model.threshold == pytest.approx(3.8)


def test_dimension_scores_match_a_hand_computation(tiny):
    # C3 answers (tests/data/tiny/data/assessment.csv): three respondents,
    # alignment items A1 (w1), A2 (w2), A3 (w1); flow items F1-F3 (w1).
    #   r1: A 4,4,4  F 4,4,3   r2: A 5,5,5  F 5,5,4   r3: A 3,3,3  F 3,3,2
    # alignment per respondent (weighted): 4, 5, 3 -> 4.0
    # flow per respondent: 11/3, 14/3, 8/3 -> 11/3
    ws = load_workspace(tiny)
    answers = ws["assessment"][ws["assessment"]["cycle"] == "C3"]
    dims = score_dimensions(answers, ws.model, targets=3.5).set_index("dimension_id")
    assert dims.at["alignment", "score"] == pytest.approx(4.0)
    assert dims.at["flow", "score"] == pytest.approx(11 / 3)
    assert dims.at["alignment", "gap"] == pytest.approx(-0.5)
    assert dims.at["flow", "n_respondents"] == 3
    # overall: weights 2 and 1
    assert overall_score(dims.reset_index()) == pytest.approx((2 * 4 + 11 / 3) / 3)


def test_staged_level_needs_every_item_up_to_the_level_largely_implemented(tiny):
    # threshold 1 + 0.7 * 4 = 3.8; F3's mean in C3 is (3 + 4 + 2) / 3 = 3 -> flow stops at level 2,
    # while every alignment item has mean 4 -> level 3.
    ws = load_workspace(tiny)
    dims = score_dimensions(ws["assessment"][ws["assessment"]["cycle"] == "C3"], ws.model).set_index("dimension_id")
    assert dims.at["alignment", "level"] == 3
    assert dims.at["flow", "level"] == 2
    assert overall_level(dims.reset_index()) == 2


def test_dont_know_answers_are_left_out_not_counted_as_zero(tiny):
    # In C2 respondent r3 left F3 empty; their flow score is the mean of F1 and F2 only: (3 + 2) / 2
    ws = load_workspace(tiny)
    answers = ws["assessment"][(ws["assessment"]["cycle"] == "C2") & (ws["assessment"]["respondent_id"] == "C2-r3")]
    dims = score_dimensions(answers, ws.model).set_index("dimension_id")
    assert dims.at["flow", "score"] == pytest.approx(2.5)


def test_trend_covers_every_cycle_in_order(tiny):
    ws = load_workspace(tiny)
    trend = maturity_trend(ws["assessment"], ws.model, cycles=ws.cycles)
    assert trend["cycle"].tolist() == ["C1", "C2", "C3"]
    assert np.all(np.diff(trend["score"]) > 0)


def test_bad_model_lists_every_problem(tmp_path):
    (tmp_path / "m.yaml").write_text(
        "name: Bad\nlevels: {1: I, 2: R}\n"
        "dimensions:\n  - {id: d1, name: D1, step: 1, levels: {1: a, 2: b}}\n"
        "items:\n  - {id: X1, dimension: nowhere, level: 2, text: t}\n  - {id: X1, dimension: d1, level: 7, text: t}\n")
    with pytest.raises(ConfigError) as info:
        load_model(tmp_path / "m.yaml")
    messages = " | ".join(info.value.problems["message"])
    assert "unknown dimension" in messages and "above 2" in messages and "duplicate item id" in messages
    assert info.value.problems["row"].notna().all()


def test_unknown_model_key_is_an_error(tmp_path):
    (tmp_path / "m.yaml").write_text("name: M\nlevels: {1: I}\ncolour: red\ndimensions: []\nitems: []\n")
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        load_model(tmp_path / "m.yaml")


def test_scores_carry_seeded_intervals_reliability_and_agreement(tiny):
    from pmo_lib.statistics import cronbach_alpha, rwg_j

    ws = load_workspace(tiny)
    answers = ws["assessment"][ws["assessment"]["cycle"] == "C3"]
    first = score_dimensions(answers, ws.model, seed=3).set_index("dimension_id")
    again = score_dimensions(answers, ws.model, seed=3).set_index("dimension_id")
    assert first[["ci_low", "ci_high"]].equals(again[["ci_low", "ci_high"]])
    assert (first["ci_low"] <= first["score"]).all() and (first["score"] <= first["ci_high"]).all()
    grid = answers[answers["item_id"].isin(["F1", "F2", "F3"])].pivot(index="respondent_id", columns="item_id",
                                                                         values="score")
    assert first.at["flow", "cronbach_alpha"] == pytest.approx(cronbach_alpha(grid)[0])
    assert first.at["flow", "rwg"] == pytest.approx(rwg_j(grid, n_options=5))


def test_role_comparison_needs_two_roles_with_two_respondents(tiny):
    from pmo_lib import compare_groups

    ws = load_workspace(tiny)
    groups = compare_groups(ws["assessment"][ws["assessment"]["cycle"] == "C3"], ws.model)
    assert groups["statistic"].isna().all() and (groups["n_groups"] == 0).all()


def test_change_since_the_previous_cycle(tiny):
    from pmo_lib import compare_cycles

    ws = load_workspace(tiny)
    a = ws["assessment"]
    change = compare_cycles(a[a["cycle"] == "C3"], a[a["cycle"] == "C2"], ws.model).set_index("dimension_id")
    # alignment, weights 1, 2, 1: C2 respondents (3+6+2)/4, (4+8+3)/4, (2+4+1)/4 -> 2.75; C3 -> 4.0
    assert change.at["alignment", "previous_score"] == pytest.approx(2.75)
    assert change.at["alignment", "delta"] == pytest.approx(1.25)
    assert change.at["alignment", "effect_size"] > 0


def test_a_custom_model_with_a_seven_point_scale(tiny):
    text = (tiny / "model.yaml").read_text().replace("scale: {min: 1, max: 5, labels: {1: Not at all, 5: Fully}}",
                                                     "scale: {min: 1, max: 7}")
    (tiny / "model.yaml").write_text(text)
    ws = load_workspace(tiny)
    assert ws.model.scale_max == 7 and ws.model.threshold == pytest.approx(1 + 0.7 * 6)
    dims = score_dimensions(ws["assessment"][ws["assessment"]["cycle"] == "C3"], ws.model).set_index("dimension_id")
    assert dims.at["alignment", "level"] == 1  # item means of 4 are far below 5.2 on a 1-7 scale
