"""Generated prose: the executive summaries, written from computed results only.

Each function returns Markdown. Strings from the workspace are escaped.
"""
from __future__ import annotations

import pandas as pd

from ..inputs.config import DEFAULT_FUNDING, DEFAULT_MINIMUMS, Minimums
from ..inputs import i18n
from ..inputs.i18n import N_, gettext, ngettext
from ..analysis.maturity import overall_level, overall_score
from ..inputs.model import MaturityModel
from ..inputs.catalog import STATUSES
from .theme import STATUS_WORDS
from ..analysis.optimise import Selection
from .register import decided_part
from .selection import selection_agenda_item
from .report import (_count, esc, format_apart, format_p, format_value, kpi_target_text, kpi_value_text, needs_text,
                     plural)

_WORD = {s: STATUS_WORDS[s].lower() for s in STATUSES}


def _counted(status: str, count: int) -> str:
    """The governance summary's KPI count ("3 on track") in the report's language."""
    forms = {"green": ngettext("{count} on track", "{count} on track", count),
             "amber": ngettext("{count} at risk", "{count} at risk", count),
             "red": ngettext("{count} off track", "{count} off track", count),
             "info": ngettext("{count} for information", "{count} for information", count),
             "n/a": ngettext("{count} not rated", "{count} not rated", count)}
    return forms[status].format(count=count)


#: Severity and recommended decision as the governance narrative shows them (the recorded tables keep the English)
_SEVERITY = {"critical": N_("critical"), "high": N_("high"), "medium": N_("medium"), "low": N_("low")}
_ADVICE = {"continue": N_("continue"), "recover": N_("recover"), "re-scope": N_("re-scope"), "stop": N_("stop")}


def _shown(words: dict[str, str], value: object) -> str:
    """A recorded English word (a severity, a recommended decision) in the report's language."""
    word = str(value)
    return gettext(words[word]) if word in words else word


def _quoted(statement: str) -> str:
    return gettext("“{statement}”").format(statement=esc(gettext(str(statement).strip()).strip().rstrip(".")))


def _n(value: float, *, sign: bool = False) -> str:
    """A score with two decimals in the report's locale (English: ``3.69``, ``+0.20``)."""
    return i18n.number(value, 2, sign=sign, grouping=False)


