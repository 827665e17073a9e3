"""Investment decisions: which work to do first (cost of delay) and whether the teams can absorb it (capacity).

Priorities
    SAFe's *weighted shortest job first* (WSJF) ranks work by its cost of
    delay over its size: WSJF = (business_value + time_criticality +
    risk_reduction) / job_size, all on SAFe's relative scale 1, 2, 3, 5, 8, 13,
    20. Where a cost of delay per week in money is given, Don Reinertsen's and
    Black Swan Farming's *CD3* (cost of delay divided by duration) ranks the
    same way in money: CD3 = cost_of_delay_per_week / duration in weeks.

Capacity
    A team's utilisation in a cycle is the person-days its initiatives ask of
    it over the person-days it can give. Above ``thresholds.max_utilisation``
    (85% by default) the team is overloaded: queueing theory says waiting time
    grows roughly as u / (1 - u), so work at 85% load waits about 6 times its
    own service time and at 95% about 19 times.

The optimiser of the next cycle's proposals takes :func:`next_cycle_load`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs.cycles import Cycle

PRIORITY_COLUMNS = ["initiative_id", "status", "cost_of_delay", "job_size", "wsjf", "cd3", "rank", "value_score"]
CAPACITY_COLUMNS = ["cycle", "team", "capacity_days", "demand_days", "utilisation", "overloaded"]
WSJF_ATTRIBUTES = ("business_value", "time_criticality", "risk_reduction", "job_size")
#: Statuses ranked by :func:`priorities`: work not yet ended.
RANKED_STATUSES = ("proposed", "active", "on_hold")
#: Statuses whose demand counts against a team's capacity: work under way.
UNDER_WAY = ("active", "on_hold")


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of ``frame`` as floats, all missing when the table lacks it."""
    if name in frame:
        return pd.to_numeric(frame[name], errors="coerce").astype(float)
    return pd.Series(np.nan, index=frame.index, dtype=float)


def duration_weeks(initiatives: pd.DataFrame, *, job_size_weeks: Mapping[int, float]) -> pd.DataFrame:
    """Each initiative's duration in weeks for CD3, and where it comes from.

    The job size mapped to weeks (``funding.job_size_weeks`` in pmo.yaml) when
    the initiative's job size is in the mapping; otherwise its planned duration,
    (planned_end_date - start_date) in days / 7, when both dates are given.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, weeks, source`` (``job size``, ``planned dates``
        or empty when neither gives a duration).
    """
    size = _column(initiatives, "job_size")
    mapped = size.map(lambda s: float(job_size_weeks[int(s)]) if pd.notna(s) and int(s) in job_size_weeks
                      else np.nan)
    planned = (initiatives["planned_end_date"] - initiatives["start_date"]).dt.days / 7
    planned = planned.where(planned > 0)
    weeks = mapped.fillna(planned)
    source = np.where(mapped.notna(), "job size", np.where(planned.notna(), "planned dates", ""))
    return pd.DataFrame({"initiative_id": initiatives["initiative_id"].to_numpy(), "weeks": weeks.to_numpy(),
                         "source": source})


