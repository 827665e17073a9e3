"""Value for money and flow: which initiatives deliver customer value per unit of cost, and how work flows."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .kpis import _window, cycle_spend


def value_for_money(tables: dict[str, pd.DataFrame], kpis: pd.DataFrame, cycle: str) -> pd.DataFrame:
    """Customer value against cost per initiative for one cycle.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, kind, spend, cpi, nps, csat,
        realized_benefit, benefit_per_cost``: ``spend`` is the cycle's cost;
        ``benefit_per_cost`` the realised benefit per unit of that spend
        (NaN without benefits or spend). Sorted by ``benefit_per_cost``, best first.
    """
    spend = cycle_spend(tables, cycle)[["initiative_id", "spend"]]
    per = kpis[kpis["scope"] != "portfolio"].pivot_table(index="scope", columns="kpi_id", values="value",
                                                         aggfunc="first")
    per = per.reindex(columns=["cpi", "nps", "csat"]).rename_axis("initiative_id").reset_index()
    out = spend.merge(per, on="initiative_id", how="left")
    ben = tables["benefits"]
    realised = ben[ben["cycle"] == cycle].groupby("initiative_id")["realized_benefit"].sum()
    out["realized_benefit"] = out["initiative_id"].map(realised)
    out["benefit_per_cost"] = out["realized_benefit"] / out["spend"].where(out["spend"] > 0)
    ini = tables["initiatives"].set_index("initiative_id")
    out.insert(1, "name", out["initiative_id"].map(ini["name"]))
    out.insert(2, "kind", out["initiative_id"].map(ini["kind"]))
    return out.sort_values("benefit_per_cost", ascending=False, na_position="last").reset_index(drop=True)


def flow_times(work_items: pd.DataFrame, tables: dict[str, pd.DataFrame], cycle: str) -> pd.DataFrame:
    """Flow time of each item finished in the cycle.

    Returns
    -------
    DataFrame
        Columns ``item_id, initiative_id, item_type, flow_days``.
    """
    w = _window(tables, cycle)
    done = work_items[work_items["finished"].between(w.start, w.end) & work_items["started"].notna()]
    return done.assign(flow_days=(done["finished"] - done["started"]).dt.days)[
        ["item_id", "initiative_id", "item_type", "flow_days"]].reset_index(drop=True)


def wip_ageing(work_items: pd.DataFrame, tables: dict[str, pd.DataFrame], cycle: str,
               *, bins: tuple[int, ...] = (0, 14, 30, 60, 90)) -> pd.DataFrame:
    """Work in progress at the cycle's end by age band and initiative.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, age_band, items, oldest_days``: one row per
        initiative and band with items, oldest first.
    """
    end = _window(tables, cycle).end
    wip = work_items[(work_items["started"] <= end) & (work_items["finished"].isna() | (work_items["finished"] > end))]
    age = (end - wip["started"]).dt.days
    labels = [f"{a}–{b - 1} days" for a, b in zip(bins[:-1], bins[1:])] + [f"{bins[-1]}+ days"]
    band = pd.cut(age, bins=list(bins) + [np.inf], right=False, labels=labels)
    frame = wip.assign(age_days=age, age_band=band)
    out = (frame.groupby(["initiative_id", "age_band"], observed=True)
           .agg(items=("item_id", "size"), oldest_days=("age_days", "max")).reset_index())
    return out.sort_values(["oldest_days", "initiative_id"], ascending=[False, True]).reset_index(drop=True)