def _blocker_sentence(overall: pd.Series, blockers: pd.DataFrame, model: MaturityModel) -> str:
    """What keeps the organisation from its next staged level, with the distance to it."""
    level = int(overall["level"])
    mine = blockers[blockers["level"] == level]
    if mine.empty or pd.isna(overall["next_level"]):
        return gettext("That is the model's top level.")
    nxt = int(overall["next_level"])
    name = esc(gettext(model.level_name(nxt)))

    def where(row) -> dict[str, str]:
        return {"item": esc(row.item_id), "statement": _quoted(row.statement),
                "dimension": esc(gettext(row.dimension))}

    if len(mine) == 1:
        row = next(mine.itertuples())
        if pd.isna(row.score):
            return gettext("The next level, {level} {name}, is blocked by one statement: {item} {statement} in "
                           "*{dimension}*, which has no answers.").format(level=nxt, name=name, **where(row))
        score, needed = format_apart(row.score, row.threshold)
        if pd.isna(row.gap):
            return gettext("The next level, {level} {name}, is blocked by one statement: {item} {statement} in "
                           "*{dimension}* at {score}; {needed} needed.").format(
                level=nxt, name=name, score=score, needed=needed, **where(row))
        return gettext("The next level, {level} {name}, is blocked by one statement: {item} {statement} in "
                       "*{dimension}* at {score}; {needed} needed ({short} short).").format(
            level=nxt, name=name, score=score, needed=needed, short=format_apart(row.gap, 0.0)[0], **where(row))
    ranked = mine.sort_values("gap", ascending=False, na_position="first")

    def brief(row) -> str:
        if pd.isna(row.score):
            return gettext("{item} {statement} in *{dimension}* (no answers)").format(**where(row))
        return gettext("{item} {statement} in *{dimension}* ({score})").format(
            score=format_apart(row.score, row.threshold)[0], **where(row))

    shown = [brief(r) for r in ranked.head(3).itertuples()]
    more = len(ranked) - len(shown)
    listed = i18n.semicolon().join(shown + ([ngettext("and {count} more statement", "and {count} more statements", more).format(
        count=_count(more))] if more else []))
    needed = max(format_apart(s, t)[1] for s, t in zip(ranked["score"].fillna(0), ranked["threshold"]))
    text = ngettext("The next level, {level} {name}, is blocked by {count} statement whose mean answer is below the "
                    "{needed} needed: {statements}.",
                    "The next level, {level} {name}, is blocked by {count} statements whose mean answer is below "
                    "the {needed} needed: {statements}.", len(mine)).format(
        level=nxt, name=name, count=_count(len(mine)), needed=needed, statements=listed)
    gap = overall["gap"]
    if pd.isna(gap):
        return text
    return text + " " + gettext("The furthest is {gap} short.").format(gap=format_apart(gap, 0.0)[0])


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
    before = esc(previous_cycle) if previous_cycle else gettext("the previous cycle")
    said = {"cycle": esc(cycle), "count": _count(n), "organisation": esc(organisation), "score": _n(score),
            "low": model.scale_min, "high": model.scale_max}
    if pd.isna(head["ci_low"]):
        first = ngettext("In {cycle}, {count} respondent assessed **{organisation}** at an overall score of **{score}** "
                         "on the {low}–{high} scale.",
                         "In {cycle}, {count} respondents assessed **{organisation}** at an overall score of "
                         "**{score}** on the {low}–{high} scale.", n).format(**said)
    else:
        first = ngettext("In {cycle}, {count} respondent assessed **{organisation}** at an overall score of **{score}** "
                         "({confidence} confidence interval {ci_low}–{ci_high}) on the {low}–{high} scale.",
                         "In {cycle}, {count} respondents assessed **{organisation}** at an overall score of "
                         "**{score}** ({confidence} confidence interval {ci_low}–{ci_high}) on the {low}–{high} scale.",
                         n).format(confidence=i18n.percent(0.95), ci_low=_n(head["ci_low"]),
                                   ci_high=_n(head["ci_high"]), **said)
    lines = [first]
    if pd.isna(head["ci_low"]) and n < minimums.interval_respondents:
        need = minimums.interval_respondents
        lines.append(ngettext("The score has no confidence interval: an interval needs at least {count} respondent, "
                              "so read it as the view of those who answered rather than a measurement of the "
                              "organisation.",
                              "The score has no confidence interval: an interval needs at least {count} respondents, "
                              "so read it as the view of those who answered rather than a measurement of the "
                              "organisation.", need).format(count=_count(need)))
    if pd.notna(head["previous_score"]):
        then, delta = head["previous_score"], head["delta"]
        p = head["p_value"]
        shift = {"then": _n(then), "before": before, "delta": _n(delta, sign=True)}
        if pd.notna(p) and p < alpha and delta != 0:
            lines.append((gettext("It rose from {then} in {before} ({delta}), a change beyond chance (permutation "
                                  "test, p = {p}).") if delta > 0 else
                          gettext("It fell from {then} in {before} ({delta}), a change beyond chance (permutation "
                                  "test, p = {p}).")).format(p=format_p(p), **shift))
        elif pd.isna(p):
            lines.append(ngettext("Against {before} ({then}) the difference is {delta}; there are too few respondents "
                                  "to tell whether that is more than chance (a comparison needs at least {count} "
                                  "respondent in each cycle).",
                                  "Against {before} ({then}) the difference is {delta}; there are too few respondents "
                                  "to tell whether that is more than chance (a comparison needs at least {count} "
                                  "respondents in each cycle).", minimums.group_size).format(
                count=_count(minimums.group_size), **shift))
        else:
            lines.append(gettext("Against {before} ({then}) there is no clear change: the difference of {delta} is "
                                 "within what another group of respondents could give (permutation test, "
                                 "p = {p}).").format(p=format_p(p), **shift))
    paragraphs = [" ".join(lines)]
    lines = []
    level = int(head["level"])
    lines.append(gettext("The staged maturity level is **{level} {name}**: the level every dimension has "
                         "reached.").format(level=level, name=esc(gettext(model.level_name(level))))
                 + " " + _blocker_sentence(head, blockers, model))
    paragraphs.append(" ".join(lines))
    lines = []
    if change is not None and change["p_value"].notna().any():
        tested = change.dropna(subset=["p_value"])
        names = model.dimensions.set_index("dimension_id")["dimension"]
        rose = tested[(tested["p_value"] < alpha) & (tested["delta"] > 0)]
        fell = tested[(tested["p_value"] < alpha) & (tested["delta"] < 0)]
        parts = []
        for frame, words in ((rose, ngettext("scores rose beyond chance on {count} of {total} dimensions "
                                             "({dimensions})", "scores rose beyond chance on {count} of {total} "
                                             "dimensions ({dimensions})", len(tested))),
                             (fell, ngettext("scores fell beyond chance on {count} of {total} dimensions "
                                             "({dimensions})", "scores fell beyond chance on {count} of {total} "
                                             "dimensions ({dimensions})", len(tested)))):
            if len(frame):
                listed = ", ".join(f"*{esc(gettext(names[d]))}*: {_n(x, sign=True)}"
                                   for d, x in zip(frame["dimension_id"], frame["delta"]))
                parts.append(words.format(count=len(frame), total=len(tested), dimensions=listed))
        steady = len(tested) - len(rose) - len(fell)
        if parts:
            changes = parts[0] if len(parts) == 1 else gettext("{first} and {second}").format(
                first=parts[0], second=parts[1])
            if steady:
                lines.append(ngettext("Since {before}, {changes}; the other {count} show no clear change.",
                                      "Since {before}, {changes}; the other {count} show no clear change.",
                                      steady).format(before=before, changes=changes, count=steady))
            else:
                lines.append(gettext("Since {before}, {changes}.").format(before=before, changes=changes))
        else:
            lines.append(ngettext("Since {before}, no dimension changed beyond chance: all {count} show no clear "
                                  "change.", "Since {before}, no dimension changed beyond chance: all {count} show "
                                  "no clear change.", len(tested)).format(before=before, count=len(tested)))
    ranked = dims.dropna(subset=["score"]).sort_values("score")
    if len(ranked):
        best, worst = ranked.iloc[-1], ranked.iloc[0]
        lines.append(gettext("The strongest dimension is *{best}* ({best_score}); the weakest is *{worst}* "
                             "({worst_score}).").format(best=esc(gettext(best["dimension"])), best_score=_n(best["score"]),
                                                        worst=esc(gettext(worst["dimension"])),
                                                        worst_score=_n(worst["score"])))
    below = dims[dims["gap"] > 0].sort_values("gap", ascending=False)
    if below.empty:
        lines.append(gettext("Every dimension has reached its target."))
    else:
        names = ", ".join(gettext("{dimension} ({gap} below)").format(dimension=esc(gettext(r.dimension)),
                                                                     gap=format_apart(r.gap, 0.0)[0])
                          for r in below.head(3).itertuples())
        if len(below) == len(dims):
            lines.append(ngettext("All {count} dimensions are below target; the largest gap is {gaps}.",
                                  "All {count} dimensions are below target; the largest gaps are {gaps}.",
                                  len(below)).format(count=len(below), gaps=names))
        else:
            lines.append(ngettext("{count} of {total} dimensions is below target; the largest gap is {gaps}.",
                                  "{count} of {total} dimensions are below target; the largest gaps are {gaps}.",
                                  len(below)).format(count=len(below), total=len(dims), gaps=names))
    paragraphs.append(" ".join(lines))
    return "\n\n".join(paragraphs)


