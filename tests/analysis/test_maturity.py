"""Maturity model loading and scoring, checked against hand-computed values."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_lib import (ConfigError, Minimums, load_model, load_workspace, maturity_trend, overall_level, overall_score,
                     score_dimensions)
from pmo_lib.inputs.resources import TEMPLATES_DIR

#: The least each statistic can be computed from, to check the arithmetic on the three-respondent tiny workspace.
ANY = Minimums(alpha_complete_cases=2, alpha_items=2, agreement_respondents=2, interval_respondents=2, group_size=2)


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
    trend = maturity_trend(ws.cycle(None), ws.model)
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
    from pmo_lib.analysis.statistics import cronbach_alpha, rwg_j

    ws = load_workspace(tiny)
    answers = ws["assessment"][ws["assessment"]["cycle"] == "C3"]  # three respondents: below the defaults
    first = score_dimensions(answers, ws.model, seed=3, minimums=ANY).set_index("dimension_id")
    again = score_dimensions(answers, ws.model, seed=3, minimums=ANY).set_index("dimension_id")
    assert first[["ci_low", "ci_high"]].equals(again[["ci_low", "ci_high"]])
    assert (first["ci_low"] <= first["score"]).all() and (first["score"] <= first["ci_high"]).all()
    grid = answers[answers["item_id"].isin(["F1", "F2", "F3"])].pivot(index="respondent_id", columns="item_id",
                                                                         values="score")
    assert first.at["flow", "cronbach_alpha"] == pytest.approx(cronbach_alpha(grid, min_cases=2, min_items=2)[0])
    assert first.at["flow", "rwg"] == pytest.approx(rwg_j(grid, n_options=5, min_respondents=2))
    assert first.at["flow", "alpha_items"] == 3


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


# --- what blocks the next level, the overall interval and the overall change ---------------------------------

def _synthetic(model, *, n: int, seed: int, cycle: str = "X", shift: float = 0.0, skip: dict | None = None):
    """Random answers to every item of ``model`` for ``n`` respondents; ``skip`` maps respondent to dimension."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    rows = []
    for r in range(n):
        for item in model.items.itertuples():
            if skip and skip.get(r) == item.dimension_id:
                continue
            rows.append({"cycle": cycle, "respondent_id": f"{cycle}-r{r}", "role": "pmo",
                         "item_id": item.item_id, "score": float(np.clip(np.round(rng.normal(3 + shift, 1)), 1, 5))})
    return pd.DataFrame(rows)


def test_the_blocker_of_the_next_level_is_the_item_below_the_threshold(tiny):
    from pmo_lib import item_statistics, level_blockers

    # C3: threshold 3.8; alignment is at the tiny model's top level 3, so nothing blocks it. Flow is at level 2;
    # level 3 needs F1-F3 at 3.8 or more: F1 (4+5+3)/3 = 4, F2 (4+5+3)/3 = 4, F3 (3+4+2)/3 = 3 -> F3 blocks, 0.8 short.
    ws = load_workspace(tiny)
    items = item_statistics(ws["assessment"][ws["assessment"]["cycle"] == "C3"], ws.model)
    blockers = level_blockers(items, ws.model)
    assert list(blockers.columns) == ["dimension_id", "dimension", "level", "next_level", "item_id", "statement",
                                      "score", "n", "threshold", "gap"]
    assert len(blockers) == 1
    row = blockers.iloc[0]
    assert (row["dimension_id"], row["level"], row["next_level"], row["item_id"]) == ("flow", 2, 3, "F3")
    assert row["statement"] == "Flow time is measured."
    assert row["score"] == pytest.approx(3.0) and row["gap"] == pytest.approx(0.8)
    assert row["threshold"] == pytest.approx(3.8) and row["n"] == 3


