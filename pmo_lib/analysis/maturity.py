"""How an assessment is scored against the maturity model (:mod:`pmo_lib.inputs.model`).

Scoring, in short:

* a respondent's dimension score is the weighted mean of the items they answered;
* a dimension's score is the mean of its respondents' scores;
* a dimension reaches staged level L when every item of level 2..L is
  *largely implemented*: its mean answer reaches the model's threshold;
* the overall score is the weighted mean of the dimension scores.

Before anything is computed, :func:`scored_answers` turns answers into scores:
a reverse-keyed item's answer is scored ``min + max − answer``, and a
respondent who answered fewer than ``maturity.min_answered`` of a dimension's
statements is left out of that dimension. With ``maturity.role_weights`` a
dimension's score is the weighted mean of its roles' means instead.

Intervals, reliability, agreement and tests need a minimum of data
(:class:`pmo_lib.inputs.config.Minimums`, ``minimums`` in pmo.yaml); below it they
are NaN, and the report says what is missing.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..inputs.config import DEFAULT_MATURITY, DEFAULT_MINIMUMS, Maturity, Minimums
from ..inputs.cycles import Cycle
from ..inputs.model import MaturityModel


#: How many recent results :func:`_remembered` keeps per function.
_REMEMBERED = 16


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two frames hold the same values, dtypes, index and columns."""
    return (a.shape == b.shape and a.columns.equals(b.columns) and a.index.equals(b.index)
            and list(a.dtypes) == list(b.dtypes) and a.equals(b))


