"""Value for money and flow: which initiatives deliver customer value per unit of cost, and how work flows."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.cycles import Cycle
from .kpis import cycle_spend


def value_for_money(cycle: Cycle, kpis: pd.DataFrame) -> pd.DataFrame:
    """Customer value against cost per initiative for one cycle.

    Every initiative with a financials row in the cycle appears, and so does
    every active initiative without one (its spend and CPI are then NaN), so
    that a chart can show or name every active initiative.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, kind, status, spend, cpi, nps, csat,
        realized_benefit, benefit_per_cost``: ``spend`` is the cycle's cost;
        ``benefit_per_cost`` the realised benefit per unit of that spend
        (NaN without benefits or spend); ``status`` the initiative's status.
        Sorted by ``benefit_per_cost``, best first.
    """
    spend = cycle_spend(cycle)[["initiative_id", "spend"]]
    ini = cycle.tables["initiatives"].set_index("initiative_id")
    active = [i for i in ini.index[ini["status"] == "active"] if i not in set(spend["initiative_id"])]
    if active:
        spend = pd.concat([spend, pd.DataFrame({"initiative_id": active, "spend": np.nan})], ignore_index=True)
    per = kpis[kpis["scope"] != "portfolio"].pivot_table(index="scope", columns="kpi_id", values="value",
                                                         aggfunc="first")
    per = per.reindex(columns=["cpi", "nps", "csat"]).rename_axis("initiative_id").reset_index()
    out = spend.merge(per, on="initiative_id", how="left")
    realised = cycle.rows("benefits").groupby("initiative_id")["realized_benefit"].sum()
    out["realized_benefit"] = out["initiative_id"].map(realised)
    out["benefit_per_cost"] = out["realized_benefit"] / out["spend"].where(out["spend"] > 0)
    out.insert(1, "name", out["initiative_id"].map(ini["name"]))
    out.insert(2, "kind", out["initiative_id"].map(ini["kind"]))
    out.insert(3, "status", out["initiative_id"].map(ini["status"]))
    return out.sort_values("benefit_per_cost", ascending=False, na_position="last").reset_index(drop=True)


def flow_times(cycle: Cycle) -> pd.DataFrame:
    """Flow time of each item finished in the cycle.

    Returns
    -------
    DataFrame
        Columns ``item_id, initiative_id, item_type, flow_days``.
    """
    done = cycle.rows("work_items").dropna(subset=["started"])
    return done.assign(flow_days=(done["finished"] - done["started"]).dt.days)[
        ["item_id", "initiative_id", "item_type", "flow_days"]].reset_index(drop=True)


def wip_ageing(cycle: Cycle, *, bins: tuple[int, ...] = (0, 14, 30, 60, 90)) -> pd.DataFrame:
    """Work in progress at the cycle's end by age band and initiative.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, age_band, items, oldest_days``: one row per
        initiative and band with items, oldest first.
    """
    end = cycle.end
    work_items = cycle.tables["work_items"]
    wip = work_items[(work_items["started"] <= end) & (work_items["finished"].isna() | (work_items["finished"] > end))]
    age = (end - wip["started"]).dt.days
    labels = [f"{a}–{b - 1} days" for a, b in zip(bins[:-1], bins[1:])] + [f"{bins[-1]}+ days"]
    band = pd.cut(age, bins=list(bins) + [np.inf], right=False, labels=labels)
    frame = wip.assign(age_days=age, age_band=band)
    out = (frame.groupby(["initiative_id", "age_band"], observed=True)
           .agg(items=("item_id", "size"), oldest_days=("age_days", "max")).reset_index())
    return out.sort_values(["oldest_days", "initiative_id"], ascending=[False, True]).reset_index(drop=True)