def test_lifting_every_blocker_to_the_threshold_lifts_the_level_and_nothing_less_does():
    from pmo_lib import item_statistics, level_blockers, staged_levels

    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    items = item_statistics(_synthetic(model, n=15, seed=4, shift=0.6), model)
    levels = staged_levels(items, model)
    blockers = level_blockers(items, model)
    assert set(blockers["dimension_id"]) == {d for d, level in levels.items() if level < max(model.levels)}
    for dim, group in blockers.groupby("dimension_id"):
        lifted = items.copy()
        mask = lifted["item_id"].isin(group["item_id"])
        lifted.loc[mask, "mean"] = model.threshold
        assert staged_levels(lifted, model)[dim] >= group["next_level"].iloc[0]
        if len(group) > 1:  # one blocker left short keeps the dimension where it is
            lifted.loc[lifted["item_id"] == group["item_id"].iloc[-1], "mean"] = model.threshold - 0.001
            assert staged_levels(lifted, model)[dim] == group["level"].iloc[0]


def test_an_item_nobody_answered_is_left_out_unless_its_level_has_no_answers_at_all(tiny):
    # A statement added to the model after a cycle was assessed has no answers in that cycle; it must not
    # lower the cycle's staged level. A level with no answered statement at all is not reached.
    from pmo_lib import item_statistics, level_blockers, staged_levels

    ws = load_workspace(tiny)
    cycle = ws["assessment"][ws["assessment"]["cycle"] == "C3"]
    full = item_statistics(cycle, ws.model)
    without_a3 = item_statistics(cycle[cycle["item_id"] != "A3"], ws.model)
    a2_met = full.set_index("item_id").at["A2", "mean"] >= ws.model.threshold
    assert staged_levels(without_a3, ws.model)["alignment"] >= (3 if a2_met else 2)
    assert "A3" not in set(level_blockers(without_a3, ws.model)["item_id"])
    neither = item_statistics(cycle[~cycle["item_id"].isin(["A2", "A3"])], ws.model)
    assert staged_levels(neither, ws.model)["alignment"] < 3
    blockers = level_blockers(neither, ws.model).set_index("item_id")
    assert {"A2", "A3"} <= set(blockers.index) and np.isnan(blockers.at["A3", "score"])


def test_overall_interval_is_the_bootstrap_of_respondent_means_when_everyone_answers_everything():
    # With complete answers the overall score of a resample is the mean of the respondents' own weighted
    # overall scores, so the interval must equal the dimension method applied to those scores, seed for seed
    # (up to the last digits: the two sums round differently, which moves tied resamples in the BCa quantiles).
    from pmo_lib import overall_interval, respondent_scores
    from pmo_lib.analysis.statistics import bootstrap_mean_ci

    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    answers = _synthetic(model, n=14, seed=1)
    per = respondent_scores(answers, model).merge(model.dimensions[["dimension_id", "weight"]])
    own = per.groupby("respondent_id").apply(lambda g: np.average(g["score"], weights=g["weight"]))
    assert overall_interval(answers, model, seed=5) == pytest.approx(bootstrap_mean_ci(own, seed=5), rel=1e-4)


def test_overall_interval_is_seeded_and_brackets_the_score_when_a_dimension_is_skipped():
    from pmo_lib import overall_interval, point_scores

    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    answers = _synthetic(model, n=12, seed=2, skip={0: "governance", 3: "flow_delivery"})
    low, high = overall_interval(answers, model, seed=7)
    assert (low, high) == overall_interval(answers, model, seed=7)
    assert low < overall_score(point_scores(answers, model)) < high


def test_overall_change_p_value_matches_an_exact_enumeration_of_every_shuffle(tiny):
    # C2 against C3 in the tiny workspace: 3 + 3 respondents, C2-r3 skipped F3. 20 ways to split 6
    # respondents into 3 + 3, fewer than n_resamples, so scipy enumerates them all; check by hand.
    from itertools import combinations

    import pandas as pd

    from pmo_lib import compare_overall, point_scores

    ws = load_workspace(tiny)
    a = ws["assessment"]
    now, before = a[a["cycle"] == "C3"], a[a["cycle"] == "C2"]
    result = compare_overall(now, before, ws.model)
    assert result["score"] == pytest.approx(overall_score(point_scores(now, ws.model)))
    assert result["previous_score"] == pytest.approx(overall_score(point_scores(before, ws.model)))
    pooled = pd.concat([now, before])
    people = sorted(pooled["respondent_id"].unique())

    def overall(ids):
        return overall_score(point_scores(pooled[pooled["respondent_id"].isin(ids)], ws.model))

    observed = result["delta"]
    diffs = np.array([overall(g) - overall(set(people) - set(g)) for g in combinations(people, 3)])
    eps = 1e-12
    expected = min(1.0, 2 * min(np.mean(diffs >= observed - eps), np.mean(diffs <= observed + eps)))
    assert result["p_value"] == pytest.approx(expected)