def priorities(cycle: Cycle, *, job_size_weeks: Mapping[int, float],
               value_scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rank the proposed and unfinished initiatives by cost of delay: WSJF, or CD3 where money is given.

    * cost_of_delay = business_value + time_criticality + risk_reduction
      (SAFe's relative units); wsjf = cost_of_delay / job_size.
    * cd3 = cost_of_delay_per_week / duration in weeks, where
      ``cost_of_delay_per_week`` is given and a duration is known
      (:func:`duration_weeks`: the job size mapped by ``job_size_weeks``, else
      the planned dates).
    * rank: by CD3 when every listed initiative has one, otherwise by WSJF;
      highest first, ties in initiative id order. An initiative without the
      measure ranked by has no rank.

    Listed are the initiatives proposed, active or on hold at the cycle's end
    that have all four WSJF attributes or a CD3. The others are left out; the
    report says which (see :func:`unranked`).

    Parameters
    ----------
    cycle : Cycle
    job_size_weeks : mapping of int to float
        ``funding.job_size_weeks`` of pmo.yaml.
    value_scores : DataFrame, optional
        :func:`pmo_lib.value_scores` for the cycle; its ``value_score`` is
        shown beside the cost of delay (empty without it).

    Returns
    -------
    DataFrame
        Columns ``initiative_id, status, cost_of_delay, job_size, wsjf, cd3,
        rank, value_score``, rank order (unranked last).
    """
    ini = cycle.tables["initiatives"]
    ini = ini[ini["status"].isin(RANKED_STATUSES)]
    parts = {a: _column(ini, a) for a in WSJF_ATTRIBUTES}
    cod = parts["business_value"] + parts["time_criticality"] + parts["risk_reduction"]
    size = parts["job_size"]
    wsjf = (cod / size).where(size > 0)
    weeks = duration_weeks(ini, job_size_weeks=job_size_weeks)["weeks"].to_numpy()
    cd3 = (_column(ini, "cost_of_delay_per_week") / weeks).where(weeks > 0)
    out = pd.DataFrame({"initiative_id": ini["initiative_id"], "status": ini["status"], "cost_of_delay": cod,
                        "job_size": size, "wsjf": wsjf, "cd3": cd3})
    out = out[out["wsjf"].notna() | out["cd3"].notna()]
    basis = "cd3" if len(out) and out["cd3"].notna().all() else "wsjf"
    out = out.sort_values("initiative_id", kind="stable")
    out = out.sort_values(basis, ascending=False, kind="stable", na_position="last")
    ranked = out[basis].notna()
    out["rank"] = np.where(ranked, np.cumsum(ranked), np.nan)
    if value_scores is not None and len(value_scores):
        out["value_score"] = out["initiative_id"].map(value_scores.set_index("initiative_id")["value_score"])
    else:
        out["value_score"] = np.nan
    return out[PRIORITY_COLUMNS].reset_index(drop=True)


def ranking_basis(priorities: pd.DataFrame) -> str:
    """``cd3`` when :func:`priorities` ranked by CD3, ``wsjf`` when by WSJF."""
    return "cd3" if len(priorities) and priorities["cd3"].notna().all() else "wsjf"


def unranked(cycle: Cycle, priorities: pd.DataFrame) -> pd.DataFrame:
    """The initiatives proposed or under way at the cycle's end that :func:`priorities` leaves out, and why.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, status, missing``: the attributes the
        initiative lacks (column names of the initiatives table).
    """
    ini = cycle.tables["initiatives"]
    ini = ini[ini["status"].isin(RANKED_STATUSES) & ~ini["initiative_id"].isin(priorities["initiative_id"])]
    missing = [", ".join(a for a in WSJF_ATTRIBUTES if pd.isna(_column(ini, a)[i])) for i in ini.index]
    return pd.DataFrame({"initiative_id": ini["initiative_id"].to_numpy(), "name": ini["name"].to_numpy(),
                         "status": ini["status"].to_numpy(), "missing": missing},
                        columns=["initiative_id", "name", "status", "missing"])


def _demand_under_way(cycle: Cycle) -> pd.DataFrame:
    """The cycle's demand rows of the initiatives under way (active or on hold) at its end."""
    ini = cycle.tables["initiatives"]
    dem = cycle.rows("demand")
    return dem[dem["initiative_id"].isin(set(ini.loc[ini["status"].isin(UNDER_WAY), "initiative_id"]))]


def capacity_utilisation(cycle: Cycle, *, max_utilisation: float) -> pd.DataFrame:
    """Each team's demand against its capacity, in every cycle up to this one (the trend).

    Demand is the ``demand_days`` of the initiatives under way (active or on
    hold) at that cycle's end; a proposed initiative's rows say what starting
    it would take and count in :func:`next_cycle_load`, not here, and an
    ended one asks nothing. utilisation = demand_days / capacity_days; a team
    is overloaded when it is above ``max_utilisation``
    (``thresholds.max_utilisation``). A team with demand but no capacity row
    has no utilisation and is not called overloaded.

    Parameters
    ----------
    cycle : Cycle
    max_utilisation : float

    Returns
    -------
    DataFrame
        Columns ``cycle, team, capacity_days, demand_days, utilisation,
        overloaded``, by cycle (first to last) and team. Empty without a
        capacity table.
    """
    frames = []
    for past in cycle.history:
        cap = past.rows("capacity").groupby("team")["capacity_days"].sum()
        dem = _demand_under_way(past).groupby("team")["demand_days"].sum()
        if cap.empty:
            continue
        teams = sorted(set(cap.index) | set(dem.index))
        frame = pd.DataFrame({"cycle": past.name, "team": teams,
                              "capacity_days": cap.reindex(teams).to_numpy(dtype=float),
                              "demand_days": dem.reindex(teams).fillna(0.0).to_numpy(dtype=float)})
        frames.append(frame)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            CAPACITY_COLUMNS, [object, object, float, float, float, bool])})
    out = pd.concat(frames, ignore_index=True)
    out["utilisation"] = out["demand_days"] / out["capacity_days"]
    out["overloaded"] = (out["utilisation"] > max_utilisation).fillna(False).astype(bool)
    return out[CAPACITY_COLUMNS]


@dataclass(frozen=True)
class NextCycleLoad:
    """What the next cycle's teams can give and what is already asked of them: the optimiser's capacity inputs.

    Attributes
    ----------
    cycle : str
        The next cycle's name, or ``"the next cycle"`` when the cycles table does not name it yet.
    teams : DataFrame
        Columns ``team, capacity_days, committed_days, free_days``: capacity
        per team, the days the continuing (active and on-hold) initiatives
        already ask, and what is left (may be negative).
    proposals : DataFrame
        Columns ``initiative_id, team, demand_days``: what starting each
        proposed initiative would ask of each team.
    capacity_from, demand_from : str
        The cycle whose capacity rows, and whose continuing initiatives' demand
        rows, were used (the next cycle's when the tables have them, else this one's).
    """

    cycle: str
    teams: pd.DataFrame
    proposals: pd.DataFrame
    capacity_from: str
    demand_from: str


