"""Generated prose: the executive summaries, written from computed results only.

Each function returns Markdown. Strings from the workspace are escaped.
"""
from __future__ import annotations

import pandas as pd

from ..inputs.config import DEFAULT_FUNDING, DEFAULT_MINIMUMS, Minimums
from ..inputs import i18n
from ..inputs.i18n import gettext, ngettext
from ..analysis.maturity import overall_level, overall_score
from ..inputs.model import MaturityModel
from ..inputs.catalog import STATUSES
from .theme import STATUS_WORDS
from ..analysis.optimise import Selection
from .selection import selection_agenda_item
from .report import (esc, format_apart, format_p, format_value, kpi_target_text, kpi_value_text, needs_text,
                     plural)

_WORD = {s: STATUS_WORDS[s].lower() for s in STATUSES}


def _quoted(statement: str) -> str:
    return "“" + esc(str(statement).strip().rstrip(".")) + "”"


def _blocker_sentence(overall: pd.Series, blockers: pd.DataFrame, model: MaturityModel) -> str:
    """What keeps the organisation from its next staged level, with the distance to it."""
    level = int(overall["level"])
    mine = blockers[blockers["level"] == level]
    if mine.empty or pd.isna(overall["next_level"]):
        return "That is the model's top level."
    nxt = int(overall["next_level"])
    head = f"The next level, {nxt} {esc(model.level_name(nxt))}, is blocked by "

    def reading(row) -> str:
        if pd.isna(row.score):
            return f"{esc(row.item_id)} {_quoted(row.statement)} in *{esc(row.dimension)}*, which has no answers"
        score, needed = format_apart(row.score, row.threshold)
        return (f"{esc(row.item_id)} {_quoted(row.statement)} in *{esc(row.dimension)}* at {score}; "
                f"{needed} needed")

    if len(mine) == 1:
        row = next(mine.itertuples())
        short = "" if pd.isna(row.gap) else f" ({format_apart(row.gap, 0.0)[0]} short)"
        return head + "one statement: " + reading(row) + short + "."
    ranked = mine.sort_values("gap", ascending=False, na_position="first")

    def brief(row) -> str:
        value = "no answers" if pd.isna(row.score) else format_apart(row.score, row.threshold)[0]
        return f"{esc(row.item_id)} {_quoted(row.statement)} in *{esc(row.dimension)}* ({value})"

    shown = [brief(r) for r in ranked.head(3).itertuples()]
    more = len(ranked) - len(shown)
    listed = "; ".join(shown) + (f"; and {plural(more, 'more statement')}" if more else "")
    needed = max(format_apart(s, t)[1] for s, t in zip(ranked["score"].fillna(0), ranked["threshold"]))
    gap = overall["gap"]
    furthest = "" if pd.isna(gap) else f" The furthest is {format_apart(gap, 0.0)[0]} short."
    return head + f"{len(mine)} statements whose mean answer is below the {needed} needed: {listed}.{furthest}"


