"""KPI trends over the planning cycles: Mann–Kendall, Theil–Sen and XmR control charts."""
from __future__ import annotations

import pandas as pd

from ..inputs import i18n
from ..inputs.config import DEFAULT_MINIMUMS, Minimums
from ..inputs.i18n import N_, gettext, ngettext
from ..inputs.catalog import NATURAL_RANGE, KpiCatalog
from .statistics import mann_kendall, theil_sen_slope, xmr

TREND_COLUMNS = ["kpi_id", "scope", "n_cycles", "mk_tau", "mk_p", "sen_slope", "center", "ucl", "lcl", "mr_ucl",
                 "signals", "trend"]
#: Default cycles a trend test and control limits need (``minimums`` in pmo.yaml can change them).
MIN_TREND_POINTS = DEFAULT_MINIMUMS.trend_cycles
MIN_CHART_POINTS = DEFAULT_MINIMUMS.control_chart_cycles
#: The Western Electric rules in words, for client text.
RULE_WORDS = {1: N_("a point beyond the control limits"), 2: N_("two of three points close to a limit"),
              3: N_("four of five points well off the centre on one side"),
              4: N_("eight points in a row on one side")}  # N_: translated where shown
#: The trend words kpi_trends records (always English), as the report shows them (translated where shown).
TREND_WORDS = {"improving": N_("improving"), "worsening": N_("worsening"), "no clear trend": N_("no clear trend"),
               "too few cycles": N_("too few cycles"), "rising": N_("rising"), "falling": N_("falling")}


def _rule(rule: int) -> str:
    return gettext(RULE_WORDS[rule]) if rule in RULE_WORDS else gettext("rule {rule}").format(rule=rule)


def trend_word(tau: float, p: float, direction: str, *, alpha: float = 0.05) -> str:
    """``improving``, ``worsening``, ``no clear trend`` or ``too few cycles``.

    A KPI with ``direction == "none"`` (descriptive) is ``rising`` or ``falling`` instead.
    """
    if pd.isna(tau):
        return "too few cycles"
    if pd.isna(p) or p >= alpha or tau == 0:
        return "no clear trend"
    if direction == "none":
        return "rising" if tau > 0 else "falling"
    return "improving" if (tau > 0) == (direction == "higher") else "worsening"


def clip_to_range(value: float, bounds: tuple[float | None, float | None]) -> float:
    """Clip a number to a natural range (low, high); ``None`` is open and NaN stays NaN."""
    low, high = bounds
    if pd.isna(value):
        return value
    if low is not None and value < low:
        return float(low)
    if high is not None and value > high:
        return float(high)
    return float(value)


def _span(bounds: tuple[float | None, float | None]) -> tuple[float, float | None]:
    """The range of a moving range: from 0 to the width of a closed natural range."""
    low, high = bounds
    return (0.0, None if low is None or high is None else float(high - low))


def kpi_trends(history: pd.DataFrame, catalog: KpiCatalog, *, alpha: float = 0.05,
               minimums: Minimums = DEFAULT_MINIMUMS) -> pd.DataFrame:
    """Trend statistics and control-chart limits of every KPI over the cycles.

    Parameters
    ----------
    history : DataFrame
        From :func:`pmo_lib.kpi_history` (one scope, cycles in order).
    alpha : float
        Significance level below which a Mann–Kendall trend counts as real: 5%, the level of every other test
        in the pack (the maturity assessment's change tests), so that one report never calls real what another
        calls chance.
    minimums : Minimums
        ``trend_cycles`` and ``control_chart_cycles``: the cycles with data the
        trend and the control limits need (default 4 and 5).

    Returns
    -------
    DataFrame
        Columns ``kpi_id, scope, n_cycles, mk_tau, mk_p, sen_slope, center,
        ucl, lcl, mr_ucl, signals, trend``. ``n_cycles`` counts cycles with a
        value; the trend needs ``minimums.trend_cycles`` and the chart
        ``minimums.control_chart_cycles``, otherwise the statistics are
        NaN and ``trend`` says ``too few cycles``. ``signals`` lists
        Western Electric rule breaches as ``cycle: rule N`` separated by ``; ``.
        ``sen_slope`` is per cycle. ``ucl`` and ``lcl`` are clipped to the
        KPI's natural range (a share to 0–1, a count, ratio or days to 0 and
        above, NPS to −100…100; see ``bounds`` in the catalogue); ``mr_ucl``
        to the widest move the range allows (1 for a share, 200 for NPS).
    """
    directions = catalog.directions
    bounds = catalog.bounds
    rows = []
    for kpi_id, group in history.groupby("kpi_id", sort=False):
        values = group["value"].reset_index(drop=True)
        cycles = group["cycle"].reset_index(drop=True)
        mk = mann_kendall(values, min_points=minimums.trend_cycles)
        chart = xmr(values, min_points=minimums.control_chart_cycles)
        signals = "; ".join(f"{cycles[i]}: rule {rule}" for i, rule in chart["signals"])
        unit = group["unit"].iloc[0] if "unit" in group else None
        natural = bounds.get(kpi_id) or NATURAL_RANGE.get(str(unit), (None, None))
        rows.append({"kpi_id": kpi_id, "scope": group["scope"].iloc[0], "n_cycles": int(values.notna().sum()),
                     "mk_tau": mk["tau"], "mk_p": mk["p_value"],
                     "sen_slope": theil_sen_slope(values, min_points=minimums.trend_cycles),
                     "center": chart["center"], "ucl": clip_to_range(chart["ucl"], natural),
                     "lcl": clip_to_range(chart["lcl"], natural), "mr_ucl": clip_to_range(chart["mr_ucl"], _span(natural)),
                     "signals": signals, "trend": trend_word(mk["tau"], mk["p_value"], directions.get(kpi_id, "higher"),
                                                             alpha=alpha)})
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def signal_list(signals: str) -> list[tuple[str, int]]:
    """``"2026-Q3: rule 1; ..."`` as ``[("2026-Q3", 1), ...]``."""
    out = []
    for part in filter(None, str(signals or "").split("; ")):
        cycle, rule = part.rsplit(": rule ", 1)
        out.append((cycle, int(rule)))
    return out


