"""Report pieces for real questionnaires: reverse-keyed statements, missing answers, business units and
role weights (the maturity report's sentences, grids and tables for them).

Every function words results computed in :mod:`pmo_lib.analysis.maturity`; none computes a statistic.
"""
from __future__ import annotations

import pandas as pd

from ..inputs.config import DEFAULT_MINIMUMS, Maturity, Minimums
from ..inputs.i18n import N_, _, decimal_symbol, ngettext, number, percent
from ..inputs.model import MaturityModel
from .report import esc, format_p
from .theme import role_label

#: The largest difference between the two alphas the report lets pass without a word.
ALPHA_GAP = 0.02

NO_UNITS = N_("The answers carry no business unit, so units cannot be compared. To compare them, give each "
            "answer the respondent's business unit, department or country in a column named unit of the "
            "assessment table.")  # N_: translated where shown


def reversed_items(model: MaturityModel) -> pd.DataFrame:
    """The model's reverse-keyed items (``item_id, dimension_id, level, text``), in model order."""
    if "reverse" not in model.items:
        return model.items.iloc[0:0][["item_id", "dimension_id", "level", "text"]]
    return model.items.loc[model.items["reverse"].astype(bool), ["item_id", "dimension_id", "level", "text"]]


def mark_reversed(grid: pd.DataFrame, model: MaturityModel) -> pd.DataFrame:
    """An item grid (:func:`pmo_lib.item_grid`) whose dimension labels say how many of their statements are reversed.

    ``Adaptive funding`` becomes ``Adaptive funding (1 reversed)``: its cells hold
    scores of reversed statements, already turned so that higher is more mature.
    """
    counts = reversed_items(model).groupby("dimension_id").size()
    if counts.empty:
        return grid
    names = model.dimensions.set_index("dimension")["dimension_id"].to_dict()
    names.update({_(name): dim for name, dim in list(names.items())})  # a grid labelled in the report's language
    out = grid.copy()
    out.index = [ngettext("{dimension} ({count} reversed)", "{dimension} ({count} reversed)",
                          int(counts[names[name]])).format(dimension=name, count=int(counts[names[name]]))
                 if names.get(name) in counts.index else name for name in grid.index]
    return out


def item_table(items: pd.DataFrame, model: MaturityModel) -> pd.DataFrame:
    """Each statement's mean score with its text, reversed statements marked "(reversed)".

    Parameters
    ----------
    items : DataFrame
        :func:`pmo_lib.item_statistics` (scores, reversed statements already turned).

    Returns
    -------
    DataFrame
        Columns ``item_id, dimension, level, statement, mean, sd, n``.
    """
    texts = model.items.set_index("item_id")["text"]
    rev = set(reversed_items(model)["item_id"])
    names = model.dimensions.set_index("dimension_id")["dimension"]
    out = items.assign(dimension=items["dimension_id"].map(names).map(_),
                       statement=[_("{statement} (reversed)").format(statement=_(texts.get(i, i))) if i in rev
                                  else _(texts.get(i, i)) for i in items["item_id"]])
    return out[["item_id", "dimension", "level", "statement", "mean", "sd", "n"]]


def reversed_note(model: MaturityModel) -> str:
    """A sentence on the reverse-keyed statements, or an empty string when the model has none."""
    rev = reversed_items(model)
    if rev.empty:
        return ""
    example = esc(_(str(rev["text"].iloc[0])).rstrip("."))
    return ngettext(
        "{count} statement of the questionnaire is *reverse-keyed*: agreeing means less maturity (for example "
        "“{example}”). Their answers are turned round before anything is computed (on a {lowest}–{highest} scale, "
        "an answer of {highest} counts as {lowest}), so that in every score, chart and table a higher number means "
        "more maturity. Respondents are not told which statements these are; they are marked “reversed” below.",
        "{count} statements of the questionnaire are *reverse-keyed*: agreeing means less maturity (for example "
        "“{example}”). Their answers are turned round before anything is computed (on a {lowest}–{highest} scale, "
        "an answer of {highest} counts as {lowest}), so that in every score, chart and table a higher number means "
        "more maturity. Respondents are not told which statements these are; they are marked “reversed” below.",
        len(rev)).format(count=number(len(rev)), example=example, lowest=model.scale_min, highest=model.scale_max)


