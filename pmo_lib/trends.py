"""KPI trends over the planning cycles: Mann–Kendall, Theil–Sen and XmR control charts."""
from __future__ import annotations

import pandas as pd

from .kpis import KpiCatalog
from .statistics import mann_kendall, theil_sen_slope, xmr

TREND_COLUMNS = ["kpi_id", "scope", "n_cycles", "mk_tau", "mk_p", "sen_slope", "center", "ucl", "lcl", "mr_ucl",
                 "signals", "trend"]
MIN_TREND_POINTS = 4
MIN_CHART_POINTS = 5


def trend_word(tau: float, p: float, direction: str, *, alpha: float = 0.1) -> str:
    """``improving``, ``worsening``, ``no clear trend`` or ``too few cycles``."""
    if pd.isna(tau):
        return "too few cycles"
    if pd.isna(p) or p >= alpha or tau == 0:
        return "no clear trend"
    return "improving" if (tau > 0) == (direction == "higher") else "worsening"


def kpi_trends(history: pd.DataFrame, catalog: KpiCatalog, *, alpha: float = 0.1) -> pd.DataFrame:
    """Trend statistics and control-chart limits of every KPI over the cycles.

    Parameters
    ----------
    history : DataFrame
        From :func:`pmo_lib.kpi_history` (one scope, cycles in order).
    alpha : float
        Significance level below which a Mann–Kendall trend counts as real.

    Returns
    -------
    DataFrame
        Columns ``kpi_id, scope, n_cycles, mk_tau, mk_p, sen_slope, center,
        ucl, lcl, mr_ucl, signals, trend``. ``n_cycles`` counts cycles with a
        value; the trend needs 4 and the chart 5, otherwise the statistics are
        NaN and ``trend`` says ``too few cycles``. ``signals`` lists
        Western Electric rule breaches as ``cycle: rule N`` separated by ``; ``.
        ``sen_slope`` is per cycle.
    """
    directions = catalog.directions
    rows = []
    for kpi_id, group in history.groupby("kpi_id", sort=False):
        values = group["value"].reset_index(drop=True)
        cycles = group["cycle"].reset_index(drop=True)
        mk = mann_kendall(values, min_points=MIN_TREND_POINTS)
        chart = xmr(values, min_points=MIN_CHART_POINTS)
        signals = "; ".join(f"{cycles[i]}: rule {rule}" for i, rule in chart["signals"])
        rows.append({"kpi_id": kpi_id, "scope": group["scope"].iloc[0], "n_cycles": int(values.notna().sum()),
                     "mk_tau": mk["tau"], "mk_p": mk["p_value"],
                     "sen_slope": theil_sen_slope(values, min_points=MIN_TREND_POINTS),
                     "center": chart["center"], "ucl": chart["ucl"], "lcl": chart["lcl"], "mr_ucl": chart["mr_ucl"],
                     "signals": signals, "trend": trend_word(mk["tau"], mk["p_value"], directions.get(kpi_id, "higher"),
                                                             alpha=alpha)})
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def trend_arrow(trend: str) -> str:
    """An arrow and word for a trend, so that direction is not carried by colour alone."""
    return {"improving": "▲ improving", "worsening": "▼ worsening", "no clear trend": "► steady"}.get(
        trend, "· too few cycles")


def xmr_points(values: pd.Series) -> pd.DataFrame:
    """The moving ranges of a series, for drawing the mR chart.

    Returns
    -------
    DataFrame
        Columns ``value, moving_range`` aligned with ``values``.
    """
    v = pd.Series(values).reset_index(drop=True)
    return pd.DataFrame({"value": v, "moving_range": v.diff().abs()})
