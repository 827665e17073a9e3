"""Priorities (WSJF, CD3), capacity against demand and the next cycle's load (pmo_lib.analysis.investment)."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from pmo_lib import load_workspace
from pmo_lib.analysis.investment import (capacity_utilisation, duration_weeks, next_cycle_load, priorities,
                                         ranking_basis, unranked)
from pmo_lib.inputs.sample import OVERLOADED_TEAM, PROPOSAL_BUDGET
from pmo_lib.reporting.priorities import queue_factor
from tests.conftest import edit_csv

WEEKS = {1: 1, 2: 2, 3: 3, 5: 5, 8: 8, 13: 13, 20: 20}


def _score(tiny, rows: dict[str, dict[str, object]]) -> None:
    """Give initiatives of the tiny workspace investment columns (empty where not given)."""
    columns = sorted({c for r in rows.values() for c in r})

    def add(frame):
        for c in columns:
            frame[c] = [str(rows.get(i, {}).get(c, "")) for i in frame["initiative_id"]]
        return frame
    edit_csv(tiny, "initiatives", add)


def _write(tiny, table: str, rows: list[tuple], columns: list[str]) -> None:
    pd.DataFrame(rows, columns=columns).to_csv(tiny / "data" / f"{table}.csv", index=False)


def test_cost_of_delay_is_the_sum_of_safes_three_parts_and_wsjf_divides_it_by_job_size(tiny):
    """Jason Yip, "Problems I have with SAFe-style WSJF" (2024, jchyip.medium.com): with user-business value 1,
    time criticality 3 and risk reduction/opportunity enablement 5, "the SAFe 'cost of delay' is 9". SAFe's
    WSJF article (scaledagileframework.com/wsjf) divides it by the relative job size: 9 / 3 = 3."""
    _score(tiny, {"I1": {"business_value": 1, "time_criticality": 3, "risk_reduction": 5, "job_size": 3},
                  "I2": {"business_value": 8, "time_criticality": 8, "risk_reduction": 2, "job_size": 2}})
    ranked = priorities(load_workspace(tiny).cycle("C3"), job_size_weeks=WEEKS)
    i1 = ranked.set_index("initiative_id").loc["I1"]
    assert i1["cost_of_delay"] == 9 and i1["wsjf"] == 3
    assert list(ranked["initiative_id"]) == ["I2", "I1"] and list(ranked["rank"]) == [1, 2]
    assert ranked["cd3"].isna().all() and ranking_basis(ranked) == "wsjf"
    assert list(ranked.columns) == ["initiative_id", "status", "cost_of_delay", "job_size", "wsjf", "cd3", "rank",
                                    "value_score"]


def test_cd3_matches_black_swan_farmings_ice_cream_example(tiny):
    """Black Swan Farming, "CD3 and proportionality to outcomes" (blackswanfarming.com/cd3-and-proportionality-
    to-outcomes): option A (a Super Spoon) adds 10 ice-creams a week and takes about 2 weeks, CD3 10 / 2 = 5;
    option B (a Second Machine) adds 30 a week and takes about 4 weeks, CD3 30 / 4 = 7.5, so B goes first. The
    article's totals over 6 weeks from a base of 10 a week, 100 for A then B and 120 for B then A, are checked
    below by simulating the weeks, independently of the kit."""
    _score(tiny, {"I1": {"cost_of_delay_per_week": 10, "job_size": 2},
                  "I2": {"cost_of_delay_per_week": 30, "job_size": 4}})
    ranked = priorities(load_workspace(tiny).cycle("C3"), job_size_weeks={2: 2, 4: 4}).set_index("initiative_id")
    assert ranked.loc["I1", "cd3"] == 5 and ranked.loc["I2", "cd3"] == 7.5
    assert ranked.loc["I2", "rank"] == 1 and ranked.loc["I1", "rank"] == 2
    assert ranking_basis(ranked.reset_index()) == "cd3"

    def output(order):  # (extra per week, weeks to build), built one after the other on a base of 10 a week
        total, week, rate = 0, 0, 10
        for extra, weeks in order:
            total += rate * weeks
            week += weeks
            rate += extra
        return total + rate * (6 - week)
    a, b = (10, 2), (30, 4)
    assert output([a, b]) == 100 and output([b, a]) == 120


def test_cd3_takes_the_planned_duration_for_a_job_size_the_mapping_lacks(tiny):
    _score(tiny, {"I1": {"cost_of_delay_per_week": 7000, "job_size": 13}})
    ws = load_workspace(tiny)
    ranked = priorities(ws.cycle("C3"), job_size_weeks={1: 1}).set_index("initiative_id")
    weeks = (pd.Timestamp("2026-12-31") - pd.Timestamp("2025-12-01")).days / 7  # I1's planned dates
    assert ranked.loc["I1", "cd3"] == pytest.approx(7000 / weeks)
    source = duration_weeks(ws["initiatives"], job_size_weeks={1: 1}).set_index("initiative_id")
    assert source.loc["I1", "source"] == "planned dates"
    assert duration_weeks(ws["initiatives"], job_size_weeks={13: 26}).set_index("initiative_id").loc[
        "I1", "weeks"] == 26


def test_ties_keep_id_order_and_ended_or_unscored_initiatives_are_left_out(tiny):
    same = {"business_value": 5, "time_criticality": 3, "risk_reduction": 2, "job_size": 5}
    _score(tiny, {"I2": same, "I1": same, "I4": same})  # I4 closed; I3 unscored
    cycle = load_workspace(tiny).cycle("C3")
    ranked = priorities(cycle, job_size_weeks=WEEKS)
    assert list(ranked["initiative_id"]) == ["I1", "I2"] and list(ranked["rank"]) == [1, 2]
    left = unranked(cycle, ranked)
    assert list(left["initiative_id"]) == ["I3"]
    assert left.iloc[0]["missing"] == "business_value, time_criticality, risk_reduction, job_size"


def test_without_the_columns_nothing_is_ranked_and_every_live_initiative_is_listed(tiny):
    cycle = load_workspace(tiny).cycle("C3")
    ranked = priorities(cycle, job_size_weeks=WEEKS)
    assert ranked.empty and list(ranked.columns)[-1] == "value_score"
    assert list(unranked(cycle, ranked)["initiative_id"]) == ["I1", "I2", "I3"]


def test_rank_is_by_wsjf_when_one_listed_initiative_lacks_money(tiny):
    _score(tiny, {"I1": {"business_value": 1, "time_criticality": 1, "risk_reduction": 1, "job_size": 1,
                         "cost_of_delay_per_week": 100},
                  "I2": {"business_value": 20, "time_criticality": 20, "risk_reduction": 20, "job_size": 1}})
    ranked = priorities(load_workspace(tiny).cycle("C3"), job_size_weeks=WEEKS)
    assert list(ranked["initiative_id"]) == ["I2", "I1"] and ranking_basis(ranked) == "wsjf"


def _capacity(tiny):
    _write(tiny, "capacity", [("C2", "A", 100), ("C3", "A", 100), ("C3", "B", 50)],
           ["cycle", "team", "capacity_days"])
    _write(tiny, "demand", [("C2", "I1", "A", 50), ("C3", "I1", "A", 60), ("C3", "I2", "A", 30),
                            ("C3", "I4", "A", 40), ("C3", "I2", "B", 20), ("C3", "I3", "C", 5)],
           ["cycle", "initiative_id", "team", "demand_days"])


def test_utilisation_is_the_demand_of_work_under_way_over_capacity_for_every_cycle_so_far(tiny):
    _capacity(tiny)
    cap = capacity_utilisation(load_workspace(tiny).cycle("C3"), max_utilisation=0.85)
    assert list(cap.columns) == ["cycle", "team", "capacity_days", "demand_days", "utilisation", "overloaded"]
    rows = {(r.cycle, r.team): r for r in cap.itertuples(index=False)}
    assert set(rows) == {("C2", "A"), ("C3", "A"), ("C3", "B"), ("C3", "C")}  # C1 has no capacity rows
    assert rows[("C2", "A")].utilisation == 0.5 and not rows[("C2", "A")].overloaded
    # I4 closed in C3 (2026-08-15): its 40 days ask nothing of team A
    assert rows[("C3", "A")].demand_days == 90 and rows[("C3", "A")].utilisation == 0.9
    assert rows[("C3", "A")].overloaded and not rows[("C3", "B")].overloaded
    assert np.isnan(rows[("C3", "C")].utilisation) and not rows[("C3", "C")].overloaded  # demand, no capacity


def test_a_team_exactly_at_the_limit_is_not_overloaded(tiny):
    _capacity(tiny)
    cap = capacity_utilisation(load_workspace(tiny).cycle("C3"), max_utilisation=0.9)
    assert not cap[(cap["cycle"] == "C3") & (cap["team"] == "A")]["overloaded"].iloc[0]


def test_without_a_capacity_table_the_load_is_empty(tiny):
    cap = capacity_utilisation(load_workspace(tiny).cycle("C3"), max_utilisation=0.85)
    assert cap.empty and list(cap.columns)[-1] == "overloaded"


def test_next_cycle_load_uses_next_cycle_rows_when_given_else_this_cycles(tiny):
    """At C2 the next cycle is C3: its capacity rows and the continuing work's C3 demand rows are used, and the
    proposed I5 (starting 2026-10) asks what its latest rows (C2) say. At C3, the last cycle, C3's rows stand in."""
    edit_csv(tiny, "initiatives", lambda f: pd.concat([f, pd.DataFrame([{
        "initiative_id": "I5", "name": "New idea", "kind": "project", "goal_id": "G1", "owner": "Eve",
        "status": "proposed", "start_date": "2026-10-01", "planned_end_date": "2027-06-30",
        "forecast_end_date": "", "actual_end_date": "", "bac": "90000"}])], ignore_index=True))
    _write(tiny, "capacity", [("C2", "A", 100), ("C3", "A", 120)], ["cycle", "team", "capacity_days"])
    _write(tiny, "demand", [("C2", "I1", "A", 50), ("C3", "I1", "A", 70), ("C1", "I5", "A", 5),
                            ("C2", "I5", "A", 10), ("C2", "I5", "B", 4)],
           ["cycle", "initiative_id", "team", "demand_days"])
    ws = load_workspace(tiny)
    load = next_cycle_load(ws.cycle("C2"))
    assert (load.cycle, load.capacity_from, load.demand_from) == ("C3", "C3", "C3")
    teams = load.teams.set_index("team")
    assert teams.loc["A", "capacity_days"] == 120 and teams.loc["A", "committed_days"] == 70
    assert teams.loc["A", "free_days"] == 50 and teams.loc["B", "capacity_days"] == 0
    assert load.proposals.to_dict("records") == [{"initiative_id": "I5", "team": "A", "demand_days": 10},
                                                 {"initiative_id": "I5", "team": "B", "demand_days": 4}]
    last = next_cycle_load(ws.cycle("C3"))  # no cycle after C3: this cycle's rows stand for the next
    assert (last.cycle, last.capacity_from, last.demand_from) == ("the next cycle", "C3", "C3")
    assert last.teams.set_index("team").loc["A", "committed_days"] == 70