def maturity_summary(dims: pd.DataFrame, model: MaturityModel, *, organisation: str, cycle: str,
                     overall: pd.DataFrame, blockers: pd.DataFrame, change: pd.DataFrame | None = None,
                     previous_cycle: str | None = None, alpha: float = 0.05,
                     minimums: Minimums = DEFAULT_MINIMUMS) -> str:
    """Executive summary of a maturity assessment.

    It leads with the overall score and its confidence interval, then the
    staged level with the statements that block the next level and the
    distance to it. A change is called a rise or a fall only where its test
    says so at ``alpha``; otherwise it is "no clear change".

    Parameters
    ----------
    dims : DataFrame
        :func:`pmo_lib.score_dimensions` for this cycle.
    model : MaturityModel
    organisation, cycle : str
    overall : DataFrame
        :func:`pmo_lib.overall_maturity` for this cycle (one row).
    blockers : DataFrame
        :func:`pmo_lib.level_blockers` for this cycle.
    change : DataFrame, optional
        :func:`pmo_lib.compare_cycles` against the previous cycle; ``None``
        for the first cycle.
    previous_cycle : str, optional
        The previous cycle's name, for the text.
    alpha : float
        Significance level of the change tests.
    minimums : Minimums
        The minimums the results were computed with: a missing interval or
        test is explained with them.

    Returns
    -------
    str
        Markdown, three paragraphs: the score, the level, the dimensions.
    """
    head = overall.iloc[0]
    score = head["score"]
    n = int(head["n_respondents"])
    before = esc(previous_cycle) if previous_cycle else "the previous cycle"
    interval = ("" if pd.isna(head["ci_low"]) else
                f" (95% confidence interval {head['ci_low']:.2f}–{head['ci_high']:.2f})")
    lines = [f"In {esc(cycle)}, {plural(n, 'respondent')} assessed **{esc(organisation)}** at an overall score "
             f"of **{score:.2f}**{interval} on the {model.scale_min}–{model.scale_max} scale."]
    if pd.isna(head["ci_low"]) and n < minimums.interval_respondents:
        lines.append(f"The score has no confidence interval: an interval needs at least "
                     f"{plural(minimums.interval_respondents, 'respondent')}, so read it as the view of those who "
                     "answered rather than a measurement of the organisation.")
    if pd.notna(head["previous_score"]):
        then, delta = head["previous_score"], head["delta"]
        p = head["p_value"]
        if pd.notna(p) and p < alpha and delta != 0:
            lines.append(f"It {'rose' if delta > 0 else 'fell'} from {then:.2f} in {before} ({delta:+.2f}), "
                         f"a change beyond chance (permutation test, p = {format_p(p)}).")
        elif pd.isna(p):
            lines.append(f"Against {before} ({then:.2f}) the difference is {delta:+.2f}; there are too few "
                         "respondents to tell whether that is more than chance (a comparison needs at least "
                         f"{plural(minimums.group_size, 'respondent')} in each cycle).")
        else:
            lines.append(f"Against {before} ({then:.2f}) there is no clear change: the difference of {delta:+.2f} "
                         f"is within what another group of respondents could give (permutation test, "
                         f"p = {format_p(p)}).")
    paragraphs = [" ".join(lines)]
    lines = []
    level = int(head["level"])
    lines.append(f"The staged maturity level is **{level} {esc(model.level_name(level))}**: the level every "
                 "dimension has reached. " + _blocker_sentence(head, blockers, model))
    paragraphs.append(" ".join(lines))
    lines = []
    if change is not None and change["p_value"].notna().any():
        tested = change.dropna(subset=["p_value"])
        names = model.dimensions.set_index("dimension_id")["dimension"]
        rose = tested[(tested["p_value"] < alpha) & (tested["delta"] > 0)]
        fell = tested[(tested["p_value"] < alpha) & (tested["delta"] < 0)]
        parts = []
        for frame, verb in ((rose, "rose"), (fell, "fell")):
            if len(frame):
                listed = ", ".join(f"*{esc(names[d])}*: {x:+.2f}"
                                   for d, x in zip(frame["dimension_id"], frame["delta"]))
                parts.append(f"scores {verb} beyond chance on {len(frame)} of {len(tested)} dimensions ({listed})")
        steady = len(tested) - len(rose) - len(fell)
        if parts:
            text = f"Since {before}, " + " and ".join(parts)
            if steady:
                text += f"; the other {steady} show no clear change"
            lines.append(text + ".")
        else:
            lines.append(f"Since {before}, no dimension changed beyond chance: all {len(tested)} show no clear "
                         "change.")
    ranked = dims.dropna(subset=["score"]).sort_values("score")
    if len(ranked):
        best, worst = ranked.iloc[-1], ranked.iloc[0]
        lines.append(f"The strongest dimension is *{esc(best['dimension'])}* ({best['score']:.2f}); the weakest is "
                     f"*{esc(worst['dimension'])}* ({worst['score']:.2f}).")
    below = dims[dims["gap"] > 0].sort_values("gap", ascending=False)
    if below.empty:
        lines.append("Every dimension has reached its target.")
    else:
        names = ", ".join(f"{esc(r.dimension)} ({format_apart(r.gap, 0.0)[0]} below)"
                          for r in below.head(3).itertuples())
        count = f"All {len(dims)} dimensions are" if len(below) == len(dims) else (
            f"{len(below)} of {len(dims)} dimensions {'is' if len(below) == 1 else 'are'}")
        largest = "the largest gap is" if len(below) == 1 else "the largest gaps are"
        lines.append(f"{count} below target; {largest} {names}.")
    paragraphs.append(" ".join(lines))
    return "\n\n".join(paragraphs)


