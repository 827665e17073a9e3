"""Generated prose: the executive summaries, written from computed results only.

Each function returns Markdown. Strings from the workspace are escaped.
"""
from __future__ import annotations

import pandas as pd

from .maturity import MaturityModel, overall_level, overall_score
from .charts import STATUS_WORDS
from .kpis import STATUSES
from .report import esc, kpi_target_text, kpi_value_text, plural

_WORD = {s: STATUS_WORDS[s].lower() for s in STATUSES}


def maturity_summary(dims: pd.DataFrame, previous: pd.DataFrame | None, model: MaturityModel, *,
                     organisation: str, cycle: str) -> str:
    """Executive summary of a maturity assessment.

    Parameters
    ----------
    dims, previous : DataFrame
        :func:`pmo_lib.score_dimensions` for this cycle and the previous one
        (``None`` for the first cycle).
    """
    score = overall_score(dims)
    level = overall_level(dims)
    n = int(dims["n_respondents"].max()) if len(dims) else 0
    lines = [f"In {esc(cycle)}, {plural(n, 'respondent')} assessed **{esc(organisation)}** "
             f"at an overall score of **{score:.2f}** on the {model.scale_min}–{model.scale_max} scale. "
             f"Its staged maturity level is **{level} {esc(model.level_name(level))}**: the level every "
             "dimension has reached."]
    if previous is not None and previous["score"].notna().any():
        delta = score - overall_score(previous)
        trend = "up" if delta > 0.05 else "down" if delta < -0.05 else "about level"
        lines.append(f"The overall score is {trend} from {overall_score(previous):.2f} in the previous cycle "
                     f"({delta:+.2f}).")
    ranked = dims.dropna(subset=["score"]).sort_values("score")
    if len(ranked):
        best, worst = ranked.iloc[-1], ranked.iloc[0]
        lines.append(f"The strongest dimension is *{esc(best['dimension'])}* ({best['score']:.2f}); the weakest is "
                     f"*{esc(worst['dimension'])}* ({worst['score']:.2f}).")
    below = dims[dims["gap"] > 0].sort_values("gap", ascending=False)
    if below.empty:
        lines.append("Every dimension has reached its target.")
    else:
        names = ", ".join(f"{esc(r.dimension)} ({r.gap:.1f})" for r in below.head(3).itertuples())
        count = f"All {len(dims)} dimensions are" if len(below) == len(dims) else (
            f"{len(below)} of {len(dims)} dimensions {'is' if len(below) == 1 else 'are'}")
        lines.append(f"{count} below target; the largest gaps are {names}.")
    return " ".join(lines)


def kpi_summary(kpis: pd.DataFrame, *, cycle: str, currency: str) -> str:
    """Executive summary of the KPI scorecard (portfolio scope)."""
    port = kpis[kpis["scope"] == "portfolio"]
    counts = port["status"].value_counts()
    parts = [f"{counts.get(s, 0)} {_WORD[s]}" for s in STATUSES if counts.get(s, 0)]
    lines = [f"Of {len(port)} portfolio KPIs in {esc(cycle)}: {', '.join(parts)}."]
    red = port[port["status"] == "red"]
    if len(red):
        items = "; ".join(f"{esc(r['name'])} {kpi_value_text(r, currency)}"
                          + (f" against a target of {kpi_target_text(r, currency)}" if pd.notna(r["target"]) else "")
                          for _, r in red.iterrows())
        lines.append(f"Off track: {items}.")
    value = port.set_index("kpi_id")
    if "cpi" in value.index and pd.notna(value.at["cpi", "value"]):
        cpi, spi = value.loc["cpi"], value.loc["spi"]
        lines.append(f"Portfolio cost performance (CPI) is {kpi_value_text(cpi)} ({_WORD[cpi['status']]}) and "
                     f"schedule performance (SPI) {kpi_value_text(spi)} ({_WORD[spi['status']]}).")
    if "nps" in value.index and pd.notna(value.at["nps", "value"]):
        lines.append(f"Customers give a net promoter score of {value.at['nps', 'value']:+.0f} "
                     f"(±{value.at['nps', 'margin']:.0f} at 95% confidence, n = {int(value.at['nps', 'n']):,}).")
    return " ".join(lines)


