"""The policy numbers of pmo.yaml change what the register recommends and what the reports say.

Each test runs the same hand-built case with the default policy and with a
changed one, so the difference is the policy's doing.
"""
from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib import Cycle, exception_register, funding_line, guardrail_text, load_catalog, next_agenda, portfolio_status
from pmo_lib.inputs.config import Config, ExceptionRules
from pmo_lib.reporting.charts import funding_shift_bars
from pmo_lib.reporting.dashboard import rules_table
from tests.reporting.test_register import D, _initiatives, _kpis, _tables


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _run(tables, kpis, catalog, rules=ExceptionRules()):
    cycle = Cycle.of(tables, "C3")
    register = exception_register(cycle, kpis, catalog, slip_days=30, currency="EUR", rules=rules)
    return register, portfolio_status(cycle, register, rules=rules).set_index("initiative_id")


def test_overdue_escalation_days_decide_when_a_late_risk_grows_one_step(catalog):
    # a high risk 61 days past its due date at the cycle's end (2026-09-30)
    raid = pd.DataFrame({"raid_id": ["R1"], "kind": ["risk"], "initiative_id": ["I1"], "title": ["Key supplier"],
                         "severity": ["high"], "status": ["open"], "owner": ["X"], "raised_date": [D("2026-05-01")],
                         "due_date": [D("2026-07-31")], "closed_date": [pd.NaT]})
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"}), raid=raid)
    default, _ = _run(tables, _kpis([]), catalog)
    strict, portfolio = _run(tables, _kpis([]), catalog, ExceptionRules(overdue_escalation_days=60))
    assert default.iloc[0]["value"] == 61
    assert default.iloc[0]["severity"] == "medium"
    assert strict.iloc[0]["severity"] == "high"
    assert portfolio.at["I1", "recommendation"] == "recover"


def test_slip_multiples_set_the_severity_of_a_late_forecast(catalog):
    # forecast 50 days after the planned end with a 30-day tolerance: medium by default (high beyond 60)
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "Late",
                                               "planned_end_date": D("2027-03-31"),
                                               "forecast_end_date": D("2027-05-20")}))
    default, before = _run(tables, _kpis([]), catalog)
    tighter, after = _run(tables, _kpis([]), catalog, ExceptionRules(high_slip_multiple=1.5, critical_slip_multiple=2))
    assert default.iloc[0]["severity"] == "medium" and before.at["I1", "recommendation"] == "recover"
    assert tighter.iloc[0]["severity"] == "high" and after.at["I1", "recommendation"] == "re-scope"


def test_stop_severity_decides_when_cost_and_schedule_together_mean_stop(catalog):
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"},
                                              {"initiative_id": "I2", "name": "Two"}))
    kpis = _kpis([("cpi", "I1", 0.75, "red"), ("spi", "I1", 0.86, "red"),   # cost high, schedule medium
                  ("cpi", "I2", 0.72, "red"), ("spi", "I2", 0.7, "red")])    # both high
    _, default = _run(tables, kpis, catalog)
    _, lenient = _run(tables, kpis, catalog, ExceptionRules(stop_severity="critical"))
    _, strict = _run(tables, kpis, catalog, ExceptionRules(stop_severity="medium"))
    assert default["recommendation"].to_dict() == {"I1": "re-scope", "I2": "stop"}
    assert lenient["recommendation"].to_dict() == {"I1": "re-scope", "I2": "re-scope"}
    assert strict["recommendation"].to_dict() == {"I1": "stop", "I2": "stop"}


def test_escalation_severity_decides_when_an_earlier_recovery_is_escalated(catalog):
    decisions = pd.DataFrame({"decision_id": ["D-010"], "cycle": ["C2"], "date": [D("2026-06-20")],
                              "title": ["Recovery plan"], "owner": ["Board"], "outcome": ["Accepted"],
                              "initiative_id": ["I1"], "decision": ["recover"]})
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"}), decisions=decisions)
    kpis = _kpis([("cpi", "I1", 0.85, "red")])  # medium
    _, default = _run(tables, kpis, catalog)
    register, strict = _run(tables, kpis, catalog, ExceptionRules(escalation_severity="medium"))
    assert default.at["I1", "recommendation"] == "recover"
    assert strict.at["I1", "recommendation"] == "re-scope"
    assert "has not brought it back" in strict.at["I1", "reason"]
    assert set(register["recommendation"]) == {"re-scope"}


def test_the_method_appendix_quotes_the_policy_in_use():
    default = rules_table().set_index("rule")["text"]
    changed = rules_table(ExceptionRules(high_slip_multiple=1.5, critical_slip_multiple=4,
                                         overdue_escalation_days=30, stop_severity="critical",
                                         escalation_severity="medium")).set_index("rule")["text"]
    assert "more than 90 days overdue" in default["Severity of a risk or issue"]
    assert "more than 30 days overdue" in changed["Severity of a risk or issue"]
    assert "high beyond twice and critical beyond three times the tolerance" in default["Severity of a late forecast"]
    assert "high beyond 1.5 times and critical beyond 4 times the tolerance" in changed["Severity of a late forecast"]
    assert "stop when cost and schedule (a schedule KPI or a late forecast end) are both high or critical." in default["Recommended decision"]
    assert "late forecast end) are both critical." in changed["Recommended decision"]
    assert "still at medium, high or critical severity is escalated" in changed["The board's decisions"]


def test_the_playbooks_guardrail_text_quotes_the_slip_multiples():
    goals = pd.DataFrame({"target_share": [0.5]})
    text = guardrail_text(Config(organisation="Acme", exceptions={"high_slip_multiple": 1.5}), goals=goals)
    assert "high beyond 45 days and critical beyond 90 days" in text


def _scenario(change: float) -> pd.DataFrame:
    return pd.DataFrame({"initiative_id": ["I1", "I2"], "name": ["Gains", "Loses"], "budget": [10_000.0, 10_000.0],
                         "change": [change, -change]})


def test_smallest_move_decides_whether_the_scenario_moves_money():
    scenario = _scenario(300.0)
    moves = funding_line(scenario, ended=None, next_cycle="C4", currency="EUR", max_shift=0.1)
    still = funding_line(scenario, ended=None, next_cycle="C4", currency="EUR", max_shift=0.1, smallest_move=500)
    assert moves.startswith("The scenario for C4 moves EUR\u00a0300 of budget")
    assert still == "The scenario for C4 moves no budget: no move passes the guardrails."
    args = dict(cycle="C3", next_cycle="C4", portfolio=pd.DataFrame(columns=["severity", "recommendation"]),
                register=pd.DataFrame(columns=["initiative_id", "severity", "metric"]), scenario=scenario, mix=None,
                actions=None, currency="EUR")
    assert "funding scenario moving EUR 300" in next_agenda(**args)
    assert "funding scenario" not in next_agenda(**args, smallest_move=500)


def test_smallest_move_decides_which_bars_the_funding_chart_draws():
    import matplotlib.pyplot as plt

    scenario = _scenario(300.0)
    drawn = funding_shift_bars(scenario, currency="EUR")
    empty = funding_shift_bars(scenario, currency="EUR", smallest_move=500)
    try:
        assert len(drawn.axes[0].patches) == 2
        assert len(empty.axes[0].patches) == 0
        assert "The scenario moves no money" in [t.get_text() for t in empty.axes[0].texts]
    finally:
        plt.close(drawn)
        plt.close(empty)