def next_cycle_load(cycle: Cycle) -> NextCycleLoad:
    """The next cycle's capacity per team, the days already committed to it, and the proposals' demand.

    The rule, in order:

    * **capacity**: the next cycle's ``capacity`` rows when the table has any;
      otherwise this cycle's (a team keeps its capacity);
    * **committed**: the ``demand`` rows of the initiatives active or on hold
      at this cycle's end, for the next cycle when the table has any rows for
      it, otherwise this cycle's (continuing work keeps asking what it asks now);
    * **proposals**: for each initiative proposed at this cycle's end, its
      ``demand`` rows for the next cycle when it has any, otherwise its rows at
      the latest earlier cycle it has rows for. Rows of cycles after the next
      one are never read, so appending a later cycle's plans changes nothing
      here (the runner's fingerprints rely on it).

    A team that appears only in demand has capacity 0 (any demand on it cannot
    be absorbed).

    Returns
    -------
    NextCycleLoad
    """
    tables = cycle.tables
    order = {c: i for i, c in enumerate(tables["cycles"]["cycle"])}
    nxt = cycle.next_name
    capacity, demand = tables["capacity"], tables["demand"]
    cap_from = nxt if nxt is not None and (capacity["cycle"] == nxt).any() else cycle.name
    dem_from = nxt if nxt is not None and (demand["cycle"] == nxt).any() else cycle.name
    cap = capacity[capacity["cycle"] == cap_from].groupby("team")["capacity_days"].sum()
    ini = tables["initiatives"]
    live = set(ini.loc[ini["status"].isin(UNDER_WAY), "initiative_id"])
    proposed = set(ini.loc[ini["status"] == "proposed", "initiative_id"])
    committed = demand[(demand["cycle"] == dem_from) & demand["initiative_id"].isin(live)]
    committed = committed.groupby("team")["demand_days"].sum()
    horizon = order.get(nxt if nxt is not None else cycle.name, -1)
    asks = demand[demand["initiative_id"].isin(proposed) & (demand["cycle"].map(order).fillna(-1) <= horizon)]
    asks = asks.assign(_o=asks["cycle"].map(order).astype(float).fillna(-1.0))
    if nxt is not None:
        asks.loc[asks["cycle"] == nxt, "_o"] = np.inf
    latest = asks.groupby("initiative_id")["_o"].transform("max")
    asks = asks[asks["_o"] == latest]
    proposals = (asks.groupby(["initiative_id", "team"], as_index=False)["demand_days"].sum()
                 .sort_values(["initiative_id", "team"]).reset_index(drop=True))
    teams = sorted(set(cap.index) | set(committed.index) | set(proposals["team"]))
    frame = pd.DataFrame({"team": teams, "capacity_days": cap.reindex(teams).fillna(0.0).to_numpy(dtype=float),
                          "committed_days": committed.reindex(teams).fillna(0.0).to_numpy(dtype=float)})
    frame["free_days"] = frame["capacity_days"] - frame["committed_days"]
    return NextCycleLoad(cycle=nxt or "the next cycle", teams=frame, proposals=proposals[["initiative_id", "team",
                                                                                          "demand_days"]],
                         capacity_from=cap_from, demand_from=dem_from)


def overloaded_teams(capacity: pd.DataFrame, cycle: str) -> pd.DataFrame:
    """The overloaded teams of one cycle from :func:`capacity_utilisation`, most loaded first.

    Returns
    -------
    DataFrame
        The rows of ``capacity`` for ``cycle`` whose ``overloaded`` is true.
    """
    hit = capacity[(capacity["cycle"] == cycle) & capacity["overloaded"].astype(bool)]
    return hit.sort_values(["utilisation", "team"], ascending=[False, True], kind="stable").reset_index(drop=True)


def team_users(cycle: Cycle, teams: list[str], *, top: int = 3) -> pd.DataFrame:
    """The initiatives under way that ask most of each of ``teams`` in the cycle: what to defer or re-sequence.

    Returns
    -------
    DataFrame
        Columns ``team, initiative_id, name, demand_days``: for each team its
        ``top`` largest users (active or on hold at the cycle's end), largest
        first; empty without a demand table.
    """
    dem = _demand_under_way(cycle)
    dem = dem[dem["team"].isin(teams)]
    names = cycle.tables["initiatives"].set_index("initiative_id")["name"]
    out = (dem.groupby(["team", "initiative_id"], as_index=False)["demand_days"].sum()
           .sort_values(["team", "demand_days", "initiative_id"], ascending=[True, False, True], kind="stable")
           .groupby("team").head(top))
    out.insert(2, "name", out["initiative_id"].map(names))
    return out.reset_index(drop=True)[["team", "initiative_id", "name", "demand_days"]]
