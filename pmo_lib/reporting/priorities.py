"""Priorities and capacity in words and tables: what the governance report and the playbook say about them."""
from __future__ import annotations

import pandas as pd

from ..analysis.investment import NextCycleLoad, ranking_basis
from ..inputs.text import plural
from .report import esc
from ..inputs import i18n
from ..inputs.i18n import gettext, ngettext


def queue_factor(utilisation: float) -> float:
    """How many times its own service time work waits in a queue at this load: u / (1 - u).

    The M/M/1 queue's mean wait in line over its mean service time (Kingman's
    formula with random arrivals and service times gives the same factor).
    """
    return utilisation / (1 - utilisation) if utilisation < 1 else float("inf")


def priority_table(priorities: pd.DataFrame, initiatives: pd.DataFrame) -> pd.DataFrame:
    """:func:`pmo_lib.priorities` for the reader: names, not only ids, and the measure ranked by.

    Returns
    -------
    DataFrame
        Columns ``rank, initiative, status, cost_of_delay, job_size, wsjf``,
        plus ``cd3`` when any initiative has one; rank order.
    """
    names = initiatives.set_index("initiative_id")["name"]
    out = pd.DataFrame({
        "rank": priorities["rank"],
        "initiative": [f"{i} {names.get(i, '')}".strip() for i in priorities["initiative_id"]],
        "status": priorities["status"].map({"proposed": "Proposed", "active": "Active", "on_hold": "On hold"}).map(
            lambda v: gettext(v) if isinstance(v, str) else v),  # msgids: theme.VOCABULARIES
        "cost_of_delay": priorities["cost_of_delay"], "job_size": priorities["job_size"], "wsjf": priorities["wsjf"],
        "cd3": priorities["cd3"]})
    if out["cd3"].isna().all():
        out = out.drop(columns="cd3")
    return out.reset_index(drop=True)


def priorities_sentence(priorities: pd.DataFrame, unranked: pd.DataFrame, initiatives: pd.DataFrame) -> str:
    """What the ranking is and what it leaves out, in two or three plain sentences."""
    names = initiatives.set_index("initiative_id")["name"]
    basis = ranking_basis(priorities)
    if priorities.empty:
        return gettext("No initiative proposed or under way has its business value, time criticality, risk reduction "
                       "and job size scored, so nothing can be ranked yet.")
    top = priorities.iloc[0]
    measure = (gettext("CD3, the cost of a week's delay in money divided by the weeks the work takes") if basis == "cd3"
               else gettext("WSJF (weighted shortest job first): the cost of delay divided by the job size"))
    text = gettext("Work is ranked by {measure}. **Cost of delay** is what waiting costs: here the sum of the business "
                   "value, the time criticality and the risk reduction, each scored on a relative scale of 1 to 20; a "
                   "high WSJF means much value lost per unit of work. First is {initiative} {name}.").format(
        measure=measure, initiative=esc(top["initiative_id"]), name=esc(names.get(top["initiative_id"], "")))
    if len(unranked):
        listed = ", ".join(f"{esc(r.initiative_id)} {esc(r.name)}" for r in unranked.head(6).itertuples(index=False))
        more = gettext(" and {count} more").format(count=i18n.number(len(unranked) - 6)) if len(unranked) > 6 else ""
        text += " " + ngettext(
            "{count} initiative proposed or under way is not ranked because it lacks scores ({listed}{more}): give "
            "them a business value, time criticality, risk reduction and job size in the initiatives table.",
            "{count} initiatives proposed or under way are not ranked because they lack scores ({listed}{more}): give "
            "them a business value, time criticality, risk reduction and job size in the initiatives table.",
            len(unranked)).format(count=i18n.number(len(unranked)), listed=listed, more=more)
    return text