def _status_word(status: str) -> str:
    """A status in lower case, as it reads inside a sentence (``at risk``), in the report's language."""
    return _WORD[status] if i18n.current_language() == i18n.SOURCE_LANGUAGE else gettext(STATUS_WORDS[status]).lower()


def _status_count(status: str, count: int) -> str:
    """``5 on track``, ``16 at risk``: a status with its count, declined in the report's language."""
    n = i18n.number(count)
    if status == "green":
        return ngettext("{count} on track", "{count} on track", count).format(count=n)
    if status == "amber":
        return ngettext("{count} at risk", "{count} at risk", count).format(count=n)
    if status == "red":
        return ngettext("{count} off track", "{count} off track", count).format(count=n)
    if status == "info":
        return ngettext("{count} for information", "{count} for information", count).format(count=n)
    return ngettext("{count} not rated", "{count} not rated", count).format(count=n)


def kpi_summary(kpis: pd.DataFrame, *, cycle: str, currency: str, forecasts: pd.DataFrame | None = None,
                names: dict[str, str] | None = None, on_time_probability: float = 0.5) -> str:
    """Executive summary of the KPI scorecard (portfolio scope).

    With ``forecasts`` (:func:`pmo_lib.delivery_forecasts`) it ends with what
    they say about the next cycle, in the words of :func:`forecast_summary`.
    """
    port = kpis[kpis["scope"] == "portfolio"]
    counts = port["status"].value_counts()
    parts = [_status_count(s, int(counts.get(s, 0))) for s in STATUSES if counts.get(s, 0)]
    lines = [gettext("Of {total} portfolio KPIs in {cycle}: {counts}.").format(
        total=i18n.number(len(port)), cycle=esc(cycle), counts=", ".join(parts))]
    red = port[port["status"] == "red"]
    if len(red):
        items = i18n.semicolon().join(
            (gettext("{name} {value} against a target of {target}") if pd.notna(r["target"]) else
             gettext("{name} {value}")).format(name=esc(gettext(r["name"])), value=kpi_value_text(r, currency),
                                               target=kpi_target_text(r, currency) if pd.notna(r["target"]) else "")
            for _, r in red.iterrows())
        lines.append(gettext("{status}: {items}.").format(status=gettext(STATUS_WORDS["red"]), items=items))
    value = port.set_index("kpi_id")
    if "cpi" in value.index and pd.notna(value.at["cpi", "value"]):
        cpi, spi = value.loc["cpi"], value.loc["spi"]
        lines.append(gettext("Portfolio cost performance (CPI) is {cpi} ({cpi_status}) and schedule performance (SPI) "
                             "{spi} ({spi_status}).").format(
            cpi=kpi_value_text(cpi), cpi_status=_status_word(cpi["status"]), spi=kpi_value_text(spi),
            spi_status=_status_word(spi["status"])))
    if "nps" in value.index and pd.notna(value.at["nps", "value"]):
        lines.append(gettext("Customers give a net promoter score of {nps} (±{margin} at {confidence} confidence, "
                             "n = {n}).").format(nps=i18n.number(value.at["nps", "value"], 0, sign=True),
                                                 margin=i18n.number(value.at["nps", "margin"], 0),
                                                 confidence=i18n.percent(0.95), n=i18n.number(int(value.at["nps", "n"]))))
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
        bullets.append(gettext("**Maturity:** {line}").format(
            line=esc(maturity_line(overall, model, previous_cycle=previous_cycle))))
    elif maturity is not None and maturity["score"].notna().any():
        level = overall_level(maturity)
        bullets.append(gettext("**Maturity:** overall {score}, staged level {level} {name}.").format(
            score=_n(overall_score(maturity)), level=level, name=esc(gettext(model.level_name(level)))))
    port = kpis[kpis["scope"] == "portfolio"]
    counts = port["status"].value_counts()
    parts = [_counted(s, int(counts.get(s, 0))) for s in STATUSES if counts.get(s, 0)]
    bullets.append(ngettext("**KPIs:** of {count} portfolio KPI, {parts}.", "**KPIs:** of {count} portfolio KPIs, {parts}.",
                            len(port)).format(count=len(port), parts=", ".join(parts)))
    rank = {"critical": 0, "high": 1, "medium": 2}
    needs = portfolio[portfolio["severity"].isin(list(rank))]
    needs = needs.assign(_r=needs["severity"].map(rank)).sort_values("_r", kind="stable")
    watch = portfolio[portfolio["severity"].eq("low")]
    severe = needs[needs["severity"].isin(["critical", "high"])]
    text = ngettext("**Exceptions:** {count} initiative needs a decision ({severe} of high or critical severity)",
                    "**Exceptions:** {count} initiatives need a decision ({severe} of high or critical severity)",
                    len(needs)).format(count=len(needs), severe=len(severe))
    if len(watch):
        text += ngettext("; {count} more initiative is on the watch list", "; {count} more initiatives are on the watch list",
                         len(watch)).format(count=len(watch))
    portfolio_wide = register[register["initiative_id"].isna() & register["severity"].ne("low")]
    if len(portfolio_wide):
        text += ngettext("; {count} portfolio-wide exception", "; {count} portfolio-wide exceptions",
                         len(portfolio_wide)).format(count=len(portfolio_wide))
    bullets.append(text + (gettext(". The most important:") if len(needs) else "."))
    for row in needs.head(3).itertuples():
        why = decided_part(row.reason) or i18n.shown(row.reason)
        bullets.append("    - " + gettext("{initiative} {name} ({severity}): **{recommendation}**; {why}.").format(
            initiative=esc(row.initiative_id), name=esc(row.name), severity=_shown(_SEVERITY, row.severity),
            recommendation=esc(_shown(_ADVICE, row.recommendation)), why=esc(why)))
    if mix is not None:
        breaches = mix[mix["breach"]]
        if len(breaches):
            bullets.append(gettext("**Guardrails:** {cycle} spend (actual cost in the cycle) is outside the goal-mix "
                                   "tolerance for {goals}.").format(cycle=esc(cycle), goals=", ".join(
                gettext("{goal} ({share} of spend against a target of {target})").format(
                    goal=esc(r.label), share=i18n.percent(r.share, 1), target=i18n.percent(r.target_share))
                for r in breaches.itertuples())))
        else:
            bullets.append(gettext("**Guardrails:** every goal's share of {cycle} spend is within its tolerance.").format(
                cycle=esc(cycle)))
    if closing is not None and len(closing):
        bullets.append(ngettext(
            "**Ended this cycle:** {count} initiative ({names}); they get no further budget and their outcome is in the "
            "closing summary.",
            "**Ended this cycle:** {count} initiatives ({names}); they get no further budget and their outcome is in the "
            "closing summary.", len(closing)).format(
            count=len(closing), names=", ".join(f"{esc(r.initiative_id)} {esc(r.name)}" for r in closing.itertuples())))
    bullets.append(ngettext("**Actions:** {count} action overdue.", "**Actions:** {count} actions overdue.",
                            overdue_actions).format(count=overdue_actions))
    decisions = []
    for advice, question in (("stop", N_("whether to stop {initiatives}")),
                             ("re-scope", N_("whether to re-scope {initiatives}")),
                             ("recover", N_("whether to agree recovery for {initiatives}"))):
        hit = needs[needs["recommendation"] == advice]
        if len(hit):
            decisions.append(gettext(question).format(initiatives=", ".join(esc(i) for i in hit["initiative_id"])))
    if mix is not None and mix["breach"].any():
        decisions.append(gettext("rebalance funding towards the goal mix, or change the target mix"))
    if overdue_actions:
        decisions.append(gettext("reassign or re-date the overdue actions"))
    bullets.append(gettext("**Decisions for the board this cycle:** {decisions}.").format(
        decisions=i18n.semicolon().join(decisions) if decisions else gettext("none beyond the routine funding confirmation")))
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
        return (ngettext("Reliability and agreement cannot be judged yet. Reliability needs at least {complete} "
                         "respondent who answered every statement of a dimension, and agreement at least {agreement} "
                         "{respondents}; this cycle has {most} at most per dimension.",
                         "Reliability and agreement cannot be judged yet. Reliability needs at least {complete} "
                         "respondents who answered every statement of a dimension, and agreement at least "
                         "{agreement} {respondents}; this cycle has {most} at most per dimension.",
                         m.alpha_complete_cases).format(
                    complete=_count(m.alpha_complete_cases), agreement=_count(m.agreement_respondents),
                    respondents=ngettext("respondent", "respondents", m.agreement_respondents),
                    most=_respondents(most))
                + " " + gettext("Until then, read each score as the view of the people who answered, not as a "
                                "measurement of the organisation, and collect more questionnaires next cycle."))
    negative = dims[dims["cronbach_alpha"] < 0]
    low_alpha = dims[(dims["cronbach_alpha"] >= 0) & (dims["cronbach_alpha"] < cutoff)]
    low_rwg = dims[dims["rwg"] < cutoff]
    level = _plain(cutoff)
    parts = []
    if dims["cronbach_alpha"].notna().all() and dims["rwg"].notna().all() and not (
            len(negative) or len(low_alpha) or len(low_rwg)):
        parts.append(gettext("Every dimension reaches {cutoff} on both reliability and agreement: its items hang "
                             "together and respondents broadly agree, so the scores can be read with "
                             "confidence.").format(cutoff=level))
    if len(low_alpha):
        names = ", ".join(f"*{esc(gettext(n))}* (α = {_n(a)})"
                          for n, a in zip(low_alpha["dimension"], low_alpha["cronbach_alpha"]))
        parts.append(gettext("Reliability is below {cutoff} for {dimensions}. The statements of such a dimension do "
                             "not move together: respondents may rate some practices high and others low, so the "
                             "single score hides real differences. Read its items one by one before acting on "
                             "it.").format(cutoff=level, dimensions=names))
    if len(negative):
        names = ", ".join(f"*{esc(gettext(n))}* (α = {_n(a)})"
                          for n, a in zip(negative["dimension"], negative["cronbach_alpha"]))
        parts.append(ngettext(
            "Reliability is negative for {dimensions}: the statements of this dimension move against each other, so "
            "respondents who rate one practice high tend to rate another low. With few respondents this is often "
            "chance; otherwise a statement may be read the other way round or belong elsewhere. Do not read the "
            "score as one measure: read its statements one by one.",
            "Reliability is negative for {dimensions}: the statements of these dimensions move against each other, "
            "so respondents who rate one practice high tend to rate another low. With few respondents this is often "
            "chance; otherwise a statement may be read the other way round or belong elsewhere. Do not read the "
            "score as one measure: read its statements one by one.", len(negative)).format(dimensions=names))
    if len(low_rwg):
        names = ", ".join(f"*{esc(gettext(n))}* (rwg = {_n(r)})" for n, r in zip(low_rwg["dimension"], low_rwg["rwg"]))
        parts.append(gettext("Agreement is below {cutoff} for {dimensions}. Respondents see these practices "
                             "differently; the average is a compromise between views. Discuss them in a workshop "
                             "before setting targets.").format(cutoff=level, dimensions=names))
    if few_cases.any():
        names = ", ".join(f"*{esc(gettext(n))}* ({int(k)})" for n, k in zip(dims.loc[few_cases, "dimension"],
                                                                          dims.loc[few_cases, "alpha_n"]))
        parts.append(ngettext("Reliability is not computed for {dimensions}: it needs at least {count} respondent who "
                              "answered every statement of the dimension (in brackets, how many did).",
                              "Reliability is not computed for {dimensions}: it needs at least {count} respondents "
                              "who answered every statement of the dimension (in brackets, how many did).",
                              m.alpha_complete_cases).format(dimensions=names, count=_count(m.alpha_complete_cases)))
    if few_items.any():
        names = ", ".join(f"*{esc(gettext(n))}* ({needs_text(m.alpha_items, k, 'statement')})"
                          for n, k in zip(dims.loc[few_items, "dimension"], items[few_items]))
        parts.append(gettext("Reliability is not computed for {dimensions}.").format(dimensions=names))
    other = dims["cronbach_alpha"].isna() & ~few_cases & ~few_items
    if other.any():
        parts.append(ngettext("Reliability could not be computed for {count} dimension: every respondent gave the "
                              "same total.", "Reliability could not be computed for {count} dimensions: every "
                              "respondent gave the same total.", int(other.sum())).format(count=_count(other.sum())))
    if few_people.any():
        names = ", ".join(f"*{esc(gettext(n))}* ({int(k)})" for n, k in zip(dims.loc[few_people, "dimension"],
                                                                          dims.loc[few_people, "n_respondents"]))
        parts.append(ngettext("Agreement is not computed for {dimensions}: it needs at least {count} respondent (in "
                              "brackets, how many answered).", "Agreement is not computed for {dimensions}: it needs "
                              "at least {count} respondents (in brackets, how many answered).",
                              m.agreement_respondents).format(dimensions=names, count=_count(m.agreement_respondents)))
    return " ".join(parts)


