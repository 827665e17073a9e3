"""Real questionnaires (issue 20): reverse-keyed items, too few answers, business units and role weights.

The fixture tests/data/reverse_keyed is a custom model on a 1-6 scale with two reversed statements per dimension,
three business units, some blanks, one respondent who answered one of four funding statements, and equal role
weights.
"""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pmo_lib import (ConfigError, InputError, Maturity, Minimums, compare_groups, item_statistics, left_out,
                     load_model, load_workspace, respondent_scores, score_dimensions, scored_answers, unit_scores)
from pmo_lib.analysis.maturity import level_blockers
from pmo_lib.analysis.statistics import cronbach_alpha, cronbach_alpha_pairwise, icc_oneway
from tests.conftest import DATA

EQUAL = Maturity(role_weights={"Executive": 1, "PMO": 1, "Delivery lead": 1})


@pytest.fixture
def six(tmp_path):
    target = tmp_path / "six"
    shutil.copytree(DATA / "reverse_keyed", target)
    return target


def test_reversed_answers_are_scored_min_plus_max_minus_answer(six):
    ws = load_workspace(six)
    raw = ws["assessment"]
    scored = scored_answers(raw, ws.model, options=Maturity(min_answered=0))
    reversed_ids = {"F2", "F4", "S2", "S4"}
    assert set(ws.model.items.loc[ws.model.items["reverse"], "item_id"]) == reversed_ids
    flip = raw["item_id"].isin(reversed_ids)
    assert np.allclose(scored.loc[flip, "score"].dropna(), 7 - raw.loc[flip, "score"].dropna())  # 1 + 6 - answer
    assert scored.loc[~flip, "score"].equals(raw.loc[~flip, "score"])
    # every statistic sees scores: item means of the reversed statements are the means of 7 - answer
    items = item_statistics(raw, ws.model, options=Maturity(min_answered=0)).set_index("item_id")
    assert items.at["F2", "mean"] == pytest.approx((7 - raw.loc[raw["item_id"] == "F2", "score"]).mean())


def test_reversing_makes_the_items_hang_together(six):
    """The fixture's reversed statements are answered against the others: scored, alpha is high; raw, it is not."""
    ws = load_workspace(six)
    dims = score_dimensions(ws["assessment"], ws.model, options=EQUAL).set_index("dimension_id")
    raw = ws["assessment"].pivot(index="respondent_id", columns="item_id", values="score")[["F1", "F2", "F3", "F4"]]
    assert dims.at["funding", "cronbach_alpha"] > 0.8
    assert cronbach_alpha(raw)[0] < 0


def test_a_respondent_who_answered_too_little_is_left_out_of_that_dimension_only(six):
    ws = load_workspace(six)
    answers = ws["assessment"]
    left = left_out(answers, ws.model)
    assert left[["respondent_id", "dimension_id", "answered", "asked"]].values.tolist() == [["r05", "funding", 1, 4]]
    per = respondent_scores(answers, ws.model)
    assert not ((per["respondent_id"] == "r05") & (per["dimension_id"] == "funding")).any()
    assert ((per["respondent_id"] == "r05") & (per["dimension_id"] == "strategy")).any()
    # the default rule is a half; none leaves everyone in
    assert left_out(answers, ws.model, options=Maturity(min_answered=0)).empty
    kept = respondent_scores(answers, ws.model, options=Maturity(min_answered=0))
    assert ((kept["respondent_id"] == "r05") & (kept["dimension_id"] == "funding")).any()
    # exactly half answered is enough
    assert left_out(answers, ws.model, options=Maturity(min_answered=0.25)).empty


def test_nothing_changes_when_nothing_is_reversed_or_missing(tiny):
    """The tiny workspace has no reversed item and no one below the rule: scores equal the old computation."""
    ws = load_workspace(tiny)
    answers = ws["assessment"]
    assert left_out(answers, ws.model).empty
    pd.testing.assert_frame_equal(scored_answers(answers, ws.model), answers)
    dims = score_dimensions(answers[answers["cycle"] == "C3"], ws.model, minimums=Minimums(
        alpha_complete_cases=2, interval_respondents=2, agreement_respondents=2))
    complete = dims.dropna(subset=["cronbach_alpha"])
    assert np.allclose(complete["alpha_pairwise"], complete["cronbach_alpha"])  # no gaps: the two alphas agree
    assert dims[["icc1", "icc2"]].isna().all().all()  # no units


def test_pairwise_alpha_and_units_in_the_dimension_table(six):
    ws = load_workspace(six)
    answers = ws["assessment"]
    dims = score_dimensions(answers, ws.model, options=EQUAL).set_index("dimension_id")
    scored = scored_answers(answers, ws.model)
    grid = scored[scored["item_id"].str.startswith("S")].pivot(index="respondent_id", columns="item_id",
                                                                values="score")
    assert dims.at["strategy", "alpha_pairwise"] == pytest.approx(cronbach_alpha_pairwise(grid))
    assert dims.at["strategy", "alpha_ci_low"] < dims.at["strategy", "alpha_pairwise"] < dims.at["strategy",
                                                                                                   "alpha_ci_high"]
    per = respondent_scores(answers, ws.model)
    mine = per[per["dimension_id"] == "strategy"]
    icc = icc_oneway(mine["score"], mine["unit"], min_size=3)
    assert dims.at["strategy", "icc1"] == pytest.approx(icc["icc1"])
    assert dims.at["strategy", "icc2"] == pytest.approx(icc["icc2"])


