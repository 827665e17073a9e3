"""The investment decisions in words: the selection of proposals, its agenda item, and the optimal
reallocation against the step-by-step one; and the sample's selection end to end."""
from __future__ import annotations

import pandas as pd

from pmo_lib import (budget_by_goal, capacity_utilisation, compute_kpis, delivery_forecasts, exception_register,
                     funding_changes, load_workspace, next_agenda, next_cycle_load, portfolio_status,
                     reallocation_difference, reallocation_scenario, select_proposals, selection_agenda_item,
                     selection_text, selection_view, team_users, value_scores)

INITIATIVES = pd.DataFrame({"initiative_id": ["P1", "P2", "P3"], "name": ["Big", "Small", "Medium"]})


def _proposals(**extra) -> pd.DataFrame:
    frame = pd.DataFrame({"initiative_id": ["P1", "P2", "P3"], "goal_id": ["G1"] * 3,
                          "requested_budget": [60.0, 50.0, 50.0], "cost_of_delay_per_week": [10.0, 7.0, 7.0],
                          "business_value": [8, 5, 5], "time_criticality": [8, 5, 5], "risk_reduction": [8, 5, 5],
                          "job_size": [1, 5, 5]})
    return frame.assign(**extra)


def test_the_knapsack_case_names_what_wsjf_order_would_fund_and_the_gain():
    # WSJF takes P1 first (10/1 per job-size point), then nothing else fits the 100 budget: 10 a week.
    # The best selection takes P2 and P3: 14 a week.
    selection = select_proposals(_proposals(), proposal_budget=100.0)
    text = selection_text(selection, INITIATIVES, currency="EUR", next_cycle="C4")
    assert text.startswith("The best selection starts 2 proposals in C4: P2 Small, P3 Medium, for EUR 100 of the "
                           "EUR 100 available. Together their delay would cost EUR 14 a week.")
    assert "would start P1 Big, worth EUR 10 a week: the best selection is worth EUR 4 a week more." in text
    assert "WSJF order would fund P1 Big, which the best selection leaves out" in text
    view = selection_view(selection, INITIATIVES)
    assert list(view["start"]) == ["Yes", "Yes", "No"] and view.at[2, "proposal"] == "P1 Big"
    assert view.at[2, "why"].startswith("Would break the proposal budget")
    item = selection_agenda_item(selection, INITIATIVES, currency="EUR", next_cycle="C4")
    assert item == "Approve, amend or reject starting 2 proposals in C4 (the whole EUR 100 set aside): P2 Small, P3 Medium."


def test_text_flags_from_the_initiatives_table_fix_decisions_and_false_fixes_nothing():
    # the initiatives table holds must_fund and must_stop as the text "true" / "false"
    flags = dict(must_fund=["true", "false", ""], must_stop=["false", "false", "true"])
    selection = select_proposals(_proposals(**flags), proposal_budget=100.0)
    assert selection.table.set_index("initiative_id")["selected"].to_dict() == {"P1": True, "P2": False, "P3": False}
    view = selection_view(selection, INITIATIVES).set_index("proposal")["why"]
    assert view["P1 Big"] == "Funded regardless, as the board decided"
    assert view["P3 Medium"] == "Not to be started, as the board decided"
    none_fixed = select_proposals(_proposals(must_fund=["false"] * 3, must_stop=["false"] * 3), proposal_budget=100.0)
    assert set(none_fixed.table.loc[none_fixed.table["selected"], "initiative_id"]) == {"P2", "P3"}


def test_the_agenda_puts_the_proposals_after_the_funding_scenario():
    selection = select_proposals(_proposals(), proposal_budget=100.0)
    portfolio = pd.DataFrame(columns=["initiative_id", "name", "severity", "recommendation"])
    register = pd.DataFrame(columns=["initiative_id", "severity", "kind", "metric"])
    agenda = next_agenda(cycle="C3", next_cycle="C4", portfolio=portfolio, register=register, scenario=None, mix=None,
                         actions=None, currency="EUR", selection=selection, initiatives=INITIATIVES)
    assert agenda.splitlines()[0] == ("1. Approve, amend or reject starting 2 proposals in C4 (the whole EUR 100 set "
                                      "aside): P2 Small, P3 Medium.")


def test_reallocation_difference_names_who_the_optimum_treats_differently():
    base = pd.DataFrame({"initiative_id": ["A", "B", "C"], "name": ["Alpha", "Beta", "Gamma"],
                         "value_score": [90.0, 60.0, 10.0], "budget": [100.0, 100.0, 100.0]})
    optimal = base.assign(scenario_budget=[130.0, 100.0, 70.0])
    greedy = base.assign(scenario_budget=[115.0, 115.0, 70.0])
    text = reallocation_difference(optimal, greedy, smallest_move=0.5, currency="EUR")
    # budget-weighted average value score, by hand: now (90 + 60 + 10) * 100 / 300 = 53.3; optimum
    # (90*130 + 60*100 + 10*70) / 300 = 61.3; step by step (90*115 + 60*115 + 10*70) / 300 = 59.8
    assert "the average value score rises from 53.3 now to 61.3 under the scenario, against 59.8 when money " \
           "moves step by step" in text
    assert "2 initiatives get more (+) or less (−): A Alpha EUR +15, B Beta EUR -15." in text
    assert reallocation_difference(optimal, optimal, smallest_move=0.5, currency="EUR").startswith(
        "Moving money step by step")


