"""Value for money and flow: which initiatives deliver customer value per unit of cost, and how work flows."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.config import DEFAULT_FLOW, Flow
from ..inputs.cycles import Cycle
from .kpis import cycle_spend, flow_days, flow_percentile


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


def flow_times(cycle: Cycle, *, flow: Flow = DEFAULT_FLOW, history: bool = False) -> pd.DataFrame:
    """Flow time of each item finished in the cycle.

    Parameters
    ----------
    flow : Flow, optional
        pmo.yaml's ``flow``: with ``inclusive_days`` an item takes finish - start + 1 days.
    history : bool
        Also the items finished in the earlier cycles (all cycles up to this one).

    Returns
    -------
    DataFrame
        Columns ``item_id, initiative_id, item_type, started, finished, flow_days``.
    """
    if history:
        items = cycle.tables["work_items"]
        done = items[items["finished"].between(cycle.history[0].start, cycle.end)].dropna(subset=["started"])
    else:
        done = cycle.rows("work_items").dropna(subset=["started"])
    return done.assign(flow_days=flow_days(done["started"], done["finished"], inclusive=flow.inclusive_days))[
        ["item_id", "initiative_id", "item_type", "started", "finished", "flow_days"]].reset_index(drop=True)


def flow_percentiles(times: pd.DataFrame, *, flow: Flow = DEFAULT_FLOW,
                     levels: tuple[int, ...] = (50, 85, 95)) -> dict[int, float]:
    """The flow-time percentiles of :func:`flow_times`, read with pmo.yaml's ``flow.percentile_method``.

    Returns
    -------
    dict
        Percentile level (e.g. 85) to days; NaN without finished items.
    """
    return {q: flow_percentile(times["flow_days"], q, method=flow.percentile_method) for q in levels}


def cumulative_flow(cycle: Cycle) -> pd.DataFrame:
    """Work items created, started and finished by each day, from the first cycle's start to this cycle's end.

    Returns
    -------
    DataFrame
        Columns ``date, created, started, finished``: cumulative counts at the
        end of each day (an item created before the first cycle counts from its
        first day). Empty without work items.
    """
    items = cycle.tables["work_items"]
    if items.empty:
        return pd.DataFrame(columns=["date", "created", "started", "finished"])
    days = pd.date_range(cycle.history[0].start, cycle.end, freq="D")
    out = {"date": days}
    for column in ("created", "started", "finished"):
        dates = items[column].dropna().sort_values().to_numpy(dtype="datetime64[ns]")
        out[column] = np.searchsorted(dates, days.to_numpy(dtype="datetime64[ns]"), side="right")
    return pd.DataFrame(out)


def weekly_throughput(cycle: Cycle) -> pd.DataFrame:
    """Items finished in each whole week ending on the cycle's end, back to the first cycle's start.

    Week k covers the days (end - 7k, end - 7(k - 1)]; only whole weeks are counted.

    Returns
    -------
    DataFrame
        Columns ``week_end, items``, oldest week first.
    """
    items = cycle.tables["work_items"]
    weeks = max((cycle.end - cycle.history[0].start).days + 1, 0) // 7
    ends = [cycle.end - pd.Timedelta(days=7 * k) for k in range(weeks - 1, -1, -1)]
    finished = items["finished"].dropna()
    counts = [int(((finished > e - pd.Timedelta(days=7)) & (finished <= e)).sum()) for e in ends]
    return pd.DataFrame({"week_end": pd.to_datetime(ends), "items": counts})


def wip_items(cycle: Cycle, *, flow: Flow = DEFAULT_FLOW) -> pd.DataFrame:
    """Each item in progress at the cycle's end with its age, for the ageing chart.

    Returns
    -------
    DataFrame
        Columns ``item_id, initiative_id, item_type, started, age_days``: age
        counted as flow time is (``flow.inclusive_days`` adds the first day).
        Oldest first.
    """
    end = cycle.end
    items = cycle.tables["work_items"]
    wip = items[(items["started"] <= end) & (items["finished"].isna() | (items["finished"] > end))]
    age = flow_days(wip["started"], pd.Series(end, index=wip.index), inclusive=flow.inclusive_days)
    out = wip.assign(age_days=age)[["item_id", "initiative_id", "item_type", "started", "age_days"]]
    return out.sort_values(["age_days", "item_id"], ascending=[False, True]).reset_index(drop=True)


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