def test_units_are_scored_and_compared_with_kruskal_wallis(six):
    ws = load_workspace(six)
    answers = ws["assessment"]
    units = unit_scores(answers, ws.model, seed=1)
    assert list(units.columns) == ["unit", "dimension_id", "score", "ci_low", "ci_high", "n_respondents"]
    per = respondent_scores(answers, ws.model)
    north = per[(per["unit"] == "North") & (per["dimension_id"] == "strategy")]["score"]
    row = units[(units["unit"] == "North") & (units["dimension_id"] == "strategy")].iloc[0]
    assert row["score"] == pytest.approx(north.mean()) and row["n_respondents"] == len(north)
    groups = compare_groups(answers, ws.model)
    assert groups["between"].tolist() == ["role"] * 2 + ["unit"] * 2
    mine = per[per["dimension_id"] == "funding"]
    h, p = stats.kruskal(*[g["score"].to_numpy() for _, g in mine.groupby("unit")])
    unit_row = groups[(groups["between"] == "unit") & (groups["dimension_id"] == "funding")].iloc[0]
    assert unit_row["statistic"] == pytest.approx(h) and unit_row["p_value"] == pytest.approx(p)


def test_units_are_absent_without_a_unit_column(tiny):
    ws = load_workspace(tiny)
    assert unit_scores(ws["assessment"], ws.model).empty
    assert set(compare_groups(ws["assessment"], ws.model)["between"]) == {"role"}


def test_role_weights_weigh_each_role_mean(six):
    """With weights the dimension score is Σ w_role · role mean / Σ w: here computed independently with groupby."""
    ws = load_workspace(six)
    answers = ws["assessment"]
    weights = {"Executive": 2, "PMO": 1, "Delivery lead": 1}
    dims = score_dimensions(answers, ws.model, options=Maturity(role_weights=weights)).set_index("dimension_id")
    per = respondent_scores(answers, ws.model)
    means = per[per["dimension_id"] == "strategy"].groupby("role")["score"].mean()
    expected = sum(weights[r] * m for r, m in means.items()) / 4
    assert dims.at["strategy", "score"] == pytest.approx(expected)
    assert dims.at["strategy", "ci_low"] < expected < dims.at["strategy", "ci_high"]
    plain = score_dimensions(answers, ws.model).set_index("dimension_id")
    assert plain.at["strategy", "score"] == pytest.approx(per[per["dimension_id"] == "strategy"]["score"].mean())


def test_an_unknown_role_in_role_weights_is_a_clear_error(six):
    text = (six / "pmo.yaml").read_text().replace("Delivery lead: 1}", "Delivery lead: 1, Sponsor: 2}")
    (six / "pmo.yaml").write_text(text)
    with pytest.raises(InputError) as info:
        load_workspace(six)
    problems = info.value.problems
    row = problems[problems["column"] == "maturity.role_weights"].iloc[0]
    assert row["value"] == "Sponsor" and "no respondent has" in row["message"]


def test_negative_role_weights_and_a_bad_min_answered_are_config_errors(six):
    text = (six / "pmo.yaml").read_text().replace("min_answered: 0.5", "min_answered: 1.5").replace(
        "Executive: 1,", "Executive: -1,")
    (six / "pmo.yaml").write_text(text)
    with pytest.raises((ConfigError, InputError)) as info:
        load_workspace(six)
    messages = " | ".join(info.value.problems["message"])
    assert "min_answered" in messages and "role weights must be 0 or more" in messages


def test_reverse_must_be_a_boolean(tmp_path):
    text = (DATA / "reverse_keyed" / "model.yaml").read_text().replace("reverse: true}", "reverse: sometimes}", 1)
    (tmp_path / "m.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_model(tmp_path / "m.yaml")
    problem = info.value.problems.iloc[0]
    assert problem["column"] == "items.1.reverse" and "boolean" in problem["message"] and pd.notna(problem["row"])


def test_the_blocking_statements_say_which_are_reversed(six):
    ws = load_workspace(six)
    blockers = level_blockers(item_statistics(ws["assessment"], ws.model), ws.model).set_index("item_id")
    assert blockers.at["F2", "statement"] == "Funding decisions are made once a year. (reversed)"
    assert blockers.at["F1", "statement"] == "Funding follows the priorities set each quarter."


def test_respondents_are_not_told_which_statements_are_reversed(six, tmp_path):
    from openpyxl import load_workbook

    from pmo_lib.inputs.questionnaire import questionnaire_html, write_questionnaire

    model = load_model(six / "model.yaml")
    html = questionnaire_html(model)
    assert "Funding decisions are made once a year." in html and "revers" not in html.lower()
    book = load_workbook(write_questionnaire(model, tmp_path / "q.xlsx"))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "Budgets are locked once approved." in cells and "revers" not in cells.lower()