def signal_text(signals: str) -> str:
    """Signals in words: ``2026-Q3: a point beyond the control limits``; ``none`` when there are none."""
    parts = [f"{cycle}: {_rule(rule)}" for cycle, rule in signal_list(signals)]
    return "; ".join(parts) if parts else gettext("none")


def _p_text(p: float) -> str:
    if p < 0.001:
        return "p < " + i18n.number(0.001, 3)
    return "p = " + i18n.number(p, 3 if p < 0.01 else 2)


def trend_sentence(trend_row, *, name: str | None = None, minimums: Minimums = DEFAULT_MINIMUMS) -> str:
    """One sentence that reconciles the trend test with the control chart.

    The scorecard's trend word comes from a Mann–Kendall test over the cycles;
    the control chart asks whether any cycle lies outside routine variation.
    They answer different questions and can both be true: a KPI can drift
    steadily while every point stays within its limits. E.g. "CPI drifted down
    over 6 cycles (Mann–Kendall p = 0.06), but every point stays within its
    control limits: a slow decline, not a sudden shift."

    Parameters
    ----------
    trend_row : Series or mapping
        A row of :func:`kpi_trends`.
    name : str, optional
        The KPI's name; default its id.
    minimums : Minimums
        The cycles a trend and control limits need, as quoted in the sentence.
    """
    get = trend_row.get if hasattr(trend_row, "get") else (lambda k, d=None: getattr(trend_row, k, d))
    name = name or str(get("kpi_id"))
    n = int(get("n_cycles", 0) or 0)
    count = i18n.number(n)
    trend, tau, p = get("trend"), get("mk_tau"), get("mk_p")
    charted = pd.notna(get("center"))
    signals = signal_list(get("signals", ""))
    need_trend, need_chart = minimums.trend_cycles, minimums.control_chart_cycles
    if trend == "too few cycles":
        return ngettext("{name} has data for {count} cycle: too few to judge a trend (it needs {need_trend}) or to "
                        "draw control limits (they need {need_chart}).",
                        "{name} has data for {count} cycles: too few to judge a trend (it needs {need_trend}) or to "
                        "draw control limits (they need {need_chart}).", n).format(
            name=name, count=count, need_trend=need_trend, need_chart=need_chart)
    if trend in ("improving", "worsening", "rising", "falling"):
        test = _p_text(p)
        if trend == "improving":
            head = (ngettext("{name} drifted up over {count} cycle (Mann–Kendall {test}, an improvement)",
                             "{name} drifted up over {count} cycles (Mann–Kendall {test}, an improvement)", n)
                    if tau > 0 else
                    ngettext("{name} drifted down over {count} cycle (Mann–Kendall {test}, an improvement)",
                             "{name} drifted down over {count} cycles (Mann–Kendall {test}, an improvement)", n))
        elif trend == "worsening":
            head = (ngettext("{name} drifted up over {count} cycle (Mann–Kendall {test}, a deterioration)",
                             "{name} drifted up over {count} cycles (Mann–Kendall {test}, a deterioration)", n)
                    if tau > 0 else
                    ngettext("{name} drifted down over {count} cycle (Mann–Kendall {test}, a deterioration)",
                             "{name} drifted down over {count} cycles (Mann–Kendall {test}, a deterioration)", n))
        else:
            head = (ngettext("{name} drifted up over {count} cycle (Mann–Kendall {test})",
                             "{name} drifted up over {count} cycles (Mann–Kendall {test})", n) if tau > 0 else
                    ngettext("{name} drifted down over {count} cycle (Mann–Kendall {test})",
                             "{name} drifted down over {count} cycles (Mann–Kendall {test})", n))
        head = head.format(name=name, count=count, test=test)
        if not charted:
            return gettext("{head}; control limits need {need_chart} cycles, so a sudden shift cannot yet be told "
                           "apart.").format(head=head, need_chart=need_chart)
        if not signals:
            return (gettext("{head}, but every point stays within its control limits: a slow rise, not a sudden shift.")
                    if tau > 0 else
                    gettext("{head}, but every point stays within its control limits: a slow decline, not a sudden "
                            "shift.")).format(head=head)
        where = ", ".join(sorted({c for c, _ in signals}))
        return gettext("{head}, and the control chart flags {where}: the change is real and has gone beyond routine "
                       "variation, so it needs an explanation.").format(head=head, where=where)
    if pd.notna(p):
        head = ngettext("{name} shows no clear trend over {count} cycle (Mann–Kendall {test})",
                        "{name} shows no clear trend over {count} cycles (Mann–Kendall {test})", n).format(
            name=name, count=count, test=_p_text(p))
    else:
        head = ngettext("{name} shows no clear trend over {count} cycle", "{name} shows no clear trend over {count} cycles",
                        n).format(name=name, count=count)
    if not charted:
        return gettext("{head}; control limits need {need_chart} cycles.").format(head=head, need_chart=need_chart)
    if not signals:
        return gettext("{head}, and every point stays within its control limits: only routine variation.").format(
            head=head)
    where = "; ".join(f"{c} ({_rule(r)})" for c, r in signals)
    return gettext("{head}, but the control chart flags {where}: a shift or an outlier worth explaining, not a steady "
                   "drift.").format(head=head, where=where)