def governance_summary(*, cycle: str, maturity: pd.DataFrame | None, kpis: pd.DataFrame,
                       register: pd.DataFrame, portfolio: pd.DataFrame, mix: pd.DataFrame | None,
                       overdue_actions: int, model: MaturityModel, previous_score: float | None = None,
                       closing: pd.DataFrame | None = None) -> str:
    """Executive summary of the governance pack, as a bulleted list.

    It is written from the exception register and the portfolio table, the
    same results the dashboard and the tables show, so that every initiative
    has one recommendation throughout the pack. ``previous_score`` is the
    previous cycle's overall maturity, for the change.
    """
    bullets = []
    if maturity is not None and maturity["score"].notna().any():
        level = overall_level(maturity)
        change = ""
        if previous_score is not None and pd.notna(previous_score):
            change = f" ({overall_score(maturity) - previous_score:+.2f} since the previous cycle)"
        bullets.append(f"**Maturity:** overall {overall_score(maturity):.2f}{change}, staged level {level} "
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
                           "tolerance for " + ", ".join(f"{esc(r.label)} ({r.share:.0%} of spend against a target "
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


def reliability_summary(dims: pd.DataFrame, *, cutoff: float = 0.7) -> str:
    """Explain in plain words what low reliability or agreement means for the client."""
    low_alpha = dims[dims["cronbach_alpha"] < cutoff]
    low_rwg = dims[dims["rwg"] < cutoff]
    parts = []
    if low_alpha.empty and low_rwg.empty:
        parts.append(f"Every dimension reaches {cutoff} on both reliability and agreement: its items hang together "
                     "and respondents broadly agree, so the scores can be read with confidence.")
    if len(low_alpha):
        names = ", ".join(f"*{esc(n)}* (α = {a:.2f})" for n, a in zip(low_alpha["dimension"], low_alpha["cronbach_alpha"]))
        parts.append(f"Reliability is below {cutoff} for {names}. The statements of such a dimension do not move "
                     "together: respondents may rate some practices high and others low, so the single score hides "
                     "real differences. Read its items one by one before acting on it.")
    if len(low_rwg):
        names = ", ".join(f"*{esc(n)}* (rwg = {r:.2f})" for n, r in zip(low_rwg["dimension"], low_rwg["rwg"]))
        parts.append(f"Agreement is below {cutoff} for {names}. Respondents see these practices differently; the "
                     "average is a compromise between views. Discuss them in a workshop before setting targets.")
    missing = dims[dims["cronbach_alpha"].isna()]
    if len(missing):
        parts.append(f"Reliability could not be computed for {plural(len(missing), 'dimension')} "
                     "(too few complete answers or items).")
    return " ".join(parts)


def next_agenda(*, cycle: str, next_cycle: str | None, portfolio: pd.DataFrame, register: pd.DataFrame,
                scenario: pd.DataFrame | None, mix: pd.DataFrame | None, actions: pd.DataFrame | None,
                currency: str) -> str:
    """The next board meeting's agenda, from the portfolio's one recommendation per initiative."""
    items = []
    needs = portfolio[portfolio["severity"].isin(["critical", "high", "medium"])]
    for advice, text in (("stop", "Decide whether to **stop**"), ("re-scope", "Decide whether to **re-scope**"),
                         ("recover", "Review the **recovery** of")):
        hit = needs[needs["recommendation"] == advice]
        if len(hit):
            items.append(f"{text}: " + ", ".join(f"{esc(i)} {esc(n)}" for i, n in zip(hit["initiative_id"],
                                                                                      hit["name"])) + ".")
    wide = register[register["initiative_id"].isna() & register["severity"].ne("low")]
    if len(wide):
        items.append("Agree actions for the portfolio KPIs off target: " + ", ".join(esc(m) for m in wide["metric"])
                     + ".")
    if mix is not None and mix["breach"].any():
        items.append("Review the goal mix of spend: " + ", ".join(esc(g) for g in mix.loc[mix["breach"], "label"])
                     + (" lies" if mix["breach"].sum() == 1 else " lie") + " outside the guardrail.")
    if scenario is not None and (scenario["change"] > 0.5).any():
        moved = scenario.loc[scenario["change"] > 0, "change"].sum()
        items.append(f"Approve, amend or reject the funding scenario moving {currency} {moved:,.0f} of the budget "
                     f"to higher-value initiatives for {esc(next_cycle or 'the next cycle')}.")
    if actions is not None:
        late = actions[actions["overdue"]]
        if len(late):
            owners = ", ".join(sorted(set(esc(o) for o in late["owner"].dropna())))
            items.append(f"Chase {plural(len(late), 'overdue action')} (owners: {owners}).")
    items.append(f"Confirm the KPI targets and thresholds for {esc(next_cycle or 'the next cycle')}.")
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, start=1))