def kpi_summary(kpis: pd.DataFrame, *, cycle: str, currency: str, forecasts: pd.DataFrame | None = None,
                names: dict[str, str] | None = None, on_time_probability: float = 0.5) -> str:
    """Executive summary of the KPI scorecard (portfolio scope).

    With ``forecasts`` (:func:`pmo_lib.delivery_forecasts`) it ends with what
    they say about the next cycle, in the words of :func:`forecast_summary`.
    """
    port = kpis[kpis["scope"] == "portfolio"]
    counts = port["status"].value_counts()
    parts = [f"{counts.get(s, 0)} {_WORD[s]}" for s in STATUSES if counts.get(s, 0)]
    lines = [f"Of {len(port)} portfolio KPIs in {esc(cycle)}: {', '.join(parts)}."]
    red = port[port["status"] == "red"]
    if len(red):
        items = "; ".join(f"{esc(r['name'])} {kpi_value_text(r, currency)}"
                          + (f" against a target of {kpi_target_text(r, currency)}" if pd.notna(r["target"]) else "")
                          for _, r in red.iterrows())
        lines.append(f"{STATUS_WORDS['red']}: {items}.")
    value = port.set_index("kpi_id")
    if "cpi" in value.index and pd.notna(value.at["cpi", "value"]):
        cpi, spi = value.loc["cpi"], value.loc["spi"]
        lines.append(f"Portfolio cost performance (CPI) is {kpi_value_text(cpi)} ({_WORD[cpi['status']]}) and "
                     f"schedule performance (SPI) {kpi_value_text(spi)} ({_WORD[spi['status']]}).")
    if "nps" in value.index and pd.notna(value.at["nps", "value"]):
        lines.append(f"Customers give a net promoter score of {value.at['nps', 'value']:+.0f} "
                     f"(±{value.at['nps', 'margin']:.0f} at 95% confidence, n = {int(value.at['nps', 'n']):,}).")
    if forecasts is not None and len(forecasts):
        lines.append(forecast_summary(forecasts, names=names, on_time_probability=on_time_probability))
    return " ".join(line for line in lines if line)


def governance_summary(*, cycle: str, maturity: pd.DataFrame | None, kpis: pd.DataFrame,
                       register: pd.DataFrame, portfolio: pd.DataFrame, mix: pd.DataFrame | None,
                       overdue_actions: int, model: MaturityModel, overall: pd.Series | None = None,
                       previous_cycle: str | None = None, closing: pd.DataFrame | None = None) -> str:
    """Executive summary of the governance pack, as a bulleted list.

    It is written from the exception register and the portfolio table, the
    same results the dashboard and the tables show, so that every initiative
    has one recommendation throughout the pack. ``overall`` is the row of
    :func:`pmo_lib.overall_maturity` (the same as the maturity report's).
    """
    bullets = []
    if overall is not None:
        bullets.append(f"**Maturity:** {esc(maturity_line(overall, model, previous_cycle=previous_cycle))}")
    elif maturity is not None and maturity["score"].notna().any():
        level = overall_level(maturity)
        bullets.append(f"**Maturity:** overall {overall_score(maturity):.2f}, staged level {level} "
                       f"{esc(model.level_name(level))}.")
    port = kpis[kpis["scope"] == "portfolio"]
    counts = port["status"].value_counts()
    parts = [f"{counts.get(s, 0)} {_WORD[s]}" for s in STATUSES if counts.get(s, 0)]
    bullets.append(f"**KPIs:** of {plural(len(port), 'portfolio KPI')}, " + ", ".join(parts) + ".")
    rank = {"critical": 0, "high": 1, "medium": 2}
    needs = portfolio[portfolio["severity"].isin(list(rank))]
    needs = needs.assign(_r=needs["severity"].map(rank)).sort_values("_r", kind="stable")
    watch = portfolio[portfolio["severity"].eq("low")]
    severe = needs[needs["severity"].isin(["critical", "high"])]
    text = (f"**Exceptions:** {plural(len(needs), 'initiative')} {'needs' if len(needs) == 1 else 'need'} a decision "
            f"({len(severe)} of high or critical severity)")
    if len(watch):
        text += f"; {plural(len(watch), 'more initiative')} {'is' if len(watch) == 1 else 'are'} on the watch list"
    portfolio_wide = register[register["initiative_id"].isna() & register["severity"].ne("low")]
    if len(portfolio_wide):
        text += f"; {plural(len(portfolio_wide), 'portfolio-wide exception')}"
    bullets.append(text + (". The most important:" if len(needs) else "."))
    for row in needs.head(3).itertuples():
        why = row.reason.split(". Still open:")[0] if ". Still open:" in row.reason else row.reason
        bullets.append(f"    - {esc(row.initiative_id)} {esc(row.name)} ({row.severity}): "
                       f"**{esc(row.recommendation)}**; {esc(why)}.")
    if mix is not None:
        breaches = mix[mix["breach"]]
        if len(breaches):
            bullets.append(f"**Guardrails:** {esc(cycle)} spend (actual cost in the cycle) is outside the goal-mix "
                           "tolerance for " + ", ".join(f"{esc(r.label)} ({r.share:.1%} of spend against a target "
                                                        f"of {r.target_share:.0%})" for r in breaches.itertuples()) + ".")
        else:
            bullets.append(f"**Guardrails:** every goal's share of {esc(cycle)} spend is within its tolerance.")
    if closing is not None and len(closing):
        bullets.append(f"**Ended this cycle:** {plural(len(closing), 'initiative')} ("
                       + ", ".join(f"{esc(r.initiative_id)} {esc(r.name)}" for r in closing.itertuples())
                       + "); they get no further budget and their outcome is in the closing summary.")
    bullets.append(f"**Actions:** {plural(overdue_actions, 'action')} overdue.")
    decisions = []
    for advice, verb in (("stop", "stop"), ("re-scope", "re-scope"), ("recover", "agree recovery for")):
        hit = needs[needs["recommendation"] == advice]
        if len(hit):
            decisions.append(f"whether to {verb} " + ", ".join(esc(i) for i in hit["initiative_id"]))
    if mix is not None and mix["breach"].any():
        decisions.append("rebalance funding towards the goal mix, or change the target mix")
    if overdue_actions:
        decisions.append("reassign or re-date the overdue actions")
    bullets.append("**Decisions for the board this cycle:** " + ("; ".join(decisions) if decisions else
                                                                 "none beyond the routine funding confirmation") + ".")
    return "\n".join(b if b.startswith("    - ") else f"- {b}" for b in bullets)


