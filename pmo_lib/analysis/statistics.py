"""Statistics for assessments and KPI series.

Each function takes plain arrays or tables and returns numbers or tables; none
reads files. Randomness takes a ``seed`` so two runs give identical numbers.

Every statistic has a minimum of data below which it is NaN rather than a
number that means nothing; the defaults are those of ``minimums`` in
pmo.yaml (:class:`pmo_lib.inputs.config.Minimums`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..inputs.config import DEFAULT_MINIMUMS

_MIN = DEFAULT_MINIMUMS


def bootstrap_mean_ci(values: np.ndarray | pd.Series, *, confidence: float = 0.95, seed: int = 0,
                      n_resamples: int = 2000,
                      min_n: int = _MIN.interval_respondents) -> tuple[float, float]:
    """Bootstrap confidence interval of a mean (BCa, seeded).

    Pass one value per respondent so that respondents, not answers, are resampled.

    Parameters
    ----------
    min_n : int
        Fewest values an interval needs (default 5, ``minimums.interval_respondents``):
        a few values have too few distinct resamples for the interval to mean anything.

    Returns
    -------
    tuple of float
        ``(low, high)``; NaN when fewer than ``min_n`` (and always fewer than
        two) values, the value itself when all values are equal.
    """
    data = np.asarray(pd.Series(values).dropna(), dtype=float)
    if len(data) < max(2, min_n):
        return np.nan, np.nan
    if np.ptp(data) == 0:
        return float(data[0]), float(data[0])
    rng = np.random.default_rng(seed)
    result = stats.bootstrap((data,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                             method="BCa", random_state=rng, vectorized=True)
    low, high = result.confidence_interval
    if not (np.isfinite(low) and np.isfinite(high)):  # BCa degenerates on tiny samples
        result = stats.bootstrap((data,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                                 method="percentile", random_state=np.random.default_rng(seed), vectorized=True)
        low, high = result.confidence_interval
    return float(low), float(high)


def cronbach_alpha(items: pd.DataFrame, *, min_cases: int = _MIN.alpha_complete_cases,
                   min_items: int = _MIN.alpha_items) -> tuple[float, int]:
    """Cronbach's alpha of a respondents × items table, on complete cases.

    alpha = k / (k - 1) · (1 - Σ var(item) / var(total)), sample variances.
    It can be negative: the items then covary negatively on average, which
    with few respondents is often chance.

    Parameters
    ----------
    items : DataFrame
        Respondents × items.
    min_cases : int
        Fewest complete cases (respondents who answered every item; default 5).
    min_items : int
        Fewest items (default 3; with two, alpha is only a function of their
        correlation, Eisinga, te Grotenhuis and Pelzer 2013).

    Returns
    -------
    tuple
        ``(alpha, n_cases)``; alpha is NaN with fewer than ``min_items``
        items, fewer than ``min_cases`` complete cases (never fewer than two
        of either), or no variance in the totals.
    """
    complete = items.dropna()
    k = complete.shape[1]
    n = complete.shape[0]
    if k < max(2, min_items) or n < max(2, min_cases):
        return np.nan, n
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return np.nan, n
    alpha = k / (k - 1) * (1 - complete.var(ddof=1).sum() / total_var)
    return float(alpha), n


def rwg_j(items: pd.DataFrame, *, n_options: int, min_respondents: int = _MIN.agreement_respondents) -> float:
    """Within-group agreement rwg(J) of James, Demaree and Wolf (1984).

    Uses a uniform null distribution: σ²_EU = (A² − 1) / 12 for A answer
    options. With s̄² the mean of the item variances and J items,
    rwg(J) = J(1 − s̄²/σ²_EU) / [J(1 − s̄²/σ²_EU) + s̄²/σ²_EU].
    Values are truncated to [0, 1], as is customary when the observed
    variance exceeds the null variance.

    Parameters
    ----------
    items : DataFrame
        Respondents × items; missing answers are ignored per item.
    n_options : int
        Number of answer options on the scale (5 for 1–5).
    min_respondents : int
        Fewest respondents (rows with an answer; default 5); NaN below it.
    """
    if int(items.notna().any(axis=1).sum()) < max(2, min_respondents):
        return np.nan
    variances = items.var(ddof=1).dropna()
    if variances.empty or n_options < 2:
        return np.nan
    j = len(variances)
    sigma_eu = (n_options ** 2 - 1) / 12
    ratio = variances.mean() / sigma_eu
    value = j * (1 - ratio) / (j * (1 - ratio) + ratio)
    if ratio >= 1:
        return 0.0
    return float(np.clip(value, 0.0, 1.0))


def kruskal_wallis(values: pd.Series, groups: pd.Series, *, min_size: int = _MIN.group_size) -> dict:
    """Kruskal–Wallis H test across groups, with epsilon² effect size.

    Only groups with at least ``min_size`` values (default 3,
    ``minimums.group_size``) take part; the test runs when at least two such
    groups remain. ε² = H (n + 1) / (n² − 1).

    Returns
    -------
    dict
        ``statistic, p_value, effect_size, n_groups, n``; NaN where the test
        cannot run.
    """
    frame = pd.DataFrame({"v": values, "g": groups}).dropna()
    sizes = frame.groupby("g")["v"].size()
    keep = sizes[sizes >= min_size].index
    frame = frame[frame["g"].isin(keep)]
    out = {"statistic": np.nan, "p_value": np.nan, "effect_size": np.nan, "n_groups": len(keep), "n": len(frame)}
    if len(keep) < 2 or frame["v"].nunique() < 2:
        return out
    h, p = stats.kruskal(*[g["v"].to_numpy() for _, g in frame.groupby("g")])
    n = len(frame)
    out.update(statistic=float(h), p_value=float(p), effect_size=float(h * (n + 1) / (n ** 2 - 1)))
    return out


def mann_whitney(after: np.ndarray | pd.Series, before: np.ndarray | pd.Series, *,
                 min_size: int = _MIN.group_size) -> dict:
    """Two-sided Mann–Whitney U test with the rank-biserial correlation.

    Each side needs at least ``min_size`` values (default 3, ``minimums.group_size``).

    r = 1 − 2U/(n₁n₂) with U the statistic of ``before``; r is positive when
    ``after`` tends to be larger than ``before``.

    Returns
    -------
    dict
        ``statistic`` (U of ``after``), ``p_value``, ``effect_size`` (r),
        ``n_after``, ``n_before``; NaN statistics when a side is too small.
    """
    a = np.asarray(pd.Series(after).dropna(), dtype=float)
    b = np.asarray(pd.Series(before).dropna(), dtype=float)
    out = {"statistic": np.nan, "p_value": np.nan, "effect_size": np.nan, "n_after": len(a), "n_before": len(b)}
    if min(len(a), len(b)) < max(1, min_size):
        return out
    res = stats.mannwhitneyu(a, b, alternative="two-sided")
    u_after = float(res.statistic)
    u_before = len(a) * len(b) - u_after
    out.update(statistic=u_after, p_value=float(res.pvalue), effect_size=1 - 2 * u_before / (len(a) * len(b)))
    return out


def mann_kendall(values: np.ndarray | pd.Series, *, min_points: int = _MIN.trend_cycles) -> dict:
    """Mann–Kendall trend test with the tie-corrected variance.

    S = Σ_{i<j} sgn(x_j − x_i); Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 over
    groups of t tied values; Z uses a continuity correction; the p-value is
    two-sided; tau = S / (n(n−1)/2). Missing values are dropped.

    Returns
    -------
    dict
        ``s, var_s, z, p_value, tau, n``; NaN statistics when fewer than
        ``min_points`` values remain.
    """
    x = np.asarray(pd.Series(values).dropna(), dtype=float)
    n = len(x)
    out = {"s": np.nan, "var_s": np.nan, "z": np.nan, "p_value": np.nan, "tau": np.nan, "n": n}
    if n < min_points:
        return out
    diff = np.sign(x[None, :] - x[:, None])
    s = float(np.triu(diff, k=1).sum())
    _, counts = np.unique(x, return_counts=True)
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(counts * (counts - 1) * (2 * counts + 5))) / 18
    if var_s <= 0:
        z = 0.0
    elif s > 0:
        z = (s - 1) / np.sqrt(var_s)
    elif s < 0:
        z = (s + 1) / np.sqrt(var_s)
    else:
        z = 0.0
    out.update(s=s, var_s=float(var_s), z=float(z), p_value=float(2 * stats.norm.sf(abs(z))),
               tau=s / (n * (n - 1) / 2))
    return out


def theil_sen_slope(values: np.ndarray | pd.Series, *, min_points: int = _MIN.trend_cycles) -> float:
    """Median of the pairwise slopes per step (cycle); NaN with too few points."""
    y = pd.Series(values).reset_index(drop=True)
    keep = y.notna()
    if keep.sum() < min_points:
        return np.nan
    return float(stats.theilslopes(y[keep].to_numpy(dtype=float), np.flatnonzero(keep.to_numpy()))[0])


XMR_CONSTANTS = {"limits": 2.66, "mr_ucl": 3.268, "d2": 1.128}


def xmr(values: np.ndarray | pd.Series, *, min_points: int = _MIN.control_chart_cycles) -> dict:
    """Individuals and moving-range (XmR) chart limits and Western Electric signals.

    centre = mean of X; MR̄ = mean |x_t − x_{t−1}|; natural process limits
    centre ± 2.66·MR̄; moving-range upper limit 3.268·MR̄; σ̂ = MR̄/1.128.
    Rules: (1) a point beyond 3σ; (2) two of three consecutive points beyond
    2σ on one side; (3) four of five beyond 1σ on one side; (4) eight in a
    row on one side of the centre.

    Returns
    -------
    dict
        ``center, mr_bar, ucl, lcl, mr_ucl, n`` and ``signals``: a list of
        ``(index, rule)`` pairs, an index being a position in ``values``
        (missing values are skipped). NaN limits with fewer than ``min_points``.
    """
    series = pd.Series(values).reset_index(drop=True).dropna()
    out = {"center": np.nan, "mr_bar": np.nan, "ucl": np.nan, "lcl": np.nan, "mr_ucl": np.nan,
           "n": len(series), "signals": []}
    if len(series) < min_points:
        return out
    x = series.to_numpy(dtype=float)
    center = x.mean()
    mr_bar = np.abs(np.diff(x)).mean()
    sigma = mr_bar / XMR_CONSTANTS["d2"]
    out.update(center=float(center), mr_bar=float(mr_bar), ucl=float(center + XMR_CONSTANTS["limits"] * mr_bar),
               lcl=float(center - XMR_CONSTANTS["limits"] * mr_bar), mr_ucl=float(XMR_CONSTANTS["mr_ucl"] * mr_bar))
    if sigma == 0:
        return out
    z = (x - center) / sigma
    positions = series.index.to_numpy()
    signals = set()
    for i in range(len(x)):
        if abs(z[i]) > 3:
            signals.add((positions[i], 1))
        for rule, window, need, bound in ((2, 3, 2, 2), (3, 5, 4, 1)):
            if i + 1 >= window:
                seg = z[i + 1 - window:i + 1]
                for side in (1, -1):
                    if (side * seg > bound).sum() >= need and side * z[i] > bound:
                        signals.add((positions[i], rule))
        if i + 1 >= 8:
            seg = z[i - 7:i + 1]
            if (seg > 0).all() or (seg < 0).all():
                signals.add((positions[i], 4))
    out["signals"] = sorted((int(i), int(r)) for i, r in signals)
    return out


def cronbach_alpha_pairwise(items: pd.DataFrame, *, min_cases: int = _MIN.alpha_complete_cases,
                            min_items: int = _MIN.alpha_items) -> float:
    """Cronbach's alpha from pairwise-complete covariances, as R's ``psych::alpha`` does by default.

    alpha = k / (k − 1) · (1 − Σ σ²_i / Σ_ij σ_ij): the item variances over the
    sum of the covariance matrix (the variance of the total), each covariance
    computed on the respondents who answered both items. Unlike
    :func:`cronbach_alpha` it keeps respondents who skipped an item.

    Parameters
    ----------
    items : DataFrame
        Respondents × items; rows without any answer are left out.
    min_cases : int
        Fewest respondents with an answer (default 5).
    min_items : int
        Fewest items (default 3).

    Returns
    -------
    float
        NaN below the minimums, when a pair of items was never answered
        together, or when the total has no variance.
    """
    data = items.dropna(how="all")
    k, n = data.shape[1], data.shape[0]
    if k < max(2, min_items) or n < max(2, min_cases):
        return np.nan
    cov = data.cov(min_periods=2)
    total = float(cov.to_numpy().sum())
    if cov.isna().to_numpy().any() or total <= 0:
        return np.nan
    return float(k / (k - 1) * (1 - np.trace(cov.to_numpy()) / total))


def alpha_interval(alpha: float, *, n: int, k: int, confidence: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) confidence interval of Cronbach's alpha, from the F distribution.

    With df₁ = n − 1 and df₂ = (n − 1)(k − 1): low = 1 − (1 − α)·F(1 − a/2; df₁, df₂)
    and high = 1 − (1 − α)·F(a/2; df₁, df₂), a = 1 − confidence (the form of
    ``pingouin.cronbach_alpha``).

    Parameters
    ----------
    alpha : float
    n : int
        Respondents the alpha rests on.
    k : int
        Items.

    Returns
    -------
    tuple of float
        ``(low, high)``; NaN when alpha is NaN or n or k is below two.
    """
    if not np.isfinite(alpha) or n < 2 or k < 2:
        return np.nan, np.nan
    a = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (float(1 - (1 - alpha) * stats.f.isf(a / 2, df1, df2)),
            float(1 - (1 - alpha) * stats.f.isf(1 - a / 2, df1, df2)))


