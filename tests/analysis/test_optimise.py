"""The investment decisions: the exact selection of proposals, the exact reallocation, scenarios and the frontier.

The optimisers are checked against independent implementations: brute force over every subset of
up to 12 proposals (the lexicographic least-breach-then-most-value rule written out directly), and
``scipy.optimize.linprog`` on the reallocation written with the scenario budgets as variables.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from pmo_lib import (compare_scenarios, efficient_frontier, greedy_reallocation, greedy_selection,
                     reallocation_scenario, scenario_goal_mix, select_proposals)
from pmo_lib.analysis.optimise import LOWER_VALUE, UNIT_COST_OF_DELAY, UNIT_POINTS
from pmo_lib.inputs.config import Config, ConfigError, Funding, Scenario, load_config, scenario_problems


# --------------------------------------------------------------------------- brute force, written from the rules
def _brute_force(props: pd.DataFrame, *, limit: float, capacity: dict, committed: dict, demand: pd.DataFrame,
                 base: dict, targets: dict, tolerance: float):
    """Best subset by enumeration: least total breach (ties within 1e-7 of the largest spend), then most value.

    Returns (value, breach) or None when no subset keeps the fixed decisions, the budget and capacity.
    """
    n = len(props)
    b = props["requested_budget"].to_numpy(float)
    if props["cost_of_delay_per_week"].notna().all():
        v = props["cost_of_delay_per_week"].to_numpy(float)
    else:
        v = (props["business_value"] + props["time_criticality"] + props["risk_reduction"]).to_numpy(float)
    goal = props["goal_id"].fillna("none").to_numpy()
    x = np.array(list(itertools.product([0, 1], repeat=n)), dtype=float).reshape(-1, n)
    ok = (x @ b <= limit + 1e-9)
    ok &= (x[:, props["must_fund"].to_numpy()] == 1).all(axis=1)
    ok &= (x[:, props["must_stop"].to_numpy()] == 0).all(axis=1)
    for team, cap in capacity.items():
        need = demand[demand["team"] == team].set_index("initiative_id")["demand_days"].reindex(
            props["initiative_id"]).fillna(0).to_numpy(float)
        ok &= x @ need <= max(cap - committed.get(team, 0), 0) + 1e-9  # days left after continuing work
    if not ok.any():
        return None
    breach = np.zeros(len(x))
    if targets:
        spend = {g: base.get(g, 0.0) + x @ (b * (goal == g)) for g in set(goal) | set(base) | set(targets)}
        total = sum(spend.values())
        for g, t in {**targets, "none": 0.0}.items():
            breach += np.clip(np.abs(spend.get(g, 0.0) - t * total) - tolerance * total, 0, None)
    scale = max(sum(base.values()) + b.sum(), 1.0)
    least = breach[ok].min()
    best = ok & (breach <= least + 1e-7 * scale)
    return float((x[best] @ v).max()), float(least)


@st.composite
def portfolios(draw):
    n = draw(st.integers(1, 12))
    goals = ["G1", "G2", "G3"][:draw(st.integers(0, 3))]
    with_cod = draw(st.booleans())
    rows = []
    for i in range(n):
        stop = draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans())
        fund = (not stop) and draw(st.integers(0, 9)) == 0
        rows.append({"initiative_id": f"P{i:02d}", "requested_budget": float(draw(st.integers(1, 100))),
                     "goal_id": draw(st.sampled_from(goals + [None])) if goals else None,
                     "cost_of_delay_per_week": float(draw(st.integers(0, 50))) if with_cod else np.nan,
                     "business_value": draw(st.sampled_from([1, 2, 3, 5, 8, 13, 20])),
                     "time_criticality": draw(st.sampled_from([1, 2, 3, 5, 8, 13, 20])),
                     "risk_reduction": draw(st.sampled_from([1, 2, 3, 5, 8, 13, 20])),
                     "job_size": draw(st.sampled_from([1, 2, 3, 5, 8, 13, 20])), "must_fund": fund, "must_stop": stop})
    props = pd.DataFrame(rows)
    teams = ["Team A", "Team B"][:draw(st.integers(0, 2))]
    capacity = {t: float(draw(st.integers(0, 60))) for t in teams}
    committed = {t: float(draw(st.integers(0, 40))) for t in teams}
    demand = pd.DataFrame([{"initiative_id": r["initiative_id"], "team": t,
                            "demand_days": float(draw(st.integers(0, 20)))}
                           for r in rows for t in teams + ["Team C"] if draw(st.booleans())],
                          columns=["initiative_id", "team", "demand_days"])
    shares = [draw(st.integers(0, 20)) * 0.05 for _ in goals]
    targets = {g: s for g, s in zip(goals, shares)}
    base = {g: float(draw(st.integers(0, 300))) for g in goals + ["none"]}
    limit = float(draw(st.integers(0, 400)))
    return props, limit, capacity, committed, demand, base, targets


@settings(max_examples=80, deadline=None)
@given(portfolios())
def test_the_selection_matches_brute_force_over_every_subset(case):
    """The MILP's value and breach equal exhaustive enumeration of all 2^n subsets (n ≤ 12)."""
    props, limit, capacity, committed, demand, base, targets = case
    goals = pd.DataFrame({"goal_id": list(targets), "target_share": list(targets.values())})
    base_series = pd.Series(base).rename(index={"none": "(no goal)"})
    out = select_proposals(props, proposal_budget=limit, capacity=pd.Series(capacity, dtype=float),
                           committed=pd.Series(committed, dtype=float), demand=demand,
                           base_budget_by_goal=base_series, goals=goals if targets else None, tolerance=0.05)
    expected = _brute_force(props, limit=limit, capacity=capacity, committed=committed, demand=demand, base=base,
                            targets=targets, tolerance=0.05)
    if expected is None:
        assert out.infeasible is not None and out.infeasible.startswith("No selection meets the rules")
        return
    assert out.infeasible is None
    assert out.value == pytest.approx(expected[0], abs=1e-9)
    assert out.breach == pytest.approx(expected[1], abs=1e-6)
    chosen = out.table.set_index("initiative_id")
    assert chosen.loc[props.loc[props["must_fund"], "initiative_id"], "selected"].all()
    assert not chosen.loc[props.loc[props["must_stop"], "initiative_id"], "selected"].any()
    assert out.budget_used <= limit + 1e-9
    load = out.load.dropna(subset=["capacity_days"])
    assert (load["selected_days"] <= (load["capacity_days"] - load["committed_days"]).clip(lower=0) + 1e-9).all()
    assert out.unit == (UNIT_COST_OF_DELAY if props["cost_of_delay_per_week"].notna().all() else UNIT_POINTS)


