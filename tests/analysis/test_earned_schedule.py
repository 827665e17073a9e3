"""Earned schedule (Lipke 2003, "Schedule is different", The Measurable News; ISO 21508:2018; PMI Practice
Standard for Earned Value Management), checked against a hand-worked example.

The example: a 10-month project P1 from 1 January 2026 to 31 October 2026 (planned duration PD = 303 days),
BAC 1,000, planned at 100 a month, so the cumulative PV at each month's end is 100, 200, ..., 1,000. Days since
the start of each month's end: Jan 30, Feb 58, Mar 89, Apr 119, May 150, Jun 180, Jul 211, Aug 242, Sep 272,
Oct 303, Nov 333, Dec 364. The work runs at 80% of the plan: EV = 80 a month.

End of June (AT = 180 days): EV = 480, PV = 600, so SPI = 0.8.
  The PV curve passes 480 between April (day 119, PV 400) and May (day 150, PV 500):
  ES = 119 + (480 - 400) / (500 - 400) × (150 - 119) = 119 + 0.8 × 31 = 143.8 days      (Lipke: ES = C + I)
  SPI(t) = ES / AT = 143.8 / 180 = 0.798889; SV(t) = ES - AT = -36.2 days
  IEAC(t) = PD / SPI(t) = 303 / 0.798889 = 379.27 days -> 1 January 2026 + 379 days = 15 January 2027.
End of December, two months after the planned end (AT = 364 days): EV = 960, PV = BAC = 1,000, SPI = 0.96,
  drifting back to 1.0; but ES = 272 + (960 - 900) / (1,000 - 900) × (303 - 272) = 272 + 0.6 × 31 = 290.6 days,
  SPI(t) = 290.6 / 364 = 0.798352: still 0.8.

EV beyond the last recorded PV: project P2, same plan, is ahead: at the end of February (AT = 58) EV = 250,
  PV = 200. The curve is extended to BAC 1,000 at the planned end (day 303):
  ES = 58 + (250 - 200) / (1,000 - 200) × (303 - 58) = 58 + 0.0625 × 245 = 73.3125 days, SPI(t) = 1.264009.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_lib import compute_kpis, earned_schedule, load_workspace
from pmo_lib.analysis.schedule import earned_schedule_days, pv_curve

MONTH_ENDS = pd.date_range("2026-01-31", periods=12, freq="ME")
START = pd.Timestamp("2026-01-01")
END = pd.Timestamp("2026-10-31")


def _plan(month: int) -> float:
    return min(100.0 * month, 1000.0)


@pytest.fixture
def project(minimal):
    """P1 (late, 80% of the plan each month) over twelve monthly cycles; P2 (ahead) only in January and February."""
    data = minimal / "data"
    pd.DataFrame({"cycle": [f"M{m:02d}" for m in range(1, 13)],
                  "start_date": [f"2026-{m:02d}-01" for m in range(1, 13)],
                  "end_date": [d.strftime("%Y-%m-%d") for d in MONTH_ENDS]}).to_csv(data / "cycles.csv", index=False)
    pd.DataFrame({"initiative_id": ["P1", "P2"], "name": ["Late project", "Early project"], "kind": "project",
                  "goal_id": "", "owner": "Ann", "status": "active", "start_date": "2026-01-01",
                  "planned_end_date": "2026-10-31", "forecast_end_date": "2026-10-31", "actual_end_date": "",
                  "bac": 1000}).to_csv(data / "initiatives.csv", index=False)
    rows = [{"cycle": f"M{m:02d}", "initiative_id": "P1", "budget": 1000, "planned_value": _plan(m),
             "earned_value": 80.0 * m, "actual_cost": 80.0 * m} for m in range(1, 13)]
    rows += [{"cycle": "M01", "initiative_id": "P2", "budget": 1000, "planned_value": 100.0, "earned_value": 120.0,
              "actual_cost": 100.0},
             {"cycle": "M02", "initiative_id": "P2", "budget": 1000, "planned_value": 200.0, "earned_value": 250.0,
              "actual_cost": 200.0}]
    pd.DataFrame(rows).to_csv(data / "financials.csv", index=False)
    for path in data.glob("*.csv"):  # the other required tables: their cycles renamed
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "cycle" in frame and path.stem not in ("cycles", "financials"):
            frame["cycle"] = frame["cycle"].replace({"C1": "M01", "C2": "M02", "C3": "M03"})
            frame.to_csv(path, index=False)
    return load_workspace(minimal)


def _one(frame: pd.DataFrame, scope: str) -> pd.Series:
    return frame.set_index("scope").loc[scope]


def test_hand_worked_example_at_the_end_of_june(project):
    es = _one(earned_schedule(project.cycle("M06")), "P1")
    assert es["es_days"] == pytest.approx(143.8)
    assert es["at_days"] == 180
    assert es["pd_days"] == 303
    assert es["spi_t"] == pytest.approx(143.8 / 180)
    assert es["sv_t"] == pytest.approx(-36.2)
    assert es["ieac_t_days"] == pytest.approx(303 / (143.8 / 180))
    assert es["ieac_t_date"] == pd.Timestamp("2027-01-15")


def test_late_project_spi_drifts_to_one_but_spi_t_does_not(project):
    catalog = project.catalog
    spi, spi_t = [], []
    for month in (6, 10, 12):
        kpis = compute_kpis(project.cycle(f"M{month:02d}"), catalog).set_index(["kpi_id", "scope"])
        spi.append(kpis.loc[("spi", "P1"), "value"])
        spi_t.append(kpis.loc[("spi_t", "P1"), "value"])
    assert spi == pytest.approx([0.8, 0.8, 0.96])  # SPI recovers as the planned value runs out
    assert spi_t[-1] == pytest.approx(290.6 / 364)  # SPI(t) does not: the hand-worked value
    assert all(v < 0.81 for v in spi_t)
    kpis = compute_kpis(project.cycle("M12"), catalog).set_index(["kpi_id", "scope"])
    assert kpis.loc[("spi", "P1"), "status"] == "amber"  # SPI 0.96 no longer looks off track ...
    assert kpis.loc[("spi_t", "P1"), "status"] == "red"  # ... SPI(t) 0.80 still does (red below 0.9)
    # SV(t) is rated as a share of the planned duration, IEAC(t) as its ratio to it
    assert kpis.loc[("sv_t", "P1"), "rated_value"] == pytest.approx((290.6 - 364) / 303)
    assert kpis.loc[("ieac_t", "P1"), "rated_value"] == pytest.approx(364 / 290.6)
    assert "forecast finish" in kpis.loc[("ieac_t", "P1"), "note"]


def test_ev_beyond_the_last_pv_extends_the_curve_to_bac_at_the_planned_end(project):
    es = _one(earned_schedule(project.cycle("M02")), "P2")
    assert es["es_days"] == pytest.approx(58 + 50 / 800 * 245)
    assert es["spi_t"] == pytest.approx((58 + 50 / 800 * 245) / 58)
    days, pv = pv_curve(START, [(MONTH_ENDS[0], 100.0), (MONTH_ENDS[1], 200.0)], ev=250.0, bac=1000.0,
                        planned_end=END)
    assert days.tolist() == [0, 30, 58, 303] and pv.tolist() == [0, 100, 200, 1000]
    # without EV beyond the last PV the curve stops at the last cycle
    days, pv = pv_curve(START, [(MONTH_ENDS[0], 100.0), (MONTH_ENDS[1], 200.0)], ev=150.0, bac=1000.0,
                        planned_end=END)
    assert days.tolist() == [0, 30, 58]


def test_earned_schedule_days_edges():
    days, pv = np.array([0.0, 30, 58, 89]), np.array([0.0, 100, 100, 300])
    assert earned_schedule_days(days, pv, 0.0) == 0.0
    assert earned_schedule_days(days, pv, 50.0) == pytest.approx(15.0)
    assert earned_schedule_days(days, pv, 100.0) == 30.0  # the first day the curve reaches EV, not the plateau's end
    assert earned_schedule_days(days, pv, 200.0) == pytest.approx(58 + 0.5 * 31)
    assert earned_schedule_days(days, pv, 400.0) == 89.0  # never beyond the end of the curve


def test_portfolio_sums_the_pv_curves(project):
    # End of February: P1 curve (0,0) (30,100) (58,200), EV 160; P2 curve (0,0) (30,100) (58,200) (303,1000), EV 250.
    # Summed curve: (0,0) (30,200) (58,400) (303, 200 + 1000 = 1200); ΣEV = 410:
    # ES = 58 + (410 - 400) / (1200 - 400) × 245 = 61.0625 days; AT = 58.
    es = _one(earned_schedule(project.cycle("M02")), "portfolio")
    assert es["es_days"] == pytest.approx(58 + 10 / 800 * 245)
    assert es["at_days"] == 58
    assert es["spi_t"] == pytest.approx((58 + 10 / 800 * 245) / 58)
    # with one initiative the portfolio is that initiative
    one = earned_schedule(project.cycle("M06"))
    assert one.set_index("scope").loc["portfolio", "spi_t"] == pytest.approx(one.set_index("scope").loc["P1", "spi_t"])


def test_not_started_is_not_rated(project, minimal):
    ws = project
    kpis = compute_kpis(ws.cycle("M01"), ws.catalog)
    rows = kpis[kpis["kpi_id"].isin(["spi_t", "sv_t", "ieac_t"])]
    assert set(rows["scope"]) == {"portfolio", "P1", "P2"}
    assert rows["value"].notna().all()
