"""Statistics, each checked against an independent formulation or a hand computation."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from pmo_lib.analysis.statistics import bootstrap_mean_ci, cronbach_alpha, kruskal_wallis, mann_whitney, rwg_j

ANSWERS = pd.DataFrame({  # six respondents x four items on a 1-5 scale
    "i1": [4, 5, 3, 4, 2, 5], "i2": [4, 4, 3, 5, 2, 4], "i3": [3, 5, 2, 4, 3, 5], "i4": [4, 4, 3, 4, 1, 5]})


def test_cronbach_alpha_matches_the_covariance_matrix_formulation():
    # Independent formulation: alpha = k/(k-1) * (1 - trace(C) / sum(C)), C the item covariance matrix.
    cov = np.cov(ANSWERS.to_numpy(dtype=float), rowvar=False)
    k = cov.shape[0]
    expected = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    alpha, n = cronbach_alpha(ANSWERS)
    assert alpha == pytest.approx(expected) and n == 6


def test_cronbach_alpha_uses_complete_cases_only():
    with_gap = ANSWERS.astype(float).copy()
    with_gap.iloc[0, 0] = np.nan
    alpha, n = cronbach_alpha(with_gap)
    assert n == 5
    assert alpha == pytest.approx(cronbach_alpha(ANSWERS.iloc[1:])[0])


def test_rwg_j_equals_spearman_brown_of_the_single_item_index():
    # James, Demaree & Wolf (1984): rwg(J) is the Spearman-Brown step-up of the single-item
    # index r = 1 - mean item variance / sigma_EU^2, with sigma_EU^2 = (A^2 - 1) / 12 = 2 for A = 5.
    variances = ANSWERS.var(ddof=1)
    r = 1 - variances.mean() / 2.0
    j = len(variances)
    assert rwg_j(ANSWERS, n_options=5) == pytest.approx(j * r / (1 + (j - 1) * r))


def test_rwg_j_is_one_for_full_agreement_and_zero_beyond_the_null_variance():
    agree = pd.DataFrame({"a": [4, 4, 4, 4, 4], "b": [3, 3, 3, 3, 3]})
    assert rwg_j(agree, n_options=5) == 1.0
    split = pd.DataFrame({"a": [1, 5, 1, 5, 1], "b": [5, 1, 5, 1, 5]})  # variance 4.8 > 2
    assert rwg_j(split, n_options=5) == 0.0


def test_kruskal_wallis_h_and_epsilon_squared_by_hand():
    # No ties: H = 12 / (n(n+1)) * sum(R_i^2 / n_i) - 3(n + 1); epsilon^2 = H (n + 1) / (n^2 - 1).
    values = pd.Series([1.1, 2.3, 3.2, 4.8, 5.5, 6.1, 7.4, 8.0, 9.9])
    groups = pd.Series(list("aaabbbccc"))
    ranks = values.rank()
    n = len(values)
    h = 12 / (n * (n + 1)) * sum(ranks[groups == g].sum() ** 2 / 3 for g in "abc") - 3 * (n + 1)
    res = kruskal_wallis(values, groups)
    assert res["statistic"] == pytest.approx(h)
    assert res["effect_size"] == pytest.approx(h * (n + 1) / (n ** 2 - 1))
    assert res["n_groups"] == 3 and 0 < res["p_value"] < 0.05


def test_kruskal_wallis_needs_two_groups_of_the_minimum_size():
    res = kruskal_wallis(pd.Series([1.0, 2.0, 3.0]), pd.Series(["a", "a", "b"]), min_size=2)
    assert np.isnan(res["statistic"]) and res["n_groups"] == 1
    values, groups = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), pd.Series(list("aaabbb"))
    assert kruskal_wallis(values, groups)["n_groups"] == 2  # default: groups of three
    assert np.isnan(kruskal_wallis(values[1:], groups[1:])["statistic"])  # a group of two is left out


def test_rank_biserial_matches_kerbys_simple_difference():
    # Kerby (2014): r = share of pairs favouring 'after' minus share favouring 'before'.
    after = [3.5, 4.0, 4.2, 3.8, 4.6]
    before = [3.0, 3.6, 3.5, 2.9]
    pairs = list(itertools.product(after, before))
    favour = sum(a > b for a, b in pairs) - sum(a < b for a, b in pairs)
    res = mann_whitney(after, before)
    assert res["effect_size"] == pytest.approx(favour / len(pairs))
    assert res["effect_size"] > 0


def test_bootstrap_interval_is_seeded_and_brackets_the_mean():
    values = np.array([2.5, 3.0, 3.25, 3.5, 4.0, 2.75, 3.8, 4.2, 3.1, 2.9])
    first = bootstrap_mean_ci(values, seed=7)
    assert first == bootstrap_mean_ci(values, seed=7)
    assert first[0] < values.mean() < first[1]
    assert bootstrap_mean_ci([3.0] * 5) == (3.0, 3.0)
    assert all(np.isnan(bootstrap_mean_ci([3.0])))


# ---------------------------------------------------------------- trends and control charts

from pmo_lib.analysis.statistics import mann_kendall, theil_sen_slope, xmr  # noqa: E402


@pytest.mark.parametrize("series", [
    [0.91, 0.93, 0.92, 0.95, 0.97, 0.96, 0.99],
    [12, 14, 14, 13, 15, 15, 15, 18],          # ties
    [30, 28, 29, 25, 26, 22],
])
def test_mann_kendall_matches_pymannkendall(series):
    # Independent implementation: pymannkendall (Hussain & Mahmud, 2019), original test with tie correction.
    import pymannkendall

    ref = pymannkendall.original_test(series)
    ours = mann_kendall(series)
    assert ours["s"] == pytest.approx(ref.s)
    assert ours["var_s"] == pytest.approx(ref.var_s)
    assert ours["tau"] == pytest.approx(ref.Tau)
    assert ours["p_value"] == pytest.approx(ref.p)


def test_mann_kendall_needs_enough_points():
    assert np.isnan(mann_kendall([1.0, 2.0, 3.0])["tau"])


def test_theil_sen_is_the_median_of_pairwise_slopes():
    y = [3.0, 4.5, 4.0, 6.0, 7.5, 7.0]
    slopes = [(y[j] - y[i]) / (j - i) for i in range(len(y)) for j in range(i + 1, len(y))]
    assert theil_sen_slope(y) == pytest.approx(np.median(slopes))


def test_xmr_limits_by_hand():
    # x = 10, 12, 11, 13, 12, 14: mean 12; moving ranges 2, 1, 2, 1, 2 -> MR-bar 1.6
    # limits 12 ± 2.66 x 1.6 = 7.744 and 16.256; mR upper limit 3.268 x 1.6 = 5.2288
    chart = xmr([10, 12, 11, 13, 12, 14])
    assert chart["center"] == pytest.approx(12.0)
    assert chart["mr_bar"] == pytest.approx(1.6)
    assert chart["lcl"] == pytest.approx(7.744) and chart["ucl"] == pytest.approx(16.256)
    assert chart["mr_ucl"] == pytest.approx(5.2288)
    assert chart["signals"] == []


def test_western_electric_rules():
    # Rule 1: one point far out.
    chart = xmr([10, 10.5, 9.5, 10, 10.2, 9.8, 10.1, 20])
    assert (7, 1) in chart["signals"]
    # Rule 4: eight in a row above the centre (after a long run below).
    run = [5.0] * 8 + [5.3, 5.2, 5.4, 5.3, 5.2, 5.4, 5.3, 5.2]
    assert any(rule == 4 for _, rule in xmr(run)["signals"])
    # Rule 2 and 3 on a series whose last points drift beyond 2 sigma on one side.
    drift = [10, 10.4, 9.6, 10.2, 9.8, 10.1, 9.9, 10.3, 9.7, 10.0, 11.2, 11.3]
    rules = {rule for _, rule in xmr(drift)["signals"]}
    assert 2 in rules


def test_xmr_needs_five_points():
    chart = xmr([1.0, 2.0, 3.0, 4.0])
    assert np.isnan(chart["center"]) and chart["signals"] == []


# ---------------------------------------------------------------- minimums: at and around each threshold

def test_cronbach_alpha_needs_its_minimum_of_complete_cases_and_items():
    from pmo_lib import DEFAULT_MINIMUMS

    assert (DEFAULT_MINIMUMS.alpha_complete_cases, DEFAULT_MINIMUMS.alpha_items) == (5, 3)
    five = ANSWERS.iloc[:5]
    alpha, n = cronbach_alpha(five)  # exactly the default minimum: a number
    assert n == 5 and np.isfinite(alpha)
    alpha, n = cronbach_alpha(ANSWERS.iloc[:4])  # one fewer: no number, but the count of cases
    assert np.isnan(alpha) and n == 4
    assert np.isfinite(cronbach_alpha(ANSWERS.iloc[:4], min_cases=4)[0])
    assert np.isfinite(cronbach_alpha(ANSWERS[["i1", "i2", "i3"]])[0])  # three items: enough
    assert np.isnan(cronbach_alpha(ANSWERS[["i1", "i2"]])[0])  # two: alpha is only their correlation
    assert np.isfinite(cronbach_alpha(ANSWERS[["i1", "i2"]], min_items=2)[0])


def test_cronbach_alpha_is_negative_when_items_move_against_each_other():
    against = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [5, 4, 3, 2, 1], "c": [2, 3, 3, 3, 4]})
    alpha, _ = cronbach_alpha(against)
    cov = np.cov(against.to_numpy(dtype=float), rowvar=False)
    assert alpha == pytest.approx(3 / 2 * (1 - np.trace(cov) / cov.sum())) and alpha < 0


def test_an_interval_needs_its_minimum_of_respondents():
    values = [2.5, 3.0, 3.5, 4.0, 4.5]
    low, high = bootstrap_mean_ci(values, seed=1)  # five: the default minimum
    assert low < np.mean(values) < high
    assert all(np.isnan(bootstrap_mean_ci(values[:4], seed=1)))
    assert np.isfinite(bootstrap_mean_ci(values[:4], seed=1, min_n=4)[0])
    assert all(np.isnan(bootstrap_mean_ci(values[:1], min_n=1)))  # never from one value


def test_agreement_needs_its_minimum_of_respondents():
    five = pd.DataFrame({"a": [4, 4, 3, 4, 5], "b": [3, 4, 3, 3, 4]})
    assert np.isfinite(rwg_j(five, n_options=5))
    assert np.isnan(rwg_j(five.iloc[:4], n_options=5))
    assert rwg_j(five.iloc[:4], n_options=5, min_respondents=4) == pytest.approx(
        rwg_j(five.iloc[:4], n_options=5, min_respondents=2))
    assert np.isnan(rwg_j(pd.concat([five.iloc[:4], pd.DataFrame({"a": [np.nan], "b": [np.nan]})]), n_options=5))


def test_mann_whitney_needs_its_group_size_on_both_sides():
    three, two = [3.0, 3.5, 4.0], [2.0, 2.5]
    assert np.isfinite(mann_whitney(three, three[::-1])["p_value"])
    res = mann_whitney(three, two)
    assert np.isnan(res["p_value"]) and (res["n_after"], res["n_before"]) == (3, 2)
    assert np.isfinite(mann_whitney(three, two, min_size=2)["p_value"])


def test_trend_and_control_chart_minimums_are_the_configured_defaults():
    from pmo_lib import DEFAULT_MINIMUMS

    four, three = [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0]
    assert mann_kendall(four)["n"] == 4 and np.isfinite(mann_kendall(four)["s"])
    assert np.isnan(mann_kendall(three)["s"]) and np.isnan(theil_sen_slope(three))
    assert np.isfinite(theil_sen_slope(four)) and DEFAULT_MINIMUMS.trend_cycles == 4
    assert np.isnan(xmr(four)["center"]) and np.isfinite(xmr(four + [5.0])["center"])