def _props(**columns):
    n = len(columns["requested_budget"])
    frame = {"initiative_id": [f"P{i}" for i in range(1, n + 1)], "goal_id": [None] * n,
             "cost_of_delay_per_week": [np.nan] * n, "business_value": [1] * n, "time_criticality": [1] * n,
             "risk_reduction": [1] * n, "job_size": [1] * n, "must_fund": [False] * n, "must_stop": [False] * n}
    frame.update(columns)
    return pd.DataFrame(frame)


def test_infeasible_guardrails_give_the_least_breach_then_the_most_value():
    """Goal G2 (target 50%) cannot reach 45% of 1,000 + proposals: the least breach takes the G2 proposals.

    By hand: base G1 = 900, G2 = 100. Taking both G2 proposals (100 + 100) gives G2 = 300 of 1,200 = 25%,
    below 45% by 0.20 × 1,200 = 240, and G1 = 900 of 1,200 = 75%, above 55% by 240: breach 480.
    Taking the G1 proposal instead only widens the gap.
    """
    props = _props(requested_budget=[100.0, 100.0, 100.0], goal_id=["G2", "G2", "G1"],
                   cost_of_delay_per_week=[1.0, 2.0, 50.0])
    goals = pd.DataFrame({"goal_id": ["G1", "G2"], "goal": ["Grow", "Keep"], "target_share": [0.5, 0.5]})
    out = select_proposals(props, proposal_budget=300, base_budget_by_goal=pd.Series({"G1": 900.0, "G2": 100.0}),
                           goals=goals, tolerance=0.05)
    assert out.table["selected"].tolist() == [True, True, False]
    assert out.breach == pytest.approx(480.0)
    assert "goal-mix guardrail of 'Grow'" in out.table.at[2, "binding"]


