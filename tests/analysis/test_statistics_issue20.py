"""Statistics of issue 20: pairwise alpha, Feldt's interval, ICC(1)/ICC(2), role-weighted means.

Each is checked against an independent, published implementation (pingouin) or a hand-worked example.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pmo_lib.analysis.statistics import (alpha_interval, cronbach_alpha, cronbach_alpha_pairwise, icc_oneway,
                                         weighted_groups_ci)

pg = pytest.importorskip("pingouin")


def _with_gaps(seed: int = 3, n: int = 30, k: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.normal(0, 1, n)
    data = pd.DataFrame({f"i{j}": np.clip(np.round(3 + latent + rng.normal(0, 0.8, n)), 1, 5) for j in range(k)})
    mask = rng.random(data.shape) < 0.12
    return data.mask(mask)


def test_pairwise_alpha_and_its_feldt_interval_match_pingouin():
    """pingouin.cronbach_alpha (nan_policy='pairwise', its default, as R psych::alpha) on answers with gaps.

    pingouin rounds its interval to three decimals.
    """
    data = _with_gaps()
    assert data.isna().any().any() and not data.isna().all(axis=1).any()
    expected, (low, high) = pg.cronbach_alpha(data=data)
    alpha = cronbach_alpha_pairwise(data)
    assert alpha == pytest.approx(expected, abs=1e-12)
    ours = alpha_interval(alpha, n=len(data), k=data.shape[1])
    assert ours == pytest.approx((low, high), abs=5e-4)


def test_pairwise_alpha_reproduces_the_published_psych_example():
    """pingouin's documented example (dataset ``cronbach_wide_missing``, binary answers with gaps):
    alpha 0.732660835214447 with 95% interval [0.435, 0.909], equal to R ``psych::alpha(data, use="pairwise")``
    (pingouin.cronbach_alpha docstring, Vallat 2018, J. Open Source Software 3(31), 1026)."""
    data = pg.read_dataset("cronbach_wide_missing")
    alpha = cronbach_alpha_pairwise(data, min_cases=2, min_items=2)
    assert alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert alpha_interval(alpha, n=len(data), k=data.shape[1]) == pytest.approx((0.435, 0.909), abs=5e-4)


def test_feldt_interval_of_the_published_likert_example():
    """pingouin's long-format Likert example (dataset ``cronbach_alpha``): alpha 0.5917 in [0.195, 0.84]
    (Feldt 1965's F interval; pingouin.cronbach_alpha docstring)."""
    data = pg.read_dataset("cronbach_alpha").pivot(index="Subj", columns="Items", values="Scores")
    alpha, n = cronbach_alpha(data, min_cases=2, min_items=2)
    assert alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert alpha_interval(alpha, n=n, k=data.shape[1]) == pytest.approx((0.195, 0.84), abs=5e-4)


def test_pairwise_alpha_equals_complete_case_alpha_without_gaps():
    data = _with_gaps().dropna()
    assert cronbach_alpha_pairwise(data) == pytest.approx(cronbach_alpha(data)[0], abs=1e-12)


def test_pairwise_alpha_is_empty_below_the_minimums():
    data = _with_gaps()
    assert np.isnan(cronbach_alpha_pairwise(data.iloc[:4]))
    assert np.isnan(cronbach_alpha_pairwise(data.iloc[:, :2]))
    assert alpha_interval(np.nan, n=10, k=4) != alpha_interval(0.5, n=10, k=4)


def test_icc_matches_pingouin_on_balanced_groups():
    """Balanced groups: Bliese's ICC(1) and ICC(2) are pingouin.intraclass_corr's ICC(1,1) and ICC(1,k)
    (one-way random effects, Shrout & Fleiss 1979), the units as targets."""
    rng = np.random.default_rng(7)
    units = np.repeat(["North", "South", "East", "West", "Centre"], 4)
    values = rng.normal(3, 0.6, len(units)) + pd.Series(units).map(
        {"North": 0.8, "South": 0.0, "East": -0.4, "West": 0.3, "Centre": 0.1}).to_numpy()
    frame = pd.DataFrame({"unit": units, "member": np.tile(range(4), 5), "score": values})
    icc = pg.intraclass_corr(data=frame, targets="unit", raters="member", ratings="score").set_index("Type")
    ours = icc_oneway(frame["score"], frame["unit"])
    assert ours["icc1"] == pytest.approx(icc.loc["ICC(1,1)", "ICC"], abs=1e-10)
    assert ours["icc2"] == pytest.approx(icc.loc["ICC(1,k)", "ICC"], abs=1e-10)
    assert ours["k0"] == pytest.approx(4)


def test_icc_of_unbalanced_groups_matches_a_hand_worked_anova():
    """Bliese (2000), 'Within-group agreement, non-independence, and reliability', in Klein & Kozlowski
    (eds.), Multilevel Theory, Research, and Methods in Organizations, pp. 349-381: one-way ANOVA with
    k0 = (N - sum n_g^2 / N) / (G - 1) for unequal group sizes.

    Groups A = [2, 3, 4] (mean 3), B = [4, 5, 5, 6] (mean 5), C = [1, 2] (mean 1.5); N = 9, grand mean 32/9;
    the sums of squares are worked in exact fractions below.
    """
    from fractions import Fraction as F

    groups = {"A": [2, 3, 4], "B": [4, 5, 5, 6], "C": [1, 2]}
    n = 9
    grand = F(32, 9)
    ssb = sum(len(v) * (F(sum(v), len(v)) - grand) ** 2 for v in groups.values())
    ssw = sum(sum((F(x) - F(sum(v), len(v))) ** 2 for x in v) for v in groups.values())
    assert ssw == F(2) + F(2) + F(1, 2)  # 4.5: by hand, group by group
    msb, msw = ssb / 2, ssw / 6
    k0 = (n - F(9 + 16 + 4, 9)) / 2  # (9 - 29/9) / 2 = 26/9
    assert k0 == F(26, 9)
    icc1 = (msb - msw) / (msb + (k0 - 1) * msw)
    icc2 = (msb - msw) / msb
    values = pd.Series([x for v in groups.values() for x in v], dtype=float)
    labels = pd.Series([g for g, v in groups.items() for _ in v])
    ours = icc_oneway(values, labels)
    assert ours["icc1"] == pytest.approx(float(icc1), abs=1e-12)
    assert ours["icc2"] == pytest.approx(float(icc2), abs=1e-12)
    assert ours["k0"] == pytest.approx(float(k0))
    f_stat = stats.f_oneway(*[np.array(v, dtype=float) for v in groups.values()]).statistic
    assert float(msb / msw) == pytest.approx(f_stat)  # the same ANOVA as scipy's
    assert ours["icc2"] == pytest.approx(1 - 1 / f_stat)  # ICC(2) = 1 - 1/F (Bliese 2000)


def test_icc_is_empty_with_one_group():
    out = icc_oneway(pd.Series([1.0, 2, 3]), pd.Series(["A", "A", "A"]))
    assert np.isnan(out["icc1"]) and np.isnan(out["icc2"])


def test_weighted_role_mean_and_its_stratified_bootstrap():
    """The estimate is the weighted mean of the role means, equal to np.average with each person weighing
    role weight / role size; the interval agrees with an independent stratified percentile bootstrap written
    here with numpy (resampling within each role)."""
    rng = np.random.default_rng(11)
    roles = pd.Series(["Executive"] * 3 + ["PMO"] * 8 + ["Delivery lead"] * 5)
    values = pd.Series(rng.normal(3, 0.7, len(roles))) + roles.map({"Executive": 1.0, "PMO": -0.5,
                                                                    "Delivery lead": 0.0})
    weights = {"Executive": 2.0, "PMO": 1.0, "Delivery lead": 1.0}
    est, low, high = weighted_groups_ci(values, roles, weights, n_resamples=4000)
    person = roles.map(weights) / roles.map(roles.value_counts())
    assert est == pytest.approx(np.average(values, weights=person))
    means = values.groupby(roles).mean()
    assert est == pytest.approx(sum(weights[r] * means[r] for r in means.index) / 4)
    boot = np.random.default_rng(99)
    parts = {r: values[roles == r].to_numpy() for r in weights}
    draws = [sum(weights[r] * boot.choice(x, len(x)).mean() for r, x in parts.items()) / 4 for _ in range(20000)]
    ref_low, ref_high = np.percentile(draws, [2.5, 97.5])
    assert low == pytest.approx(ref_low, abs=0.08) and high == pytest.approx(ref_high, abs=0.08)
    assert low < est < high


def test_equal_role_weights_with_equal_roles_is_the_plain_mean():
    values = pd.Series([1.0, 2, 3, 4, 5, 6])
    roles = pd.Series(["A", "A", "B", "B", "C", "C"])
    est, _, _ = weighted_groups_ci(values, roles, {"A": 1, "B": 1, "C": 1})
    assert est == pytest.approx(values.mean())


def test_weighted_group_mean_is_the_estimate_of_the_interval_function():
    values = pd.Series([1.0, 2, 3, 4, 5, 9])
    roles = pd.Series(["A", "A", "B", "B", "C", "C"])
    from pmo_lib.analysis.statistics import weighted_group_mean

    weights = {"A": 3, "B": 1}  # C not listed: weighs 1
    assert weighted_group_mean(values, roles, weights) == pytest.approx((3 * 1.5 + 3.5 + 7) / 5)
    assert weighted_group_mean(values, roles, weights) == pytest.approx(weighted_groups_ci(values, roles, weights)[0])