def test_waiting_grows_as_u_over_one_minus_u():
    """M/M/1: mean wait in queue / mean service time = rho / (1 - rho) (e.g. Kleinrock, Queueing Systems I,
    1975, eq. 3.26 with W = rho / (mu (1 - rho))); 85% gives 5.67 (about 6), 95% gives 19."""
    assert queue_factor(0.85) == pytest.approx(5.6667, abs=1e-4)
    assert queue_factor(0.95) == pytest.approx(19.0)
    assert queue_factor(1.0) == float("inf")


# ------------------------------------------------------------------ the sample organisation

def test_the_sample_has_an_overloaded_team_in_its_latest_cycle(sample):
    ws = load_workspace(sample)
    cap = capacity_utilisation(ws.cycle(), max_utilisation=ws.config.thresholds.max_utilisation)
    latest = cap[cap["cycle"] == ws.cycle().name]
    hit = latest[latest["overloaded"]]
    assert list(hit["team"]) == [OVERLOADED_TEAM]
    assert 0.85 < hit["utilisation"].iloc[0] < 1.0
    assert len(latest[~latest["overloaded"]]) == 4


def _selection_inputs(ws):
    cycle = ws.cycle()
    ranked = priorities(cycle, job_size_weeks=ws.config.funding.job_size_weeks)
    ini = cycle.tables["initiatives"].set_index("initiative_id")
    proposals = ranked[ranked["status"] == "proposed"].copy()  # in WSJF order
    proposals["budget"] = proposals["initiative_id"].map(ini["requested_budget"])
    proposals["cod"] = proposals["initiative_id"].map(ini["cost_of_delay_per_week"])
    load = next_cycle_load(cycle)
    free = load.teams.set_index("team")["free_days"]
    asks = load.proposals.pivot_table(index="initiative_id", columns="team", values="demand_days", fill_value=0)
    return proposals.reset_index(drop=True), free, asks.reindex(columns=free.index, fill_value=0)


