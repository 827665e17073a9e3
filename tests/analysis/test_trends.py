"""KPI trends over cycles: enough cycles give statistics, too few say so."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_lib import kpi_history, kpi_trends, load_catalog, load_workspace, trend_arrow
from pmo_lib.analysis.statistics import mann_kendall, xmr


def test_too_few_cycles_say_so_instead_of_guessing(tiny):
    ws = load_workspace(tiny)
    catalog = load_catalog(config=ws.config)
    trends = kpi_trends(kpi_history(ws.cycle(None), catalog), catalog).set_index("kpi_id")
    assert (trends["trend"] == "too few cycles").all()
    assert trends[["mk_tau", "center", "ucl"]].isna().all().all()
    assert trends.at["cpi", "n_cycles"] == 3


def test_trends_on_the_sample_match_the_statistics(sample):
    ws = load_workspace(sample)
    catalog = load_catalog(config=ws.config)
    history = kpi_history(ws.cycle(None), catalog)
    trends = kpi_trends(history, catalog).set_index("kpi_id")
    cpi = history[history["kpi_id"] == "cpi"]["value"]
    assert trends.at["cpi", "mk_tau"] == pytest.approx(mann_kendall(cpi)["tau"])
    assert trends.at["cpi", "ucl"] == pytest.approx(xmr(cpi)["ucl"])
    assert trends.at["cpi", "trend"] in {"worsening", "no clear trend"}  # the troubled programme drags CPI down
    assert list(trends.reset_index().columns) == ["kpi_id", "scope", "n_cycles", "mk_tau", "mk_p", "sen_slope",
                                                  "center", "ucl", "lcl", "mr_ucl", "signals", "trend"]


def test_improving_means_better_in_the_kpis_own_direction():
    from pmo_lib.analysis.trends import trend_word

    assert trend_word(-0.8, 0.01, "lower") == "improving"
    assert trend_word(-0.8, 0.01, "higher") == "worsening"
    assert trend_word(0.8, 0.5, "higher") == "no clear trend"
    assert trend_word(np.nan, np.nan, "higher") == "too few cycles"
    assert trend_arrow("improving").startswith("▲")


def test_signals_name_the_cycle_and_rule():
    from pmo_lib.inputs.catalog import KpiCatalog

    catalog = KpiCatalog(pd.DataFrame({"kpi_id": ["x"], "direction": ["higher"]}))
    history = pd.DataFrame({"kpi_id": "x", "scope": "portfolio", "cycle": [f"Q{i}" for i in range(8)],
                            "value": [10, 10.5, 9.5, 10, 10.2, 9.8, 10.1, 20]})
    trends = kpi_trends(history, catalog)
    assert "Q7: rule 1" in trends.at[0, "signals"]


def test_control_limits_of_a_share_are_clipped_to_0_1():
    # On-time delivery of the issue: limits -1.3 to 2.42 for a share that lives in 0-1.
    from pmo_lib.inputs.catalog import KpiCatalog

    catalog = KpiCatalog(pd.DataFrame({"kpi_id": ["x"], "direction": ["higher"], "unit": ["share"]}))
    values = [0.0, 1.0, 0.4, 1.0, 0.4, 0.0]
    history = pd.DataFrame({"kpi_id": "x", "scope": "portfolio", "unit": "share",
                            "cycle": [f"Q{i}" for i in range(6)], "value": values})
    raw = xmr(pd.Series(values))
    assert raw["lcl"] < 0 and raw["ucl"] > 1  # the unclipped limits leave the natural range
    trends = kpi_trends(history, catalog)
    assert trends.at[0, "lcl"] == 0.0 and trends.at[0, "ucl"] == 1.0
    assert trends.at[0, "center"] == pytest.approx(raw["center"])
    assert raw["mr_ucl"] > 1 and trends.at[0, "mr_ucl"] == 1.0  # a share cannot move by more than 100%


@pytest.mark.parametrize("unit, low, high", [("ratio", 0, None), ("count", 0, None), ("days", 0, None),
                                             ("points", -100, 100)])
def test_limits_are_clipped_to_each_units_natural_range(unit, low, high):
    from pmo_lib.inputs.catalog import KpiCatalog

    catalog = KpiCatalog(pd.DataFrame({"kpi_id": ["x"], "direction": ["higher"], "unit": [unit]}))
    values = [-95, 90, -90, 95, -99, 90] if unit == "points" else [1, 30, 0.5, 28, 1, 30]
    history = pd.DataFrame({"kpi_id": "x", "scope": "portfolio", "unit": unit,
                            "cycle": [f"Q{i}" for i in range(6)], "value": values})
    row = kpi_trends(history, catalog).iloc[0]
    raw = xmr(pd.Series(values))
    assert row["lcl"] == max(raw["lcl"], low)
    assert row["ucl"] == (raw["ucl"] if high is None else min(raw["ucl"], high))


def test_the_catalogue_bounds_override_the_units_range(sample):
    ws = load_workspace(sample)
    catalog = load_catalog(config=ws.config)
    assert catalog.bounds["benefits_realization"] == (0, None)  # realised benefits may exceed the plan
    trends = kpi_trends(kpi_history(ws.cycle(None), catalog), catalog).set_index("kpi_id")
    units = catalog.table.set_index("kpi_id")["unit"]
    for kpi_id, row in trends.dropna(subset=["center"]).iterrows():
        low, high = catalog.bounds[kpi_id]
        assert low is None or row["lcl"] >= low, kpi_id
        assert high is None or row["ucl"] <= high, kpi_id
        if units[kpi_id] == "share" and kpi_id != "benefits_realization":
            assert 0 <= row["lcl"] <= row["ucl"] <= 1, kpi_id


def test_a_descriptive_kpi_without_a_direction_rises_or_falls():
    from pmo_lib.analysis.trends import trend_word

    assert trend_word(0.8, 0.01, "none") == "rising"
    assert trend_word(-0.8, 0.01, "none") == "falling"
    assert trend_word(0.8, 0.5, "none") == "no clear trend"
    assert trend_arrow("rising") == "↑ rising"


def _row(**kw):
    base = {"kpi_id": "cpi", "n_cycles": 6, "mk_tau": -0.73, "mk_p": 0.03, "center": 0.99, "signals": "",
            "trend": "worsening"}
    return pd.Series({**base, **kw})


def test_trend_sentence_reconciles_a_drift_with_a_quiet_control_chart():
    from pmo_lib import trend_sentence

    text = trend_sentence(_row(), name="CPI")
    assert text == ("CPI drifted down over 6 cycles (Mann–Kendall p = 0.03, a deterioration), but every point "
                    "stays within its control limits: a slow decline, not a sudden shift.")


def test_trend_sentence_covers_every_combination():
    from pmo_lib import trend_sentence

    flagged = trend_sentence(_row(signals="2026-Q3: rule 1"), name="CV")
    assert "flags 2026-Q3" in flagged and "beyond routine variation" in flagged
    quiet = trend_sentence(_row(trend="no clear trend", mk_p=0.41, mk_tau=0.1), name="NPS")
    assert quiet == ("NPS shows no clear trend over 6 cycles (Mann–Kendall p = 0.41), and every point stays "
                     "within its control limits: only routine variation.")
    shift = trend_sentence(_row(trend="no clear trend", mk_p=0.41, signals="2025-Q2: rule 1"), name="X")
    assert "2025-Q2 (a point beyond the control limits)" in shift and "not a steady drift" in shift
    early = trend_sentence(_row(n_cycles=4, center=np.nan, trend="improving", mk_tau=0.9, mk_p=0.04), name="X")
    assert "drifted up over 4 cycles" in early and "control limits need 5 cycles" in early
    few = trend_sentence(_row(n_cycles=1, trend="too few cycles", mk_tau=np.nan, mk_p=np.nan), name="X")
    assert few.startswith("X has data for 1 cycle: too few")
    assert "p < 0.001" in trend_sentence(_row(mk_p=0.0004), name="X")


def test_trend_sentence_agrees_with_the_scorecard_and_the_chart_on_the_sample(sample):
    from pmo_lib import trend_sentence

    ws = load_workspace(sample)
    catalog = load_catalog(config=ws.config)
    trends = kpi_trends(kpi_history(ws.cycle(None), catalog), catalog)
    for _, row in trends.iterrows():
        text = trend_sentence(row)
        verdict = {"improving": "an improvement", "worsening": "a deterioration"}.get(row["trend"])
        if verdict:
            assert "drifted" in text and verdict in text
        if row["center"] == row["center"] and not row["signals"]:
            assert "within its control limits" in text