def _plain(value: float) -> str:
    """A setting as written (``0.7``), in the report's locale (``0,7``)."""
    text = repr(float(value))
    return i18n.number(value, 0 if text.endswith(".0") else len(text.split(".")[1]), grouping=False)


def _respondents(n: float) -> str:
    """``12 respondents``, ``1 respondent`` in the report's language."""
    return ngettext("{count} respondent", "{count} respondents", n).format(count=_count(n))


def _assessed_cycles(n: float) -> str:
    """``4 assessed cycles``, ``1 assessed cycle`` in the report's language."""
    return ngettext("{count} assessed cycle", "{count} assessed cycles", n).format(count=_count(n))


def role_shortfall(assessment: pd.DataFrame, *, minimums: Minimums = DEFAULT_MINIMUMS) -> str:
    """Why roles are not compared: the respondents per role against the two groups of ``group_size`` needed."""
    from .theme import role_label

    counts = assessment.dropna(subset=["score"]).groupby("role")["respondent_id"].nunique().sort_values(
        ascending=False)
    listed = ", ".join(f"{esc(gettext(role_label(r)))} {n}" for r, n in counts.items()) or gettext("no answers")
    return ngettext("Roles are not compared: a comparison needs at least two roles with {count} respondent each, and "
                    "this cycle has {roles}. Individual answers are not shown by role, so that no one's answers can "
                    "be singled out.",
                    "Roles are not compared: a comparison needs at least two roles with {count} respondents each, and "
                    "this cycle has {roles}. Individual answers are not shown by role, so that no one's answers can "
                    "be singled out.", minimums.group_size).format(count=_count(minimums.group_size), roles=listed)