def reliability_summary(dims: pd.DataFrame, *, cutoff: float = 0.7, minimums: Minimums = DEFAULT_MINIMUMS) -> str:
    """Explain in plain words what reliability and agreement mean for the client, or what they still need.

    A negative alpha is explained (the statements move against each other),
    never just called low; a statistic below its minimum is named with what it
    needs, and when neither can be computed for any dimension one paragraph
    says so.

    Parameters
    ----------
    dims : DataFrame
        :func:`pmo_lib.score_dimensions` (``dimension, cronbach_alpha,
        alpha_n, alpha_items, rwg, n_respondents``).
    cutoff : float
        The level read as adequate.
    minimums : Minimums
        The minimums the scores were computed with.
    """
    m = minimums
    items = dims["alpha_items"] if "alpha_items" in dims else pd.Series(m.alpha_items, index=dims.index)
    few_items = dims["cronbach_alpha"].isna() & items.lt(m.alpha_items)
    few_cases = dims["cronbach_alpha"].isna() & ~few_items & dims["alpha_n"].lt(m.alpha_complete_cases)
    few_people = dims["rwg"].isna() & dims["n_respondents"].lt(m.agreement_respondents)
    if dims["cronbach_alpha"].isna().all() and dims["rwg"].isna().all() and (few_cases | few_items).all():
        most = int(dims["n_respondents"].max()) if len(dims) else 0
        return (f"Reliability and agreement cannot be judged yet. Reliability needs at least "
                f"{plural(m.alpha_complete_cases, 'respondent')} who answered every statement of a dimension, and "
                f"agreement at least {plural(m.agreement_respondents, 'respondent')}; this cycle has "
                f"{plural(most, 'respondent')} at most per dimension. Until then, read each score as the view of "
                "the people who answered, not as a measurement of the organisation, and collect more "
                "questionnaires next cycle.")
    negative = dims[dims["cronbach_alpha"] < 0]
    low_alpha = dims[(dims["cronbach_alpha"] >= 0) & (dims["cronbach_alpha"] < cutoff)]
    low_rwg = dims[dims["rwg"] < cutoff]
    parts = []
    if dims["cronbach_alpha"].notna().all() and dims["rwg"].notna().all() and not (
            len(negative) or len(low_alpha) or len(low_rwg)):
        parts.append(f"Every dimension reaches {cutoff} on both reliability and agreement: its items hang together "
                     "and respondents broadly agree, so the scores can be read with confidence.")
    if len(low_alpha):
        names = ", ".join(f"*{esc(n)}* (α = {a:.2f})" for n, a in zip(low_alpha["dimension"], low_alpha["cronbach_alpha"]))
        parts.append(f"Reliability is below {cutoff} for {names}. The statements of such a dimension do not move "
                     "together: respondents may rate some practices high and others low, so the single score hides "
                     "real differences. Read its items one by one before acting on it.")
    if len(negative):
        names = ", ".join(f"*{esc(n)}* (α = {a:.2f})" for n, a in zip(negative["dimension"], negative["cronbach_alpha"]))
        one = len(negative) == 1
        parts.append(f"Reliability is negative for {names}: the statements of {'this dimension' if one else 'these dimensions'} "
                     "move against each other, so respondents who rate one practice high tend to rate another low. "
                     "With few respondents this is often chance; otherwise a statement may be read the other way "
                     "round or belong elsewhere. Do not read the score as one measure: read its statements one by one.")
    if len(low_rwg):
        names = ", ".join(f"*{esc(n)}* (rwg = {r:.2f})" for n, r in zip(low_rwg["dimension"], low_rwg["rwg"]))
        parts.append(f"Agreement is below {cutoff} for {names}. Respondents see these practices differently; the "
                     "average is a compromise between views. Discuss them in a workshop before setting targets.")
    if few_cases.any():
        names = ", ".join(f"*{esc(n)}* ({int(k)})" for n, k in zip(dims.loc[few_cases, "dimension"],
                                                                 dims.loc[few_cases, "alpha_n"]))
        parts.append(f"Reliability is not computed for {names}: it needs at least "
                     f"{plural(m.alpha_complete_cases, 'respondent')} who answered every statement of the dimension "
                     "(in brackets, how many did).")
    if few_items.any():
        names = ", ".join(f"*{esc(n)}* ({needs_text(m.alpha_items, k, 'statement')})"
                          for n, k in zip(dims.loc[few_items, "dimension"], items[few_items]))
        parts.append(f"Reliability is not computed for {names}.")
    other = dims["cronbach_alpha"].isna() & ~few_cases & ~few_items
    if other.any():
        parts.append(f"Reliability could not be computed for {plural(int(other.sum()), 'dimension')}: every "
                     "respondent gave the same total.")
    if few_people.any():
        names = ", ".join(f"*{esc(n)}* ({int(k)})" for n, k in zip(dims.loc[few_people, "dimension"],
                                                                 dims.loc[few_people, "n_respondents"]))
        parts.append(f"Agreement is not computed for {names}: it needs at least "
                     f"{plural(m.agreement_respondents, 'respondent')} (in brackets, how many answered).")
    return " ".join(parts)


