"""Statistics, each checked against an independent formulation or a hand computation."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from pmo_lib.statistics import bootstrap_mean_ci, cronbach_alpha, kruskal_wallis, mann_whitney, rwg_j

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
    agree = pd.DataFrame({"a": [4, 4, 4], "b": [3, 3, 3]})
    assert rwg_j(agree, n_options=5) == 1.0
    split = pd.DataFrame({"a": [1, 5, 1, 5], "b": [5, 1, 5, 1]})  # variance 5.33 > 2
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


def test_kruskal_wallis_needs_two_groups_of_two():
    res = kruskal_wallis(pd.Series([1.0, 2.0, 3.0]), pd.Series(["a", "a", "b"]))
    assert np.isnan(res["statistic"]) and res["n_groups"] == 1


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
    assert bootstrap_mean_ci([3.0, 3.0, 3.0]) == (3.0, 3.0)
    assert all(np.isnan(bootstrap_mean_ci([3.0])))
