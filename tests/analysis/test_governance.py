"""Governance analysis on the tiny workspace, checked by hand."""
from __future__ import annotations

import pytest

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_lib import (action_completion, action_tracker, compute_kpis, exception_register, funding_changes, goal_mix,
                     load_catalog, load_workspace, open_raid, portfolio_by_goal, portfolio_overview, raid_summary,
                     reallocation_scenario, scenario_goal_mix, unaligned_spend, value_scores)
from pmo_lib.inputs.config import Funding


@pytest.fixture
def ws(tiny):
    return load_workspace(tiny)


def test_goal_mix_flags_goals_outside_the_tolerance(ws):
    mix = goal_mix(ws.cycle("C2"), tolerance=0.05).set_index("label")
    assert mix.at["G1 Grow online sales", "share"] == pytest.approx(37 / 80)
    assert bool(mix.at["G1 Grow online sales", "breach"])
    assert not bool(mix.at["G2 Keep customers", "breach"])
    assert mix.at["No strategic goal", "spend"] == pytest.approx(11000)
    assert mix["share"].sum() == pytest.approx(1.0)


def test_unaligned_spend_names_the_initiative(ws):
    out = unaligned_spend(ws.cycle("C2"))
    assert out["initiative_id"].tolist() == ["I3"] and out["spend"].iloc[0] == pytest.approx(11000)


def test_register_on_fixture_data_with_known_answers(ws):
    catalog = load_catalog(config=ws.config)
    kpis = compute_kpis(ws.cycle("C2"), catalog)
    out = exception_register(ws.cycle("C2"), kpis, catalog, slip_days=30)
    by = {(r.kind, r.initiative_id): r for r in out.itertuples()}
    late = by[("delivery", "I1")]  # forecast 2027-03-31 against 2026-12-31: 90 days, beyond 2 x 30
    assert late.value == 90 and late.severity == "high"
    raid = by[("raid", "I1")]  # R1 high risk due 2026-03-15, open at 2026-06-30: 107 days, beyond 90
    assert raid.value == 107 and raid.severity == "high"
    spi = by[("schedule", "I1")]  # SPI 0.875 against target 1.0 and red 0.9: 1.25 bands beyond the target
    assert spi.severity == "medium" and spi.threshold == 0.9
    cost = by[("cost", "I1")]  # CPI 0.972 misses its target 1.0 but is not beyond red 0.9
    assert cost.severity == "low" and cost.threshold == 1.0
    assert by[("cost", "I1")].recommendation == "re-scope"  # the initiative's one recommendation (delivery high)
    assert out["exception_id"].tolist() == [f"E{i:02d}" for i in range(1, len(out) + 1)]
    assert set(out["recommendation"]) <= {"continue", "recover", "re-scope", "stop"}
    assert out.dropna(subset=["initiative_id"]).groupby("initiative_id")["recommendation"].nunique().eq(1).all()


def test_funding_changes_compare_with_the_previous_cycle(ws):
    out = funding_changes(ws.cycle("C2")).set_index("initiative_id")
    assert out.at["I2", "change"] == 10000 and out.at["I1", "change"] == 0
    assert funding_changes(ws.cycle("C1"))["previous_budget"].eq(0).all()


def test_open_raid_and_actions_at_the_cycle_end(ws):
    raid = open_raid(ws.cycle("C2"))
    assert raid["raid_id"].tolist() == ["R2", "R1", "R3"]  # critical first, then high, then medium
    assert raid.set_index("raid_id").at["R1", "overdue"]
    actions = action_tracker(ws.cycle("C3")).set_index("action_id")
    assert bool(actions.at["A2", "overdue"]) and not bool(actions.at["A3", "overdue"])


def test_portfolio_overview_counts_by_status_and_kind(ws):
    out = portfolio_overview(ws["initiatives"]).set_index("status")
    assert out.at["active", "total"] == 3 and out.at["closed", "product"] == 1
    assert out.at["total", "total"] == 4


def test_portfolio_by_goal_and_raid_summary(ws):
    by_goal = portfolio_by_goal(ws.cycle("C3")).set_index("goal")
    assert by_goal.at["G1 Grow online sales", "total"] == 2 and by_goal.at["No strategic goal", "total"] == 1
    summary = raid_summary(open_raid(ws.cycle("C3"))).set_index("kind")
    assert summary.at["risk", "total"] == 2 and summary.at["risk", "high"] == 1 and summary.at["risk", "overdue"] == 2  # R1 and R3 both past due


def test_action_completion_rate(ws):
    rate = action_completion(ws.cycle("C3")).set_index("cycle")
    # due by C2's end (2026-06-30): A1 (done) -> 1.0; by C3's end: A1 done, A2 open -> 0.5
    assert rate.at["C2", "completion"] == 1.0 and rate.at["C3", "completion"] == 0.5
    assert np.isnan(rate.at["C1", "completion"])


