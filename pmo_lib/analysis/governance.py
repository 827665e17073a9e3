"""Governance analysis: the portfolio's shape, guardrails and follow-up (exceptions: :mod:`pmo_lib.reporting.register`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs import i18n
from ..inputs.cycles import Cycle
from .kpis import cycle_spend

#: The label of spend on initiatives linked to no goal (English in the results, said in the report's language)
NO_STRATEGIC_GOAL = i18n.say("No strategic goal")

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def portfolio_overview(initiatives: pd.DataFrame) -> pd.DataFrame:
    """Count initiatives by status and kind.

    Returns
    -------
    DataFrame
        Columns ``status, project, product, total``, one row per status in
        lifecycle order, and a ``total`` row.
    """
    order = ["proposed", "active", "on_hold", "closed", "cancelled"]
    counts = pd.crosstab(initiatives["status"], initiatives["kind"]).reindex(index=order, columns=["project", "product"],
                                                                            fill_value=0)
    counts = counts.fillna(0).astype(int)
    counts["total"] = counts.sum(axis=1)
    counts.loc["total"] = counts.sum()
    return counts.rename_axis(None, axis=1).reset_index(names="status")


def goal_mix(cycle: Cycle, *, tolerance: float) -> pd.DataFrame:
    """Each goal's share of the cycle's spend against its target share.

    Parameters
    ----------
    cycle : Cycle
    tolerance : float
        Allowed absolute gap between share and target share.

    Returns
    -------
    DataFrame
        Columns ``goal_id, label, spend, share, target_share, gap, breach``;
        spend on initiatives with no goal is a row with goal_id ``None`` and
        label ``No strategic goal``. ``gap`` is share minus target share.
    """
    spend = cycle_spend(cycle)
    total = spend["spend"].sum()
    goals = cycle.tables["goals"]
    by_goal = spend.groupby(spend["goal_id"].fillna("__none__"))["spend"].sum()
    rows = []
    for g in goals.itertuples():
        rows.append({"goal_id": g.goal_id, "label": f"{g.goal_id} {g.goal}", "spend": by_goal.get(g.goal_id, 0.0),
                     "target_share": g.target_share})
    rows.append({"goal_id": None, "label": NO_STRATEGIC_GOAL, "spend": by_goal.get("__none__", 0.0),
                 "target_share": 0.0})
    out = pd.DataFrame(rows)
    out["share"] = out["spend"] / total if total else np.nan
    out["gap"] = out["share"] - out["target_share"]
    out["breach"] = out["gap"].abs() > tolerance
    out["target_share"] = out["target_share"].astype(float)
    return out[["goal_id", "label", "spend", "share", "target_share", "gap", "breach"]]


def unaligned_spend(cycle: Cycle) -> pd.DataFrame:
    """Initiatives linked to no strategic goal that spent money in the cycle.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, owner, status, spend``, largest spend first.
    """
    spend = cycle_spend(cycle)
    spend = spend[spend["goal_id"].isna() & (spend["spend"] > 0)]
    out = spend.merge(cycle.tables["initiatives"][["initiative_id", "name", "owner", "status"]], on="initiative_id")
    return out.sort_values("spend", ascending=False)[["initiative_id", "name", "owner", "status", "spend"]]


def open_raid(cycle: Cycle) -> pd.DataFrame:
    """RAID items open at the cycle's end, most severe and oldest first.

    An item is open at the end when it was raised by then and was not closed
    by then (an item marked closed without a closed date counts as closed).

    Returns
    -------
    DataFrame
        Columns ``raid_id, kind, initiative_id, title, severity, owner,
        age_days, overdue``.
    """
    raid, cycle_end = cycle.tables["raid"], cycle.end
    open_ = raid[(raid["raised_date"] <= cycle_end) &
                 ((raid["status"].eq("open") & raid["closed_date"].isna()) | (raid["closed_date"] > cycle_end))]
    out = open_.assign(age_days=(cycle_end - open_["raised_date"]).dt.days,
                       overdue=open_["due_date"].notna() & (open_["due_date"] < cycle_end))
    out = out.sort_values(["severity", "age_days"], ascending=[True, False],
                          key=lambda s: s.map(SEVERITY_ORDER) if s.name == "severity" else s)
    return out[["raid_id", "kind", "initiative_id", "title", "severity", "owner", "age_days", "overdue"]].reset_index(drop=True)


def action_tracker(cycle: Cycle) -> pd.DataFrame:
    """Actions raised up to and including ``cycle``, with their state at its end.

    Returns
    -------
    DataFrame
        Columns ``action_id, cycle, title, owner, due_date, status, overdue``;
        ``overdue`` is true for open actions whose due date is before the
        cycle's end. Open actions come first, oldest due date first.
    """
    end = cycle.end
    upto = cycle.tables["actions"]  # as known at the cycle's end: raised up to and including it
    out = upto.assign(overdue=upto["status"].eq("open") & upto["due_date"].notna() & (upto["due_date"] < end))
    out = out.sort_values(["status", "due_date"], key=lambda s: s.ne("open") if s.name == "status" else s)
    return out[["action_id", "cycle", "title", "owner", "due_date", "status", "overdue"]].reset_index(drop=True)


def portfolio_by_goal(cycle: Cycle) -> pd.DataFrame:
    """Count initiatives by goal and status at the cycle's end.

    Returns
    -------
    DataFrame
        Columns ``goal``, one per status present, and ``total``; initiatives
        without a goal form the row ``No strategic goal``.
    """
    tables = cycle.tables
    ini = tables["initiatives"]
    names = tables["goals"].set_index("goal_id")["goal"] if len(tables["goals"]) else pd.Series(dtype=object)
    label = ini["goal_id"].map(lambda g: f"{g} {names.get(g, '')}".strip() if pd.notna(g) else str(NO_STRATEGIC_GOAL))
    table = pd.crosstab(label, ini["status"])
    order = [s for s in ["proposed", "active", "on_hold", "closed", "cancelled"] if s in table.columns]
    table = table[order]
    table["total"] = table.sum(axis=1)
    out = table.rename_axis(None, axis=1).reset_index(names="goal")
    out["goal"] = pd.Series([NO_STRATEGIC_GOAL if g == NO_STRATEGIC_GOAL else g for g in out["goal"]], index=out.index,
                            dtype=object)
    return out


def raid_summary(open_items: pd.DataFrame) -> pd.DataFrame:
    """Open RAID items by kind and severity, with how many are overdue.

    Returns
    -------
    DataFrame
        Columns ``kind, critical, high, medium, low, total, overdue,
        median_age_days``.
    """
    severities = ["critical", "high", "medium", "low"]
    grid = pd.crosstab(open_items["kind"], open_items["severity"]).reindex(columns=severities, fill_value=0)
    grid["total"] = grid.sum(axis=1)
    grid["overdue"] = open_items.groupby("kind")["overdue"].sum().reindex(grid.index).fillna(0).astype(int)
    grid["median_age_days"] = open_items.groupby("kind")["age_days"].median().reindex(grid.index)
    return grid.rename_axis(None, axis=1).reset_index(names="kind")


def action_completion(cycle: Cycle) -> pd.DataFrame:
    """Share of the actions due by each cycle's end that were done, for the cycles up to ``cycle``.

    Only the actions raised by the end of ``cycle`` count, so a report of an
    earlier cycle shows what was known then. An action without a due date
    counts from the cycle that raised it.

    Returns
    -------
    DataFrame
        Columns ``cycle, due, done, completion``, one row per cycle of ``cycle.history``.
    """
    actions = cycle.tables["actions"]
    rows = []
    for past in cycle.history:
        due = actions[(actions["due_date"] <= past.end) |
                      (actions["due_date"].isna() & actions["cycle"].isin(past.history_names))]
        done = int((due["status"] == "done").sum())
        rows.append({"cycle": past.name, "due": len(due), "done": done,
                     "completion": done / len(due) if len(due) else np.nan})
    return pd.DataFrame(rows, columns=["cycle", "due", "done", "completion"])