def trend_shortfall(cycles: list[str], *, need: int, first: bool = False) -> str:
    """Why the trend charts are not shown: the assessed cycles so far against the ``need``ed number.

    ``first`` adds that the cycle is the first, with nothing to compare it with.
    """
    n = len(cycles)
    head = (gettext("{cycle} is the first assessed cycle, so there is no earlier cycle to compare "
                    "with.").format(cycle=esc(cycles[-1])) + " " if first and n else "")
    if n:
        text = ngettext("Trend charts need at least {need}; so far there is {count} assessed cycle ({cycles}). They "
                        "appear once there are enough cycles.",
                        "Trend charts need at least {need}; so far there are {count} assessed cycles ({cycles}). They "
                        "appear once there are enough cycles.", n)
    else:
        text = gettext("Trend charts need at least {need}; so far there are {count} assessed cycles. They appear once "
                       "there are enough cycles.")
    return head + text.format(need=_assessed_cycles(need), count=_count(n), cycles=", ".join(esc(c) for c in cycles))


def minimums_text(minimums: Minimums = DEFAULT_MINIMUMS) -> str:
    """The method appendix's account of how much data each maturity statistic needs, from the settings in use.

    Returns
    -------
    str
        A Markdown bullet with one sub-bullet per statistic.
    """
    m = minimums
    return "\n".join([
        "* " + gettext("**How much data each statistic needs.** Below these minimums the report gives no number and "
                       "says what is missing instead. The PMO can change them in the workspace's settings."),
        "    * " + gettext("Reliability (Cronbach's alpha): at least {complete} (respondents who answered every "
                           "statement of the dimension) and {statements}.").format(
            complete=ngettext("{count} complete answer", "{count} complete answers", m.alpha_complete_cases).format(
                count=_count(m.alpha_complete_cases)),
            statements=ngettext("{count} statement", "{count} statements", m.alpha_items).format(
                count=_count(m.alpha_items))),
        "    * " + gettext("Agreement (rwg(J)): at least {respondents}.").format(
            respondents=_respondents(m.agreement_respondents)),
        "    * " + gettext("Confidence interval: at least {respondents}. A dimension is called below target beyond "
                           "doubt only when it has an interval and the whole interval lies below the target.").format(
            respondents=_respondents(m.interval_respondents)),
        "    * " + ngettext("Comparison of roles: at least two roles with {count} respondent each; comparison with an "
                            "earlier cycle: at least {count} respondent in each cycle.",
                            "Comparison of roles: at least two roles with {count} respondents each; comparison with an "
                            "earlier cycle: at least {count} respondents in each cycle.", m.group_size).format(
            count=_count(m.group_size)),
        "    * " + gettext("Trend charts: at least {cycles}.").format(cycles=_assessed_cycles(m.trend_cycles)),
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
    for advice, text in (("stop", N_("Decide whether to **stop**: {initiatives}.")),
                         ("re-scope", N_("Decide whether to **re-scope**: {initiatives}.")),
                         ("recover", N_("Review the **recovery** of: {initiatives}."))):
        hit = needs[needs["recommendation"] == advice]
        if len(hit):
            items.append(gettext(text).format(initiatives=", ".join(
                f"{esc(i)} {esc(n)}" for i, n in zip(hit["initiative_id"], hit["name"]))))
    wide = register[register["initiative_id"].isna() & register["severity"].ne("low")]
    if "kind" in wide:  # the overloaded teams have their own item below
        wide = wide[wide["kind"].ne("capacity")]
    if len(wide):
        items.append(gettext("Agree actions for the portfolio KPIs off target: {kpis}.").format(
            kpis=", ".join(esc(gettext(m)) for m in wide["metric"])))
    if capacity is not None and len(capacity):
        hit = capacity[(capacity["cycle"] == cycle) & capacity["overloaded"].astype(bool)]
        if len(hit):
            teams = i18n.semicolon().join(
                ngettext("{team} ({share} of its capacity, {count} person-day over its load limit)",
                         "{team} ({share} of its capacity, {count} person-days over its load limit)",
                         round(r.demand_days - max_utilisation * r.capacity_days)).format(
                    team=esc(r.team), share=i18n.percent(r.utilisation),
                    count=_count(round(r.demand_days - max_utilisation * r.capacity_days)))
                for r in hit.sort_values("utilisation", ascending=False, kind="stable").itertuples(index=False))
            item = ngettext("Decide what to defer or re-sequence on the overloaded team: {teams}.",
                            "Decide what to defer or re-sequence on the overloaded teams: {teams}.",
                            len(hit)).format(teams=teams)
            if team_users is not None and len(team_users):
                users = team_users[team_users["team"].isin(hit["team"])]
                item += " " + gettext("Most of the load comes from {users}.").format(users=i18n.semicolon().join(
                    ngettext("{initiative} {name} ({count} person-day of {team})",
                             "{initiative} {name} ({count} person-days of {team})", round(u.demand_days)).format(
                        initiative=esc(u.initiative_id), name=esc(u.name), count=_count(round(u.demand_days)),
                        team=esc(u.team))
                    for u in users.itertuples(index=False)))
            items.append(item)
    if mix is not None and mix["breach"].any():
        outside = [gettext("spend linked to no strategic goal") if pd.isna(g) else esc(label)
                   for g, label in zip(mix.loc[mix["breach"], "goal_id"], mix.loc[mix["breach"], "label"])]
        items.append(gettext("Review the goal mix of spend, outside its guardrail for: {goals}.").format(
            goals=i18n.semicolon().join(outside)))
    if scenario is not None and (scenario["change"] > smallest_move).any():
        moved = scenario.loc[scenario["change"] > 0, "change"].sum()
        amount = (f"{currency} {moved:,.0f}" if i18n.current_locale() is None else i18n.money(moved, currency))
        items.append(gettext("Approve, amend or reject the funding scenario moving {amount} of the budget to "
                             "higher-value initiatives for {next_cycle}.").format(
            amount=amount, next_cycle=esc(next_cycle or gettext("the next cycle"))))
    if selection is not None and initiatives is not None:
        proposals = selection_agenda_item(selection, initiatives, currency=currency,
                                          next_cycle=next_cycle or gettext("the next cycle"))
        if proposals:
            items.append(proposals)
    if actions is not None:
        late = actions[actions["overdue"]]
        if len(late):
            owners = ", ".join(sorted(set(esc(o) for o in late["owner"].dropna())))
            items.append(ngettext("Chase {count} overdue action (owners: {owners}).",
                                  "Chase {count} overdue actions (owners: {owners}).", len(late)).format(
                count=_count(len(late)), owners=owners))
    items.append(gettext("Confirm the KPI targets and thresholds for {next_cycle}.").format(
        next_cycle=esc(next_cycle or gettext("the next cycle"))))
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, start=1))