def capacity_sentence(capacity: pd.DataFrame, cycle: str, *, max_utilisation: float) -> str:
    """The cycle's load in one or two sentences: which teams are overloaded and by how many person-days."""
    now = capacity[capacity["cycle"] == cycle]
    if now.empty:
        return gettext("No team has a capacity row for {cycle}.").format(cycle=esc(cycle))
    hit = now[now["overloaded"].astype(bool)].sort_values("utilisation", ascending=False, kind="stable")
    if hit.empty:
        return gettext("Every team is within the {limit} load limit in {cycle}; the most loaded is {team} at "
                       "{share}.").format(limit=i18n.percent(max_utilisation), cycle=esc(cycle),
                                          team=esc(now.loc[now["utilisation"].idxmax(), "team"]),
                                          share=i18n.percent(now["utilisation"].max()))
    parts = [ngettext("{team} is asked for {demand} person-days against {capacity} ({share}), {count} person-day more "
                      "than it can absorb",
                      "{team} is asked for {demand} person-days against {capacity} ({share}), {count} person-days more "
                      "than it can absorb", round(r.demand_days - max_utilisation * r.capacity_days)).format(
        team=esc(r.team), demand=i18n.number(r.demand_days), capacity=i18n.number(r.capacity_days),
        share=i18n.percent(r.utilisation), count=i18n.number(round(r.demand_days - max_utilisation * r.capacity_days)))
        for r in hit.itertuples(index=False)]
    return ngettext("{parts}. It is listed among the portfolio-wide exceptions above; defer or re-sequence work on "
                    "this team.",
                    "{parts}. They are listed among the portfolio-wide exceptions above; defer or re-sequence work on "
                    "these teams.", len(hit)).format(parts="; ".join(parts))


def priorities_method(priorities: pd.DataFrame, durations: pd.DataFrame, *, max_utilisation: float,
                      load: NextCycleLoad | None = None) -> str:
    """The method note of the priorities and capacity section, with the workspace's numbers.

    Parameters
    ----------
    priorities : DataFrame
        :func:`pmo_lib.priorities`.
    durations : DataFrame
        :func:`pmo_lib.duration_weeks` of the ranked initiatives: where CD3's duration came from.
    max_utilisation : float
        ``thresholds.max_utilisation``.
    load : NextCycleLoad, optional
        :func:`pmo_lib.next_cycle_load`: which cycle's rows stand for the next cycle.
    """
    basis = ranking_basis(priorities)
    lines = [
        gettext("- **WSJF** (weighted shortest job first) = (business value + time criticality + risk reduction) / job "
                "size, each on SAFe's relative scale 1, 2, 3, 5, 8, 13, 20. The sum of the three is the relative **cost "
                "of delay**."),
    ]
    with_cd3 = priorities[priorities["cd3"].notna()]
    if len(with_cd3):
        used = durations[durations["initiative_id"].isin(with_cd3["initiative_id"])]["source"].value_counts()

        def said(kind: str, n: int) -> str:
            count = i18n.number(n)
            if kind == "job size":
                return ngettext("{count} initiative from the job size", "{count} initiatives from the job size",
                                n).format(count=count)
            if kind == "planned dates":
                return ngettext("{count} initiative from the planned dates", "{count} initiatives from the planned "
                                "dates", n).format(count=count)
            return f"{plural(n, 'initiative')} from the {kind}"

        source = gettext(" and ").join(said(s, int(n)) for s, n in used.items() if s) or gettext("none")
        lines.append(gettext(
            "- **CD3** (cost of delay divided by duration) = cost of delay per week in money / duration in weeks. The "
            "duration comes from the job size through the workspace's table of job sizes in weeks, or, for a job size "
            "not in that table, from the planned start and end dates: here {source}.").format(source=source))
    lines.append((gettext("- **Rank**: by CD3, since every ranked initiative has a cost of delay in money. Ties keep "
                          "initiative order.") if basis == "cd3" else
                  gettext("- **Rank**: by WSJF, since not every ranked initiative has a cost of delay in money. Ties "
                          "keep initiative order.")))
    at, high = queue_factor(max_utilisation), queue_factor(0.95)
    lines.append(gettext(
        "- **Why a load limit of {limit}.** Work arrives and takes time unevenly, so a team that is nearly fully booked "
        "builds queues. In the simplest queueing model (one team, random arrivals and work sizes; Kingman's formula "
        "says the same for other variability) the time work waits grows as load / (1 − load): at {limit} load a piece "
        "of work waits about {at} times as long as it takes to do, at {busy} about {high} times, and at {full} the "
        "queue never clears. A team above the limit is an exception: medium, and high above {full} of its "
        "capacity.").format(limit=i18n.percent(max_utilisation), at=i18n.number(at), high=i18n.number(high),
                            busy=i18n.percent(0.95), full=i18n.percent(1.0)))
    lines.append(gettext("- **Load** = the person-days the initiatives under way (active or on hold) ask of a team in "
                         "the cycle, divided by the person-days it can give. Proposals count only once they start."))
    if load is not None:
        same_cap = load.capacity_from != load.cycle
        named = load.cycle != "the next cycle"
        capacity = (gettext("this cycle's rows ({cycle}), as the tables have none for the next cycle").format(
            cycle=esc(load.capacity_from)) if same_cap else gettext("the next cycle's rows"))
        demand = (gettext("what they ask in {cycle}").format(cycle=esc(load.demand_from))
                  if load.demand_from != load.cycle else gettext("what their next-cycle rows say"))
        lines.append((gettext("- **The next cycle ({cycle}).** Capacity comes from {capacity}; the continuing "
                              "initiatives keep asking {demand}; a proposal asks what its rows for the next cycle say, "
                              "or else its rows at the latest cycle it has.") if named else
                      gettext("- **The next cycle.** Capacity comes from {capacity}; the continuing initiatives keep "
                              "asking {demand}; a proposal asks what its rows for the next cycle say, or else its rows "
                              "at the latest cycle it has.")).format(cycle=esc(load.cycle), capacity=capacity,
                                                                      demand=demand))
    return "\n".join(lines)


