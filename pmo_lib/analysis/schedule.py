"""Earned schedule: schedule performance measured in time, not money (Lipke 2003; ISO 21508:2018).

The schedule performance index SPI = EV / PV drifts back to 1.0 as a late
project finishes, because in the end all the planned value is earned. Earned
schedule asks instead *when* the work done so far should have been done.

The method, for one initiative at the end of a cycle:

- **The PV curve.** PV is interpolated linearly through PV = 0 at the
  initiative's ``start_date``, the cumulative ``planned_value`` at the end date
  of each cycle with a financials row (as known at the cycle's end), and, where
  EV exceeds the last recorded PV, BAC at ``planned_end_date``.
- **ES** (earned schedule) is the first day on which that curve reaches the
  current EV, in days since ``start_date``: with C the last point whose PV does
  not exceed EV, ES = t_C + (EV - PV_C) / (PV_C+1 - PV_C) · (t_C+1 - t_C), which
  is Lipke's ES = C + I with time in days instead of whole periods. EV at or
  beyond the end of the curve gives the curve's last day (an initiative cannot
  be ahead of its planned end).
- **AT** (actual time) is the days from ``start_date`` to the cycle's end, or to
  the ``actual_end_date`` when the initiative has finished by then (Lipke: the
  clock stops at completion).
- SPI(t) = ES / AT; SV(t) = ES - AT in days; IEAC(t) = PD / SPI(t), with PD the
  planned duration (``planned_end_date - start_date`` in days), reported as the
  date ``start_date + IEAC(t)``.

**The portfolio** is read as one project, as its SPI = ΣEV / ΣPV is: its PV
curve is the sum of the initiatives' PV curves, from the earliest start; ES is
when that curve reaches ΣEV; AT runs from the earliest start to the cycle's
end; PD from the earliest start to the latest planned end. Summing curves
weights each initiative by its planned value, as summing EV and PV does.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.cycles import Cycle

ES_COLUMNS = ["scope", "start_date", "planned_end_date", "ev", "pv", "bac", "es_days", "at_days", "pd_days",
              "spi_t", "sv_t", "ieac_t_days", "ieac_t_date", "note"]


def pv_curve(start: pd.Timestamp, points: list[tuple[pd.Timestamp, float]], *, ev: float, bac: float,
             planned_end: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """The planned-value curve of one initiative as (days since start, cumulative PV) knots.

    ``points`` are (cycle end date, cumulative PV) pairs; those on or before
    ``start`` are dropped. PV never falls along the curve (a re-plan that lowers
    cumulative PV is held at its earlier level, so the curve stays a function of
    time that can be inverted). BAC at ``planned_end`` is added when ``ev``
    exceeds the last recorded PV and the planned end lies after the last point.
    """
    days = [0.0]
    pv = [0.0]
    for when, value in sorted(points, key=lambda p: p[0]):
        day = float((pd.Timestamp(when) - start).days)
        if day <= days[-1] or not np.isfinite(value):
            continue
        days.append(day)
        pv.append(max(float(value), pv[-1]))
    end_day = float((pd.Timestamp(planned_end) - start).days)
    if ev > pv[-1] and np.isfinite(bac) and bac > pv[-1] and end_day > days[-1]:
        days.append(end_day)
        pv.append(float(bac))
    return np.asarray(days), np.asarray(pv)


def earned_schedule_days(days: np.ndarray, pv: np.ndarray, ev: float) -> float:
    """The first day on which the PV curve reaches ``ev`` (linear between knots).

    ES = t_C + (EV - PV_C) / (PV_C+1 - PV_C) · (t_C+1 - t_C) for the first
    segment with PV_C <= EV < PV_C+1 (Lipke 2003, ES = C + I). EV at or below
    zero gives 0; EV at or beyond the curve's last PV gives the last knot's day.
    """
    if not np.isfinite(ev) or ev <= 0:
        return 0.0
    if ev >= pv[-1]:
        # the first knot at the final level: a flat tail adds no schedule
        return float(days[int(np.argmax(pv >= pv[-1]))])
    k = int(np.argmax(pv > ev))  # first knot above EV; k >= 1 because pv[0] = 0 < ev
    lo_d, hi_d, lo_p, hi_p = days[k - 1], days[k], pv[k - 1], pv[k]
    # the curve may be flat before k (lo_p == ev): it reached ev at the first knot of that level
    if lo_p == ev:
        return float(days[int(np.argmax(pv >= ev))])
    return float(lo_d + (ev - lo_p) / (hi_p - lo_p) * (hi_d - lo_d))


def _summary(scope: str, start: pd.Timestamp, planned_end: pd.Timestamp, ev: float, pv_now: float, bac: float,
             es: float, at: float, note: str = "") -> dict:
    pd_days = float((planned_end - start).days)
    spi_t = es / at if at > 0 else np.nan
    ieac = pd_days / spi_t if spi_t and np.isfinite(spi_t) and spi_t > 0 else np.nan
    if at <= 0 and not note:
        note = "not started by the cycle's end"
    elif np.isnan(ieac) and not note:
        note = "no work earned yet, so no forecast finish"
    return {"scope": scope, "start_date": start, "planned_end_date": planned_end, "ev": ev, "pv": pv_now, "bac": bac,
            "es_days": es, "at_days": at, "pd_days": pd_days, "spi_t": spi_t,
            "sv_t": es - at if at > 0 else np.nan, "ieac_t_days": ieac,
            "ieac_t_date": start + pd.Timedelta(days=round(ieac)) if np.isfinite(ieac) else pd.NaT, "note": note}


def earned_schedule(cycle: Cycle) -> pd.DataFrame:
    """Earned schedule per initiative and for the portfolio at the cycle's end.

    The initiatives are those with a financials row in the cycle that started
    by its end. See the module's text for the method.

    Returns
    -------
    DataFrame
        Columns ``scope, start_date, planned_end_date, ev, pv, bac, es_days,
        at_days, pd_days, spi_t, sv_t, ieac_t_days, ieac_t_date, note``: one row
        per initiative (sorted by id) and a first row ``portfolio``. ``es_days``,
        ``at_days``, ``pd_days``, ``sv_t`` and ``ieac_t_days`` are days since
        ``start_date``; ``ieac_t_date`` is the forecast finish date. Empty
        without financials rows in the cycle.
    """
    tables = cycle.tables
    fin = tables["financials"]
    now = fin[fin["cycle"] == cycle.name]
    ini = tables["initiatives"].set_index("initiative_id")
    now = now[now["initiative_id"].isin(ini.index)]
    if now.empty:
        return pd.DataFrame(columns=ES_COLUMNS)
    ends = {c.name: c.end for c in cycle.history}  # the Cycle knows its past cycles' ends
    history = fin[fin["cycle"].isin(cycle.history_names)]
    rows = []
    curves = []
    by_initiative = dict(tuple(history.groupby("initiative_id", sort=False)))  # each one's rows, found once
    for initiative, row in now.set_index("initiative_id").sort_index().iterrows():
        start = pd.Timestamp(ini.at[initiative, "start_date"])
        planned_end = pd.Timestamp(ini.at[initiative, "planned_end_date"])
        bac = float(ini.at[initiative, "bac"])
        ev = float(row["earned_value"])
        own = by_initiative.get(initiative, history.iloc[0:0])
        points = [(pd.Timestamp(ends[c]), float(v)) for c, v in zip(own["cycle"], own["planned_value"])]
        days, pv = pv_curve(start, points, ev=ev, bac=bac, planned_end=planned_end)
        finished = ini.at[initiative, "actual_end_date"]
        stop = min(cycle.end, pd.Timestamp(finished)) if pd.notna(finished) else cycle.end
        at = float((stop - start).days)
        es = earned_schedule_days(days, pv, ev) if at > 0 else np.nan
        rows.append(_summary(initiative, start, planned_end, ev, float(row["planned_value"]), bac, es, at))
        if at > 0:
            curves.append((start, days, pv, ev))
    out = [_portfolio(cycle, curves, rows)] + rows
    return pd.DataFrame(out, columns=ES_COLUMNS)


def _portfolio(cycle: Cycle, curves: list[tuple[pd.Timestamp, np.ndarray, np.ndarray, float]],
               rows: list[dict]) -> dict:
    """The portfolio as one project: the initiatives' PV curves summed from the earliest start."""
    if not curves:
        return _summary("portfolio", cycle.end, cycle.end, np.nan, np.nan, np.nan, np.nan, 0.0,
                        "no initiative had started by the cycle's end")
    start = min(c[0] for c in curves)
    # every knot of every curve, on the portfolio's day scale
    grid = np.unique(np.concatenate([d + (s - start).days for s, d, _, _ in curves]))
    total = np.zeros_like(grid, dtype=float)
    for s, d, pv, _ in curves:
        total += np.interp(grid, d + (s - start).days, pv, left=0.0, right=pv[-1])
    ev = float(sum(c[3] for c in curves))
    live = [r for r in rows if r["at_days"] > 0]
    planned_end = max(r["planned_end_date"] for r in live)
    return _summary("portfolio", start, planned_end, ev, float(sum(r["pv"] for r in live)),
                    float(sum(r["bac"] for r in live)), earned_schedule_days(grid, total, ev),
                    float((cycle.end - start).days))