def test_capacity_binds_and_is_named():
    """The most valuable proposal needs 30 days of a team with 20 days left, so it waits."""
    props = _props(requested_budget=[100.0, 100.0], cost_of_delay_per_week=[10.0, 4.0])
    demand = pd.DataFrame({"initiative_id": ["P1", "P2"], "team": ["Data team", "Data team"], "demand_days": [30.0, 5.0]})
    out = select_proposals(props, proposal_budget=1000, capacity=pd.Series({"Data team": 50.0}),
                           committed=pd.Series({"Data team": 30.0}), demand=demand)
    assert out.table["selected"].tolist() == [False, True]
    assert out.table.at[0, "binding"] == "the capacity of the Data team (needs 30 days; 15 left)"
    team = out.load.set_index("team").loc["Data team"]
    assert team["load_days"] == 35 and team["utilisation"] == pytest.approx(0.7)


def test_an_unconstrained_team_is_listed_but_does_not_bind():
    props = _props(requested_budget=[100.0], cost_of_delay_per_week=[10.0])
    demand = pd.DataFrame({"initiative_id": ["P1"], "team": ["Ops"], "demand_days": [500.0]})
    out = select_proposals(props, proposal_budget=100, demand=demand)
    assert out.table["selected"].all()
    assert out.load.set_index("team").at["Ops", "selected_days"] == 500
    assert np.isnan(out.load.set_index("team").at["Ops", "utilisation"])


def test_fixed_decisions_hold_and_their_conflicts_are_explained_in_words():
    props = _props(requested_budget=[100.0, 100.0, 100.0], cost_of_delay_per_week=[1.0, 9.0, 5.0],
                   must_fund=[True, False, False], must_stop=[False, True, False])
    out = select_proposals(props, proposal_budget=200)
    assert out.table["selected"].tolist() == [True, False, True]
    assert out.table["binding"].tolist() == ["must fund", "must stop", "selected"]
    over = select_proposals(props.assign(must_fund=[True, False, True], requested_budget=[150.0, 100.0, 100.0]),
                            proposal_budget=200)
    assert over.infeasible == ("No selection meets the rules: the proposals marked must fund (P1, P3) request 250 "
                               "together, more than the proposal budget of 200.")
    assert over.table["selected"].tolist() == [True, False, True]


def test_the_optimum_beats_greedy_wsjf_on_the_classic_knapsack_counterexample():
    """WSJF takes the 'densest' proposal first and then cannot afford the pair that together is worth more.

    Budget 100: P1 costs 60 for 70 a week; P2 and P3 cost 50 for 45 a week each. WSJF (by job size) puts P1
    first, leaving 40, so greedy delivers 70; the optimum takes P2 + P3 for 90 (the textbook case that the
    value-per-cost greedy rule is not optimal for the 0-1 knapsack: Martello & Toth, Knapsack Problems, 1990, ch. 2).
    """
    props = _props(requested_budget=[60.0, 50.0, 50.0], cost_of_delay_per_week=[70.0, 45.0, 45.0],
                   business_value=[20, 8, 8], job_size=[1, 2, 2])
    best = select_proposals(props, proposal_budget=100)
    greedy = greedy_selection(props, proposal_budget=100)
    assert best.value == 90 and greedy.value == 70
    assert best.greedy_value == 70 and best.gain_over_greedy == 20 and best.greedy_selected == ("P1",)
    assert greedy.table["selected"].tolist() == [True, False, False]
    assert greedy.table.at[1, "binding"] == "the proposal budget (requests 50; 40 left)"
    assert best.table.at[0, "binding"] == "the proposal budget (requests 60; 0 left)"


def test_a_proposal_that_fits_everything_but_is_left_out_says_lower_value():
    props = _props(requested_budget=[60.0, 50.0, 50.0, 0.0], cost_of_delay_per_week=[70.0, 45.0, 45.0, 0.0])
    out = select_proposals(props, proposal_budget=100)
    assert out.table.at[3, "binding"] in ("selected", LOWER_VALUE)


