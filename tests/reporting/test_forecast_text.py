"""The forecasts and the ledger's verdict in words, and their two charts."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib import calibration_text, forecast_dates_chart, forecast_summary, how_many_chart, kpi_summary


def _forecasts() -> pd.DataFrame:
    return pd.DataFrame([
        {"scope": "portfolio", "kind": "how_many", "horizon_weeks": 13, "remaining": None, "history_weeks": 13,
         "trials": 10000, "p50": 120, "p85": 104, "p95": 97, "p_on_time": np.nan, "note": ""},
        {"scope": "I1", "kind": "when", "horizon_weeks": None, "remaining": 8, "history_weeks": 13, "trials": 10000,
         "p50": "2026-08-01", "p85": "2026-08-15", "p95": "2026-09-01", "p_on_time": 0.3, "note": ""},
        {"scope": "I2", "kind": "when", "horizon_weeks": None, "remaining": 3, "history_weeks": 13, "trials": 10000,
         "p50": "2026-07-10", "p85": "2026-07-17", "p95": "2026-07-24", "p_on_time": 0.9, "note": ""},
        {"scope": "I3", "kind": "when", "horizon_weeks": None, "remaining": 3, "history_weeks": 13, "trials": 10000,
         "p50": None, "p85": None, "p95": None, "p_on_time": np.nan,
         "note": "too little history: 2 items finished in the last 13 weeks, 5 needed"},
    ])


def test_forecast_summary_names_the_levels_and_the_initiatives_likely_late():
    text = forecast_summary(_forecasts(), names={"I1": "Ledger"}, on_time_probability=0.5)
    assert "In the next 13 weeks the portfolio is 85% likely to finish at least 104 work items" in text
    assert "even odds to finish 120 or more" in text
    assert "1 initiative has less than a 50% chance to finish its open work by the planned end: Ledger (I1) 30%." in text
    assert "1 scope finished too few items recently for a forecast: I3." in text


def test_calibration_text_says_the_verdict_in_words():
    assert calibration_text({"n": 0}).startswith("No earlier forecast can be scored yet")
    over = calibration_text({"n": 20, "hit_rate": 0.5, "ci_low": 0.3, "ci_high": 0.7, "verdict": "over-confident",
                             "brier": 0.2, "n_brier": 4}, widened=26)
    assert "Of 20 earlier forecasts at the 85% level whose outcome is now known, 50% came true" in over
    assert "**over-confident**" in over and "the last 26 weeks" in over
    assert "Brier score of 0.200 over 4 initiative forecasts" in over
    well = calibration_text({"n": 40, "hit_rate": 0.85, "ci_low": 0.71, "ci_high": 0.93, "verdict": "well calibrated",
                             "brier": np.nan, "n_brier": 0})
    assert "**well calibrated**" in well and "Brier" not in well


def _title(fig) -> str:
    """The chart's title wherever it sits: the house theme (set_theme) puts titles on the left."""
    ax = fig.axes[0]
    return ax.get_title(loc="left") or ax.get_title()


def test_the_charts_title_what_they_show():
    initiatives = pd.DataFrame({"initiative_id": ["I1", "I2"],
                                "planned_end_date": pd.to_datetime(["2026-07-20", "2026-12-31"])})
    fig = forecast_dates_chart(_forecasts(), initiatives, end=pd.Timestamp("2026-06-30"))
    assert _title(fig) == "1 initiative has less than a 50% chance to finish by its planned end"
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["I2", "I1"]  # least likely on time on top
    trials = np.repeat([90, 100, 110], [10, 80, 10])
    fig = how_many_chart(trials, weeks=13)
    assert _title(fig) == "85% likely to finish at least 100 items in the next 13 weeks"


def test_the_kpi_executive_summary_ends_with_what_the_forecasts_say():
    kpis = pd.DataFrame([{"scope": "portfolio", "kpi_id": "throughput", "name": "Throughput", "value": 800.0,
                          "target": np.nan, "status": "info", "unit": "count", "margin": np.nan, "n": 800}])
    plain = kpi_summary(kpis, cycle="C1", currency="EUR")
    text = kpi_summary(kpis, cycle="C1", currency="EUR", forecasts=_forecasts(), names={"I1": "Ledger"})
    assert text.startswith(plain)
    assert text.endswith(forecast_summary(_forecasts(), names={"I1": "Ledger"}))
    assert "Ledger (I1) 30%" in text
