"""The exception register: severity rules, one recommendation per initiative, decisions and ended initiatives.

The tables are built by hand so that every expected answer can be read off the test.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_lib import (Cycle, breach_depth, closing_summary, exception_register, funding_changes, load_catalog,
                     portfolio_status, reallocation_scenario, value_scores)
from pmo_lib.inputs.config import Funding
from pmo_lib.reporting.register import severity_of_depth, severity_of_slip
from pmo_lib.inputs.tables import TABLES
from pmo_lib.inputs.workspace import _empty

D = pd.Timestamp


def _tables(**given) -> dict[str, pd.DataFrame]:
    tables = {name: _empty(spec) for name, spec in TABLES.items()}
    tables["cycles"] = pd.DataFrame({"cycle": ["C1", "C2", "C3"],
                                     "start_date": [D("2026-01-01"), D("2026-04-01"), D("2026-07-01")],
                                     "end_date": [D("2026-03-31"), D("2026-06-30"), D("2026-09-30")]})
    for name, frame in given.items():
        tables[name] = frame
    return tables


def _initiatives(*rows) -> pd.DataFrame:
    base = {"kind": "project", "goal_id": None, "owner": "A. Owner", "status": "active",
            "start_date": D("2025-01-01"), "planned_end_date": D("2027-12-31"), "forecast_end_date": D("2027-12-31"),
            "actual_end_date": pd.NaT, "bac": 1_000_000.0}
    return pd.DataFrame([{**base, **r} for r in rows])


def _kpis(rows) -> pd.DataFrame:
    """KPI rows as compute_kpis gives them; ``rows`` are (kpi_id, scope, value, status[, uncertain, n])."""
    catalog = load_catalog()
    spec = catalog.table.set_index("kpi_id")
    out = []
    for kpi_id, scope, value, status, *rest in rows:
        out.append({"kpi_id": kpi_id, "name": spec.at[kpi_id, "name"], "step": spec.at[kpi_id, "step"],
                    "scope": scope, "value": value, "unit": spec.at[kpi_id, "unit"],
                    "target": spec.at[kpi_id, "target"], "status": status, "n": rest[1] if len(rest) > 1 else 1,
                    "margin": np.nan, "note": "", "uncertain": rest[0] if rest else False})
    return pd.DataFrame(out)


@pytest.fixture
def catalog():
    return load_catalog()


# ---------------------------------------------------------------- severity rules

@pytest.mark.parametrize("value, expected", [
    (1.00, None), (0.99, "low"), (0.90, "low"), (0.89, "medium"), (0.80, "medium"), (0.79, "high"),
    (0.70, "high"), (0.69, "critical")])
def test_severity_grows_with_the_breach_of_a_higher_is_better_kpi(value, expected):
    # target 1.0, red 0.9: one band is 0.1
    assert severity_of_depth(breach_depth(value, 1.0, 0.9, "higher")) == expected


@pytest.mark.parametrize("value, expected", [(14, None), (15, None), (16, "low"), (21, "low"), (22, "medium"),
                                             (27, "medium"), (28, "high"), (33, "high"), (34, "critical")])
def test_severity_of_a_lower_is_better_kpi_counts_its_tolerance(value, expected):
    # target 14 days with tolerance 1, red 21: met up to 15, band 6 from there to red
    assert severity_of_depth(breach_depth(value, 14, 21, "lower", tolerance=1)) == expected


@pytest.mark.parametrize("days, past_due, expected", [
    (0, False, None), (30, False, None), (31, False, "medium"), (60, False, "medium"), (61, False, "high"),
    (90, False, "high"), (91, False, "critical"), (4, True, "low"), (40, True, "medium")])
def test_severity_of_a_late_forecast_at_and_around_each_threshold(days, past_due, expected):
    assert severity_of_slip(days, 30, past_due=past_due) == expected


# ---------------------------------------------------------------- one recommendation

def _register(tables, kpis, catalog, cycle="C3"):
    register = exception_register(Cycle.of(tables, cycle), kpis, catalog, slip_days=30, currency="EUR")
    return register, portfolio_status(Cycle.of(tables, cycle), register).set_index("initiative_id")


def test_an_initiative_gets_one_recommendation_the_most_far_reaching(catalog):
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"},
                                              {"initiative_id": "I2", "name": "Two"},
                                              {"initiative_id": "I3", "name": "Three"},
                                              {"initiative_id": "I4", "name": "Four"}))
    kpis = _kpis([("cpi", "I1", 0.75, "red"), ("spi", "I1", 0.86, "red"), ("csat", "I1", 0.5, "red"),
                  ("cpi", "I2", 0.72, "red"), ("spi", "I2", 0.7, "red"),
                  ("nps", "I3", -10.0, "red"),
                  ("cpi", "I4", 0.95, "amber")])
    register, portfolio = _register(tables, kpis, catalog)
    assert register.groupby("initiative_id")["recommendation"].nunique().eq(1).all()
    assert portfolio.at["I1", "recommendation"] == "re-scope"  # cost high beats schedule and customer medium
    assert portfolio.at["I1", "severity"] == "high"
    assert portfolio.at["I2", "recommendation"] == "stop"  # cost and schedule both high
    assert portfolio.at["I3", "recommendation"] == "recover"
    assert portfolio.at["I4", "recommendation"] == "continue" and portfolio.at["I4", "severity"] == "low"


def test_an_interval_that_spans_the_target_is_at_most_low(catalog):
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"}))
    kpis = _kpis([("nps", "I1", -30.0, "red", True, 4)])
    register, portfolio = _register(tables, kpis, catalog)
    row = register.iloc[0]
    assert row["severity"] == "low" and row["uncertain"]
    assert "uncertain, from 4 answers" in row["description"]


def test_one_late_initiative_is_one_exception_whose_severity_follows_the_forecast(catalog):
    # 4 days past its planned end, forecast 40 days late: one medium exception, not a high and a medium one
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "Late", "planned_end_date": D("2026-09-26"),
                                               "forecast_end_date": D("2026-11-05")}))
    register, portfolio = _register(tables, _kpis([]), catalog)
    assert len(register) == 1
    row = register.iloc[0]
    assert row["kind"] == "delivery" and row["severity"] == "medium" and row["value"] == 40
    assert "40 days after its planned end" in row["description"] and "passed 4 days before" in row["description"]


def test_a_recovery_plan_accepted_this_cycle_stands_instead_of_stop(catalog):
    decisions = pd.DataFrame({"decision_id": ["D-017"], "cycle": ["C3"], "date": [D("2026-09-20")],
                              "title": ["Recovery plan"], "owner": ["Board"], "outcome": ["Accepted"],
                              "initiative_id": ["I1"], "decision": ["recover"]})
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"}), decisions=decisions)
    kpis = _kpis([("cpi", "I1", 0.7, "red"), ("spi", "I1", 0.7, "red")])
    register, portfolio = _register(tables, kpis, catalog)
    assert portfolio.at["I1", "recommendation"] == "recover"
    assert portfolio.at["I1", "reason"].startswith("recovery plan accepted in D-017; review in the next cycle")
    assert set(register["recommendation"]) == {"recover"}


def test_an_earlier_recovery_that_did_not_work_is_escalated(catalog):
    decisions = pd.DataFrame({"decision_id": ["D-010"], "cycle": ["C2"], "date": [D("2026-06-20")],
                              "title": ["Recovery plan"], "owner": ["Board"], "outcome": ["Accepted"],
                              "initiative_id": ["I1"], "decision": ["recover"]})
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"},
                                              {"initiative_id": "I2", "name": "Two"}),
                     decisions=pd.concat([decisions, decisions.assign(decision_id="D-011", initiative_id="I2")]))
    kpis = _kpis([("cpi", "I1", 0.75, "red"), ("cpi", "I2", 0.85, "red")])
    _, portfolio = _register(tables, kpis, catalog)
    assert portfolio.at["I1", "recommendation"] == "re-scope"  # still high after the plan
    assert "has not brought it back" in portfolio.at["I1", "reason"]
    assert portfolio.at["I2", "recommendation"] == "recover"  # medium: the agreed course continues
    assert "continue the course agreed in D-011" in portfolio.at["I2", "reason"]


def test_an_earlier_stop_that_did_not_happen_is_repeated(catalog):
    decisions = pd.DataFrame({"decision_id": ["D-005"], "cycle": ["C1"], "date": [D("2026-03-20")],
                              "title": ["Stop"], "owner": ["Board"], "outcome": ["Stop it"],
                              "initiative_id": ["I1"], "decision": ["stop"]})
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"}), decisions=decisions)
    _, portfolio = _register(tables, _kpis([("cpi", "I1", 0.93, "amber")]), catalog)
    assert portfolio.at["I1", "recommendation"] == "stop"
    assert "confirm the closure" in portfolio.at["I1", "reason"]


def test_a_decision_of_a_later_cycle_is_not_known_yet(catalog):
    decisions = pd.DataFrame({"decision_id": ["D-020"], "cycle": ["C3"], "date": [D("2026-09-20")],
                              "title": ["Stop"], "owner": ["Board"], "outcome": ["Stop it"],
                              "initiative_id": ["I1"], "decision": ["stop"]})
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"}), decisions=decisions)
    _, portfolio = _register(tables, _kpis([("cpi", "I1", 0.85, "red")]), catalog, cycle="C2")
    assert portfolio.at["I1", "recommendation"] == "recover"


# ---------------------------------------------------------------- ended initiatives

def test_closed_initiatives_raise_no_exceptions_and_get_no_budget(catalog):
    tables = _tables(
        initiatives=_initiatives(
            {"initiative_id": "I1", "name": "Closed", "status": "closed", "planned_end_date": D("2026-08-31"),
             "forecast_end_date": D("2026-09-04"), "actual_end_date": D("2026-09-04")},
            {"initiative_id": "I2", "name": "Live", "goal_id": None}),
        financials=pd.DataFrame({"cycle": ["C3", "C3"], "initiative_id": ["I1", "I2"], "budget": [73_500.0, 500_000.0],
                                 "planned_value": [1e6, 4e5], "earned_value": [9e5, 4e5],
                                 "actual_cost": [1.05e6, 4e5]}),
        benefits=pd.DataFrame({"cycle": ["C3"], "initiative_id": ["I1"], "planned_benefit": [100.0],
                               "realized_benefit": [80.0]}))
    kpis = _kpis([("cpi", "I1", 0.7, "red"), ("spi", "I1", 0.7, "red")])
    register, portfolio = _register(tables, kpis, catalog)
    assert register.empty
    assert pd.isna(portfolio.at["I1", "recommendation"]) and portfolio.at["I1", "status"] == "closed"
    assert "closed on 2026-09-04" in portfolio.at["I1", "reason"]
    closing = closing_summary(Cycle.of(tables, "C3")).set_index("initiative_id")
    assert closing.at["I1", "days_late"] == 4
    assert closing.at["I1", "cost_vs_budget"] == pytest.approx(0.05)
    assert closing.at["I1", "benefits_realised"] == pytest.approx(0.8)
    changes = funding_changes(Cycle.of(tables, "C3"))
    scenario = reallocation_scenario(changes, value_scores(Cycle.of(tables, "C3"), kpis, funding=Funding()), tables["goals"],
                                     funding=Funding(), tolerance=0.05, ended={"I1"})
    assert "I1" not in set(scenario["initiative_id"])


def test_an_initiative_under_recovery_gives_no_budget_away():
    changes = pd.DataFrame({"initiative_id": ["A", "B", "C", "D"], "name": list("ABCD"), "goal_id": ["G1"] * 4,
                            "previous_budget": [100.0] * 4, "budget": [100.0] * 4, "change": [0.0] * 4})
    scores = pd.DataFrame({"initiative_id": ["A", "B", "C", "D"], "value_score": [90.0, 80.0, 20.0, 10.0]})
    goals = pd.DataFrame({"goal_id": ["G1"], "target_share": [1.0]})
    funding = Funding(max_shift=0.2, max_cut=0.5)
    free = reallocation_scenario(changes, scores, goals, funding=funding, tolerance=0.05).set_index("initiative_id")
    assert free.at["D", "change"] < 0
    kept = reallocation_scenario(changes, scores, goals, funding=funding, tolerance=0.05,
                                 protected={"D"}).set_index("initiative_id")
    assert kept.at["D", "change"] == 0 and kept.at["C", "change"] < 0
    assert kept["scenario_budget"].sum() == pytest.approx(400)


def test_a_decision_that_overrides_the_rules_says_what_the_rules_would_say(catalog):
    decisions = pd.DataFrame({"decision_id": ["D-017"], "cycle": ["C3"], "date": [D("2026-09-20")],
                              "title": ["Recovery plan"], "owner": ["Board"], "outcome": ["Accepted"],
                              "initiative_id": ["I1"], "decision": ["recover"]})
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"}), decisions=decisions)
    _, portfolio = _register(tables, _kpis([("cpi", "I1", 0.7, "red"), ("spi", "I1", 0.7, "red")]), catalog)
    assert "without that decision the rules would say stop" in portfolio.at["I1", "reason"]


def test_an_overdue_critical_issue_left_open_on_an_ended_initiative_is_a_portfolio_item(catalog):
    raid = pd.DataFrame({"raid_id": ["R1"], "kind": ["issue"], "initiative_id": ["I1"], "title": ["Vendor dispute"],
                         "severity": ["critical"], "status": ["open"], "owner": ["X"], "raised_date": [D("2026-01-10")],
                         "due_date": [D("2026-03-01")], "closed_date": [pd.NaT]})
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "Gone", "status": "cancelled"}), raid=raid)
    register, _ = _register(tables, _kpis([]), catalog)
    row = register.iloc[0]
    assert pd.isna(row["initiative_id"]) and row["severity"] == "low" and "has ended" in row["description"]


def test_stop_weighs_each_sides_most_severe_exception_and_a_late_forecast_counts_as_schedule(catalog):
    # I1: cost high (CPI 0.72) and a forecast 100 days late (critical) beside a medium SPI: cost and schedule are
    # both at least high, so stop, whichever schedule exception the register lists last.
    # I2: the same late forecast, cost only medium: re-scope (the late forecast's own suggestion).
    tables = _tables(initiatives=_initiatives(
        {"initiative_id": "I1", "name": "One", "planned_end_date": D("2026-12-31"), "forecast_end_date": D("2027-04-10")},
        {"initiative_id": "I2", "name": "Two", "planned_end_date": D("2026-12-31"), "forecast_end_date": D("2027-04-10")}))
    kpis = _kpis([("cpi", "I1", 0.72, "red"), ("spi", "I1", 0.86, "red"), ("cpi", "I2", 0.86, "red")])
    register, portfolio = _register(tables, kpis, catalog)
    assert set(register.loc[register["initiative_id"] == "I1", "severity"]) == {"critical", "high", "medium"}
    assert portfolio.at["I1", "recommendation"] == "stop"
    assert "cost and schedule performance are both far off target" in portfolio.at["I1", "reason"]
    assert portfolio.at["I2", "recommendation"] == "re-scope"


def test_the_registers_texts_are_recorded_in_english_and_shown_in_the_reports_language(catalog, tmp_path):
    """Whatever language is current, the register records English; each description, short form and reason says
    itself again in German (German words, CLDR formats: dd.MM.y dates, a decimal comma), also after the CSV trip
    the governance report makes (record, then read_result)."""
    from pmo_lib import read_result, record
    from pmo_lib.inputs import i18n
    from pmo_lib.reporting.register import decided_part

    decisions = pd.DataFrame({"decision_id": ["D-017"], "cycle": ["C3"], "date": [D("2026-09-20")],
                              "title": ["Recovery plan"], "owner": ["Board"], "outcome": ["Accepted"],
                              "initiative_id": ["I1"], "decision": ["recover"]})
    raid = pd.DataFrame({"raid_id": ["R1"], "kind": ["risk"], "initiative_id": ["I2"], "title": ["Vendor dispute"],
                         "severity": ["critical"], "status": ["open"], "owner": ["X"], "raised_date": [D("2026-01-10")],
                         "due_date": [D("2026-08-01")], "closed_date": [pd.NaT]})
    tables = _tables(initiatives=_initiatives(
        {"initiative_id": "I1", "name": "One"},
        {"initiative_id": "I2", "name": "Late", "planned_end_date": D("2026-09-26"),
         "forecast_end_date": D("2026-11-05")}), decisions=decisions, raid=raid)
    kpis = _kpis([("cpi", "I1", 0.7, "red"), ("spi", "I1", 0.7, "red"), ("nps", "I2", -30.0, "red", True, 4)])
    with i18n.using("de"):
        register, portfolio = _register(tables, kpis, catalog)
    assert register["description"].iloc[0].startswith("Cost performance index 0.70 against a target of ")
    assert portfolio.at["I1", "reason"].startswith("recovery plan accepted in D-017; review in the next cycle; "
                                                   "without that decision the rules would say stop. Still open: ")
    record(register, "exceptions", tmp_path)
    back = read_result(tmp_path, "exceptions")
    assert back["description"].tolist() == register["description"].tolist()
    with i18n.using("de"):
        german = [i18n.shown(v) for v in back["description"]] + [i18n.shown(v) for v in back["short"]]
        reason = portfolio.at["I1", "reason"]
        why, shown_reason = decided_part(reason), i18n.shown(reason)
    assert any(" 0,70 bei einem Zielwert von " in g and "1,00" in g for g in german)
    assert any("nach dem geplanten Ende (26.09.2026)" in g for g in german)
    assert any(g.startswith("Risiko (kritisch) R1 „Vendor dispute“") for g in german)
    assert any("unsicher, aus 4 Antworten" in g for g in german)
    assert why == "Plan zum Gegensteuern angenommen in D-017; Überprüfung im nächsten Zyklus; ohne diese " \
                  "Entscheidung lautete die Regel: stoppen"
    assert "Weiterhin offen:" in shown_reason and "(hoch)" in shown_reason
    for english in ("against a target", "forecast", "past its due date", "Still open", "uncertain"):
        assert not any(english in g for g in german + [shown_reason]), english


def test_an_initiative_on_hold_is_said_to_be_on_hold_beside_its_recommendation(catalog):
    """A paused initiative whose exceptions ask only to continue must not read as "resume it" (a board reader's
    finding): the decision table says it is on hold."""
    from pmo_lib import decision_table

    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "Paused", "status": "on_hold"},
                                              {"initiative_id": "I2", "name": "Running"}))
    register, portfolio = _register(tables, _kpis([("cpi", "I1", 0.95, "amber"), ("cpi", "I2", 0.95, "amber")]),
                                    catalog)
    shown = decision_table(portfolio.reset_index(), register, min_severity="low").set_index("initiative")
    assert shown.at["I1 Paused", "recommendation"] == "Continue (the initiative is on hold)"
    assert shown.at["I2 Running", "recommendation"] == "Continue"


def test_the_dashboards_short_list_keeps_every_high_or_critical_initiative(catalog):
    """The one-page dashboard shows the most severe initiatives; with keep_severe it never cuts a high or critical
    one that the summary counts (a board reader missed I-028, the fifth high one, on the one-pager)."""
    from pmo_lib import decision_table

    tables = _tables(initiatives=_initiatives(*({"initiative_id": f"I{i}", "name": f"N{i}"} for i in range(1, 7))))
    kpis = _kpis([("cpi", f"I{i}", 0.75, "red") for i in range(1, 6)] + [("cpi", "I6", 0.85, "red")])
    register, portfolio = _register(tables, kpis, catalog)
    assert (portfolio["severity"] == "high").sum() == 5 and portfolio.at["I6", "severity"] == "medium"
    assert len(decision_table(portfolio.reset_index(), register, limit=4)) == 4
    kept = decision_table(portfolio.reset_index(), register, limit=4, keep_severe=True)
    assert len(kept) == 5 and set(kept["severity"]) == {"high"}