def test_the_frontier_is_solved_exactly_at_each_budget():
    props = _props(requested_budget=[60.0, 50.0, 50.0], cost_of_delay_per_week=[70.0, 45.0, 45.0],
                   business_value=[20, 8, 8], job_size=[1, 2, 2])
    out = efficient_frontier(props, proposal_budget=100)
    assert out["budget_share"].round(2).tolist() == [0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2]
    for row in out.itertuples():
        assert row.value == select_proposals(props, proposal_budget=row.proposal_budget).value
    assert out["value"].is_monotonic_increasing and (out["value"] >= out["greedy_value"]).all()
    assert out.set_index("budget_share").loc[1.1, "value"] == 115  # 110 buys P1 + P2


# --------------------------------------------------------------------------- the reallocation LP
def _inputs(budgets, scores, goal_ids, targets=(0.5, 0.3, 0.2)):
    n = len(budgets)
    changes = pd.DataFrame({"initiative_id": [f"I{i:02d}" for i in range(n)], "name": [f"Name {i}" for i in range(n)],
                            "goal_id": goal_ids, "previous_budget": budgets, "budget": budgets, "change": 0.0})
    values = pd.DataFrame({"initiative_id": changes["initiative_id"], "value_score": scores})
    goals = pd.DataFrame({"goal_id": ["G1", "G2", "G3"], "goal": "g", "weight": 1.0, "target_share": list(targets)})
    return changes, values, goals


def _linprog_optimum(changes, values, goals, *, max_shift, max_cut, tolerance, protected=(), no_gain=()):
    """The reallocation's optimum written independently: the scenario budgets y are the variables.

    maximise Σ v·y subject to Σ y = T, b − cut ≤ y ≤ b + gain, Σ max(y − b, 0) ≤ max_shift·T (with u ≥ y − b),
    and each goal's Σ y within t·T ± max(tol, |B/T − t|)·T (the no-goal group with t = 0).
    """
    frame = changes.merge(values, on="initiative_id")
    b, v = frame["budget"].to_numpy(float), frame["value_score"].to_numpy(float)
    n, total = len(b), b.sum()
    can_gain = frame["goal_id"].notna() & ~frame["initiative_id"].isin(no_gain)
    can_lose = ~frame["initiative_id"].isin(protected)
    bounds = [(bi - (max_cut * bi if lose else 0), bi + (max_cut * bi if gain else 0))
              for bi, gain, lose in zip(b, can_gain, can_lose)] + [(0, None)] * n
    a_ub, b_ub = [np.concatenate([np.zeros(n), np.ones(n)])], [max_shift * total]
    for i in range(n):  # y_i − u_i ≤ b_i
        row = np.zeros(2 * n)
        row[i], row[n + i] = 1, -1
        a_ub.append(row)
        b_ub.append(b[i])
    goal = frame["goal_id"].fillna("none")
    for g, t in list(zip(goals["goal_id"], goals["target_share"])) + [("none", 0.0)]:
        member = np.concatenate([(goal == g).to_numpy(float), np.zeros(n)])
        now = b[(goal == g).to_numpy()].sum() / total
        allowed = max(tolerance, abs(now - t))
        a_ub += [member, -member]
        b_ub += [(t + allowed) * total, -(t - allowed) * total]
    res = linprog(np.concatenate([-v, np.zeros(n)]), A_ub=np.array(a_ub), b_ub=b_ub,
                  A_eq=[np.concatenate([np.ones(n), np.zeros(n)])], b_eq=[total], bounds=bounds, method="highs-ipm")
    assert res.status == 0
    return -res.fun


def _value(out):
    return float((out["value_score"] * out["scenario_budget"]).sum())


realloc_cases = st.lists(st.tuples(st.integers(1, 100_000), st.integers(0, 100),
                                   st.sampled_from(["G1", "G2", "G3", None])), min_size=2, max_size=12)


