"""Exceptions from the Monte Carlo forecasts: a low chance to finish on time, and a hand-typed date it contradicts."""
from __future__ import annotations

import pandas as pd

from pmo_lib.inputs.cycles import Cycle
from pmo_lib.reporting.register import REGISTER_COLUMNS, forecast_exceptions

D = pd.Timestamp


def _cycle(forecast_ends: list[str | None]) -> Cycle:
    ids = [f"I{i + 1}" for i in range(len(forecast_ends))]
    initiatives = pd.DataFrame({
        "initiative_id": ids, "name": [f"Initiative {i}" for i in ids], "kind": "project", "goal_id": None,
        "owner": "A", "status": "active", "start_date": D("2025-01-01"), "planned_end_date": D("2026-12-31"),
        "forecast_end_date": pd.to_datetime(forecast_ends), "actual_end_date": pd.NaT, "bac": 1.0})
    cycles = pd.DataFrame({"cycle": ["C1"], "start_date": [D("2026-04-01")], "end_date": [D("2026-06-30")]})
    return Cycle.of({"cycles": cycles, "initiatives": initiatives}, "C1")


def _when(scope: str, p: float, p50: str = "2026-09-01", p85: str = "2026-10-01", p95: str = "2026-11-01"):
    return {"scope": scope, "kind": "when", "horizon_weeks": None, "remaining": 12, "history_weeks": 13,
            "trials": 1000, "p50": p50, "p85": p85, "p95": p95, "p_on_time": p, "note": ""}


def test_a_low_chance_to_finish_on_time_is_an_exception_graded_by_the_threshold():
    cycle = _cycle([None, None, None])
    forecasts = pd.DataFrame([_when("I1", 0.40), _when("I2", 0.20), _when("I3", 0.90)])
    raw = forecast_exceptions(cycle, forecasts, on_time_probability=0.5)
    assert list(raw.columns) == REGISTER_COLUMNS
    out = raw.set_index("initiative_id")
    assert set(out.index) == {"I1", "I2"}  # I3 is 90% likely on time
    assert (out.at["I2", "severity"], out.at["I2", "recommendation"]) == ("high", "re-scope")  # below half of 50%
    assert (out.at["I1", "severity"], out.at["I1", "recommendation"]) == ("medium", "recover")
    assert out.at["I1", "description"].startswith("a 40% chance to finish its open work by its planned end")
    assert out["kind"].eq("forecast").all() and raw["exception_id"].tolist() == ["F01", "F02"]
    # a stricter board asks for 95%: I3 is then an exception too
    assert "I3" in set(forecast_exceptions(cycle, forecasts, on_time_probability=0.95)["initiative_id"])


def test_a_typed_forecast_end_the_simulation_contradicts_is_flagged():
    # I1 types a date before the 50% date, I2 after the 95% date, I3 one in between
    cycle = _cycle(["2026-08-15", "2027-03-01", "2026-10-15"])
    forecasts = pd.DataFrame([_when(i, 0.9) for i in ("I1", "I2", "I3")])
    out = forecast_exceptions(cycle, forecasts).set_index("initiative_id")
    assert set(out.index) == {"I1", "I2"}
    assert (out["severity"] == "low").all() and (out["recommendation"] == "continue").all()
    assert "earlier than the date by which its 12 open items are only even odds" in out.at["I1", "description"]
    assert "later than the date by which its 12 open items are 95% likely" in out.at["I2", "description"]
    assert out.at["I1", "value"] == -17 and out.at["I2", "value"] == 120  # days before p50, after p95


def test_a_planned_end_already_passed_is_said_in_words():
    cycle = _cycle([None])
    late = cycle.tables["initiatives"].assign(planned_end_date=D("2026-06-01"))
    cycle = Cycle.of({"cycles": cycle.tables["cycles"], "initiatives": late}, "C1")
    out = forecast_exceptions(cycle, pd.DataFrame([_when("I1", 0.0)]))
    assert out.at[0, "severity"] == "high"
    assert out.at[0, "description"].startswith("its planned end (2026-06-01) passed before the cycle's end with work "
                                               "still open; at the pace of its own recent work its 12 open items")


def test_the_register_counts_a_low_chance_in_the_initiatives_one_recommendation(tiny):
    """Given the forecasts, the register holds the low-chance rows, so the board sees one recommendation."""
    from pmo_lib import compute_kpis, exception_register, load_workspace, portfolio_status

    ws = load_workspace(tiny)
    cycle = ws.cycle("C3")
    kpis = compute_kpis(cycle, ws.catalog)
    live = cycle.tables["initiatives"]
    target = live.loc[live["status"].isin(["active", "at_risk", "on_hold"]), "initiative_id"].iloc[0]
    without = exception_register(cycle, kpis, ws.catalog)
    forecasts = pd.DataFrame([_when(target, 0.1)])
    register = exception_register(cycle, kpis, ws.catalog, forecasts=forecasts, on_time_probability=0.5)
    added = register[register["kind"] == "forecast"]
    assert list(added["initiative_id"]) == [target] and added["severity"].tolist() == ["high"]
    assert len(register) == len(without) + 1
    # the initiative's one recommendation counts the new high exception: at least re-scope
    status = portfolio_status(cycle, register).set_index("initiative_id")
    assert status.at[target, "recommendation"] in ("re-scope", "stop")
    assert (register.loc[register["initiative_id"] == target, "recommendation"] == status.at[target, "recommendation"]).all()
    # and without forecasts the register is as before
    assert exception_register(cycle, kpis, ws.catalog, forecasts=None).equals(without)