def test_overall_change_agrees_with_scipy_on_complete_answers():
    from scipy import stats

    from pmo_lib import compare_overall, respondent_scores

    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    now = _synthetic(model, n=12, seed=3, cycle="B", shift=0.5)
    before = _synthetic(model, n=10, seed=8, cycle="A")
    result = compare_overall(now, before, model, seed=11)

    def own(answers):
        per = respondent_scores(answers, model).merge(model.dimensions[["dimension_id", "weight"]])
        return per.groupby("respondent_id").apply(lambda g: np.average(g["score"], weights=g["weight"])).to_numpy()

    reference = stats.permutation_test((own(now), own(before)), lambda x, y, axis: x.mean(axis) - y.mean(axis),
                                       permutation_type="independent", vectorized=True, n_resamples=9999,
                                       random_state=np.random.default_rng(11))
    assert result["delta"] == pytest.approx(reference.statistic)
    assert result["p_value"] == pytest.approx(reference.pvalue)
    assert result["p_value"] < 0.05  # a shift of half a point with 22 respondents is found


def test_overall_maturity_gathers_score_interval_level_distance_and_change(tiny):
    from pmo_lib import overall_maturity

    ws = load_workspace(tiny)
    a = ws["assessment"]
    row = overall_maturity(a[a["cycle"] == "C3"], ws.model, previous=a[a["cycle"] == "C2"], minimums=ANY).iloc[0]
    assert row["score"] == pytest.approx((2 * 4 + 11 / 3) / 3)
    assert row["ci_low"] <= row["score"] <= row["ci_high"]
    assert (row["level"], row["level_name"], row["next_level"], row["n_blockers"]) == (2, "Repeatable", 3, 1)
    assert row["gap"] == pytest.approx(0.8)
    assert row["previous_score"] < row["score"] and 0 < row["p_value"] <= 1
    first = overall_maturity(a[a["cycle"] == "C1"], ws.model).iloc[0]
    assert np.isnan(first["p_value"]) and np.isnan(first["previous_score"])


# --- how the maturity results read ----------------------------------------------------------------------------

def test_numbers_compared_with_a_threshold_never_round_to_it():
    from pmo_lib import format_apart, level_distance

    assert format_apart(3.7777, 3.8) == ("3.78", "3.80")
    assert format_apart(3.7996, 3.8) == ("3.7996", "3.8000")
    assert format_apart(3.8, 3.8) == ("3.80", "3.80")
    assert format_apart(0.0222, 0.0) == ("0.02", "0.00")
    assert format_apart(0.004, 0.0)[0] == "0.004"
    assert level_distance(2, 1, 0.0222) == "0.02 short of level 2"
    assert level_distance(3, 4, 1.05) == "4 statements short of level 3, the furthest by 1.05"
    assert level_distance(np.nan, 0, np.nan) == "the top level"


def _summary_inputs(*, p_overall: float, p_dims: float):
    import pandas as pd

    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    dims = model.dimensions[["dimension_id", "dimension", "weight"]].assign(score=3.6, target=4.0, gap=0.4,
                                                                            n_respondents=12)
    overall = pd.DataFrame([{"score": 3.6016, "ci_low": 3.4232, "ci_high": 3.7323, "n_respondents": 12, "level": 1,
                             "level_name": "Initial", "next_level": 2, "next_level_name": "Repeatable",
                             "n_blockers": 1, "gap": 0.0222, "previous_score": 3.3657, "delta": 0.2359,
                             "p_value": p_overall}])
    blockers = pd.DataFrame([{"dimension_id": "customer_engagement", "dimension": "Customer and stakeholder engagement",
                              "level": 1, "next_level": 2, "item_id": "CE1",
                              "statement": "Key stakeholders are consulted before major portfolio decisions.",
                              "score": 3.7778, "n": 9, "threshold": 3.8, "gap": 0.0222}])
    change = pd.DataFrame({"dimension_id": model.dimensions["dimension_id"], "previous_score": 3.3, "score": 3.6,
                           "delta": 0.3, "p_value": p_dims, "effect_size": 0.3})
    return dims, model, overall, blockers, change


