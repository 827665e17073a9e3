"""The selection's and the scenarios' recorded texts (issue 22): English in the results whatever the language, said
in the report's language where shown (pmo_lib.inputs.i18n.say). The English is the text these results have always
held (the cases of test_optimise.py); the German and French are the shipped catalogues' wording with CLDR's number
formats (de groups with ".", fr with a narrow no-break space)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib import (compare_scenarios, goal_mix, greedy_selection, load_workspace, portfolio_by_goal, read_result,
                     record, scenario_goal_mix, select_proposals)
from pmo_lib.analysis.optimise import BASE_CASE, LOWER_VALUE
from pmo_lib.inputs import i18n
from pmo_lib.inputs.config import Funding, Scenario

from .test_optimise import _inputs, _portfolio, _props

NNBSP = "\u202f"


def said(value, language: str) -> str:
    with i18n.using(language):
        return i18n.shown(value)


def test_a_team_limit_is_english_in_the_table_and_german_or_french_when_shown():
    props = _props(requested_budget=[100.0, 100.0], cost_of_delay_per_week=[10.0, 4.0])
    demand = pd.DataFrame({"initiative_id": ["P1", "P2"], "team": ["Ops", "Ops"], "demand_days": [3000.0, 5.0]})
    out = select_proposals(props, proposal_budget=1000, capacity=pd.Series({"Ops": 4000.0}),
                           committed=pd.Series({"Ops": 1500.0}), demand=demand, max_utilisation=0.75)
    reason = out.table.at[0, "binding"]
    assert reason == "the Ops team's load limit (needs 3,000 days; 1,495 left)"  # 4,000 × 75% − 1,500 − P2's 5
    assert isinstance(reason, i18n.Text)
    assert said(reason, "de") == "die Belastungsgrenze des Teams Ops (benötigt 3.000 Tage; 1.495 übrig)"
    assert said(reason, "fr") == f"la limite de charge de l’équipe Ops (requiert 3{NNBSP}000 jours\u202f; reste 1{NNBSP}495)"
    assert out.table.at[1, "binding"] == "selected" and said(out.table.at[1, "binding"], "de") == "ausgewählt"


def test_a_team_named_team_is_not_doubled_in_any_language():
    props = _props(requested_budget=[100.0, 100.0], cost_of_delay_per_week=[10.0, 4.0])
    demand = pd.DataFrame({"initiative_id": ["P1", "P2"], "team": ["Data team", "Data team"], "demand_days": [1.0, 5.0]})
    out = select_proposals(props, proposal_budget=1000, capacity=pd.Series({"Data team": 50.0}),
                           committed=pd.Series({"Data team": 49.5}), demand=demand)
    reason = out.table.at[0, "binding"]
    assert reason == "the capacity of the Data team (needs 1 day; 0 left)"  # one day: the singular
    assert said(reason, "de") == "die Kapazität von Data team (benötigt 1 Tag; 0 übrig)"


def test_the_goals_a_proposal_would_push_out_are_named_with_the_languages_and():
    """As test_optimise's infeasible-guardrail case: P3 would push both goals further outside their guardrails."""
    props = _props(requested_budget=[100.0, 100.0, 100.0], goal_id=["G2", "G2", "G1"],
                   cost_of_delay_per_week=[1.0, 2.0, 50.0])
    goals = pd.DataFrame({"goal_id": ["G1", "G2"], "goal": ["Grow", "Keep"], "target_share": [0.5, 0.5]})
    out = select_proposals(props, proposal_budget=300, base_budget_by_goal=pd.Series({"G1": 900.0, "G2": 100.0}),
                           goals=goals, tolerance=0.05)
    reason = out.table.at[2, "binding"]
    assert reason == "the goal-mix guardrail of 'Grow' and 'Keep'"  # taking P3 moves both goals further out
    assert said(reason, "de") == "die Zielmix-Leitplanke für „Grow“ und „Keep“"
    assert said(reason, "fr") == "le garde-fou de la répartition par objectif pour «\u00a0Grow\u00a0» et «\u00a0Keep\u00a0»"


def test_the_greedy_reasons_list_budget_and_capacity_with_the_languages_separator():
    props = _props(requested_budget=[60.0, 50.0], cost_of_delay_per_week=[70.0, 45.0], job_size=[1, 2])
    demand = pd.DataFrame({"initiative_id": ["P1", "P2"], "team": ["Ops", "Ops"], "demand_days": [10.0, 20.0]})
    out = greedy_selection(props, proposal_budget=100, capacity=pd.Series({"Ops": 25.0}),
                           committed=pd.Series({"Ops": 0.0}), demand=demand)
    reason = out.table.at[1, "binding"]
    assert reason == "the proposal budget (requests 50; 40 left); the capacity of the Ops team (needs 20 days; 15 left)"
    assert said(reason, "de") == ("das Budget für Vorschläge (beantragt 50; 40 übrig); die Kapazität des Teams Ops "
                                  "(benötigt 20 Tage; 15 übrig)")
    assert said(reason, "fr") == ("le budget réservé aux propositions (demande 50\u202f; reste 40)\u202f; la capacité de l’équipe "
                                  "Ops (requiert 20 jours\u202f; reste 15)")