def xmr_points(values: pd.Series) -> pd.DataFrame:
    """The moving ranges of a series, for drawing the mR chart.

    The limits the chart draws come from :func:`kpi_trends`, already clipped
    to the KPI's natural range.

    Returns
    -------
    DataFrame
        Columns ``value, moving_range`` aligned with ``values``.
    """
    v = pd.Series(values, dtype=float).reset_index(drop=True)
    return pd.DataFrame({"value": v, "moving_range": v.diff().abs()})


def shortfall_text(trends: pd.DataFrame, names: dict[str, str] | pd.Series, *,
                   minimums: Minimums = DEFAULT_MINIMUMS) -> str:
    """The KPIs whose trend is not computed yet, in one sentence, instead of rows of n/a.

    Parameters
    ----------
    trends : DataFrame
        Rows of :func:`kpi_trends` with fewer than ``minimums.trend_cycles`` cycles.
    names : mapping
        kpi_id to the KPI's name.

    Returns
    -------
    str
        E.g. "A trend test needs at least 4 cycles with data and control limits 5. Cost performance index
        and 6 more KPIs have data for 1 cycle so far; 15 KPIs have no data yet."
    """
    head = gettext("A trend test needs at least {trend} cycles with data and control limits {chart}.").format(
        trend=minimums.trend_cycles, chart=minimums.control_chart_cycles)
    parts = []
    for n, group in trends.groupby("n_cycles", sort=True):
        n = int(n)
        listed = [str(names.get(k, k)) for k in group["kpi_id"]]
        if len(listed) > 3:
            shown = ngettext("{names} and {count} more KPI", "{names} and {count} more KPIs", len(listed) - 3).format(
                names=", ".join(listed[:3]), count=len(listed) - 3)
        else:
            shown = ", ".join(listed)
        single = len(listed) == 1
        if n == 0:
            parts.append((gettext("{kpis} has no data yet") if single else gettext("{kpis} have no data yet")).format(
                kpis=shown))
        else:
            parts.append((ngettext("{kpis} has data for {count} cycle so far", "{kpis} has data for {count} cycles so far",
                                   n) if single else
                          ngettext("{kpis} have data for {count} cycle so far",
                                   "{kpis} have data for {count} cycles so far", n)).format(kpis=shown, count=n))
    return head + (" " + "; ".join(parts) + "." if parts else "")