def _remembered(func: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """Remember the last few results of ``func(assessment, model, *, options)``.

    A report scores the same answers a dozen times (scores, intervals, items, groups, units, change), each
    starting from :func:`scored_answers`. A call is answered from memory only when its answers have the same
    values, dtypes, index and columns as a remembered call's (a copy is kept, so changing a frame in place
    afterwards cannot go unnoticed), with the same model, unchanged, and equal options; it gets a copy.
    """
    memory: list[tuple[pd.DataFrame, MaturityModel, pd.DataFrame, pd.DataFrame, Maturity, pd.DataFrame]] = []

    @functools.wraps(func)
    def remembered(assessment: pd.DataFrame, model: MaturityModel, *,
                   options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
        for i, (seen, known, items, dimensions, opts, result) in enumerate(memory):
            if (known is model and opts == options and _same_frame(seen, assessment)
                    and _same_frame(items, model.items) and _same_frame(dimensions, model.dimensions)):
                memory.insert(0, memory.pop(i))  # the most recently used is kept longest
                return result.copy()
        result = func(assessment, model, options=options)
        memory.insert(0, (assessment.copy(), model, model.items.copy(), model.dimensions.copy(),
                          options.model_copy(deep=True), result.copy()))
        del memory[_REMEMBERED:]
        return result

    return remembered


def _answered_shares(assessment: pd.DataFrame, model: MaturityModel) -> pd.DataFrame:
    """Per cycle, respondent and dimension: statements answered, statements asked and the share."""
    rows = assessment.merge(model.items[["item_id", "dimension_id"]], on="item_id", how="inner")
    asked = rows.groupby(["cycle", "dimension_id"])["item_id"].nunique().rename("asked")
    answered = (rows.dropna(subset=["score"]).groupby(["cycle", "respondent_id", "dimension_id"])["item_id"]
                .nunique().rename("answered"))
    people = rows[["cycle", "respondent_id", "role", "dimension_id"]].drop_duplicates(
        ["cycle", "respondent_id", "dimension_id"])
    out = people.join(answered, on=["cycle", "respondent_id", "dimension_id"]).join(
        asked, on=["cycle", "dimension_id"])
    out["answered"] = out["answered"].fillna(0).astype(int)
    out["share"] = out["answered"] / out["asked"]
    return out.reset_index(drop=True)


@_remembered
def scored_answers(assessment: pd.DataFrame, model: MaturityModel, *,
                   options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """The assessment's answers as scores: the one place where answers become scores.

    A reverse-keyed item's answer (``reverse: true`` in the model) becomes
    ``scale_min + scale_max − answer``. A respondent who answered fewer than
    ``options.min_answered`` of a dimension's statements asked in the cycle
    (the statements anyone has a row for) loses all their scores on that
    dimension: they are left out of it, as if they had not answered it.
    Every other function of this module calls this first, so pass them the
    answers as they are in the assessment table, never its output.

    Returns
    -------
    DataFrame
        The assessment with ``score`` replaced; the same rows and columns.
    """
    out = assessment.copy()
    reverse = model.items.loc[model.items["reverse"], "item_id"] if "reverse" in model.items else pd.Series([])
    flip = out["item_id"].isin(set(reverse)) & out["score"].notna()
    if flip.any():
        out.loc[flip, "score"] = model.scale_min + model.scale_max - out.loc[flip, "score"]
    if options.min_answered > 0 and len(out):
        few = left_out(assessment, model, options=options)
        if len(few):
            dims = out["item_id"].map(model.items.set_index("item_id")["dimension_id"])
            keys = pd.MultiIndex.from_frame(few[["cycle", "respondent_id", "dimension_id"]])
            mine = pd.MultiIndex.from_arrays([out["cycle"], out["respondent_id"], dims]).isin(keys)
            out.loc[mine, "score"] = np.nan
    return out


def left_out(assessment: pd.DataFrame, model: MaturityModel, *,
             options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """The respondents left out of a dimension for answering too little of it.

    A respondent who answered at least one of a dimension's statements but
    fewer than ``options.min_answered`` of those asked in the cycle is left
    out of it (see :func:`scored_answers`).

    Returns
    -------
    DataFrame
        Columns ``cycle, respondent_id, role, dimension_id, answered, asked,
        share``, one row per respondent and dimension left out.
    """
    columns = ["cycle", "respondent_id", "role", "dimension_id", "answered", "asked", "share"]
    if options.min_answered <= 0 or assessment.empty:
        return pd.DataFrame(columns=columns)
    shares = _answered_shares(assessment, model)
    few = shares[(shares["answered"] > 0) & (shares["share"] < options.min_answered)]
    return few[columns].reset_index(drop=True)


@_remembered
def respondent_scores(assessment: pd.DataFrame, model: MaturityModel, *,
                      options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Score each respondent on each dimension.

    Parameters
    ----------
    assessment : DataFrame
        Rows of the assessment table (``cycle, respondent_id, role, item_id, score``, optional ``unit``).
    model : MaturityModel
    options : Maturity
        ``maturity`` in pmo.yaml: the share of a dimension a respondent must answer.

    Returns
    -------
    DataFrame
        Columns ``cycle, respondent_id, role, dimension_id, score, n_items``
        and ``unit`` (empty without units): the weighted mean of the items
        each respondent answered, reverse-keyed items scored.
    """
    assessment = scored_answers(assessment, model, options=options)
    answered = assessment.dropna(subset=["score"]).merge(
        model.items[["item_id", "dimension_id", "weight"]], on="item_id", how="inner")
    answered = answered.assign(weighted=answered["score"] * answered["weight"])
    grouped = answered.groupby(["cycle", "respondent_id", "role", "dimension_id"], sort=True)
    out = grouped.agg(weighted=("weighted", "sum"), weight=("weight", "sum"), n_items=("item_id", "size"))
    out["score"] = out["weighted"] / out["weight"]
    out = out.reset_index()[["cycle", "respondent_id", "role", "dimension_id", "score", "n_items"]]
    units = (assessment.dropna(subset=["unit"]).groupby(["cycle", "respondent_id"])["unit"].first().rename("unit")
             if "unit" in assessment.columns else pd.Series(dtype=object, name="unit"))
    return out.join(units, on=["cycle", "respondent_id"]) if len(units) else out.assign(unit=np.nan)


def item_statistics(assessment: pd.DataFrame, model: MaturityModel, *,
                    options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Mean, standard deviation and count of each item's scores (reverse-keyed items scored).

    Returns
    -------
    DataFrame
        Columns ``item_id, dimension_id, level, mean, sd, n``, in model order;
        items nobody answered have ``n`` 0 and NaN statistics.
    """
    assessment = scored_answers(assessment, model, options=options)
    stats = (assessment.dropna(subset=["score"]).groupby("item_id")["score"]
             .agg(mean="mean", sd="std", n="size"))
    out = model.items[["item_id", "dimension_id", "level"]].merge(stats, on="item_id", how="left")
    out["n"] = out["n"].fillna(0).astype(int)
    return out


def staged_levels(items: pd.DataFrame, model: MaturityModel) -> pd.Series:
    """Staged level of each dimension from item means.

    A dimension is at level L when every item evidencing a level from 2 to L
    has a mean at or above ``model.threshold`` and each of those levels has at
    least one answered item. Level 1 needs nothing. An item nobody answered in
    the cycle (not yet in the questionnaire then, or every respondent said
    don't know) is left out; a level none of whose items was answered is not
    reached.

    Parameters
    ----------
    items : DataFrame
        Output of :func:`item_statistics`.

    Returns
    -------
    Series
        Indexed by dimension_id, integer levels.
    """
    met = items["mean"].ge(model.threshold).to_numpy()
    asked = items["n"].fillna(0).gt(0).to_numpy()
    levels = items["level"].to_numpy()
    dims = items["dimension_id"]
    result = {}
    for dim in dims.dropna().unique():  # in order of appearance, as a groupby without sorting
        mine = (dims == dim).to_numpy()
        level = min(model.levels)
        for candidate in sorted(model.levels)[1:]:
            evidence = mine & (levels <= candidate) & asked
            if (levels[evidence] == candidate).any() and met[evidence].all():
                level = candidate
            else:
                break
        result[dim] = level
    return pd.Series(result, name="level", dtype=int)


def level_blockers(items: pd.DataFrame, model: MaturityModel) -> pd.DataFrame:
    """The statements that keep each dimension from its next staged level.

    A dimension at level L reaches L + 1 only when every item evidencing a
    level from 2 to L + 1 has a mean at or above ``model.threshold`` (see
    :func:`staged_levels`). The blockers are the items of those levels that
    fall short; items nobody answered are left out, unless none of the next
    level's items was answered, when all of them block. A dimension at the model's
    top level has none.

    Parameters
    ----------
    items : DataFrame
        Output of :func:`item_statistics`.
    model : MaturityModel

    Returns
    -------
    DataFrame
        Columns ``dimension_id, dimension, level, next_level, item_id,
        statement, score, n, threshold, gap``: one row per blocking item, in
        model order of the dimensions and, within a dimension, the furthest
        from the threshold first. ``score`` is the item's mean answer (NaN when
        unanswered), ``statement`` the questionnaire text (with "(reversed)"
        after a reverse-keyed statement) and ``gap`` the
        threshold minus the score (NaN when unanswered).
    """
    columns = ["dimension_id", "dimension", "level", "next_level", "item_id", "statement", "score", "n",
               "threshold", "gap"]
    levels = staged_levels(items, model)
    top = max(model.levels)
    texts = model.items.set_index("item_id")["text"]
    if "reverse" in model.items:  # a reversed statement's score is turned round: say so beside its text
        texts = texts.where(~model.items.set_index("item_id")["reverse"], texts + " (reversed)")
    names = model.dimensions.set_index("dimension_id")["dimension"]
    rows = []
    for dim in model.dimensions["dimension_id"]:
        level = int(levels.get(dim, min(model.levels)))
        if level >= top:
            continue
        next_level = min(k for k in model.levels if k > level)
        evidence = items[(items["dimension_id"] == dim) & (items["level"] <= next_level)]
        answered = evidence["n"].fillna(0).gt(0)
        short = evidence[answered & ~evidence["mean"].ge(model.threshold)]
        if not (answered & evidence["level"].eq(next_level)).any():  # the next level has no evidence at all
            short = pd.concat([short, evidence[evidence["level"].eq(next_level)]])
        gap = model.threshold - short["mean"]
        short = short.assign(_order=gap.fillna(np.inf)).sort_values("_order", ascending=False, kind="stable")
        for row in short.itertuples():
            rows.append({"dimension_id": dim, "dimension": names[dim], "level": level, "next_level": next_level,
                         "item_id": row.item_id, "statement": texts.get(row.item_id, row.item_id),
                         "score": row.mean, "n": int(row.n), "threshold": model.threshold,
                         "gap": model.threshold - row.mean})
    return pd.DataFrame(rows, columns=columns).astype({"level": int, "next_level": int, "n": int})


def _dimension_score(scores: pd.Series, roles: pd.Series, options: Maturity) -> float:
    """A dimension's score from its respondents' scores: their mean, or with role weights the weighted role means."""
    if not options.role_weights:
        return float(scores.mean()) if len(scores) else np.nan
    from .statistics import weighted_group_mean

    return weighted_group_mean(scores, roles, options.role_weights)


def _point_scores(assessment: pd.DataFrame, per_respondent: pd.DataFrame, model: MaturityModel,
                  options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Score, respondent count and staged level per dimension, without the interval statistics."""
    summary = per_respondent.groupby("dimension_id").agg(
        score=("score", "mean"), n_respondents=("respondent_id", "nunique"))
    if options.role_weights:
        summary["score"] = [_dimension_score(g["score"], g["role"], options)
                            for _, g in per_respondent.groupby("dimension_id")]
    levels = staged_levels(item_statistics(assessment, model, options=options), model)
    out = model.dimensions[["dimension_id", "dimension", "step", "weight"]].merge(
        summary, on="dimension_id", how="left")
    out["n_respondents"] = out["n_respondents"].fillna(0).astype(int)
    out["level"] = out["dimension_id"].map(levels).fillna(min(model.levels)).astype(int)
    out["level_name"] = out["level"].map(model.level_name)
    return out


def point_scores(assessment: pd.DataFrame, model: MaturityModel, *,
                 options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Score, respondent count and staged level per dimension, without intervals or reliability.

    Enough to compare with another cycle; :func:`score_dimensions` adds the
    bootstrap intervals, alpha, rwg(J), targets and gaps.
    """
    return _point_scores(assessment, respondent_scores(assessment, model, options=options), model, options)


def score_dimensions(assessment: pd.DataFrame, model: MaturityModel, *,
                     targets: dict[str, float] | float = 4.0, confidence: float = 0.95,
                     seed: int = 0, minimums: Minimums = DEFAULT_MINIMUMS,
                     options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Score every dimension of the model for one cycle's assessment.

    Parameters
    ----------
    assessment : DataFrame
        One cycle's rows of the assessment table.
    model : MaturityModel
    targets : float or dict of str to float
        Target score for every dimension, or per dimension_id (default 4).
    confidence : float
        Level of the bootstrap confidence interval of each score.
    seed : int
        Seed of the bootstrap, so that results are reproducible.
    minimums : Minimums
        The data each statistic needs (``interval_respondents``,
        ``alpha_complete_cases``, ``alpha_items``, ``agreement_respondents``);
        below it the statistic is NaN.
    options : Maturity
        ``maturity`` in pmo.yaml: ``min_answered`` and ``role_weights``.

    Returns
    -------
    DataFrame
        Columns ``dimension_id, dimension, step, weight, score, ci_low,
        ci_high, n_respondents, level, level_name, target, gap,
        cronbach_alpha, alpha_n, rwg, alpha_items, alpha_pairwise,
        alpha_ci_low, alpha_ci_high, icc1, icc2``, one row per dimension in
        model order. ``score`` is NaN for a dimension nobody answered; ``gap``
        is target minus score (negative above target). The interval resamples
        respondents (within each role, with role weights); alpha uses
        complete cases (``alpha_n`` of them: the respondents who answered
        every one of the dimension's ``alpha_items`` answered statements);
        ``alpha_pairwise`` every answer (pairwise-complete covariances) and
        ``alpha_ci_low, alpha_ci_high`` are its Feldt 95% interval; rwg(J)
        uses a uniform null on the model's scale. ``icc1, icc2`` (Bliese
        2000) tell how far business units differ; empty without a ``unit``
        column or with fewer than two units of ``minimums.group_size``
        respondents.
    """
    from .statistics import (alpha_interval, bootstrap_mean_ci, cronbach_alpha, cronbach_alpha_pairwise,
                             icc_oneway, rwg_j, weighted_groups_ci)

    per_respondent = respondent_scores(assessment, model, options=options)
    out = _point_scores(assessment, per_respondent, model, options)
    n_options = model.scale_max - model.scale_min + 1
    assessment = scored_answers(assessment, model, options=options)
    matrix = assessment.merge(model.items[["item_id", "dimension_id"]], on="item_id").pivot_table(
        index=["respondent_id"], columns=["dimension_id", "item_id"], values="score", aggfunc="mean")
    extra = []
    for i, dim in enumerate(out["dimension_id"]):
        mine = per_respondent[per_respondent["dimension_id"] == dim]
        scores = mine["score"]
        if options.role_weights:
            _, low, high = weighted_groups_ci(scores, mine["role"], options.role_weights, confidence=confidence,
                                              seed=seed + i, min_n=minimums.interval_respondents)
        else:
            low, high = bootstrap_mean_ci(scores, confidence=confidence, seed=seed + i,
                                          min_n=minimums.interval_respondents)
        items = matrix[dim] if dim in matrix.columns.get_level_values(0) else pd.DataFrame()
        alpha, alpha_n = cronbach_alpha(items, min_cases=minimums.alpha_complete_cases,
                                        min_items=minimums.alpha_items)
        pairwise = cronbach_alpha_pairwise(items, min_cases=minimums.alpha_complete_cases,
                                           min_items=minimums.alpha_items)
        a_low, a_high = alpha_interval(pairwise, n=int(items.notna().any(axis=1).sum()) if len(items) else 0,
                                       k=int(items.shape[1]))
        icc = icc_oneway(scores, mine["unit"], min_size=minimums.group_size)
        extra.append({"ci_low": low, "ci_high": high, "cronbach_alpha": alpha, "alpha_n": alpha_n,
                      "rwg": rwg_j(items, n_options=n_options, min_respondents=minimums.agreement_respondents)
                      if len(items) else np.nan,
                      "alpha_items": int(items.shape[1]), "alpha_pairwise": pairwise, "alpha_ci_low": a_low,
                      "alpha_ci_high": a_high, "icc1": icc["icc1"], "icc2": icc["icc2"]})
    out = pd.concat([out, pd.DataFrame(extra, index=out.index)], axis=1)
    if isinstance(targets, dict):
        out["target"] = out["dimension_id"].map(lambda d: float(targets.get(d, 4.0)))
    else:
        out["target"] = float(targets)
    out["gap"] = out["target"] - out["score"]
    return out[["dimension_id", "dimension", "step", "weight", "score", "ci_low", "ci_high", "n_respondents",
                "level", "level_name", "target", "gap", "cronbach_alpha", "alpha_n", "rwg", "alpha_items",
                "alpha_pairwise", "alpha_ci_low", "alpha_ci_high", "icc1", "icc2"]]


def role_scores(assessment: pd.DataFrame, model: MaturityModel, *,
                options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Mean dimension score per respondent role.

    Returns
    -------
    DataFrame
        Columns ``role, dimension_id, score, n_respondents``.
    """
    per = respondent_scores(assessment, model, options=options)
    return (per.groupby(["role", "dimension_id"], sort=True)
            .agg(score=("score", "mean"), n_respondents=("respondent_id", "nunique")).reset_index())


def role_means(assessment: pd.DataFrame, model: MaturityModel, *,
               min_respondents: int = DEFAULT_MINIMUMS.group_size,
               options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Each role's mean respondent score over every dimension, for comparing roles.

    A role is compared only with at least ``min_respondents`` respondents:
    below that its mean is a person's answers, not a group's.

    Returns
    -------
    DataFrame
        Columns ``role, n_respondents, score, compared``: one row per role that
        answered. The compared roles come first, lowest score first, then the
        others; ``score`` is empty for a role that is not compared.
    """
    per = respondent_scores(assessment, model, options=options)
    size = per.groupby("role")["respondent_id"].nunique()
    means = per[per["role"].isin(size[size >= min_respondents].index)].groupby("role")["score"].mean().sort_values()
    rest = [r for r in size.index if r not in set(means.index)]
    out = pd.DataFrame({"role": list(means.index) + rest})
    out["n_respondents"] = out["role"].map(size).astype(int)
    out["score"] = out["role"].map(means).astype(float)
    out["compared"] = out["role"].isin(means.index)
    return out


def compare_groups(assessment: pd.DataFrame, model: MaturityModel, *,
                   minimums: Minimums = DEFAULT_MINIMUMS, options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Compare roles, and business units where the assessment has them, on each dimension (Kruskal–Wallis).

    Parameters
    ----------
    minimums : Minimums
        Only roles (units) with at least ``minimums.group_size`` respondents take part.

    Returns
    -------
    DataFrame
        Columns ``dimension_id, test, statistic, p_value, effect_size,
        n_groups, between``: effect size is epsilon²; NaN where fewer than
        two roles (units) have ``minimums.group_size`` respondents.
        ``between`` is ``role`` for the rows comparing roles, one per
        dimension, then ``unit`` for those comparing units, one per
        dimension, present only when some respondent has a unit.
    """
    from .statistics import kruskal_wallis

    per = respondent_scores(assessment, model, options=options)
    rows = []
    factors = ["role"] + (["unit"] if per["unit"].notna().any() else [])
    for factor in factors:
        for dim in model.dimensions["dimension_id"]:
            sub = per[per["dimension_id"] == dim]
            res = kruskal_wallis(sub["score"], sub[factor], min_size=minimums.group_size)
            rows.append({"dimension_id": dim, "test": "Kruskal-Wallis", "statistic": res["statistic"],
                         "p_value": res["p_value"], "effect_size": res["effect_size"], "n_groups": res["n_groups"],
                         "between": factor})
    return pd.DataFrame(rows)


def unit_scores(assessment: pd.DataFrame, model: MaturityModel, *, confidence: float = 0.95, seed: int = 0,
                minimums: Minimums = DEFAULT_MINIMUMS, options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Each business unit's score on each dimension, with its bootstrap interval.

    The same method as the dimension scores of :func:`score_dimensions`
    (the mean of the unit's respondents' scores, a BCa bootstrap interval
    resampling respondents, NaN below ``minimums.interval_respondents``);
    respondents count the same whatever their role.

    Returns
    -------
    DataFrame
        Columns ``unit, dimension_id, score, ci_low, ci_high,
        n_respondents``, units in alphabetical order and dimensions in model
        order; empty when no respondent has a unit.
    """
    from .statistics import bootstrap_mean_ci

    columns = ["unit", "dimension_id", "score", "ci_low", "ci_high", "n_respondents"]
    per = respondent_scores(assessment, model, options=options).dropna(subset=["unit"])
    rows = []
    i = 0
    for unit in sorted(per["unit"].astype(str).unique()):
        for dim in model.dimensions["dimension_id"]:
            sub = per[(per["unit"].astype(str) == unit) & (per["dimension_id"] == dim)]
            if sub.empty:
                continue
            low, high = bootstrap_mean_ci(sub["score"], confidence=confidence, seed=seed + i,
                                          min_n=minimums.interval_respondents)
            i += 1
            rows.append({"unit": unit, "dimension_id": dim, "score": float(sub["score"].mean()), "ci_low": low,
                         "ci_high": high, "n_respondents": int(sub["respondent_id"].nunique())})
    return pd.DataFrame(rows, columns=columns).astype({"n_respondents": int})


def compare_cycles(current: pd.DataFrame, previous: pd.DataFrame, model: MaturityModel, *,
                   minimums: Minimums = DEFAULT_MINIMUMS, options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Change of each dimension since the previous cycle, with a Mann–Whitney U test.

    Parameters
    ----------
    current, previous : DataFrame
        The two cycles' rows of the assessment table.
    minimums : Minimums
        The test needs ``minimums.group_size`` respondents in each cycle;
        below it ``p_value`` and ``effect_size`` are NaN.

    Returns
    -------
    DataFrame
        Columns ``dimension_id, previous_score, score, delta, p_value,
        effect_size``: effect size is the rank-biserial correlation, positive
        when scores rose. With role weights the scores are the weighted
        ones; the test compares the respondents as they are.
    """
    from .statistics import mann_whitney

    now = respondent_scores(current, model, options=options)
    before = respondent_scores(previous, model, options=options)
    rows = []
    for dim in model.dimensions["dimension_id"]:
        a_rows, b_rows = now[now["dimension_id"] == dim], before[before["dimension_id"] == dim]
        a, b = a_rows["score"], b_rows["score"]
        res = mann_whitney(a, b, min_size=minimums.group_size)
        score, prev = (a.mean() if len(a) else np.nan), (b.mean() if len(b) else np.nan)
        if options.role_weights:
            score = _dimension_score(a, a_rows["role"], options) if len(a) else np.nan
            prev = _dimension_score(b, b_rows["role"], options) if len(b) else np.nan
        rows.append({"dimension_id": dim, "previous_score": prev, "score": score, "delta": score - prev,
                     "p_value": res["p_value"], "effect_size": res["effect_size"]})
    return pd.DataFrame(rows)


def overall_score(dimensions: pd.DataFrame) -> float:
    """Weighted mean of the dimension scores (dimensions with no score are skipped)."""
    scored = dimensions.dropna(subset=["score"])
    if scored.empty:
        return float("nan")
    return float(np.average(scored["score"], weights=scored["weight"]))


def overall_level(dimensions: pd.DataFrame) -> int:
    """The staged level of the organisation: the lowest dimension level."""
    return int(dimensions["level"].min())


def _respondent_matrix(per_respondent: pd.DataFrame, model: MaturityModel) -> tuple[np.ndarray, np.ndarray]:
    """Respondents × dimensions scores (NaN where a respondent skipped a dimension) and the dimension weights."""
    dims = model.dimensions["dimension_id"].tolist()
    wide = per_respondent.pivot_table(index="respondent_id", columns="dimension_id", values="score",
                                      aggfunc="mean").reindex(columns=dims)
    return wide.to_numpy(dtype=float), model.dimensions["weight"].to_numpy(dtype=float)


def _weighted_overall_interval(per_respondent: pd.DataFrame, model: MaturityModel, options: Maturity, *,
                               confidence: float, seed: int, n_resamples: int) -> tuple[float, float]:
    """Overall score's interval with role weights: respondents resampled within their role (percentile).

    Each resample recomputes every dimension's weighted role means, then the
    weighted mean of the dimensions, as :func:`_point_scores` and
    :func:`overall_score` do.
    """
    from scipy import stats

    dims = model.dimensions["dimension_id"].tolist()
    wide = per_respondent.pivot_table(index=["role", "respondent_id"], columns="dimension_id", values="score",
                                      aggfunc="mean").reindex(columns=dims)
    roles = wide.index.get_level_values("role")
    blocks = [wide[roles == r].to_numpy(dtype=float) for r in sorted(set(roles))]
    role_w = np.array([float((options.role_weights or {}).get(r, 1.0)) for r in sorted(set(roles))])
    dim_w = model.dimensions["weight"].to_numpy(dtype=float)
    if min(len(b) for b in blocks) < 2:
        return np.nan, np.nan

    def statistic(*idx: np.ndarray) -> float:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            means = np.vstack([np.nanmean(b[np.asarray(i, dtype=int)], axis=0) for b, i in zip(blocks, idx)])
        present = ~np.isnan(means)
        w = np.where(present, role_w[:, None], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            dim_scores = (np.where(present, means, 0.0) * w).sum(axis=0) / w.sum(axis=0)
        has = np.isfinite(dim_scores)
        return float((dim_scores[has] * dim_w[has]).sum() / dim_w[has].sum()) if has.any() else np.nan

    result = stats.bootstrap(tuple(np.arange(len(b)) for b in blocks), statistic, confidence_level=confidence,
                             n_resamples=n_resamples, method="percentile", vectorized=False,
                             random_state=np.random.default_rng(seed))
    low, high = result.confidence_interval
    return float(low), float(high)


def _overall_of(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Overall score of the respondents along axis -2: weighted mean of the dimension means.

    Works on stacks of resamples (``(..., respondents, dimensions)``);
    dimensions nobody in a resample answered are skipped, as in
    :func:`overall_score`.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # a dimension nobody answered
        means = np.nanmean(matrix, axis=-2)
    present = ~np.isnan(means)
    total = np.where(present, weights, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(present, means * weights, 0.0).sum(axis=-1) / total


def overall_interval(assessment: pd.DataFrame, model: MaturityModel, *, confidence: float = 0.95,
                     seed: int = 0, n_resamples: int = 2000,
                     min_respondents: int = DEFAULT_MINIMUMS.interval_respondents,
                     options: Maturity = DEFAULT_MATURITY) -> tuple[float, float]:
    """Bootstrap confidence interval of the overall score (BCa, seeded).

    The same method as the dimension intervals of :func:`score_dimensions`:
    respondents are resampled with replacement, and each resample's overall
    score is recomputed exactly as :func:`overall_score` computes it (the
    weighted mean of the dimension means), so respondents who skipped a
    dimension are handled as in the point estimate. Falls back to the
    percentile interval where BCa degenerates on tiny samples. With role
    weights, respondents are resampled within their role and the interval
    is the percentile one.

    Parameters
    ----------
    assessment : DataFrame
        One cycle's rows of the assessment table.
    model : MaturityModel
    confidence : float
    seed : int
    n_resamples : int
    min_respondents : int
        Fewest respondents an interval needs (default 5, ``minimums.interval_respondents``).

    Returns
    -------
    tuple of float
        ``(low, high)``; NaN with fewer than ``min_respondents`` (and always
        fewer than two) respondents, the score itself when every respondent
        gives the same score.
    """
    from scipy import stats

    per_respondent = respondent_scores(assessment, model, options=options)
    matrix, weights = _respondent_matrix(per_respondent, model)
    if len(matrix) < max(2, min_respondents):
        return np.nan, np.nan
    if options.role_weights:
        return _weighted_overall_interval(per_respondent, model, options, confidence=confidence, seed=seed,
                                          n_resamples=n_resamples)

    def statistic(index: np.ndarray, axis: int = -1) -> np.ndarray:
        return _overall_of(matrix[np.asarray(index, dtype=int)], weights)

    import warnings

    index = np.arange(len(matrix))
    low = high = np.nan
    for method in ("BCa", "percentile"):  # BCa degenerates when every resample gives the same score
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = stats.bootstrap((index,), statistic, confidence_level=confidence, n_resamples=n_resamples,
                                     method=method, random_state=np.random.default_rng(seed), vectorized=True)
        low, high = result.confidence_interval
        if np.isfinite(low) and np.isfinite(high):
            break
    return float(low), float(high)


def compare_overall(current: pd.DataFrame, previous: pd.DataFrame, model: MaturityModel, *,
                    n_resamples: int = 9999, seed: int = 0,
                    min_size: int = DEFAULT_MINIMUMS.group_size, options: Maturity = DEFAULT_MATURITY) -> dict:
    """Change of the overall score since the previous cycle, with a permutation test.

    The test statistic is the difference of the overall scores themselves
    (this cycle minus the previous one). Respondents are shuffled between the
    two cycles and the overall score of each group recomputed, as
    :func:`overall_score` computes it. The two-sided p-value is twice the
    smaller one-sided p-value: the share of shuffles giving a difference at
    least as high, or at least as low, as the observed one
    (``scipy.stats.permutation_test``; exact when there are no more distinct
    shuffles than ``n_resamples``). It needs no assumption on the shape of
    the scores and treats respondents who skipped a dimension as the score
    does.

    Parameters
    ----------
    current, previous : DataFrame
        The two cycles' rows of the assessment table.
    model : MaturityModel
    n_resamples : int
    seed : int
    min_size : int
        Fewest respondents in each cycle (default 3, ``minimums.group_size``).

    Returns
    -------
    dict
        ``previous_score, score, delta, p_value, n_current, n_previous``;
        NaN p-value when either cycle has fewer than ``min_size`` (and always
        fewer than two) respondents.
    """
    from scipy import stats

    now, _ = _respondent_matrix(respondent_scores(current, model, options=options), model)
    before, weights = _respondent_matrix(respondent_scores(previous, model, options=options), model)
    score = float(_overall_of(now, weights)) if len(now) else np.nan
    prev = float(_overall_of(before, weights)) if len(before) else np.nan
    out = {"previous_score": prev, "score": score, "delta": score - prev, "p_value": np.nan,
           "n_current": len(now), "n_previous": len(before)}
    if min(len(now), len(before)) < max(2, min_size):  # too few respondents to shuffle
        return out
    pooled = np.vstack([now, before])

    def statistic(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
        return (_overall_of(pooled[np.asarray(a, dtype=int)], weights)
                - _overall_of(pooled[np.asarray(b, dtype=int)], weights))

    result = stats.permutation_test((np.arange(len(now)), np.arange(len(now), len(pooled))), statistic,
                                    permutation_type="independent", vectorized=True, n_resamples=n_resamples,
                                    alternative="two-sided", random_state=np.random.default_rng(seed))
    out["p_value"] = float(result.pvalue)
    return out


OVERALL_COLUMNS = ["score", "ci_low", "ci_high", "n_respondents", "level", "level_name", "next_level",
                   "next_level_name", "n_blockers", "gap", "previous_score", "delta", "p_value"]


def overall_maturity(current: pd.DataFrame, model: MaturityModel, *, previous: pd.DataFrame | None = None,
                     confidence: float = 0.95, seed: int = 0,
                     minimums: Minimums = DEFAULT_MINIMUMS,
                     options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """The organisation's headline maturity: overall score, interval, staged level and change.

    Parameters
    ----------
    current : DataFrame
        One cycle's rows of the assessment table.
    model : MaturityModel
    previous : DataFrame, optional
        The previous cycle's rows, for the change; ``None`` or empty for a
        first cycle.
    confidence : float
        Level of the bootstrap interval (:func:`overall_interval`).
    seed : int
        Seed of the bootstrap and of the permutation test.
    minimums : Minimums
        ``interval_respondents`` for the interval and ``group_size`` for the
        change's test; below them they are NaN.

    Returns
    -------
    DataFrame
        One row with columns ``score, ci_low, ci_high, n_respondents,
        level, level_name, next_level, next_level_name, n_blockers, gap,
        previous_score, delta, p_value``. ``level`` is the staged level (the
        lowest of the dimensions); ``n_blockers`` counts the statements that
        keep the organisation from ``next_level`` (see
        :func:`level_blockers`) and ``gap`` is the largest distance of one of
        them to the threshold: how far the organisation is from the next
        level. ``next_level`` and ``gap`` are NaN at the top level, ``gap``
        also when a blocking statement has no answers. The change columns
        come from :func:`compare_overall` and are NaN without a previous
        cycle. With role weights the scores are weighted (``options``) while
        the change's test shuffles respondents as they are.
    """
    dims = point_scores(current, model, options=options)
    blockers = level_blockers(item_statistics(current, model, options=options), model)
    level = overall_level(dims)
    low, high = overall_interval(current, model, confidence=confidence, seed=seed,
                                 min_respondents=minimums.interval_respondents, options=options)
    mine = blockers[blockers["level"] == level]
    next_level = mine["next_level"].iloc[0] if len(mine) else np.nan
    row = {"score": overall_score(dims), "ci_low": low, "ci_high": high,
           "n_respondents": int(current.dropna(subset=["score"])["respondent_id"].nunique()),
           "level": level, "level_name": model.level_name(level),
           "next_level": next_level, "next_level_name": model.level_name(next_level) if len(mine) else np.nan,
           "n_blockers": len(mine), "gap": mine["gap"].max(skipna=False) if len(mine) else np.nan,
           "previous_score": np.nan, "delta": np.nan, "p_value": np.nan}
    if previous is not None and previous["score"].notna().any():
        change = compare_overall(current, previous, model, seed=seed, min_size=minimums.group_size,
                                 options=options)
        row.update(previous_score=change["previous_score"], delta=change["delta"], p_value=change["p_value"])
        if options.role_weights:
            prev = overall_score(point_scores(previous, model, options=options))
            row.update(previous_score=prev, delta=overall_score(dims) - prev)
    return pd.DataFrame([row], columns=OVERALL_COLUMNS)


def maturity_trend(cycle: Cycle, model: MaturityModel, *, options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Overall score and staged level in every cycle up to ``cycle`` that has answers.

    Only point scores are computed here; the intervals and reliability of
    :func:`score_dimensions` are not needed for a trend. Later cycles are left out.

    Returns
    -------
    DataFrame
        Columns ``cycle, score, level, n_respondents`` in cycle order.
    """
    assessment = cycle.tables["assessment"]
    rows = []
    for name in cycle.history_names:
        answers = assessment[assessment["cycle"] == name]
        if answers["score"].notna().any():
            dims = point_scores(answers, model, options=options)
            rows.append({"cycle": name, "score": overall_score(dims), "level": overall_level(dims),
                         "n_respondents": int(answers["respondent_id"].nunique())})
    return pd.DataFrame(rows, columns=["cycle", "score", "level", "n_respondents"])


def dimension_history(cycle: Cycle, model: MaturityModel, *,
                      options: Maturity = DEFAULT_MATURITY) -> pd.DataFrame:
    """Each dimension's score in every cycle up to ``cycle`` that has answers.

    Returns
    -------
    DataFrame
        Columns ``cycle, dimension_id, dimension, score``, in cycle order.
    """
    cycles = cycle.history_names
    per = respondent_scores(cycle.tables["assessment"], model, options=options)
    means = per.groupby(["cycle", "dimension_id"])["score"].mean().reset_index()
    if options.role_weights:
        means["score"] = [_dimension_score(g["score"], g["role"], options)
                          for _, g in per.groupby(["cycle", "dimension_id"])]
    means = means[means["cycle"].isin(cycles)]
    means["_order"] = means["cycle"].map({c: i for i, c in enumerate(cycles)})
    names = model.dimensions.set_index("dimension_id")["dimension"]
    means["dimension"] = means["dimension_id"].map(names)
    return means.sort_values(["_order", "dimension_id"])[["cycle", "dimension_id", "dimension", "score"]].reset_index(drop=True)


CHANGE_COLUMNS = ["dimension_id", "previous_score", "score", "delta", "p_value", "effect_size"]


def empty_change(model: MaturityModel) -> pd.DataFrame:
    """The change table for a first cycle: every dimension, nothing to compare."""
    return pd.DataFrame({"dimension_id": model.dimensions["dimension_id"]}).reindex(columns=CHANGE_COLUMNS)