def test_fixed_decisions_that_cannot_hold_are_explained_in_each_language():
    props = _props(requested_budget=[1500.0, 100.0, 1000.0], cost_of_delay_per_week=[1.0, 9.0, 5.0],
                   must_fund=[True, False, True])
    out = select_proposals(props, proposal_budget=2000)
    english = ("No selection meets the rules: the proposals marked must fund (P1, P3) request 2,500 together, more "
               "than the proposal budget of 2,000.")
    assert out.infeasible == english and isinstance(out.infeasible, i18n.Text)
    assert out.table["binding"].tolist() == ["must fund", "not considered: " + english[0].lower() + english[1:],
                                             "must fund"]
    assert said(out.infeasible, "de") == (
        "Keine Auswahl erfüllt die Regeln: die als „muss finanziert werden“ markierten Vorschläge (P1, P3) beantragen "
        "zusammen 2.500, mehr als das Budget für Vorschläge von 2.000.")
    assert said(out.table.at[1, "binding"], "de").startswith("nicht berücksichtigt, weil keine Auswahl die Regeln erfüllt: ")
    both = select_proposals(props.assign(must_stop=[True, False, False]), proposal_budget=5000)
    assert both.infeasible == "P1 is marked both must fund and must stop."
    assert said(both.infeasible, "fr") == ("P1 est marquée à la fois «\u00a0à financer impérativement\u00a0» et «\u00a0à ne pas "
                                           "lancer\u00a0».")


def test_capacity_the_fixed_decisions_lack_is_named_with_the_load_limit():
    props = _props(requested_budget=[10.0], cost_of_delay_per_week=[1.0], must_fund=[True])
    demand = pd.DataFrame({"initiative_id": ["P1"], "team": ["Ops"], "demand_days": [90.0]})
    out = select_proposals(props, proposal_budget=100, capacity=pd.Series({"Ops": 100.0}),
                           committed=pd.Series({"Ops": 40.0}), demand=demand, max_utilisation=0.8)
    assert out.infeasible == ("No selection meets the rules: they need 90 days of the Ops team, which has 40 days left "
                              "after continuing work within its 80% load limit.")
    assert said(out.infeasible, "de") == (
        "Keine Auswahl erfüllt die Regeln: sie benötigen 90 Tage des Teams Ops, dem nach der laufenden Arbeit "
        "innerhalb seiner Belastungsgrenze von 80\u00a0% noch 40 Tage bleiben.")


def test_the_selection_table_keeps_its_reasons_through_record_and_read_result(tmp_path):
    props = _props(requested_budget=[60.0, 50.0, 50.0], cost_of_delay_per_week=[70.0, 45.0, 45.0])
    out = select_proposals(props, proposal_budget=100)
    record(out.table, "selection", tmp_path)
    assert (tmp_path / "selection.csv").read_text().splitlines()[1:] == [
        "P1,False,60,70,the proposal budget (requests 60; 0 left)", "P2,True,50,45,selected", "P3,True,50,45,selected"]
    back = read_result(tmp_path, "selection")
    assert [said(v, "de") for v in back["binding"]] == ["das Budget für Vorschläge (beantragt 60; 0 übrig)",
                                                         "ausgewählt", "ausgewählt"]
    assert str(LOWER_VALUE) == "lower value than the chosen set" and said(LOWER_VALUE, "en") == str(LOWER_VALUE)


def test_the_base_case_and_no_goal_are_said_in_the_language_and_recorded_in_english(tmp_path):
    changes, values, goals, props = _portfolio()
    out = compare_scenarios([Scenario(name="Budget -10%", budget_change=-0.1)], changes=changes, scores=values,
                            goals=goals, funding=Funding(), tolerance=0.05, proposals=props, proposal_budget=500)
    assert out.summary["scenario"].tolist() == ["Base case", "Budget -10%"]
    assert [said(s, "de") for s in out.summary["scenario"]] == ["Basisfall", "Budget -10%"]  # a client's name stays
    assert said(BASE_CASE, "fr") == "Cas de base"
    record(out.budgets, "scenario_budgets", tmp_path)
    assert (tmp_path / "scenario_budgets.csv").read_text().splitlines()[1].startswith("Base case,")
    back = read_result(tmp_path, "scenario_budgets")
    assert said(back.at[0, "scenario"], "de") == "Basisfall"
    # a goal outside its guardrail: the no-goal group is the kit's words, a goal's name the client's
    changes, values, goals = _inputs([100.0, 100.0], [50.0, 50.0], [None, "G1"], targets=(1.0, 0.0, 0.0))
    mix = scenario_goal_mix(changes.assign(scenario_budget=changes["budget"]), goals.iloc[:1], tolerance=0.05)
    assert mix["goal_id"].tolist() == ["G1", "(no goal)"] and said(mix.at[1, "goal_id"], "de") == "(ohne Ziel)"


def test_no_strategic_goal_is_said_in_the_language_in_the_goal_mix(tiny):
    ws = load_workspace(tiny)
    mix = goal_mix(ws.cycle("C2"), tolerance=0.05)
    label = mix["label"].iloc[-1]
    assert label == "No strategic goal" and said(label, "de") == "Kein strategisches Ziel"
    assert said(label, "fr") == "Sans objectif stratégique"
    by_goal = portfolio_by_goal(ws.cycle("C3"))
    assert [said(g, "de") for g in by_goal["goal"] if not str(g).startswith("G")] == ["Kein strategisches Ziel"]
    assert np.isclose(mix["share"].sum(), 1.0)
    import matplotlib.pyplot as plt

    from pmo_lib import goal_mix_bars

    with i18n.using("de"):
        figure = goal_mix_bars(mix)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    plt.close(figure)
    assert "Kein strategisches Ziel" in labels and "No strategic goal" not in labels