@settings(max_examples=60, deadline=None)
@given(realloc_cases, st.floats(0.0, 0.3), st.floats(0.0, 1.0), st.data())
def test_the_reallocation_keeps_every_rule_and_is_optimal(rows, max_shift, max_cut, data):
    """Invariants on random portfolios; the objective equals an independent linprog and beats the greedy."""
    budgets = [float(r[0]) for r in rows]
    changes, values, goals = _inputs(budgets, [float(r[1]) for r in rows], [r[2] for r in rows])
    ids = changes["initiative_id"].tolist()
    protected = data.draw(st.sets(st.sampled_from(ids), max_size=2))
    no_gain = data.draw(st.sets(st.sampled_from(ids), max_size=2))
    funding = Funding(max_shift=max_shift, max_cut=max_cut)
    out = reallocation_scenario(changes, values, goals, funding=funding, tolerance=0.05, protected=protected,
                                no_gain=no_gain)
    total = sum(budgets)
    cents = (out["change"] * 100).round().astype(int)
    assert cents.sum() == 0 and np.allclose(out["change"] * 100, cents)  # whole cents, exactly balanced
    assert out["scenario_budget"].sum() == pytest.approx(total, abs=1e-6)
    assert (out["scenario_budget"] >= 0).all()
    assert out["change"].clip(lower=0).sum() <= max_shift * total + 1e-9
    budget = out.set_index("initiative_id")
    assert (-budget["change"] <= max_cut * budget["budget"] + 1e-9).all()
    assert (budget["change"] <= max_cut * budget["budget"] + 1e-9).all()
    assert (budget.loc[list(protected), "change"] >= 0).all()
    assert (budget.loc[list(no_gain), "change"] <= 0).all()
    assert (budget.loc[budget["goal_id"].isna(), "change"] <= 0).all()
    mix = scenario_goal_mix(out, goals, tolerance=0.05)
    before = (mix["share_now"] - mix["target_share"]).abs()
    after = (mix["share_scenario"] - mix["target_share"]).abs()
    assert ((after <= 0.05 + 1e-9) | (after <= before + 1e-9)).all()
    rounding = 100 * 0.01 * len(rows)  # a cent per row at a value score of at most 100
    greedy = greedy_reallocation(changes, values, goals, funding=funding, tolerance=0.05, protected=protected,
                                 no_gain=no_gain)
    assert _value(out) >= _value(greedy) - rounding - 1e-6 * total
    optimum = _linprog_optimum(changes, values, goals, max_shift=max_shift, max_cut=max_cut, tolerance=0.05,
                               protected=protected, no_gain=no_gain)
    assert _value(out) == pytest.approx(optimum, abs=rounding + 1e-6 * total * 100)


def test_the_reallocation_matches_a_brute_force_grid_on_three_initiatives():
    """Three initiatives, one goal: every move in whole units within the rules checked by enumeration.

    A (value 90), B (50), C (10) at 100 each, max_shift 20% (60 of 300), max_cut 50%: each may gain or lose
    at most 50, so the best moves 50 from C to A and the remaining 10 of the pool has nowhere better to go.
    """
    changes, values, goals = _inputs([100.0, 100.0, 100.0], [90.0, 50.0, 10.0], ["G1"] * 3, targets=(1.0, 0.0, 0.0))
    out = reallocation_scenario(changes, values, goals, funding=Funding(max_shift=0.2, max_cut=0.5), tolerance=0.05)
    grid = [(a, b, -(a + b)) for a in range(-50, 51) for b in range(-50, 51)
            if abs(a + b) <= 50 and max(a, 0) + max(b, 0) + max(-(a + b), 0) <= 60]
    best = max(grid, key=lambda m: (90 * m[0] + 50 * m[1] + 10 * m[2], -sum(map(abs, m))))
    assert tuple(out.set_index("initiative_id")["change"]) == best == (50, 0, -50)


def test_the_optimum_funds_what_the_greedy_half_split_leaves_out():
    """The greedy gives only to the top half by value; the optimum also to I04, as valuable as I02.

    Budgets 100, 300, 100, 200, 300 with values 90, 10, 70, 10, 70; max_shift 20% of 1,000 = 200,
    max_cut 50%. Greedy: recipients I00 and I02 (top half), 50 each, value +50·90 + 50·70 − 100·10 = 7,000.
    Optimum: I04 (value 70) gains the other 100 of the pool: +13,000, all from the value-10 initiatives.
    """
    changes, values, goals = _inputs([100.0, 300.0, 100.0, 200.0, 300.0], [90.0, 10.0, 70.0, 10.0, 70.0],
                                     ["G2"] * 5, targets=(0.5, 0.5, 0.0))
    funding = Funding(max_shift=0.2, max_cut=0.5)
    best = reallocation_scenario(changes, values, goals, funding=funding, tolerance=0.05).set_index("initiative_id")
    greedy = greedy_reallocation(changes, values, goals, funding=funding, tolerance=0.05).set_index("initiative_id")
    gain = lambda out: float((out["value_score"] * out["change"]).sum())  # noqa: E731
    assert gain(greedy) == pytest.approx(7000) and gain(best) == pytest.approx(13000)
    assert best["change"][["I00", "I02", "I04"]].tolist() == [50.0, 50.0, 100.0]
    assert best.loc[["I01", "I03"], "change"].sum() == -200
    assert best.at["I01", "change"] == -150  # a tie between the value-10 initiatives goes to the first by id