def alpha_gap_text(dims: pd.DataFrame, *, gap: float = ALPHA_GAP) -> str:
    """Where reliability on every answer and on complete answers only differ by more than ``gap``, and why.

    Parameters
    ----------
    dims : DataFrame
        :func:`pmo_lib.score_dimensions` (``dimension, cronbach_alpha, alpha_pairwise, alpha_n, n_respondents``).

    Returns
    -------
    str
        Markdown; empty when no dimension differs by more than ``gap``.
    """
    rows = dims[(dims["alpha_pairwise"] - dims["cronbach_alpha"]).abs() > gap]
    if rows.empty:
        return ""
    parts = [ngettext("{dimension} ({pairwise} on every answer, {complete} on the {count} respondent of {total} who "
                      "answered every statement)",
                      "{dimension} ({pairwise} on every answer, {complete} on the {count} respondents of {total} who "
                      "answered every statement)", int(r["alpha_n"])).format(
                 dimension=esc(_(r["dimension"])), pairwise=number(r["alpha_pairwise"], 2),
                 complete=number(r["cronbach_alpha"], 2), count=number(int(r["alpha_n"])),
                 total=int(r["n_respondents"]))
             for _row, r in rows.iterrows()]
    return _("Reliability computed on every answer differs from reliability on complete answers only by more than "
             "{gap} for {dimensions}. The difference comes from statements left unanswered: the complete-answer "
             "figure leaves out everyone who skipped a statement, the other uses each pair of statements wherever "
             "both were answered. Where they differ, the reliability of the dimension is less certain than either "
             "figure alone suggests.").format(gap=number(gap, 2), dimensions="; ".join(parts))


def reliability_interval_table(dims: pd.DataFrame) -> pd.DataFrame:
    """Reliability on every answer with its 95% interval, per dimension.

    Returns
    -------
    DataFrame
        Columns ``dimension, alpha_pairwise, alpha_interval`` (``0.71 to 0.93``, ``−1.08 to 0.68``,
        or ``n/a`` where it cannot be computed).
    """
    interval = [_("{low} to {high}").format(low=number(lo, 2), high=number(hi, 2)).replace("-", "−")
                if pd.notna(lo) and pd.notna(hi) else _("n/a")
                for lo, hi in zip(dims["alpha_ci_low"], dims["alpha_ci_high"])]
    return dims[["dimension", "alpha_pairwise"]].assign(dimension=dims["dimension"].map(_), alpha_interval=interval)


def left_out_table(left: pd.DataFrame, model: MaturityModel) -> pd.DataFrame:
    """The respondents left out of a dimension for answering too little of it, for the data-quality appendix.

    Parameters
    ----------
    left : DataFrame
        :func:`pmo_lib.left_out`.

    Returns
    -------
    DataFrame
        Columns ``respondent_id, role, dimension, answered`` (``2 of 6 statements``).
    """
    names = model.dimensions.set_index("dimension_id")["dimension"]
    return pd.DataFrame({"respondent_id": left["respondent_id"].astype(str),
                         "role": left["role"].map(role_label),
                         "dimension": left["dimension_id"].map(names).map(_),
                         "answered": [ngettext("{answered} of {count} statement", "{answered} of {count} statements",
                                               int(s)).format(answered=int(a), count=number(int(s)))
                                      for a, s in zip(left["answered"], left["asked"])]},
                        columns=["respondent_id", "role", "dimension", "answered"])


def left_out_text(left: pd.DataFrame, options: Maturity) -> str:
    """One sentence on the rule for too few answers and how many it left out."""
    share = percent(options.min_answered)
    if left.empty:
        return _("Every respondent answered at least {share} of the statements of each dimension they answered, "
                 "so no one was left out of a dimension.").format(share=share)
    people = left["respondent_id"].nunique()
    scores = ngettext("{count} dimension score", "{count} dimension scores", len(left)).format(count=number(len(left)))
    return ngettext("A respondent who answered fewer than {share} of a dimension's statements is left out of that "
                    "dimension: {count} respondent was left out of {scores} this cycle, listed below.",
                    "A respondent who answered fewer than {share} of a dimension's statements is left out of that "
                    "dimension: {count} respondents were left out of {scores} this cycle, listed below.",
                    people).format(share=share, count=number(people), scores=scores)


def unit_grid(units: pd.DataFrame, model: MaturityModel, *,
              min_respondents: int = DEFAULT_MINIMUMS.group_size) -> pd.DataFrame:
    """Unit scores as a dimension × unit grid, for :func:`pmo_lib.heatmap`.

    A unit with fewer than ``min_respondents`` respondents in a dimension
    leaves its cell empty: its mean is a person's answers, not a group's.
    """
    names = model.dimensions.set_index("dimension_id")["dimension"]
    shown = units[units["n_respondents"] >= min_respondents]
    grid = shown.pivot_table(index="dimension_id", columns="unit", values="score").reindex(
        model.dimensions["dimension_id"])
    grid.index = grid.index.map(names).map(_)
    grid.columns.name = None
    return grid


