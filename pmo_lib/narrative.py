"""Generated prose: the executive summaries, written from computed results only.

Each function returns Markdown. Strings from the workspace are escaped.
"""
from __future__ import annotations

import pandas as pd

from .governance import LONG_SLIP_DAYS, STOP_BELOW
from .maturity import MaturityModel, overall_level, overall_score
from .report import esc, format_value, plural
from .theme import STATUS_WORDS

_WORD = {status: word.lower() for status, word in STATUS_WORDS.items()}  # the theme's words, mid-sentence


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
    parts = [f"{counts.get(s, 0)} {_WORD[s]}" for s in ("green", "amber", "red", "n/a") if counts.get(s, 0)]
    lines = [f"Of {len(port)} portfolio KPIs in {esc(cycle)}: {', '.join(parts)}."]
    red = port[port["status"] == "red"]
    if len(red):
        items = "; ".join(f"{esc(r.name)} {format_value(r.value, r.unit, currency)}"
                          + (f" against a target of {format_value(r.target, r.unit, currency)}" if pd.notna(r.target) else "")
                          for r in red.itertuples())
        lines.append(f"Off track: {items}.")
    value = port.set_index("kpi_id")
    if "cpi" in value.index and pd.notna(value.at["cpi", "value"]):
        lines.append(f"Portfolio cost performance (CPI) is {value.at['cpi', 'value']:.2f} and schedule performance "
                     f"(SPI) {format_value(value.at['spi', 'value'], 'ratio')}.")
    if "nps" in value.index and pd.notna(value.at["nps", "value"]):
        lines.append(f"Customers give a net promoter score of {value.at['nps', 'value']:+.0f} "
                     f"(±{value.at['nps', 'margin']:.0f} at 95% confidence, n = {int(value.at['nps', 'n']):,}).")
    return " ".join(lines)


def governance_summary(*, cycle: str, maturity: pd.DataFrame | None, kpis: pd.DataFrame,
                       exceptions: pd.DataFrame, mix: pd.DataFrame | None, overdue_actions: int,
                       model: MaturityModel, previous_score: float | None = None) -> str:
    """Executive summary of the governance pack, as a bulleted list.

    ``previous_score`` is the previous cycle's overall maturity, for the change.
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
    bullets.append("**KPIs:** " + ", ".join(f"{counts.get(s, 0)} {_WORD[s]}" for s in ("green", "amber", "red", "n/a")) + ".")
    high = exceptions[exceptions["severity"] == "high"]
    bullets.append(f"**Exceptions:** {plural(len(exceptions), 'exception')}, {len(high)} of high severity. "
                   "The most important:")
    for row in exceptions.head(3).itertuples():
        who = f"{esc(row.initiative_id)} {esc(row.name)}" if pd.notna(row.initiative_id) else "Portfolio"
        bullets.append(f"    - {who}: {esc(row.description)}; recommended decision: **{esc(row.recommendation)}**.")
    if mix is not None:
        breaches = mix[mix["breach"]]
        if len(breaches):
            bullets.append("**Guardrails:** spend is outside the tolerance for "
                           + ", ".join(f"{esc(r.label)} ({r.share:.0%} against {r.target_share:.0%})"
                                       for r in breaches.itertuples()) + ".")
        else:
            bullets.append("**Guardrails:** every goal's share of spend is within its tolerance.")
    bullets.append(f"**Actions:** {plural(overdue_actions, 'action')} overdue.")
    decisions = []
    if len(high):
        decisions.append(f"decide on the {plural(len(high), 'high-severity exception')}")
    stops = exceptions[exceptions["recommendation"] == "stop"]["initiative_id"].dropna().unique()
    if len(stops):
        decisions.append("whether to stop " + ", ".join(esc(s) for s in stops))
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


def next_agenda(*, cycle: str, next_cycle: str | None, exceptions: pd.DataFrame, scenario: pd.DataFrame | None,
                mix: pd.DataFrame | None, actions: pd.DataFrame | None, currency: str) -> str:
    """The next board meeting's agenda, generated from this cycle's results, as a numbered list."""
    items = []
    high = exceptions[exceptions["severity"] == "high"]
    for advice in ("stop", "re-scope", "recover"):
        hit = high[high["recommendation"] == advice].dropna(subset=["initiative_id"])
        names = sorted(set(f"{esc(i)} {esc(n)}" for i, n in zip(hit["initiative_id"], hit["name"])))
        if names:
            items.append(f"Decide whether to **{advice}**: {', '.join(names)}.")
    kpis_red = exceptions[exceptions["kind"] == "kpi"]
    if len(kpis_red):
        items.append("Agree recovery actions for the portfolio KPIs off track: "
                     + ", ".join(esc(m) for m in kpis_red["metric"]) + ".")
    if mix is not None and mix["breach"].any():
        items.append("Review the goal mix: " + ", ".join(esc(g) for g in mix.loc[mix["breach"], "label"])
                     + " lie outside the guardrail.")
    if scenario is not None and (scenario["change"] > 0.5).any():
        moved = scenario.loc[scenario["change"] > 0, "change"].sum()
        items.append(f"Approve, amend or reject the funding scenario moving {currency} {moved:,.0f} "
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
        lines[0] += " No goal has a target share yet: give each goal a target share in the goals table to activate this guardrail."
    lines += [
        f"- **Schedule.** An initiative forecast to finish more than {plural(t.schedule_slip_days, 'day')} after its planned end "
        f"is an exception; beyond {LONG_SLIP_DAYS} days it is of high severity.",
        "- **Cost and schedule performance.** CPI or SPI below the amber threshold is an exception; below red it is "
        f"of high severity, and below {STOP_BELOW:g} on both the recommended decision is to stop.",
        f"- **Funding.** A reallocation may move up to {config.funding.max_shift:.0%} of a cycle's budget and at most "
        f"{config.funding.max_cut:.0%} of any initiative's budget without escalation; anything beyond goes to the "
        "portfolio board.",
        "- **When a guardrail fires.** The exception appears in the governance report with a severity and a recommended "
        "decision (continue, recover, re-scope or stop); the portfolio board decides at its next review, and the "
        "decision and its actions are logged and followed up in the next cycle.",
    ]
    return "\n".join(lines)