def step_text(step: int, name: str, purpose: str, practices: list[str]) -> str:
    """A step's heading line, purpose and practices as Markdown."""
    items = "\n".join(f"- {esc(gettext(p))}" for p in practices)
    return (gettext("### Step {step}: {name}\n\n**Purpose.** {purpose}\n\n**Practices.**").format(
        step=step, name=esc(gettext(name)), purpose=esc(gettext(purpose))) + f"\n\n{items}")


def guardrail_text(config, *, goals: pd.DataFrame) -> str:
    """What the guardrails are and what happens when one fires, from the workspace's settings."""
    t = config.thresholds
    points = round(t.goal_mix_tolerance * 100, 1)
    # Translators: {tolerance} is a share ("5%"); {points} is the same tolerance as a number of percentage points
    # ("5"), for a language that names the unit ("±5 Prozentpunkte").
    lines = [gettext("- **Goal mix.** Each goal's share of the cycle's spend must stay within ±{tolerance} of its target "
                     "share; spend on initiatives without a goal counts against a target of {zero}.").format(
                         tolerance=i18n.percent(t.goal_mix_tolerance), zero=i18n.percent(0),
                         points=i18n.number(points, 0 if float(points).is_integer() else 1))]
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
        return gettext("No maturity assessment for this cycle.")
    if pd.notna(overall.get("ci_low")):
        text = gettext("Overall score {score} ({confidence} interval {ci_low}–{ci_high}) on the {low}–{high} scale").format(
            score=_n(overall["score"]), confidence=i18n.percent(0.95), ci_low=_n(overall["ci_low"]),
            ci_high=_n(overall["ci_high"]), low=model.scale_min, high=model.scale_max)
    else:
        text = gettext("Overall score {score} on the {low}–{high} scale").format(
            score=_n(overall["score"]), low=model.scale_min, high=model.scale_max)
    if pd.notna(overall.get("delta")):
        said = {"delta": _n(overall["delta"], sign=True), "since": previous_cycle or gettext("the previous cycle")}
        p = overall.get("p_value")
        if pd.notna(p) and p < alpha:
            text += (gettext(", {delta} since {since}: a rise beyond chance (p = {p})") if overall["delta"] > 0 else
                     gettext(", {delta} since {since}: a fall beyond chance (p = {p})")).format(p=format_p(p), **said)
        elif pd.isna(p):
            text += gettext(", {delta} since {since}: too few respondents to tell whether it is more than chance").format(
                **said)
        else:
            text += gettext(", {delta} since {since}: no clear change (p = {p})").format(p=format_p(p), **said)
    level = int(overall["level"])
    gap = overall.get("gap")
    distance = level_distance(overall.get("next_level"), int(overall.get("n_blockers", 0) or 0),
                              None if gap is None or pd.isna(gap) else float(gap))
    return text + gettext("; staged level {level} {name} (the level every dimension has reached), {distance}.").format(
        level=level, name=gettext(model.level_name(level)), distance=distance)


