"""Governance analysis: the portfolio's shape, guardrails, exceptions and follow-up."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .kpis import KpiCatalog, _window, cycle_spend

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


def goal_mix(tables: dict[str, pd.DataFrame], cycle: str, *, tolerance: float) -> pd.DataFrame:
    """Each goal's share of the cycle's spend against its target share.

    Parameters
    ----------
    tables : dict of str to DataFrame
    cycle : str
    tolerance : float
        Allowed absolute gap between share and target share.

    Returns
    -------
    DataFrame
        Columns ``goal_id, label, spend, share, target_share, gap, breach``;
        spend on initiatives with no goal is a row with goal_id ``None`` and
        label ``No strategic goal``. ``gap`` is share minus target share.
    """
    spend = cycle_spend(tables, cycle)
    total = spend["spend"].sum()
    goals = tables["goals"]
    by_goal = spend.groupby(spend["goal_id"].fillna("__none__"))["spend"].sum()
    rows = []
    for g in goals.itertuples():
        rows.append({"goal_id": g.goal_id, "label": f"{g.goal_id} {g.goal}", "spend": by_goal.get(g.goal_id, 0.0),
                     "target_share": g.target_share})
    rows.append({"goal_id": None, "label": "No strategic goal", "spend": by_goal.get("__none__", 0.0),
                 "target_share": 0.0})
    out = pd.DataFrame(rows)
    out["share"] = out["spend"] / total if total else np.nan
    out["gap"] = out["share"] - out["target_share"]
    out["breach"] = out["gap"].abs() > tolerance
    out["target_share"] = out["target_share"].astype(float)
    return out[["goal_id", "label", "spend", "share", "target_share", "gap", "breach"]]


def unaligned_spend(tables: dict[str, pd.DataFrame], cycle: str) -> pd.DataFrame:
    """Initiatives linked to no strategic goal that spent money in the cycle.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, owner, status, spend``, largest spend first.
    """
    spend = cycle_spend(tables, cycle)
    spend = spend[spend["goal_id"].isna() & (spend["spend"] > 0)]
    out = spend.merge(tables["initiatives"][["initiative_id", "name", "owner", "status"]], on="initiative_id")
    return out.sort_values("spend", ascending=False)[["initiative_id", "name", "owner", "status", "spend"]]


def initiative_exceptions(tables: dict[str, pd.DataFrame], kpis: pd.DataFrame, cycle: str,
                          catalog: KpiCatalog, *, slip_days: int = 30) -> pd.DataFrame:
    """Initiatives that need a board decision this cycle.

    An exception is raised for CPI or SPI below its amber threshold, for a
    forecast end more than ``slip_days`` after the planned end, and for an
    initiative past its planned end and not closed. Severity is ``high`` below
    the red threshold or more than 90 days late, otherwise ``medium``.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, owner, exception, value, severity,
        recommendation``, most severe first.
    """
    w = _window(tables, cycle)
    ini = tables["initiatives"].set_index("initiative_id")
    rows = []
    for kpi_id in ("cpi", "spi"):
        spec = catalog.spec(kpi_id)
        per = kpis[(kpis["kpi_id"] == kpi_id) & (kpis["scope"] != "portfolio")].dropna(subset=["value"])
        for row in per[per["value"] < spec["amber"]].itertuples():
            high = row.value < spec["red"]
            rows.append({"initiative_id": row.scope, "exception": f"{kpi_id.upper()} {row.value:.2f} "
                         f"(threshold {spec['amber']:.2f})", "value": row.value,
                         "severity": "high" if high else "medium",
                         "recommendation": "recover" if not high else ("re-scope" if row.value >= 0.8 else "stop or re-plan")})
    live = ini[ini["status"].isin(["active", "on_hold"]) & (ini["start_date"] <= w.end)]
    late_days = (live["forecast_end_date"] - live["planned_end_date"]).dt.days
    for initiative, days in late_days[late_days > slip_days].items():
        rows.append({"initiative_id": initiative, "exception": f"forecast to finish {days:.0f} days late",
                     "value": float(days), "severity": "high" if days > 90 else "medium",
                     "recommendation": "re-scope" if days > 90 else "recover"})
    overdue = live[(live["planned_end_date"] < w.end) & live["actual_end_date"].isna()]
    for initiative in overdue.index:
        rows.append({"initiative_id": initiative, "exception": "past its planned end date and not closed",
                     "value": float((w.end - overdue.at[initiative, "planned_end_date"]).days),
                     "severity": "high", "recommendation": "re-scope"})
    out = pd.DataFrame(rows, columns=["initiative_id", "exception", "value", "severity", "recommendation"])
    out = out.merge(ini[["name", "owner"]], left_on="initiative_id", right_index=True, how="left")
    out = out.sort_values(["severity", "initiative_id"], key=lambda s: s.map(SEVERITY_ORDER) if s.name == "severity" else s)
    return out[["initiative_id", "name", "owner", "exception", "value", "severity", "recommendation"]].reset_index(drop=True)


def funding_changes(tables: dict[str, pd.DataFrame], cycle: str) -> pd.DataFrame:
    """Budget per initiative this cycle against the previous cycle.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, goal_id, previous_budget, budget,
        change``, largest absolute change first. Empty for the first cycle.
    """
    w = _window(tables, cycle)
    fin = tables["financials"]
    now = fin[fin["cycle"] == cycle].set_index("initiative_id")["budget"]
    if w.previous is None:
        before = pd.Series(dtype=float)
    else:
        before = fin[fin["cycle"] == w.previous].set_index("initiative_id")["budget"]
    ids = now.index.union(before.index)
    out = pd.DataFrame({"previous_budget": before.reindex(ids).fillna(0.0), "budget": now.reindex(ids).fillna(0.0)})
    out["change"] = out["budget"] - out["previous_budget"]
    ini = tables["initiatives"].set_index("initiative_id")
    out = out.join(ini[["name", "goal_id"]]).reset_index(names="initiative_id")
    out = out.reindex(out["change"].abs().sort_values(ascending=False, kind="stable").index)
    return out[["initiative_id", "name", "goal_id", "previous_budget", "budget", "change"]].reset_index(drop=True)


def open_raid(raid: pd.DataFrame, cycle_end: pd.Timestamp) -> pd.DataFrame:
    """RAID items open at the cycle's end, most severe and oldest first.

    Returns
    -------
    DataFrame
        Columns ``raid_id, kind, initiative_id, title, severity, owner,
        age_days, overdue``.
    """
    open_ = raid[(raid["raised_date"] <= cycle_end) &
                 ((raid["status"].eq("open") & raid["closed_date"].isna()) | (raid["closed_date"] > cycle_end))]
    out = open_.assign(age_days=(cycle_end - open_["raised_date"]).dt.days,
                       overdue=open_["due_date"].notna() & (open_["due_date"] < cycle_end))
    out = out.sort_values(["severity", "age_days"], ascending=[True, False],
                          key=lambda s: s.map(SEVERITY_ORDER) if s.name == "severity" else s)
    return out[["raid_id", "kind", "initiative_id", "title", "severity", "owner", "age_days", "overdue"]].reset_index(drop=True)


def action_tracker(actions: pd.DataFrame, cycle: str, cycles: pd.DataFrame) -> pd.DataFrame:
    """Actions raised up to and including ``cycle``, with their state at its end.

    Returns
    -------
    DataFrame
        Columns ``action_id, cycle, title, owner, due_date, status, overdue``;
        ``overdue`` is true for open actions whose due date is before the
        cycle's end. Open actions come first, oldest due date first.
    """
    order = {c: i for i, c in enumerate(cycles["cycle"])}
    end = cycles.loc[cycles["cycle"] == cycle, "end_date"].iloc[0]
    upto = actions[actions["cycle"].map(order) <= order[cycle]]
    out = upto.assign(overdue=upto["status"].eq("open") & upto["due_date"].notna() & (upto["due_date"] < end))
    out = out.sort_values(["status", "due_date"], key=lambda s: s.ne("open") if s.name == "status" else s)
    return out[["action_id", "cycle", "title", "owner", "due_date", "status", "overdue"]].reset_index(drop=True)
