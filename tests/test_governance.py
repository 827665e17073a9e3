"""Governance analysis on the tiny workspace, checked by hand."""
from __future__ import annotations

import pytest

from pmo_lib import (action_tracker, compute_kpis, funding_changes, goal_mix, initiative_exceptions, load_catalog,
                     load_workspace, open_raid, portfolio_overview, unaligned_spend)


@pytest.fixture
def ws(tiny):
    return load_workspace(tiny)


def test_goal_mix_flags_goals_outside_the_tolerance(ws):
    mix = goal_mix(ws.tables, "C2", tolerance=0.05).set_index("label")
    assert mix.at["G1 Grow online sales", "share"] == pytest.approx(37 / 80)
    assert bool(mix.at["G1 Grow online sales", "breach"])
    assert not bool(mix.at["G2 Keep customers", "breach"])
    assert mix.at["No strategic goal", "spend"] == pytest.approx(11000)
    assert mix["share"].sum() == pytest.approx(1.0)


def test_unaligned_spend_names_the_initiative(ws):
    out = unaligned_spend(ws.tables, "C2")
    assert out["initiative_id"].tolist() == ["I3"] and out["spend"].iloc[0] == pytest.approx(11000)


def test_exceptions_carry_severity_and_a_recommended_decision(ws):
    catalog = load_catalog(config=ws.config)
    kpis = compute_kpis(ws.tables, "C2", catalog, present=ws.present)
    out = initiative_exceptions(ws.tables, kpis, "C2", catalog, slip_days=30)
    spi = out[out["exception"].str.startswith("SPI")]
    assert spi["initiative_id"].tolist() == ["I1"]  # SPI 0.875 is below the red threshold 0.9
    assert spi["severity"].iloc[0] == "high" and spi["recommendation"].iloc[0] == "re-scope"
    late = out[out["exception"].str.contains("late")]
    assert late["initiative_id"].tolist() == ["I1"]  # forecast 90 days after plan
    assert late["severity"].iloc[0] == "medium"
    assert out["severity"].tolist() == sorted(out["severity"], key={"high": 0, "medium": 1}.get)


def test_funding_changes_compare_with_the_previous_cycle(ws):
    out = funding_changes(ws.tables, "C2").set_index("initiative_id")
    assert out.at["I2", "change"] == 10000 and out.at["I1", "change"] == 0
    assert funding_changes(ws.tables, "C1")["previous_budget"].eq(0).all()


def test_open_raid_and_actions_at_the_cycle_end(ws):
    end = ws["cycles"].set_index("cycle").at["C2", "end_date"]
    raid = open_raid(ws["raid"], end)
    assert raid["raid_id"].tolist() == ["R2", "R1", "R3"]  # critical first, then high, then medium
    assert raid.set_index("raid_id").at["R1", "overdue"]
    actions = action_tracker(ws["actions"], "C3", ws["cycles"]).set_index("action_id")
    assert bool(actions.at["A2", "overdue"]) and not bool(actions.at["A3", "overdue"])


def test_portfolio_overview_counts_by_status_and_kind(ws):
    out = portfolio_overview(ws["initiatives"]).set_index("status")
    assert out.at["active", "total"] == 3 and out.at["closed", "product"] == 1
    assert out.at["total", "total"] == 4