def funding_line(scenario: pd.DataFrame, *, ended: pd.DataFrame | None, next_cycle: str | None, currency: str,
                 max_shift: float, smallest_move: float = DEFAULT_FUNDING.smallest_move) -> str:
    """One sentence on the next cycle's budget scenario for the dashboard.

    A change of an initiative's budget no larger than ``smallest_move``
    (``funding.smallest_move`` in ``pmo.yaml``) counts as no move.
    """
    moved = float(scenario.loc[scenario["change"] > 0, "change"].sum())
    total = float(scenario["budget"].sum())
    when = next_cycle or gettext("the next cycle")
    if moved < smallest_move:
        text = gettext("The scenario for {next_cycle} moves no budget: no move passes the guardrails.").format(
            next_cycle=when)
    else:
        gainers = int((scenario["change"] > smallest_move).sum())
        losers = int((scenario["change"] < -smallest_move).sum())
        text = gettext("The scenario for {next_cycle} moves {moved} of budget ({share} of {total}; at most {most} may "
                       "move) from {losers} to {gainers}.").format(
            next_cycle=when, moved=format_value(moved, "currency", currency), share=i18n.percent(moved / total, 1),
            total=format_value(total, "currency", currency), most=i18n.percent(max_shift),
            # not "lower-value" and "higher-value": the guardrails (no top-ups for work in recovery, the goal mix)
            # may take money from one initiative to give it to another of a lower value score
            losers=ngettext("{count} initiative", "{count} initiatives", losers).format(count=_count(losers)),
            gainers=ngettext("{count} initiative", "{count} initiatives", gainers).format(count=_count(gainers)))
    if ended is not None and len(ended):
        text += " " + ngettext("{count} initiative ended this cycle and gets no further budget.",
                               "{count} initiatives ended this cycle and get no further budget.", len(ended)).format(
            count=_count(len(ended)))
    return text


def actions_line(actions: pd.DataFrame | None) -> str:
    """One sentence on overdue actions for the dashboard."""
    if actions is None:
        return gettext("The workspace keeps no action log.")
    late = actions[actions["overdue"]]
    if late.empty:
        return gettext("No action is overdue.")
    shown = i18n.semicolon().join(gettext("{action} {title} ({owner}, due {date})").format(
        action=r.action_id, title=r.title, owner=r.owner, date=i18n.date(r.due_date)) for r in late.head(4).itertuples())
    more = gettext("; and {count} more").format(count=_count(len(late) - 4)) if len(late) > 4 else ""
    return ngettext("{count} action overdue: {shown}{more}.", "{count} actions overdue: {shown}{more}.",
                    len(late)).format(count=_count(len(late)), shown=shown, more=more)