def role_shortfall(assessment: pd.DataFrame, *, minimums: Minimums = DEFAULT_MINIMUMS) -> str:
    """Why roles are not compared: the respondents per role against the two groups of ``group_size`` needed."""
    from .theme import role_label

    counts = assessment.dropna(subset=["score"]).groupby("role")["respondent_id"].nunique().sort_values(
        ascending=False)
    listed = ", ".join(f"{esc(role_label(r))} {n}" for r, n in counts.items()) or "no answers"
    return (f"Roles are not compared: a comparison needs at least two roles with "
            f"{plural(minimums.group_size, 'respondent')} each, and this cycle has {listed}. Individual answers "
            "are not shown by role, so that no one's answers can be singled out.")


def trend_shortfall(cycles: list[str], *, need: int, first: bool = False) -> str:
    """Why the trend charts are not shown: the assessed cycles so far against the ``need``ed number.

    ``first`` adds that the cycle is the first, with nothing to compare it with.
    """
    n = len(cycles)
    so_far = (f"so far there {'is' if n == 1 else 'are'} {plural(n, 'assessed cycle')}"
              + (f" ({', '.join(esc(c) for c in cycles)})" if n else ""))
    head = (f"{esc(cycles[-1])} is the first assessed cycle, so there is no earlier cycle to compare with. "
            if first and n else "")
    return head + (f"Trend charts need at least {plural(need, 'assessed cycle')}; {so_far}. They appear once there "
                   "are enough cycles.")


def minimums_text(minimums: Minimums = DEFAULT_MINIMUMS) -> str:
    """The method appendix's account of how much data each maturity statistic needs, from the settings in use.

    Returns
    -------
    str
        A Markdown bullet with one sub-bullet per statistic.
    """
    m = minimums
    return "\n".join([
        "* **How much data each statistic needs.** Below these minimums the report gives no number and says what is "
        "missing instead. The PMO can change them in the workspace's settings.",
        f"    * Reliability (Cronbach's alpha): at least {plural(m.alpha_complete_cases, 'complete answer')} "
        f"(respondents who answered every statement of the dimension) and {plural(m.alpha_items, 'statement')}.",
        f"    * Agreement (rwg(J)): at least {plural(m.agreement_respondents, 'respondent')}.",
        f"    * Confidence interval: at least {plural(m.interval_respondents, 'respondent')}. A dimension is called "
        "below target beyond doubt only when it has an interval and the whole interval lies below the target.",
        f"    * Comparison of roles: at least two roles with {plural(m.group_size, 'respondent')} each; comparison with "
        f"an earlier cycle: at least {plural(m.group_size, 'respondent')} in each cycle.",
        f"    * Trend charts: at least {plural(m.trend_cycles, 'assessed cycle')}.",
    ])