def icc_oneway(values: pd.Series, groups: pd.Series, *, min_size: int = 2) -> dict:
    """ICC(1) and ICC(2) of a one-way ANOVA, for groups of unequal sizes (Bliese 2000).

    MSB and MSW are the between- and within-group mean squares; with N
    values in G groups of sizes n_g, k₀ = (N − Σ n_g² / N) / (G − 1), and
    ICC(1) = (MSB − MSW) / (MSB + (k₀ − 1)·MSW): the share of the variance
    that lies between groups; ICC(2) = (MSB − MSW) / MSB: how far a group's
    mean can be trusted to tell groups apart. Either can be negative when
    groups differ less than chance would make them.

    Parameters
    ----------
    values, groups : Series
        One value per person and the group each belongs to; missing values are dropped.
    min_size : int
        Groups smaller than this are left out (default 2).

    Returns
    -------
    dict
        ``icc1, icc2, k0, n_groups, n``; NaN ICCs with fewer than two groups or no within-group variance.
    """
    frame = pd.DataFrame({"v": values, "g": groups}).dropna()
    sizes = frame.groupby("g")["v"].size()
    frame = frame[frame["g"].isin(sizes[sizes >= max(1, min_size)].index)]
    sizes = frame.groupby("g")["v"].size()
    n, g = len(frame), len(sizes)
    out = {"icc1": np.nan, "icc2": np.nan, "k0": np.nan, "n_groups": g, "n": n}
    if g < 2 or n <= g:
        return out
    grand = frame["v"].mean()
    means = frame.groupby("g")["v"].mean()
    msb = float((sizes * (means - grand) ** 2).sum() / (g - 1))
    msw = float(((frame["v"] - frame["g"].map(means)) ** 2).sum() / (n - g))
    k0 = (n - float((sizes ** 2).sum()) / n) / (g - 1)
    out["k0"] = k0
    if msb <= 0 or msb + (k0 - 1) * msw <= 0:
        return out
    out.update(icc1=(msb - msw) / (msb + (k0 - 1) * msw), icc2=(msb - msw) / msb)
    return out