def unit_reading(groups: pd.DataFrame, units: pd.DataFrame, model: MaturityModel, *, alpha: float = 0.05,
                 minimums: Minimums = DEFAULT_MINIMUMS) -> str:
    """Which units lead and lag, dimension by dimension, only where they differ beyond chance.

    A dimension is named only where the Kruskal–Wallis test across units
    gives p below ``alpha`` (the report's convention for every comparison);
    its leading and lagging units are those with the highest and lowest mean.

    Parameters
    ----------
    groups : DataFrame
        :func:`pmo_lib.compare_groups` (the rows with ``between`` = ``unit``).
    units : DataFrame
        :func:`pmo_lib.unit_scores`.
    """
    if units.empty:
        return _(NO_UNITS)
    tests = groups[groups["between"] == "unit"] if "between" in groups else groups.iloc[0:0]
    if tests.empty or not (tests["n_groups"] >= 2).any():
        return ngettext("Units are compared only when at least two have {count} respondent each; this cycle too few "
                        "do.", "Units are compared only when at least two have {count} respondents each; this cycle "
                        "too few do.", minimums.group_size).format(count=number(minimums.group_size))
    names = model.dimensions.set_index("dimension_id")["dimension"]
    lines = []
    for row in tests[tests["p_value"] < alpha].itertuples():
        mine = units[(units["dimension_id"] == row.dimension_id) & (units["n_respondents"] >= minimums.group_size)]
        if len(mine) < 2:
            continue
        ranked = mine.sort_values("score", kind="stable")
        low, high = ranked.iloc[0], ranked.iloc[-1]
        lines.append("* " + _("**{dimension}**: {high} leads ({high_score}), {low} lags ({low_score}); p {p}.").format(
            dimension=esc(_(names[row.dimension_id])), high=esc(high["unit"]), high_score=number(high["score"], 2),
            low=esc(low["unit"]), low_score=number(low["score"], 2), p=format_p(row.p_value)))
    tested = int((tests["n_groups"] >= 2).sum())
    if not lines:
        return ngettext("The units do not differ beyond chance on any of the {count} dimension compared "
                        "(Kruskal–Wallis test, p at or above 0.05 each): the differences in the chart are within what the choice of "
                        "respondents alone would give.",
                        "The units do not differ beyond chance on any of the {count} dimensions compared "
                        "(Kruskal–Wallis test, p at or above 0.05 each): the differences in the chart are within what "
                        "the choice of respondents alone would give.", tested).format(count=number(tested))
    return ngettext("The units differ beyond chance (Kruskal–Wallis test, p below 0.05) on {count} dimension of "
                    "{tested}:", "The units differ beyond chance (Kruskal–Wallis test, p below 0.05) on {count} "
                    "dimensions of {tested}:", len(lines)).format(count=number(len(lines)), tested=tested) \
        + "\n\n" + "\n".join(lines)


def unit_icc_text(dims: pd.DataFrame) -> str:
    """What ICC(1) and ICC(2) say about the units, in words, or an empty string without them."""
    shown = dims.dropna(subset=["icc1"])
    if shown.empty:
        return ""
    top = shown.sort_values("icc1", kind="stable").iloc[-1]
    trusted = shown[shown["icc2"] >= 0.7]
    return _("The share of the differences between respondents that lies between units (ICC(1)) is highest for "
             "{dimension}, at {share}. A unit's mean can be relied on to tell units apart (ICC(2) of 0.7 or more) "
             "for {trusted}.").format(
        dimension=esc(_(top["dimension"])), share=percent(max(top["icc1"], 0)),
        trusted=", ".join(esc(_(d)) for d in trusted["dimension"]) if len(trusted) else _("no dimension"))


def weighting_text(options: Maturity) -> str:
    """The method appendix's line on how respondents are weighted."""
    if not options.role_weights:
        return "* " + _("**Weighting.** Every respondent counts the same: a role with more respondents weighs more in "
                        "a dimension's score.")
    given = ", ".join(f"{role_label(r)} " + f"{w:g}".replace(".", decimal_symbol())
                      for r, w in options.role_weights.items())
    return "* " + _("**Weighting.** Roles are weighted as set for this assessment ({weights}; a role not listed "
                    "weighs 1). A dimension's score is the weighted mean of its roles' mean scores, so a role counts "
                    "by its weight however many of its people answered. Its {confidence} interval is a bootstrap that "
                    "resamples respondents within each role (bias-corrected and accelerated; for the overall score, "
                    "percentile). Role and unit comparisons and the tests of change use every respondent "
                    "unweighted.").format(weights=given, confidence=percent(0.95))