def next_agenda(*, cycle: str, next_cycle: str | None, portfolio: pd.DataFrame, register: pd.DataFrame,
                scenario: pd.DataFrame | None, mix: pd.DataFrame | None, actions: pd.DataFrame | None,
                currency: str, smallest_move: float = DEFAULT_FUNDING.smallest_move,
                capacity: pd.DataFrame | None = None, max_utilisation: float = 0.85,
                selection: Selection | None = None, initiatives: pd.DataFrame | None = None,
                team_users: pd.DataFrame | None = None) -> str:
    """The next board meeting's agenda, from the portfolio's one recommendation per initiative.

    ``selection`` (:func:`pmo_lib.select_proposals`) puts the proposals to
    start on it, named from ``initiatives``; ``team_users``
    (:func:`pmo_lib.team_users`) names the work that loads an overloaded team most.

    The funding scenario is on it when it moves more than ``smallest_move``
    (``funding.smallest_move`` in ``pmo.yaml``) into an initiative. ``capacity``
    (:func:`pmo_lib.capacity_utilisation`) puts the cycle's overloaded teams on
    it, with the person-days above ``max_utilisation`` of its capacity
    (``thresholds.max_utilisation``) to defer or re-sequence; the register's capacity
    exceptions are not listed again among the portfolio KPIs.
    """
    items = []
    needs = portfolio[portfolio["severity"].isin(["critical", "high", "medium"])]
    for advice, text in (("stop", "Decide whether to **stop**"), ("re-scope", "Decide whether to **re-scope**"),
                         ("recover", "Review the **recovery** of")):
        hit = needs[needs["recommendation"] == advice]
        if len(hit):
            items.append(f"{text}: " + ", ".join(f"{esc(i)} {esc(n)}" for i, n in zip(hit["initiative_id"],
                                                                                      hit["name"])) + ".")
    wide = register[register["initiative_id"].isna() & register["severity"].ne("low")]
    if "kind" in wide:  # the overloaded teams have their own item below
        wide = wide[wide["kind"].ne("capacity")]
    if len(wide):
        items.append("Agree actions for the portfolio KPIs off target: " + ", ".join(esc(m) for m in wide["metric"])
                     + ".")
    if capacity is not None and len(capacity):
        hit = capacity[(capacity["cycle"] == cycle) & capacity["overloaded"].astype(bool)]
        if len(hit):
            teams = "; ".join(
                f"{esc(r.team)} ({r.utilisation:.0%} of its capacity, "
                f"{plural(round(r.demand_days - max_utilisation * r.capacity_days), 'person-day')} over what it can absorb)"
                for r in hit.sort_values("utilisation", ascending=False, kind="stable").itertuples(index=False))
            item = f"Decide what to defer or re-sequence on the overloaded {'team' if len(hit) == 1 else 'teams'}: {teams}."
            if team_users is not None and len(team_users):
                users = team_users[team_users["team"].isin(hit["team"])]
                item += " Most of the load comes from " + "; ".join(
                    f"{esc(u.initiative_id)} {esc(u.name)} ({plural(round(u.demand_days), 'person-day')} of {esc(u.team)})"
                    for u in users.itertuples(index=False)) + "."
            items.append(item)
    if mix is not None and mix["breach"].any():
        outside = ["spend linked to no strategic goal" if pd.isna(g) else esc(label)
                   for g, label in zip(mix.loc[mix["breach"], "goal_id"], mix.loc[mix["breach"], "label"])]
        items.append("Review the goal mix of spend, outside its guardrail for: " + "; ".join(outside) + ".")
    if scenario is not None and (scenario["change"] > smallest_move).any():
        moved = scenario.loc[scenario["change"] > 0, "change"].sum()
        items.append(f"Approve, amend or reject the funding scenario moving {currency} {moved:,.0f} of the budget "
                     f"to higher-value initiatives for {esc(next_cycle or 'the next cycle')}.")
    if selection is not None and initiatives is not None:
        proposals = selection_agenda_item(selection, initiatives, currency=currency,
                                          next_cycle=next_cycle or "the next cycle")
        if proposals:
            items.append(proposals)
    if actions is not None:
        late = actions[actions["overdue"]]
        if len(late):
            owners = ", ".join(sorted(set(esc(o) for o in late["owner"].dropna())))
            items.append(f"Chase {plural(len(late), 'overdue action')} (owners: {owners}).")
    items.append(f"Confirm the KPI targets and thresholds for {esc(next_cycle or 'the next cycle')}.")
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, start=1))


def step_text(step: int, name: str, purpose: str, practices: list[str]) -> str:
    """A step's heading line, purpose and practices as Markdown."""
    items = "\n".join(f"- {esc(gettext(p))}" for p in practices)
    return (gettext("### Step {step}: {name}\n\n**Purpose.** {purpose}\n\n**Practices.**").format(
        step=step, name=esc(gettext(name)), purpose=esc(gettext(purpose))) + f"\n\n{items}")