def step_text(step: int, name: str, purpose: str, practices: list[str]) -> str:
    """A step's heading line, purpose and practices as Markdown."""
    items = "\n".join(f"- {esc(p)}" for p in practices)
    return f"### Step {step}: {esc(name)}\n\n**Purpose.** {esc(purpose)}\n\n**Practices.**\n\n{items}"


def guardrail_text(config, *, goals: pd.DataFrame) -> str:
    """What the guardrails are and what happens when one fires, from the workspace's settings."""
    t = config.thresholds
    lines = [f"- **Goal mix.** Each goal's share of the cycle's spend must stay within ±{t.goal_mix_tolerance:.0%} of "
             "its target share; spend on initiatives without a goal counts against a target of 0%."]
    if goals.empty or goals["target_share"].isna().all():
        lines[0] += " No goal has a target share yet: set `target_share` in the goals table to activate this guardrail."
    lines += [
        f"- **Schedule.** An initiative forecast to finish more than {t.schedule_slip_days} days after its planned end "
        f"is an exception: of medium severity, high beyond {2 * t.schedule_slip_days} days and critical beyond "
        f"{3 * t.schedule_slip_days} days. One past its planned end and not closed is an exception too.",
        "- **KPIs.** A KPI that misses its target is an exception of low severity; beyond its red threshold it is of "
        "medium severity, and it grows to high and critical with the size of the breach. Each initiative gets one "
        "recommended decision, the most far-reaching of its exceptions', and a decision the board has already taken "
        "stands until its review.",
        f"- **Funding.** A reallocation may move up to {config.funding.max_shift:.0%} of a cycle's budget and at most "
        f"{config.funding.max_cut:.0%} of any initiative's budget without escalation; anything beyond goes to the "
        "portfolio board.",
        "- **When a guardrail fires.** The exception appears in the governance report with a severity and a recommended "
        "decision (continue, recover, re-scope or stop) for each initiative; the portfolio board decides at its next review, and the "
        "decision and its actions are logged and followed up in the next cycle.",
    ]
    return "\n".join(lines)


def maturity_line(maturity: pd.DataFrame | None, model: MaturityModel, *, previous_score: float | None = None,
                  previous: str | None = None) -> str:
    """One sentence on maturity for the dashboard: the score, its change and the staged level."""
    if maturity is None or not maturity["score"].notna().any():
        return "No maturity assessment for this cycle."
    score = overall_score(maturity)
    level = overall_level(maturity)
    text = f"Overall score {score:.2f} on the {model.scale_min}–{model.scale_max} scale"
    if previous_score is not None and pd.notna(previous_score):
        text += f", {score - previous_score:+.2f} since {previous or 'the previous cycle'}"
    return text + f"; staged level {level} {model.level_name(level)}."


def funding_line(scenario: pd.DataFrame, *, ended: pd.DataFrame | None, next_cycle: str | None, currency: str,
                 max_shift: float) -> str:
    """One sentence on the next cycle's budget scenario for the dashboard."""
    moved = float(scenario.loc[scenario["change"] > 0, "change"].sum())
    total = float(scenario["budget"].sum())
    when = next_cycle or "the next cycle"
    if moved < 0.5:
        text = f"The scenario for {when} moves no budget: no move passes the guardrails."
    else:
        gainers = int((scenario["change"] > 0.5).sum())
        losers = int((scenario["change"] < -0.5).sum())
        text = (f"The scenario for {when} moves {currency}\u00a0{moved:,.0f} of budget ({moved / total:.1%} of "
                f"{currency}\u00a0{total:,.0f}; at most {max_shift:.0%} may move) from "
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