def test_summary_leads_with_score_and_interval_and_names_the_blocking_statement():
    from pmo_lib import maturity_summary

    dims, model, overall, blockers, change = _summary_inputs(p_overall=0.11, p_dims=0.4)
    text = maturity_summary(dims, model, organisation="Org", cycle="2026-Q3", overall=overall, blockers=blockers,
                            change=change, previous_cycle="2026-Q2")
    assert text.startswith("In 2026-Q3, 12 respondents assessed **Org** at an overall score of **3.60** "
                           "(95% confidence interval 3.42–3.73)")
    assert ("The next level, 2 Repeatable, is blocked by one statement: CE1 “Key stakeholders are consulted before "
            "major portfolio decisions” in *Customer and stakeholder engagement* at 3.78; 3.80 needed "
            "(0.02 short).") in text
    assert "3.8 " not in text and "3.8." not in text


def test_summary_says_rose_only_where_the_test_says_so():
    from pmo_lib import maturity_summary

    dims, model, overall, blockers, change = _summary_inputs(p_overall=0.11, p_dims=0.4)
    change.loc[5, "p_value"] = 0.03  # one dimension rose beyond chance; every point score is higher
    text = maturity_summary(dims, model, organisation="Org", cycle="2026-Q3", overall=overall, blockers=blockers,
                            change=change, previous_cycle="2026-Q2")
    assert "no clear change" in text and "rose from" not in text
    assert "scores rose beyond chance on 1 of 8 dimensions" in text and "the other 7 show no clear change" in text
    dims, model, overall, blockers, change = _summary_inputs(p_overall=0.004, p_dims=0.4)
    text = maturity_summary(dims, model, organisation="Org", cycle="2026-Q3", overall=overall, blockers=blockers,
                            change=change, previous_cycle="2026-Q2")
    assert "It rose from 3.37 in 2026-Q2 (+0.24), a change beyond chance (permutation test, p = 0.004)." in text
    assert "no dimension changed beyond chance" in text


def test_radar_title_counts_only_changes_beyond_chance():
    from pmo_lib import change_title

    _, _, _, _, change = _summary_inputs(p_overall=0.1, p_dims=0.4)
    assert change_title(change, since="2026-Q2") == "No dimension changed beyond chance since 2026-Q2"
    change.loc[5, "p_value"] = 0.03
    assert change_title(change, since="2026-Q2") == ("1 dimension rose beyond chance since 2026-Q2; "
                                                     "7 of 8 show no clear change")
    assert change_title(None, since="2026-Q2") is None


def test_roles_are_shown_with_acronyms_in_capitals():
    from pmo_lib import role_label

    assert role_label("pmo") == "PMO"
    assert role_label("delivery lead") == "Delivery lead"
    assert role_label("it director") == "IT director"
    assert role_label("Product Owner") == "Product Owner"
    assert role_label("head_of_pmo") == "Head of PMO"


def test_p_values_are_plain_decimals():
    from pmo_lib import format_p

    assert format_p(0.0000123) == "< 0.001" and format_p(0.1112) == "0.111" and format_p(np.nan) == "n/a"


def test_the_blocker_table_keeps_every_mean_apart_from_its_threshold():
    import pandas as pd

    from pmo_lib import blocker_table

    blockers = pd.DataFrame({"dimension": ["A", "B"], "level": [1, 2], "next_level": [2, 3], "item_id": ["X1", "Y2"],
                             "statement": ["One.", "Two."], "score": [3.7996, 3.1], "threshold": [3.8, 3.8],
                             "gap": [0.0004, 0.7]})
    frame, formats = blocker_table(blockers)
    assert formats["score"].format(3.7996) == "3.7996" and formats["threshold"].format(3.8) == "3.8000"
    assert frame["statement"].tolist() == ["X1: One.", "Y2: Two."]