def prioritisation_text(config) -> str:
    """How the organisation prioritises and loads its teams, from the workspace's settings (for the playbook)."""
    weeks = config.funding.job_size_weeks
    mapping = ", ".join(f"{k} = {_weeks(v)}" for k, v in sorted(weeks.items()))
    budget = config.funding.proposal_budget
    if budget is not None:  # English keeps its own money format (a plain space); other languages their locale's
        money = (f"{config.currency} {budget:,.0f}" if i18n.current_locale() is None
                 else i18n.money(budget, config.currency))
    lines = [
        gettext("- **Order of work.** Proposed and running initiatives are ranked by weighted shortest job first "
                "(WSJF): cost of delay divided by job size. Cost of delay is the sum of business value, time "
                "criticality and risk reduction, each scored 1, 2, 3, 5, 8, 13 or 20 relative to the other "
                "initiatives. Where every ranked initiative also has a cost of delay per week in money, the rank uses "
                "CD3 instead: that money divided by the weeks the work takes (job size in weeks: {mapping}; otherwise "
                "its planned dates).").format(mapping=mapping),
        gettext("- **Team load.** No team should be asked for more than {limit} of the person-days it can give in a "
                "cycle: above that, queues make work wait many times longer than it takes. A team above the limit is "
                "an exception for the portfolio board, which defers or re-sequences work.").format(
                    limit=i18n.percent(config.thresholds.max_utilisation)),
        gettext("- **Starting new work.** Up to {money} is available each cycle for starting proposed initiatives, "
                "chosen for the most cost of delay the budget and the teams' free capacity allow.").format(money=money)
        if budget is not None else
        gettext("- **Starting new work.** The money available for starting proposed initiatives is not set yet (the "
                "proposal budget in the workspace settings); until it is, proposals are ranked but not selected."),
    ]
    return "\n".join(lines)


def _weeks(n: float) -> str:
    """``3 weeks``, ``1 week`` (as :func:`plural` writes them) in the report's language."""
    count = float(n)
    return ngettext("{count} week", "{count} weeks", count).format(
        count=i18n.number(count, 0 if count.is_integer() else 1))