def test_action_completion_of_an_earlier_cycle_knows_only_its_past(ws):
    """A report of C2 neither shows C3 nor counts an action raised in C3, even one due before C2's end."""
    from pmo_lib import Cycle

    late = pd.DataFrame([{"action_id": "A9", "cycle": "C3", "title": "Back-dated fix", "owner": "Eve",
                          "due_date": pd.Timestamp("2026-06-01"), "status": "done"}])
    tables = {**ws.tables, "actions": pd.concat([ws["actions"], late], ignore_index=True)}
    then = action_completion(Cycle.of(tables, "C2")).set_index("cycle")
    now = action_completion(Cycle.of(tables, "C3")).set_index("cycle")
    assert list(then.index) == ["C1", "C2"]
    assert then.at["C2", "due"] == 1 and then.at["C2", "completion"] == 1.0  # A1 only
    assert now.at["C2", "due"] == 2  # A1 and the back-dated A9, known by C3's end


def test_value_scores_follow_the_documented_components(ws):
    catalog = load_catalog(config=ws.config)
    kpis = compute_kpis(ws.cycle("C3"), catalog)
    scores = value_scores(ws.cycle("C3"), kpis, funding=Funding()).set_index("initiative_id")
    # I2: NPS 66.7 -> 0.833; benefits 9,000/12,000 = 0.75 -> 0.625; aligned -> 1; CPI 90/88 -> (1.0227-0.5)/0.7 capped 0.747
    cpi = (90 / 88 - 0.5) / 0.7
    expected = 100 * (0.3 * (100 * 2 / 3 + 100) / 200 + 0.3 * 0.75 / 1.2 + 0.2 * 1 + 0.2 * cpi)
    assert scores.at["I2", "value_score"] == pytest.approx(expected)
    # I3 has no feedback or benefits: only alignment (0) and cost count
    cpi3 = (28 / 30 - 0.5) / 0.7
    assert scores.at["I3", "value_score"] == pytest.approx(100 * (0.2 * 0 + 0.2 * cpi3) / 0.4)


def _scenario_inputs(budgets, scores, goal_ids):
    n = len(budgets)
    changes = pd.DataFrame({"initiative_id": [f"I{i}" for i in range(n)], "name": "x", "goal_id": goal_ids,
                            "previous_budget": budgets, "budget": budgets, "change": 0.0})
    values = pd.DataFrame({"initiative_id": changes["initiative_id"], "value_score": scores})
    goals = pd.DataFrame({"goal_id": ["G1", "G2", "G3"], "goal": "g", "weight": 1.0, "target_share": [0.5, 0.3, 0.2]})
    return changes, values, goals


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e6), st.floats(0, 100), st.sampled_from(["G1", "G2", "G3", None])),
                min_size=2, max_size=14),
       st.floats(0.0, 0.3), st.floats(0.0, 1.0))
def test_reallocation_scenario_invariants(rows, max_shift, max_cut):
    budgets = [r[0] for r in rows]
    changes, values, goals = _scenario_inputs(budgets, [r[1] for r in rows], [r[2] for r in rows])
    funding = Funding(max_shift=max_shift, max_cut=max_cut)
    out = reallocation_scenario(changes, values, goals, funding=funding, tolerance=0.05)
    assert out["scenario_budget"].sum() == pytest.approx(sum(budgets), rel=1e-9, abs=1e-6)
    assert (out["scenario_budget"] >= -1e-6).all()
    assert out["change"].clip(lower=0).sum() <= max_shift * sum(budgets) + 1e-6
    if sum(budgets) > 0:
        mix = scenario_goal_mix(out, goals, tolerance=0.05)
        before = (mix["share_now"] - mix["target_share"]).abs()
        after = (mix["share_scenario"] - mix["target_share"]).abs()
        assert ((after <= 0.05 + 1e-9) | (after <= before + 1e-9)).all()


def test_scenario_moves_money_from_low_to_high_value(ws):
    changes, values, goals = _scenario_inputs([100.0, 100.0, 100.0, 100.0], [90, 80, 20, 10], ["G1", "G1", "G1", "G1"])
    goals["target_share"] = [1.0, 0.0, 0.0]
    out = reallocation_scenario(changes, values, goals, funding=Funding(max_shift=0.1, max_cut=0.5), tolerance=0.05)
    moved = out.set_index("initiative_id")["change"]
    assert moved["I0"] > 0 and moved["I3"] < 0 and moved.sum() == pytest.approx(0)
    assert moved.clip(lower=0).sum() == pytest.approx(40)