def test_summary_does_not_call_an_untested_change_a_non_change():
    from pmo_lib import maturity_summary

    dims, model, overall, blockers, change = _summary_inputs(p_overall=np.nan, p_dims=0.4)
    text = maturity_summary(dims, model, organisation="Org", cycle="2026-Q3", overall=overall, blockers=blockers,
                            change=change, previous_cycle="2026-Q2")
    assert "too few respondents to tell" in text and "within what another group" not in text


def test_overall_change_needs_two_respondents_in_each_cycle(tiny):
    from pmo_lib import compare_overall

    ws = load_workspace(tiny)
    a = ws["assessment"]
    one = a[(a["cycle"] == "C3") & (a["respondent_id"] == "C3-r1")]
    result = compare_overall(one, a[a["cycle"] == "C2"], ws.model)
    assert np.isnan(result["p_value"]) and result["n_current"] == 1 and np.isfinite(result["delta"])


# --- honest small samples: no statistic below its minimum ----------------------------------------------------

def test_intervals_reliability_and_agreement_appear_from_their_minimum_of_respondents():
    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    five = score_dimensions(_synthetic(model, n=5, seed=4), model)
    assert five["ci_low"].notna().all() and five["cronbach_alpha"].notna().all() and five["rwg"].notna().all()
    assert (five["alpha_n"] == 5).all() and five["alpha_items"].tolist() == [5, 5, 5, 7, 7, 6, 7, 8]
    four = score_dimensions(_synthetic(model, n=4, seed=4), model)
    assert four[["ci_low", "ci_high", "cronbach_alpha", "rwg"]].isna().all().all()
    assert four["score"].notna().all() and (four["alpha_n"] == 4).all() and (four["n_respondents"] == 4).all()
    lowered = score_dimensions(_synthetic(model, n=4, seed=4), model,
                               minimums=Minimums(interval_respondents=4, alpha_complete_cases=4,
                                                 agreement_respondents=4))
    assert lowered[["ci_low", "cronbach_alpha", "rwg"]].notna().all().all()


def test_the_overall_interval_and_the_change_tests_need_their_minimums():
    from pmo_lib import compare_cycles, compare_overall, overall_interval, overall_maturity

    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    five, four = _synthetic(model, n=5, seed=5), _synthetic(model, n=4, seed=5)
    assert np.isfinite(overall_interval(five, model)[0]) and np.isnan(overall_interval(four, model)[0])
    assert np.isfinite(overall_interval(four, model, min_respondents=4)[0])
    three, two = _synthetic(model, n=3, seed=6, cycle="B"), _synthetic(model, n=2, seed=6, cycle="B")
    before = _synthetic(model, n=3, seed=7, cycle="A")
    assert np.isfinite(compare_overall(three, before, model)["p_value"])
    assert np.isnan(compare_overall(two, before, model)["p_value"])
    assert compare_cycles(three, before, model)["p_value"].notna().all()
    assert compare_cycles(two, before, model)["p_value"].isna().all()
    row = overall_maturity(four, model, previous=before).iloc[0]
    assert np.isnan(row["ci_low"]) and np.isfinite(row["p_value"]) and row["n_respondents"] == 4


def test_roles_are_compared_only_between_roles_of_the_group_size():
    import pandas as pd

    from pmo_lib import compare_groups

    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    answers = _synthetic(model, n=6, seed=8)
    roles = {f"X-r{i}": "PMO" if i < 3 else "Executive" for i in range(6)}
    answers["role"] = answers["respondent_id"].map(roles)
    assert (compare_groups(answers, model)["n_groups"] == 2).all()
    assert compare_groups(answers, model)["p_value"].notna().all()
    short = answers[answers["respondent_id"] != "X-r5"]  # Executive: two respondents
    assert compare_groups(short, model)["p_value"].isna().all()
    assert compare_groups(short, model, minimums=Minimums(group_size=2))["p_value"].notna().all()
    assert isinstance(short, pd.DataFrame)