def test_the_sample_greedy_wsjf_order_funds_a_proposal_the_best_selection_leaves_out(sample):
    """Brute force over every subset of the eight proposals: the most cost of delay per week within the proposal
    budget and each team's free capacity next cycle. Greedy takes proposals in WSJF order while they fit."""
    ws = load_workspace(sample)
    assert ws.config.funding.proposal_budget == PROPOSAL_BUDGET
    proposals, free, asks = _selection_inputs(ws)
    assert len(proposals) == 8 and proposals["budget"].notna().all() and proposals["cod"].notna().all()

    def fits(ids, *, capacity=True):
        chosen = proposals[proposals["initiative_id"].isin(ids)]
        within = chosen["budget"].sum() <= PROPOSAL_BUDGET
        load = asks.reindex(list(ids)).fillna(0).sum()
        return within and (not capacity or bool((load <= free).all()))

    best, best_value = (), -1.0
    for n in range(len(proposals) + 1):
        for ids in itertools.combinations(proposals["initiative_id"], n):
            value = proposals.loc[proposals["initiative_id"].isin(ids), "cod"].sum()
            if value > best_value and fits(ids):
                best, best_value = ids, value

    def greedy(*, capacity):
        taken: list[str] = []
        for i in proposals["initiative_id"]:
            if fits(taken + [i], capacity=capacity):
                taken.append(i)
        return taken
    assert set(best) == {"I-041", "I-043"} and best_value == 220_000
    for capacity, value in ((True, 188_000), (False, 212_000)):  # greedy with and without the capacity check
        taken = greedy(capacity=capacity)
        assert "I-046" in taken and "I-046" not in best
        assert proposals.loc[proposals["initiative_id"].isin(taken), "cod"].sum() == value