def _forecast_note(note: str) -> str:
    """Why a forecast is missing, as :func:`pmo_lib.delivery_forecasts` records it (always English), in the report's
    language."""
    import re

    found = re.fullmatch(r"too little history: (\d+) items? finished in the last (\d+) weeks, (\d+) needed", note)
    if i18n.current_language() == i18n.SOURCE_LANGUAGE or not found:
        return note
    items, weeks, needed = (int(g) for g in found.groups())
    return ngettext("too little history: {count} item finished in the last {weeks} weeks, {needed} needed",
                    "too little history: {count} items finished in the last {weeks} weeks, {needed} needed",
                    items).format(count=i18n.number(items), weeks=i18n.number(weeks), needed=i18n.number(needed))


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
        k = int(r["horizon_weeks"])
        if pd.isna(r["p85"]):
            parts.append(ngettext("There is no forecast of the portfolio's next {count} week: {note}.",
                                  "There is no forecast of the portfolio's next {count} weeks: {note}.", k).format(
                count=i18n.number(k), note=esc(_forecast_note(str(r["note"])))))
        else:
            history = ngettext("from {trials} simulated futures drawn from its last {count} week of throughput",
                               "from {trials} simulated futures drawn from its last {count} weeks of throughput",
                               int(r["history_weeks"])).format(trials=i18n.number(int(r["trials"])),
                                                               count=i18n.number(int(r["history_weeks"])))
            parts.append(ngettext("In the next {count} week the portfolio is {level} likely to finish at least {p85} "
                                  "work items, and even odds to finish {p50} or more ({history}).",
                                  "In the next {count} weeks the portfolio is {level} likely to finish at least {p85} "
                                  "work items, and even odds to finish {p50} or more ({history}).", k).format(
                count=i18n.number(k), level=i18n.percent(0.85), p85=i18n.number(r["p85"]), p50=i18n.number(r["p50"]),
                history=history))
    when = forecasts[(forecasts["kind"] == "when") & forecasts["p_on_time"].notna()]
    late = when[when["p_on_time"] < on_time_probability].sort_values(["p_on_time", "scope"])
    if len(when) and late.empty:
        parts.append(gettext("Every initiative has at least a {chance} chance to finish its open work by its planned "
                             "end.").format(chance=i18n.percent(on_time_probability)))
    elif len(late):
        listed = i18n.semicolon().join(f"{esc(names.get(r.scope, r.scope))} ({esc(r.scope)}) {i18n.percent(r.p_on_time)}"
                           for r in late.itertuples(index=False))
        parts.append(ngettext("{count} initiative has less than a {chance} chance to finish its open work by the "
                              "planned end: {listed}.",
                              "{count} initiatives have less than a {chance} chance to finish their open work by the "
                              "planned end: {listed}.", len(late)).format(
            count=i18n.number(len(late)), chance=i18n.percent(on_time_probability), listed=listed))
    missing = forecasts[forecasts["p50"].isna() & forecasts["note"].fillna("").str.startswith("too little")]
    if len(missing):
        scopes = sorted(set(missing["scope"]))
        shown = ", ".join(esc(gettext("portfolio") if s == "portfolio" else s) for s in scopes)
        parts.append(ngettext("{count} scope finished too few items recently for a forecast: {scopes}.",
                              "{count} scopes finished too few items recently for a forecast: {scopes}.",
                              len(scopes)).format(count=i18n.number(len(scopes)), scopes=shown))
    return " ".join(parts)


def calibration_text(result: dict, *, level: float = 0.85, widened: int | None = None) -> str:
    """The ledger's verdict in words, from :func:`pmo_lib.calibration`; ``widened`` the window now in use, if widened."""
    n = int(result["n"])
    if n == 0:
        return gettext("No earlier forecast can be scored yet: a forecast is scored once the weeks it covers have "
                       "passed or the work it forecasts is finished.")
    pct = i18n.percent
    text = ngettext("Of {count} earlier forecast at the {level} level whose outcome is now known, {rate} came true "
                    "({confidence} confidence interval {low} to {high}). ",
                    "Of {count} earlier forecasts at the {level} level whose outcome is now known, {rate} came true "
                    "({confidence} confidence interval {low} to {high}). ", n).format(
        count=i18n.number(n), level=pct(level), rate=pct(result["hit_rate"]), confidence=pct(0.95),
        low=pct(result["ci_low"]), high=pct(result["ci_high"]))
    verdict = result["verdict"]
    if verdict == "over-confident":
        text += gettext("That is clearly less than the {level} they promised: the forecasts were **over-confident**, "
                        "narrower than the team's real variation.").format(level=pct(level))
        if widened:
            text += " " + ngettext("This cycle's forecasts therefore draw from a longer history, the last {count} week.",
                                   "This cycle's forecasts therefore draw from a longer history, the last {count} weeks.",
                                   widened).format(count=i18n.number(widened))
    elif verdict == "under-confident":
        text += gettext("That is clearly more than the {level} they promised: the forecasts were **under-confident**, "
                        "more cautious than they need to be.").format(level=pct(level))
    else:
        text += gettext("That is consistent with the {level} they promise: the forecasts are **well calibrated**.").format(
            level=pct(level))
    if result["n_brier"]:
        k = int(result["n_brier"])
        text += " " + ngettext("The chance of finishing on time scored a Brier score of {brier} over {count} initiative "
                               "forecast (0 is perfect; always saying {half} scores {quarter}).",
                               "The chance of finishing on time scored a Brier score of {brier} over {count} initiative "
                               "forecasts (0 is perfect; always saying {half} scores {quarter}).", k).format(
            brier=i18n.number(result["brier"], 3), count=i18n.number(k), half=pct(0.5),
            quarter=i18n.number(0.25, 2))
    return text