def test_below_target_beyond_doubt_needs_an_interval_and_enough_respondents():
    import pandas as pd

    from pmo_lib import score_intervals

    def title(frame) -> str:
        ax = score_intervals(frame, scale=(1, 5)).axes[0]
        return ax.get_title() or ax.get_title(loc="left")

    dims = pd.DataFrame({"dimension": ["A", "B"], "score": [2.0, 2.5], "ci_low": [1.8, 2.2], "ci_high": [2.2, 2.8],
                         "target": [4.0, 4.0], "n_respondents": [5, 5]})
    assert title(dims) == "2 of 2 dimensions are below target beyond doubt"
    few = dims.assign(n_respondents=[5, 4])
    assert title(few).startswith("1 of 2 dimensions")
    title = title(dims.assign(ci_low=np.nan, ci_high=np.nan, n_respondents=3))
    assert "beyond doubt" not in title and title == "2 of 2 dimensions score below target; too few respondents for intervals"


def test_the_reliability_table_says_what_is_missing_and_never_calls_a_negative_alpha_just_low():
    import pandas as pd

    from pmo_lib import reliability_table

    dims = pd.DataFrame({"dimension": ["A", "B", "C", "D", "E"], "cronbach_alpha": [0.85, 0.4, -2.0, np.nan, np.nan],
                         "alpha_n": [12, 12, 12, 3, 12], "alpha_items": [5, 5, 5, 5, 2],
                         "rwg": [0.9, 0.5, 0.8, np.nan, 0.9], "n_respondents": [12, 12, 12, 3, 12]})
    table = reliability_table(dims).set_index("dimension")
    assert table["alpha_status"].tolist() == [
        "green", "amber", "red, the statements move against each other",
        "n/a, needs at least 5 complete answers (has 3)", "n/a, needs at least 3 statements (has 2)"]
    assert table.at["D", "rwg_status"] == "n/a, needs at least 5 respondents (has 3)"
    assert table.at["C", "rwg_status"] == "green"


def test_the_reliability_summary_explains_a_negative_alpha_and_what_is_missing():
    import pandas as pd

    from pmo_lib import reliability_summary

    dims = pd.DataFrame({"dimension": ["A", "B", "C"], "cronbach_alpha": [0.85, -0.4, np.nan],
                         "alpha_n": [12, 12, 4], "alpha_items": [5, 5, 5], "rwg": [0.9, 0.8, 0.9],
                         "n_respondents": [12, 12, 12]})
    text = reliability_summary(dims)
    assert "Reliability is negative for *B* (α = -0.40): the statements of this dimension move against each other" in text
    assert "often chance" in text and "below 0.7 for *B*" not in text
    assert "Reliability is not computed for *C* (4): it needs at least 5 respondents who answered every statement" in text
    nothing = pd.DataFrame({"dimension": ["A", "B"], "cronbach_alpha": [np.nan] * 2, "alpha_n": [3, 2],
                            "alpha_items": [5, 5], "rwg": [np.nan] * 2, "n_respondents": [3, 3]})
    text = reliability_summary(nothing)
    assert text.startswith("Reliability and agreement cannot be judged yet.") and "α" not in text
    assert "at least 5 respondents who answered every statement" in text and "this cycle has 3 respondents" in text


def test_summary_says_how_many_respondents_an_interval_needs():
    from pmo_lib import maturity_summary

    dims, model, overall, blockers, _ = _summary_inputs(p_overall=np.nan, p_dims=np.nan)
    overall = overall.assign(ci_low=np.nan, ci_high=np.nan, n_respondents=3, previous_score=np.nan, delta=np.nan)
    text = maturity_summary(dims, model, organisation="Org", cycle="2026-Q3", overall=overall, blockers=blockers)
    assert text.startswith("In 2026-Q3, 3 respondents assessed **Org** at an overall score of **3.60** on the 1–5 "
                           "scale. The score has no confidence interval: an interval needs at least 5 respondents")
    assert "confidence interval 3" not in text


def test_readings_of_untested_comparisons_say_what_they_need(tiny):
    from pmo_lib import change_table, compare_cycles, compare_groups, group_table

    ws = load_workspace(tiny)
    a = ws["assessment"]
    now = a[a["cycle"] == "C3"]
    assert set(group_table(compare_groups(now, ws.model), ws.model)["reading"]) == {
        "needs two roles with at least 3 respondents each"}
    two = now[now["respondent_id"] != "C3-r3"]
    readings = change_table(compare_cycles(two, a[a["cycle"] == "C2"], ws.model), ws.model)["reading"]
    assert set(readings) == {"too few respondents to test (needs 3 in each cycle)"}


