"""Each cycle as it stood then: status, forecasts and decisions as known at a cycle's end."""
from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib import initiatives_as_of, load_workspace, tables_as_of
from pmo_lib.inputs.sample import TROUBLED

from tests.reporting.test_register import D, _initiatives, _tables


def test_an_initiative_closed_after_the_cycle_was_still_active_then():
    tables = _tables(initiatives=_initiatives(
        {"initiative_id": "I1", "name": "Closes later", "status": "closed", "actual_end_date": D("2026-08-15"),
         "planned_end_date": D("2026-08-01"), "forecast_end_date": D("2026-08-15")},
        {"initiative_id": "I2", "name": "Starts later", "start_date": D("2026-07-15"),
         "forecast_end_date": D("2027-02-01")},
        {"initiative_id": "I3", "name": "Closed in time", "status": "closed", "actual_end_date": D("2026-06-30")}))
    then = initiatives_as_of(tables, "C2").set_index("initiative_id")
    assert then.at["I1", "status"] == "active" and pd.isna(then.at["I1", "actual_end_date"])
    assert pd.isna(then.at["I1", "forecast_end_date"])  # today's forecast is hindsight
    assert then.at["I2", "status"] == "proposed"
    assert pd.isna(then.at["I2", "forecast_end_date"])  # a forecast made once the work had started is hindsight
    assert then.at["I3", "status"] == "closed"  # closed on the cycle's last day
    now = initiatives_as_of(tables, "C3").set_index("initiative_id")
    assert now.at["I1", "status"] == "closed" and now.at["I2", "status"] == "active"
    assert now.at["I2", "forecast_end_date"] == D("2027-02-01")


def test_a_recorded_status_wins_and_later_rows_are_left_out():
    history = pd.DataFrame({"cycle": ["C1", "C2", "C3"], "initiative_id": ["I1"] * 3,
                            "status": ["active", "on_hold", "active"],
                            "forecast_end_date": [D("2027-01-31"), D("2027-03-31"), D("2027-06-30")],
                            "note": [None, "paused", None]})
    decisions = pd.DataFrame({"decision_id": ["D1", "D2"], "cycle": ["C1", "C3"], "date": [D("2026-03-01"), D("2026-09-01")],
                              "title": ["a", "b"], "owner": [None, None], "outcome": [None, None],
                              "initiative_id": [None, None], "decision": [None, None]})
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"}), initiative_status=history,
                     decisions=decisions)
    then = tables_as_of(tables, "C2")
    row = then["initiatives"].set_index("initiative_id").loc["I1"]
    assert row["status"] == "on_hold" and row["forecast_end_date"] == D("2027-03-31")
    assert row["status_source"] == "recorded"
    assert then["decisions"]["decision_id"].tolist() == ["D1"]
    assert then["initiative_status"]["cycle"].tolist() == ["C1", "C2"]
    assert tables["initiatives"].at[0, "status"] == "active"  # the input is not changed


def test_the_sample_tells_each_cycle_as_it_stood(sample):
    ws = load_workspace(sample)
    first, last = ws.cycles[0], ws.cycles[-1]
    then = ws.as_of(first)["initiatives"].set_index("initiative_id")
    now = ws.as_of(last)["initiatives"].set_index("initiative_id")
    spent = ws["financials"][ws["financials"]["cycle"] == first]
    # no initiative that spent money in the first cycle was already closed then
    spenders = then.loc[spent.loc[spent["actual_cost"] > 0, "initiative_id"]]
    ended_before = spenders["actual_end_date"] < ws["cycles"].set_index("cycle").at[first, "start_date"]
    assert not (spenders["status"].eq("closed") & ~ended_before).any()
    # the troubled programme's forecast slip grew over time instead of being today's in every cycle
    slip_then = (then.at[TROUBLED, "forecast_end_date"] - then.at[TROUBLED, "planned_end_date"]).days
    slip_now = (now.at[TROUBLED, "forecast_end_date"] - now.at[TROUBLED, "planned_end_date"]).days
    assert 0 <= slip_then < slip_now
    assert ws.has("initiative_status")


def test_bad_status_history_and_decisions_are_located_and_listed_at_once(tiny):
    from pmo_lib import InputError

    (tiny / "data" / "initiative_status.csv").write_text(
        "cycle,initiative_id,status,forecast_end_date\n"
        "C1,I1,activ,2027-01-31\n"
        "C2,I9,active,2027-02-30\n"
        "C2,I1,active,2027-02-28\n"
        "C2,I1,on_hold,\n", encoding="utf-8")
    decisions = (tiny / "data" / "decisions.csv").read_text(encoding="utf-8").splitlines()
    decisions[0] += ",initiative_id,decision"
    decisions[1] += ",I1,abandon"
    (tiny / "data" / "decisions.csv").write_text("\n".join(decisions) + "\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (tiny / "data").iterdir()}
    with pytest.raises(InputError) as info:
        load_workspace(tiny)
    found = {(p.table, p.row, p.column, str(p.value)) for p in info.value.problem_list}
    assert ("initiative_status", 2, "status", "activ") in found
    assert ("initiative_status", 3, "initiative_id", "I9") in found
    assert ("initiative_status", 3, "forecast_end_date", "2027-02-30") in found
    assert ("initiative_status", 5, "initiative_id", "I1") in found  # the key (C2, I1) appears twice
    assert ("decisions", 2, "decision", "abandon") in found
    assert all(p.file.endswith((".csv")) for p in info.value.problem_list)
    assert {p.name: p.read_bytes() for p in (tiny / "data").iterdir()} == before  # nothing was changed
