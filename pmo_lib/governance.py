"""Governance analysis: the portfolio's shape, guardrails, exceptions and follow-up."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .kpis import KpiCatalog, _window, cycle_spend
from .theme import plural

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STOP_BELOW = 0.8  # CPI and SPI both below this: the recommended decision is to stop
LONG_SLIP_DAYS = 90  # a forecast slip beyond this is of high severity and calls for a re-scope


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


EXCEPTION_COLUMNS = ["exception_id", "kind", "initiative_id", "name", "owner", "metric", "value", "threshold",
                     "severity", "recommendation", "description"]


def find_exceptions(tables: dict[str, pd.DataFrame], kpis: pd.DataFrame, cycle: str, catalog: KpiCatalog, *,
                    slip_days: int = 30) -> pd.DataFrame:
    """Everything that needs a board decision this cycle, with a severity and a recommended decision.

    Kinds of exception:

    * ``cost`` and ``schedule``: an initiative's CPI or SPI below its amber
      threshold; ``high`` below red. The recommendation is *recover* above
      red, *re-scope* below it, and *stop* when both indices are below
      :data:`STOP_BELOW`.
    * ``delivery``: a forecast end more than ``slip_days`` after the planned
      end (*recover*; *re-scope* and ``high`` beyond :data:`LONG_SLIP_DAYS`), or a planned
      end that has passed without the initiative closing (*re-scope*, ``high``).
    * ``kpi``: a portfolio KPI in red (*recover*, ``high``).
    * ``raid``: a high or critical risk or issue still open past its due date
      (*recover*; ``high`` when critical).

    Returns
    -------
    DataFrame
        Columns ``exception_id, kind, initiative_id, name, owner, metric,
        value, threshold, severity, recommendation, description``, high
        severity first; ``exception_id`` numbers them in that order.
    """
    w = _window(tables, cycle)
    ini = tables["initiatives"].set_index("initiative_id")
    rows = []
    per = kpis[kpis["scope"] != "portfolio"].pivot_table(index="scope", columns="kpi_id", values="value",
                                                         aggfunc="first").reindex(columns=["cpi", "spi"])
    both_low = set(per.index[(per["cpi"] < STOP_BELOW) & (per["spi"] < STOP_BELOW)])
    for kpi_id, kind in (("cpi", "cost"), ("spi", "schedule")):
        spec = catalog.spec(kpi_id)
        rows_k = kpis[(kpis["kpi_id"] == kpi_id) & (kpis["scope"] != "portfolio")].dropna(subset=["value"])
        for row in rows_k[rows_k["value"] < spec["amber"]].itertuples():
            high = row.value < spec["red"]
            limit = spec["red"] if high else spec["amber"]
            rows.append({"kind": kind, "initiative_id": row.scope, "metric": kpi_id.upper(), "value": row.value,
                         "threshold": limit, "severity": "high" if high else "medium",
                         "recommendation": "stop" if row.scope in both_low else ("re-scope" if high else "recover"),
                         "description": f"{kpi_id.upper()} {row.value:.2f} is below the "
                                        f"{'red' if high else 'amber'} threshold {limit:.2f}"})
    live = ini[ini["status"].isin(["active", "on_hold"]) & (ini["start_date"] <= w.end)]
    slip = (live["forecast_end_date"] - live["planned_end_date"]).dt.days
    for initiative, days in slip[slip > slip_days].items():
        rows.append({"kind": "delivery", "initiative_id": initiative, "metric": "forecast slip (days)",
                     "value": float(days), "threshold": float(slip_days),
                     "severity": "high" if days > LONG_SLIP_DAYS else "medium",
                     "recommendation": "re-scope" if days > LONG_SLIP_DAYS else "recover",
                     "description": f"forecast to finish {plural(days, 'day')} after its planned end"})
    overdue = live[(live["planned_end_date"] < w.end) & live["actual_end_date"].isna()]
    for initiative in overdue.index:
        days = float((w.end - overdue.at[initiative, "planned_end_date"]).days)
        rows.append({"kind": "delivery", "initiative_id": initiative, "metric": "days past planned end",
                     "value": days, "threshold": 0.0, "severity": "high", "recommendation": "re-scope",
                     "description": f"{plural(days, 'day')} past its planned end and not closed"})
    red = kpis[(kpis["scope"] == "portfolio") & (kpis["status"] == "red")]
    for row in red.itertuples():
        rows.append({"kind": "kpi", "initiative_id": None, "metric": row.name, "value": row.value,
                     "threshold": catalog.spec(row.kpi_id)["red"], "severity": "high", "recommendation": "recover",
                     "description": f"portfolio KPI {row.name} is off track"})
    raid = tables["raid"]
    if len(raid):
        late = open_raid(raid, w.end)
        late = late[late["overdue"] & late["severity"].isin(["high", "critical"]) & late["kind"].isin(["risk", "issue"])]
        due = raid.set_index("raid_id")["due_date"]
        for row in late.itertuples():
            days = float((w.end - due[row.raid_id]).days)
            rows.append({"kind": "raid", "initiative_id": row.initiative_id, "metric": f"{row.raid_id} {row.title}",
                         "value": days, "threshold": 0.0, "severity": "high" if row.severity == "critical" else "medium",
                         "recommendation": "recover",
                         "description": f"{row.severity} {row.kind} open {plural(days, 'day')} past its due date"})
    out = pd.DataFrame(rows, columns=[c for c in EXCEPTION_COLUMNS if c not in ("exception_id", "name", "owner")])
    out["name"] = out["initiative_id"].map(ini["name"])
    out["owner"] = out["initiative_id"].map(ini["owner"])
    kind_order = {"cost": 0, "schedule": 1, "delivery": 2, "raid": 3, "kpi": 4}
    out = out.assign(_s=out["severity"].map(SEVERITY_ORDER), _k=out["kind"].map(kind_order))
    out = out.sort_values(["_s", "initiative_id", "_k"], na_position="last", kind="stable").reset_index(drop=True)
    out.insert(0, "exception_id", [f"E{i + 1:02d}" for i in range(len(out))])
    return out[EXCEPTION_COLUMNS]


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


def portfolio_by_goal(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Count initiatives by goal and status.

    Returns
    -------
    DataFrame
        Columns ``goal``, one per status present, and ``total``; initiatives
        without a goal form the row ``No strategic goal``.
    """
    ini = tables["initiatives"]
    names = tables["goals"].set_index("goal_id")["goal"] if len(tables["goals"]) else pd.Series(dtype=object)
    label = ini["goal_id"].map(lambda g: f"{g} {names.get(g, '')}".strip() if pd.notna(g) else "No strategic goal")
    table = pd.crosstab(label, ini["status"])
    order = [s for s in ["proposed", "active", "on_hold", "closed", "cancelled"] if s in table.columns]
    table = table[order]
    table["total"] = table.sum(axis=1)
    return table.rename_axis(None, axis=1).reset_index(names="goal")


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


def action_completion(actions: pd.DataFrame, cycles: pd.DataFrame) -> pd.DataFrame:
    """Share of the actions due by each cycle's end that were done.

    An action without a due date counts from the cycle that raised it.

    Returns
    -------
    DataFrame
        Columns ``cycle, due, done, completion``.
    """
    order = {c: i for i, c in enumerate(cycles["cycle"])}
    ends = cycles.set_index("cycle")["end_date"]
    rows = []
    for cycle in cycles["cycle"]:
        due = actions[(actions["due_date"] <= ends[cycle]) |
                      (actions["due_date"].isna() & (actions["cycle"].map(order) <= order[cycle]))]
        done = int((due["status"] == "done").sum())
        rows.append({"cycle": cycle, "due": len(due), "done": done,
                     "completion": done / len(due) if len(due) else np.nan})
    return pd.DataFrame(rows)