def test_the_sample_selection_with_every_rule_leaves_out_what_wsjf_order_funds(sample):
    """End to end on the sample: the exact selection within budget, capacity and the goal guardrails (which it
    keeps, no breach) starts I-041 and I-043; WSJF order starts I-046 and I-043, worth EUR 32,000 a week less."""
    ws = load_workspace(sample)
    cycle = ws.cycle()
    known = cycle.tables["initiatives"]
    proposals = known[known["status"].eq("proposed")]
    load = next_cycle_load(cycle)
    # the governance report's scenario: the register's recommendations decide who may gain or lose
    kpis = compute_kpis(cycle, ws.catalog)
    limit = ws.config.thresholds.max_utilisation
    register = exception_register(cycle, kpis, ws.catalog, slip_days=ws.config.thresholds.schedule_slip_days,
                                  currency=ws.config.currency, rules=ws.config.exceptions,
                                  forecasts=delivery_forecasts(cycle, ws.config.organisation, settings=ws.config.forecast,
                                                               cycle_weeks=ws.config.cadence.cycle_weeks),
                                  on_time_probability=ws.config.thresholds.on_time_probability,
                                  capacity=capacity_utilisation(cycle, max_utilisation=limit), max_utilisation=limit)
    portfolio = portfolio_status(cycle, register, rules=ws.config.exceptions)
    advice = portfolio.set_index("initiative_id")["recommendation"]
    scenario = reallocation_scenario(
        funding_changes(cycle), value_scores(cycle, kpis, funding=ws.config.funding), ws["goals"],
        funding=ws.config.funding, tolerance=ws.config.thresholds.goal_mix_tolerance,
        ended=set(portfolio.loc[portfolio["status"].isin(["closed", "cancelled"]), "initiative_id"]),
        protected=set(advice[advice.eq("recover")].index),
        no_gain=set(advice[advice.isin(["recover", "re-scope", "stop"])].index)
        | set(portfolio.loc[portfolio["status"].eq("on_hold"), "initiative_id"])
        | set(team_users(cycle, ["Operations"], top=100)["initiative_id"]))  # the overloaded team's work
    selection = select_proposals(proposals, proposal_budget=ws.config.funding.proposal_budget,
                                 capacity=load.teams[["team", "capacity_days"]],
                                 committed=load.teams[["team", "committed_days"]], demand=load.proposals,
                                 base_budget_by_goal=budget_by_goal(scenario), goals=ws["goals"],
                                 tolerance=ws.config.thresholds.goal_mix_tolerance)
    chosen = set(selection.table.loc[selection.table["selected"], "initiative_id"])
    assert chosen == {"I-041", "I-043"} and selection.value == 220_000 and selection.breach == 0
    assert set(selection.greedy_selected) == {"I-043", "I-046"} and selection.greedy_value == 188_000


def test_the_why_column_the_infeasible_text_and_the_scenario_chart_speak_the_reports_language():
    """The recorded reasons (English in selection.csv) are said in German in the report's table, text and chart."""
    import matplotlib.pyplot as plt

    from pmo_lib import compare_scenarios, scenario_value_bars
    from pmo_lib.inputs import i18n
    from pmo_lib.inputs.config import Funding, Scenario

    selection = select_proposals(_proposals(), proposal_budget=100.0)
    assert selection_view(selection, INITIATIVES).at[2, "why"] == "Would break the proposal budget (requests 60; 0 left)"
    with i18n.using("de"):
        assert selection_view(selection, INITIATIVES).at[2, "why"] == (
            "Würde verstoßen gegen: das Budget für Vorschläge (beantragt 60; 0 übrig)")
    stuck = select_proposals(_proposals(must_fund=[True, True, True]), proposal_budget=100.0)
    with i18n.using("de"):
        text = selection_text(stuck, INITIATIVES, currency="EUR", next_cycle="C4")
    assert text == ("Keine Auswahl erfüllt die Regeln: die als „muss finanziert werden“ markierten Vorschläge (P1, P2, "
                    "P3) beantragen zusammen 160, mehr als das Budget für Vorschläge von 100.")  # said once, not twice
    assert selection_text(stuck, INITIATIVES, currency="EUR", next_cycle="C4") == stuck.infeasible
    changes = pd.DataFrame({"initiative_id": ["I1"], "name": ["One"], "goal_id": ["G1"], "budget": [100.0],
                            "previous_budget": [100.0], "change": [0.0]})
    goals = pd.DataFrame({"goal_id": ["G1"], "goal": ["Grow"], "weight": [1.0], "target_share": [1.0]})
    comparison = compare_scenarios([Scenario(name="Budget 10% lower", budget_change=-0.1)], changes=changes,
                                   scores=pd.DataFrame({"initiative_id": ["I1"], "value_score": [50.0]}), goals=goals,
                                   funding=Funding(), tolerance=0.05,
                                   proposals=_proposals(), proposal_budget=100.0)
    with i18n.using("de"):
        figure = scenario_value_bars(comparison.summary)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    plt.close(figure)
    assert "Basisfall" in labels and "Budget 10% lower" in labels and "Base case" not in labels