def test_trend_charts_need_their_minimum_of_cycles_and_say_so_otherwise(tiny):
    from pmo_lib import dimension_history, dimension_trends, trend_shortfall

    ws = load_workspace(tiny)
    history = dimension_history(ws.cycle(None), ws.model)  # three cycles
    with pytest.raises(ValueError, match="at least 4 cycles; got 3"):
        dimension_trends(history, scale=(1, 5), title="t")
    assert dimension_trends(history, scale=(1, 5), title="t", min_cycles=3).axes
    assert trend_shortfall(["2026-Q3"], need=4, first=True) == (
        "2026-Q3 is the first assessed cycle, so there is no earlier cycle to compare with. Trend charts need at "
        "least 4 assessed cycles; so far there is 1 assessed cycle (2026-Q3). They appear once there are enough "
        "cycles.")
    assert "so far there are 2 assessed cycles (C1, C2)" in trend_shortfall(["C1", "C2"], need=4)


def test_the_method_appendix_quotes_the_minimums_in_use():
    from pmo_lib import minimums_text

    text = minimums_text(Minimums(alpha_complete_cases=7, interval_respondents=9, trend_cycles=6))
    assert "at least 7 complete answers" in text and "Confidence interval: at least 9 respondents" in text
    assert "Trend charts: at least 6 assessed cycles" in text and "and 3 statements" in text


def test_role_means_average_each_roles_respondent_scores_lowest_first(tiny):
    from pmo_lib import role_gap_title
    from pmo_lib.analysis.maturity import role_means

    ws = load_workspace(tiny)
    c1 = ws["assessment"][ws["assessment"]["cycle"] == "C1"]
    # C1: one respondent per role; alignment items A1-A3 weigh 1, 2, 1, flow items F1-F3 weigh 1
    #   Executive: alignment (2 + 2*2 + 1)/4 = 1.75, flow 7/3      -> mean of the two 2.0417
    #   PMO:       alignment (3 + 2*3 + 2)/4 = 2.75, flow 10/3     -> 3.0417
    #   Delivery lead: alignment 1, flow 4/3                        -> 1.1667
    means = role_means(c1, ws.model, min_respondents=1)
    assert means["role"].tolist() == ["Delivery lead", "Executive", "PMO"]
    assert means["score"].tolist() == pytest.approx([7 / 6, (1.75 + 7 / 3) / 2, (2.75 + 10 / 3) / 2])
    assert means["n_respondents"].tolist() == [1, 1, 1] and means["compared"].all()
    assert role_gap_title(c1, ws.model, min_respondents=1) == "PMO score highest (3.04), Delivery lead lowest (1.17)"
    alone = role_means(c1, ws.model, min_respondents=2)
    assert not alone["compared"].any() and alone["score"].isna().all() and len(alone) == 3
    assert role_gap_title(c1, ws.model, min_respondents=2) == "Too few respondents per role to compare roles"


def test_a_large_gap_between_roles_that_is_not_significant_says_too_few_answered():
    """A Kruskal–Wallis p above 0.05 with ε² of 0.62 (three respondents per role) is no evidence of no difference:
    the reading says the gap looks large but too few answered (Cohen 1988: η² 0.14 and above is large)."""
    from pmo_lib import group_table
    from pmo_lib.inputs.model import load_model
    from pmo_lib.inputs.resources import TEMPLATES_DIR

    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    dim = model.dimensions["dimension_id"].iloc[0]
    groups = pd.DataFrame({"dimension_id": [dim] * 3, "test": ["kruskal"] * 3, "statistic": [4.5, 1.0, 0.5],
                           "p_value": [0.11, 0.6, 0.01], "effect_size": [0.62, 0.02, 0.7], "n_groups": [4] * 3})
    readings = group_table(groups, model)["reading"].tolist()
    assert readings == ["the gap between roles looks large, but too few answered to tell it from chance",
                        "no clear difference between roles", "roles see this differently"]