def guardrail_text(config, *, goals: pd.DataFrame) -> str:
    """What the guardrails are and what happens when one fires, from the workspace's settings."""
    t = config.thresholds
    lines = [gettext("- **Goal mix.** Each goal's share of the cycle's spend must stay within ±{tolerance} of its target "
                     "share; spend on initiatives without a goal counts against a target of {zero}.").format(
                         tolerance=i18n.percent(t.goal_mix_tolerance), zero=i18n.percent(0))]
    if goals.empty or goals["target_share"].isna().all():
        lines[0] += " " + gettext("No goal has a target share yet: give each goal a target share in the goals table to "
                                  "activate this guardrail.")
    lines += [
        gettext("- **Schedule.** An initiative forecast to finish more than {slip} after its planned end is an "
                "exception: of medium severity, high beyond {high} and critical beyond {critical}. One past its "
                "planned end and not closed is an exception too.").format(
                    slip=_days(t.schedule_slip_days),
                    high=_days(config.exceptions.high_slip_multiple * t.schedule_slip_days),
                    critical=_days(config.exceptions.critical_slip_multiple * t.schedule_slip_days)),
        gettext("- **KPIs.** A KPI that misses its target is an exception of low severity; beyond its red threshold it "
                "is of medium severity, and it grows to high and critical with the size of the breach. Each initiative "
                "gets one recommended decision, the most far-reaching of its exceptions', and a decision the board has "
                "already taken stands until its review."),
        gettext("- **Funding.** A reallocation may move up to {shift} of a cycle's budget and at most {cut} of any "
                "initiative's budget without escalation; anything beyond goes to the portfolio board.").format(
                    shift=i18n.percent(config.funding.max_shift), cut=i18n.percent(config.funding.max_cut)),
        gettext("- **When a guardrail fires.** The exception appears in the governance report with a severity and a "
                "recommended decision (continue, recover, re-scope or stop) for each initiative; the portfolio board "
                "decides at its next review, and the decision and its actions are logged and followed up in the next "
                "cycle."),
    ]
    return "\n".join(lines)


def _days(n: float) -> str:
    """``14 days``, ``1 day`` (as :func:`plural` writes them) in the report's language."""
    count = float(n)
    return ngettext("{count} day", "{count} days", count).format(
        count=i18n.number(count, 0 if count.is_integer() else 1))


def maturity_line(overall: pd.Series | None, model: MaturityModel, *, previous_cycle: str | None = None,
                  alpha: float = 0.05) -> str:
    """One sentence on maturity: the score with its interval, its tested change and the staged level.

    ``overall`` is the row of :func:`pmo_lib.overall_maturity`; the change is
    called a rise or a fall only when its test says so at ``alpha``.
    """
    from .report import level_distance
    if overall is None or pd.isna(overall["score"]):
        return "No maturity assessment for this cycle."
    text = f"Overall score {overall['score']:.2f}"
    if pd.notna(overall.get("ci_low")):
        text += f" (95% interval {overall['ci_low']:.2f}–{overall['ci_high']:.2f})"
    text += f" on the {model.scale_min}–{model.scale_max} scale"
    if pd.notna(overall.get("delta")):
        since = previous_cycle or "the previous cycle"
        p = overall.get("p_value")
        if pd.notna(p) and p < alpha:
            verdict = "a rise" if overall["delta"] > 0 else "a fall"
            text += f", {overall['delta']:+.2f} since {since}: {verdict} beyond chance (p = {format_p(p)})"
        elif pd.isna(p):
            text += f", {overall['delta']:+.2f} since {since}: too few respondents to tell whether it is more than chance"
        else:
            text += f", {overall['delta']:+.2f} since {since}: no clear change (p = {format_p(p)})"
    level = int(overall["level"])
    gap = overall.get("gap")
    distance = level_distance(overall.get("next_level"), int(overall.get("n_blockers", 0) or 0),
                              None if gap is None or pd.isna(gap) else float(gap))
    return text + f"; staged level {level} {model.level_name(level)}, {distance}."


def funding_line(scenario: pd.DataFrame, *, ended: pd.DataFrame | None, next_cycle: str | None, currency: str,
                 max_shift: float, smallest_move: float = DEFAULT_FUNDING.smallest_move) -> str:
    """One sentence on the next cycle's budget scenario for the dashboard.

    A change of an initiative's budget no larger than ``smallest_move``
    (``funding.smallest_move`` in ``pmo.yaml``) counts as no move.
    """
    moved = float(scenario.loc[scenario["change"] > 0, "change"].sum())
    total = float(scenario["budget"].sum())
    when = next_cycle or "the next cycle"
    if moved < smallest_move:
        text = f"The scenario for {when} moves no budget: no move passes the guardrails."
    else:
        gainers = int((scenario["change"] > smallest_move).sum())
        losers = int((scenario["change"] < -smallest_move).sum())
        text = (f"The scenario for {when} moves {format_value(moved, 'currency', currency)} of budget "
                f"({moved / total:.1%} of {format_value(total, 'currency', currency)}; at most {max_shift:.0%} may move) from "
                f"{plural(losers, 'lower-value initiative')} to {plural(gainers, 'higher-value initiative')}.")
    if ended is not None and len(ended):
        text += (f" {plural(len(ended), 'initiative')} ended this cycle and {'gets' if len(ended) == 1 else 'get'} "
                 "no further budget.")
    return text