def test_no_gain_keeps_money_away_from_initiatives_the_board_is_asked_to_rethink():
    changes, values, goals = _inputs([100.0] * 4, [90.0, 80.0, 20.0, 10.0], ["G1"] * 4, targets=(1.0, 0.0, 0.0))
    out = reallocation_scenario(changes, values, goals, funding=Funding(max_shift=0.1, max_cut=0.5), tolerance=0.05,
                                no_gain={"I00"}).set_index("initiative_id")
    assert out.at["I00", "change"] == 0 and out.at["I01", "change"] == 40 and out.at["I03", "change"] == -40


def test_the_reallocation_is_reproducible():
    changes, values, goals = _inputs([100.0] * 6, [50.0] * 3 + [10.0] * 3, ["G1"] * 6, targets=(1.0, 0.0, 0.0))
    first = reallocation_scenario(changes, values, goals, funding=Funding(), tolerance=0.05)
    again = reallocation_scenario(changes.iloc[::-1], values.iloc[::-1], goals, funding=Funding(), tolerance=0.05)
    pd.testing.assert_frame_equal(first, again)


# --------------------------------------------------------------------------- scenarios
def _portfolio():
    changes, values, goals = _inputs([300.0, 300.0, 200.0, 200.0], [80.0, 30.0, 70.0, 20.0],
                                     ["G1", "G1", "G2", "G2"], targets=(0.6, 0.4, 0.0))
    goals = goals.iloc[:2]
    props = _props(requested_budget=[300.0, 200.0, 250.0], goal_id=["G1", "G2", "G1"],
                   cost_of_delay_per_week=[10.0, 8.0, 9.0]).assign(name=["One", "Two", "Three"])
    return changes, values, goals, props


def test_scenarios_change_budgets_fixed_decisions_and_rules_as_named():
    changes, values, goals, props = _portfolio()
    scenarios = [Scenario(name="Budget -10%", budget_change=-0.1), Scenario(name="Fund P3 regardless", fund=["P3"]),
                 Scenario(name="Stop Name 1", stop=["I01"]), Scenario(name="No cuts above 20%", max_cut=0.2)]
    out = compare_scenarios(scenarios, changes=changes, scores=values, goals=goals, funding=Funding(), tolerance=0.05,
                            proposals=props, proposal_budget=500)
    summary = out.summary.set_index("scenario")
    assert list(summary.index) == ["Base case", "Budget -10%", "Fund P3 regardless", "Stop Name 1",
                                   "No cuts above 20%"]
    budgets = out.budgets.set_index(["scenario", "initiative_id"])
    cont = out.budgets[out.budgets["kind"] == "continuing"].groupby("scenario")["budget"].sum()
    assert cont["Base case"] == pytest.approx(1000) and cont["Budget -10%"] == pytest.approx(900)
    assert budgets.at[("Fund P3 regardless", "P3"), "budget"] == 250
    assert "Three" in summary.at["Fund P3 regardless", "selected"]
    assert budgets.at[("Stop Name 1", "I01"), "budget"] == 0  # its 300 is freed for proposals
    assert cont["Stop Name 1"] == pytest.approx(700)
    assert (out.budgets.query("scenario == 'No cuts above 20%' and kind == 'continuing'")["change"] >= -0.2 * 300 - 1e-9).all()
    assert summary.at["Base case", "selection_value"] == 18 and summary.at["Base case", "value_unit"] == UNIT_COST_OF_DELAY
    assert summary.at["Base case", "reallocation_value"] == pytest.approx(
        _value(reallocation_scenario(changes, values, goals, funding=Funding(), tolerance=0.05)))