def weighted_group_mean(values: pd.Series, groups: pd.Series, weights: dict) -> float:
    """Weighted mean of group means, Σ_g w_g · mean_g / Σ_g w_g over the groups present.

    A group not listed in ``weights`` weighs 1: the estimate of :func:`weighted_groups_ci`, without its
    interval.
    """
    frame = pd.DataFrame({"v": values, "g": groups}).dropna()
    means = frame.groupby("g")["v"].mean()
    w = pd.Series({g: float(weights.get(g, 1.0)) for g in means.index}, dtype=float)
    keep = w > 0
    if frame.empty or not keep.any():
        return np.nan
    return float((means[keep] * w[keep]).sum() / w[keep].sum())


def weighted_groups_ci(values: pd.Series, groups: pd.Series, weights: dict, *, confidence: float = 0.95,
                       seed: int = 0, n_resamples: int = 2000,
                       min_n: int = _MIN.interval_respondents) -> tuple[float, float, float]:
    """Weighted mean of group means, with a stratified bootstrap interval (BCa, seeded).

    The estimate is Σ_g w_g · mean_g / Σ_g w_g over the groups present: each
    group (a role) counts as its weight says, however many people answered
    in it. Equivalently, a person's weight is the group's weight divided by
    the group's size. The interval resamples people within each group
    (``scipy.stats.bootstrap`` with one sample per group), so every resample
    keeps every group; percentile where BCa degenerates.

    Parameters
    ----------
    values, groups : Series
        One value per person and the group each belongs to.
    weights : dict
        Group: weight; a group not listed weighs 1.
    min_n : int
        Fewest values an interval needs.

    Returns
    -------
    tuple of float
        ``(estimate, low, high)``; NaN interval below ``min_n`` values or when
        a group has a single value (it cannot be resampled).
    """
    frame = pd.DataFrame({"v": values, "g": groups}).dropna()
    if frame.empty:
        return np.nan, np.nan, np.nan
    parts = [(float(weights.get(g, 1.0)), sub["v"].to_numpy(dtype=float)) for g, sub in frame.groupby("g", sort=True)]
    parts = [(w, x) for w, x in parts if w > 0]
    if not parts:
        return np.nan, np.nan, np.nan
    w = np.array([p[0] for p in parts]) / sum(p[0] for p in parts)
    estimate = float(sum(wi * x.mean() for wi, (_, x) in zip(w, parts)))
    samples = [x for _, x in parts]
    if len(frame) < max(2, min_n) or min(len(x) for x in samples) < 2:
        return estimate, np.nan, np.nan
    if np.ptp(frame["v"].to_numpy(dtype=float)) == 0:
        return estimate, estimate, estimate

    def statistic(*xs: np.ndarray, axis: int = -1) -> np.ndarray:
        return sum(wi * np.mean(x, axis=axis) for wi, x in zip(w, xs))

    import warnings

    low = high = np.nan
    for method in ("BCa", "percentile"):
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = stats.bootstrap(tuple(samples), statistic, confidence_level=confidence,
                                     n_resamples=n_resamples, method=method,
                                     random_state=np.random.default_rng(seed), vectorized=True)
        low, high = result.confidence_interval
        if np.isfinite(low) and np.isfinite(high):
            break
    return estimate, float(low), float(high)