def actions_line(actions: pd.DataFrame | None) -> str:
    """One sentence on overdue actions for the dashboard."""
    if actions is None:
        return "The workspace keeps no action log."
    late = actions[actions["overdue"]]
    if late.empty:
        return "No action is overdue."
    shown = "; ".join(f"{r.action_id} {r.title} ({r.owner}, due {r.due_date:%Y-%m-%d})"
                      for r in late.head(4).itertuples())
    more = f"; and {len(late) - 4:,} more" if len(late) > 4 else ""
    return f"{plural(len(late), 'action')} overdue: {shown}{more}."


def forecast_summary(forecasts: pd.DataFrame, *, names: dict[str, str] | None = None,
                     on_time_probability: float = 0.5) -> str:
    """The forecasts in words: how many items next cycle, and the initiatives unlikely to finish on time.

    ``forecasts`` is :func:`pmo_lib.delivery_forecasts`; ``names`` maps initiative ids to names.
    """
    names = names or {}
    parts = []
    how = forecasts[(forecasts["scope"] == "portfolio") & (forecasts["kind"] == "how_many")]
    if len(how):
        r = how.iloc[0]
        weeks = plural(int(r["horizon_weeks"]), "week")
        if pd.isna(r["p85"]):
            parts.append(f"There is no forecast of the portfolio's next {weeks}: {esc(r['note'])}.")
        else:
            parts.append(f"In the next {weeks} the portfolio is 85% likely to finish at least {r['p85']:,.0f} work "
                         f"items, and even odds to finish {r['p50']:,.0f} or more (from "
                         f"{plural(int(r['trials']), 'simulated future')} drawn from its last "
                         f"{plural(int(r['history_weeks']), 'week')} of throughput).")
    when = forecasts[(forecasts["kind"] == "when") & forecasts["p_on_time"].notna()]
    late = when[when["p_on_time"] < on_time_probability].sort_values(["p_on_time", "scope"])
    if len(when) and late.empty:
        parts.append(f"Every initiative has at least a {on_time_probability:.0%} chance to finish its open work "
                     "by its planned end.")
    elif len(late):
        listed = "; ".join(f"{esc(names.get(r.scope, r.scope))} ({esc(r.scope)}) {r.p_on_time:.0%}"
                           for r in late.itertuples(index=False))
        parts.append(f"{plural(len(late), 'initiative')} {'has' if len(late) == 1 else 'have'} less than a "
                     f"{on_time_probability:.0%} chance to finish {'its' if len(late) == 1 else 'their'} open work "
                     f"by the planned end: {listed}.")
    missing = forecasts[forecasts["p50"].isna() & forecasts["note"].fillna("").str.startswith("too little")]
    if len(missing):
        scopes = sorted(set(missing["scope"]))
        parts.append(f"{plural(len(scopes), 'scope')} finished too few items recently for a forecast: "
                     f"{', '.join(esc(s) for s in scopes)}.")
    return " ".join(parts)


def calibration_text(result: dict, *, level: float = 0.85, widened: int | None = None) -> str:
    """The ledger's verdict in words, from :func:`pmo_lib.calibration`; ``widened`` the window now in use, if widened."""
    n = int(result["n"])
    if n == 0:
        return ("No earlier forecast can be scored yet: a forecast is scored once the weeks it covers have passed "
                "or the work it forecasts is finished.")
    text = (f"Of {plural(n, 'earlier forecast')} at the {level:.0%} level whose outcome is now known, "
            f"{result['hit_rate']:.0%} came true (95% confidence interval {result['ci_low']:.0%} to "
            f"{result['ci_high']:.0%}). ")
    verdict = result["verdict"]
    if verdict == "over-confident":
        text += (f"That is clearly less than the {level:.0%} they promised: the forecasts were **over-confident**, "
                 "narrower than the team's real variation.")
        if widened:
            text += f" This cycle's forecasts therefore draw from a longer history, the last {plural(widened, 'week')}."
    elif verdict == "under-confident":
        text += (f"That is clearly more than the {level:.0%} they promised: the forecasts were **under-confident**, "
                 "more cautious than they need to be.")
    else:
        text += f"That is consistent with the {level:.0%} they promise: the forecasts are **well calibrated**."
    if result["n_brier"]:
        text += (f" The chance of finishing on time scored a Brier score of {result['brier']:.3f} over "
                 f"{plural(int(result['n_brier']), 'initiative forecast')} (0 is perfect; always saying 50% "
                 "scores 0.25).")
    return text