def test_scenario_config_rejects_unknown_keys_and_names_unknown_ids(tmp_path):
    (tmp_path / "pmo.yaml").write_text("organisation: X\nscenarios:\n  - name: Budget -10%\n    budget_change: -0.1\n"
                                       "  - name: Fund I-040\n    fund: [I-040, I-999]\n    colour: red\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert "line 7" in str(err.value) and "unknown key 'scenarios.1.colour'" in str(err.value)
    config = Config(organisation="X", scenarios=[Scenario(name="Fund I-040", fund=["I-040", "I-999"])])
    problems = scenario_problems(config.scenarios, ["I-040"], lines={("scenarios", 0, "fund", 1): 6})
    assert [(p.row, p.message) for p in problems] == [
        (6, "scenario 'Fund I-040' names initiative 'I-999' under fund, which is not in the initiatives table")]
    with pytest.raises(ValueError, match="both funds and stops I-1"):
        Scenario(name="x", fund=["I-1"], stop=["I-1"])


def test_the_pmo_template_scenarios_are_valid_once_uncommented():
    """The commented examples in templates/pmo.yaml validate as written."""
    import yaml
    from pathlib import Path

    text = (Path(__file__).parents[2] / "templates" / "pmo.yaml").read_text(encoding="utf-8").splitlines()
    start = text.index("# scenarios:")
    block = [text[start][2:]] + [line[2:] for line in itertools.takewhile(lambda l: l.startswith("#   "),
                                                                          text[start + 1:])]
    config = Config(organisation="X", **yaml.safe_load("\n".join(block)))
    assert [s.name for s in config.scenarios] == ["Budget -10%", "Fund I-040 regardless", "No cuts above 20%"]
    assert config.scenarios[0].budget_change == -0.1 and config.scenarios[2].max_cut == 0.2


def test_frontier_chart_titles_the_finding_and_marks_the_budget():
    from pmo_lib.reporting.charts import frontier_chart, scenario_value_bars, set_theme

    set_theme()  # the house theme puts titles on the left
    props = _props(requested_budget=[60.0, 50.0, 50.0], cost_of_delay_per_week=[70.0, 45.0, 45.0],
                   business_value=[20, 8, 8], job_size=[1, 2, 2])
    fig = frontier_chart(efficient_frontier(props, proposal_budget=100), currency="EUR")
    assert fig.axes[0].get_title(loc="left") == "10% more budget for proposals would add 25 cost of delay per week"
    assert "Current proposal budget" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    changes, values, goals, props = _portfolio()
    out = compare_scenarios([Scenario(name="Budget -10%", budget_change=-0.1)], changes=changes, scores=values,
                            goals=goals, funding=Funding(), tolerance=0.05, proposals=props, proposal_budget=500)
    fig = scenario_value_bars(out.summary)
    assert fig.axes[0].get_title(loc="left") == "No scenario starts more valuable work than the base case"


def test_the_load_limit_plans_no_overload_and_the_load_shows_the_full_capacity():
    """With max_utilisation 0.8 a team of 100 days with 50 committed takes at most 30 more days: the same choice
    as a team of 80 days without a limit; the load table still reports utilisation against the 100 days."""
    props = pd.DataFrame({"initiative_id": ["P1", "P2"], "goal_id": [None, None], "requested_budget": [10.0, 10.0],
                          "cost_of_delay_per_week": [9.0, 5.0], "job_size": [1, 1]})
    demand = pd.DataFrame({"initiative_id": ["P1", "P2"], "team": ["Data", "Data"], "demand_days": [40.0, 25.0]})
    limited = select_proposals(props, proposal_budget=100.0, capacity=pd.Series({"Data": 100.0}),
                               committed=pd.Series({"Data": 50.0}), demand=demand, max_utilisation=0.8)
    smaller = select_proposals(props, proposal_budget=100.0, capacity=pd.Series({"Data": 80.0}),
                               committed=pd.Series({"Data": 50.0}), demand=demand)
    assert limited.table["selected"].tolist() == smaller.table["selected"].tolist() == [False, True]
    assert limited.table.at[0, "binding"] == "the Data team's load limit (needs 40 days; 5 left)"
    load = limited.load.set_index("team")
    assert load.at["Data", "capacity_days"] == 100 and load.at["Data", "utilisation"] == pytest.approx(0.75)
