"""The board pack tells one story: the same fact reads the same in every table.

Checks the views that reconcile the pack's measures: a late initiative's three finish measures,
exception severities against KPI statuses and RAID severities, budget changes against the
funding rules, and the scenario's cuts against the WSJF ranking.
"""
from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib import (budget_change_reasons, finish_views, finish_views_table, priority_cuts, raid_exceptions,
                     raid_exceptions_note, severity_badge, status_badge)
from pmo_lib.inputs.config import DEFAULT_EXCEPTION_RULES

END = pd.Timestamp("2026-09-30")


def _initiatives() -> pd.DataFrame:
    return pd.DataFrame({
        "initiative_id": ["I-7", "I-17", "I-1", "I-9"], "name": ["Data platform", "Ledger", "App", "Closed one"],
        "status": ["active", "active", "active", "closed"],
        "planned_end_date": pd.to_datetime(["2026-12-31", "2026-09-26", "2027-06-03", "2026-05-01"]),
        "forecast_end_date": pd.to_datetime(["2027-06-30", "2026-11-05", "2027-06-11", "2026-05-01"]),
        "actual_end_date": pd.to_datetime([None, None, None, "2026-04-24"])})


def _schedule() -> pd.DataFrame:
    return pd.DataFrame({"scope": ["portfolio", "I-7", "I-17", "I-1"], "sv_t": [-12.0, -174.44, 0.0, 3.0],
                         "ieac_t_date": pd.to_datetime(["2027-01-01", "2027-10-05", "2026-09-26", "2027-05-30"])})


def _forecasts() -> pd.DataFrame:
    return pd.DataFrame({"scope": ["I-7", "I-17", "I-1"], "kind": ["when"] * 3, "remaining": [10, 5, 8],
                         "p85": ["2026-10-28", "2026-10-28", "2026-11-11"], "p_on_time": [1.0, 0.0, 1.0]})


def test_a_late_initiatives_three_finish_measures_are_side_by_side_and_the_backlog_chance_is_explained():
    """The sample's I-007: owner's date 181 days late (2027-06-30 − 2026-12-31), earned schedule 174
    days behind today and finishing 278 days late (2027-10-05), yet its 10 backlog items are 100% likely
    done by the planned end. Each is right for what it measures; the row says why they differ and that
    the 100% does not mean on time. A planned end already passed with items open is late (chance 0).
    """
    views = finish_views(_initiatives(), _schedule(), _forecasts(), end=END, slip_days=30,
                         on_time_probability=0.5).set_index("initiative_id")
    assert list(views.index) == ["I-7", "I-17"]  # I-1 is 8 days late by its owner: within tolerance; closed work out
    seven = views.loc["I-7"]
    assert seven["owner_days_late"] == 181 and seven["behind_today_days"] == 174 and seven["pace_days_late"] == 278
    assert seven["p_on_time"] == 1.0 and seven["open_items"] == 10
    assert "does not mean on time" in seven["why"] and "the owner's date and the pace so far" in seven["why"]
    assert views.loc["I-17", "p_on_time"] == 0.0
    assert "planned end has passed with 5 items still open" in views.loc["I-17", "why"]
    shown = finish_views_table(views.reset_index())
    assert shown.iloc[0]["Owner's forecast end (used for the exceptions)"] == "2027-06-30 (181 days later)"
    assert shown.iloc[0]["Earned schedule: behind plan today"] == "174 days behind"
    assert shown.iloc[0]["Backlog forecast (Monte Carlo): open items only"].startswith("10 open items, 100% likely")


def test_an_exception_badge_has_the_colour_and_symbol_of_the_kpi_status_that_raises_it():
    """An off-track KPI (red ■) raises a medium exception, an at-risk one (amber ▲) a low exception:
    the dashboard's On-time delivery badge and its exception's badge must not disagree."""
    assert "rag-red" in status_badge("red") and "rag-red" in severity_badge("medium")
    assert "■" in severity_badge("medium") and ">■ Medium<" in severity_badge("medium")
    assert "rag-amber" in status_badge("amber") and "rag-amber" in severity_badge("low")
    for word in ("high", "critical"):
        assert "rag-red" in severity_badge(word)


def test_overdue_raid_items_show_the_severity_of_the_exception_they_raise():
    """R-020, a critical issue on an ended initiative, is a low portfolio-wide exception: the RAID table
    says so beside its own severity instead of leaving 'Critical' and 'Low' unexplained."""
    items = pd.DataFrame({"raid_id": ["R-28", "R-20", "R-27"], "initiative_id": ["I-7", "I-31", "I-36"],
                          "severity": ["critical", "critical", "medium"]})
    register = pd.DataFrame({"kind": ["raid", "raid", "cost"], "initiative_id": ["I-7", None, "I-7"],
                             "metric": ["R-28 Supplier late", "R-20 Environment not ready", "Cost performance index"],
                             "severity": ["critical", "low", "high"]})
    words = raid_exceptions(items, register)
    assert words.tolist() == ["Critical", "Low: its initiative has ended; close the item or hand it over", "–"]
    assert "90 days" in raid_exceptions_note(DEFAULT_EXCEPTION_RULES)


def test_a_budget_that_ends_with_its_initiative_is_no_cut_and_a_deep_cut_is_named():
    changes = pd.DataFrame({"initiative_id": ["I-9", "I-1", "I-2", "I-3"], "name": ["a", "b", "c", "d"],
                            "goal_id": ["G1"] * 4, "previous_budget": [137000.0, 100000.0, 141000.0, 0.0],
                            "budget": [0.0, 30000.0, 70000.0, 50000.0], "change": [-137000.0, -70000.0, -71000.0,
                                                                                   50000.0]})
    ini = pd.DataFrame({"initiative_id": ["I-9", "I-1", "I-2", "I-3"], "status": ["closed", "active", "active",
                                                                                  "active"],
                        "actual_end_date": pd.to_datetime(["2026-04-24", None, None, None])})
    why = budget_change_reasons(changes, ini, end=END, max_cut=0.5).tolist()
    assert why[0] == "ended 2026-04-24: no further budget"
    assert why[1] == "cut by 70%, more than the 50% the funding rules allow without the board"
    assert why[2] == ""  # 50.4% reads as the 50% allowed
    assert why[3] == "started: first budget"


def test_a_cut_to_the_work_ranked_first_is_explained_where_the_cut_is_shown():
    """The sample's I-001: WSJF rank 1 of 32, cut by 50% because its value score (73) is below the
    median (80): the sentence names the conflict and leaves the call to the board."""
    scenario = pd.DataFrame({"initiative_id": ["I-1", "I-2", "I-3"], "name": ["App", "Lake", "Portal"],
                             "value_score": [73.0, 94.0, 80.0], "budget": [393000.0, 100000.0, 397000.0],
                             "change": [-196500.0, 50000.0, -1000.0]})
    ranked = pd.DataFrame({"initiative_id": ["I-1", "I-2", "I-3", "I-4"], "rank": [1, 2, 3, 4]})
    text = priority_cuts(scenario, ranked, smallest_move=0.5, currency="EUR")
    assert text.startswith("I-1 App is number 1 of 4 in the WSJF ranking, yet the scenario cuts its budget by 50% "
                           "(EUR 196,500)")
    assert "value score is 73, against a median of 80" in text and "I-3" not in text  # rank 3 of 4: not the top
    assert priority_cuts(scenario, ranked.iloc[0:0], smallest_move=0.5, currency="EUR") == ""


def test_a_backlog_that_alone_says_late_is_named_as_such():
    """The sample's I-013: owner 26 days late (within the 30-day tolerance), earned schedule ahead, but
    only a 10% chance its 10 backlog items are done by the planned end: re-plan the open items."""
    ini = pd.DataFrame({"initiative_id": ["I-13"], "name": ["Offers"], "status": ["active"],
                        "planned_end_date": pd.to_datetime(["2026-10-18"]),
                        "forecast_end_date": pd.to_datetime(["2026-11-13"])})
    schedule = pd.DataFrame({"scope": ["I-13"], "sv_t": [18.0], "ieac_t_date": pd.to_datetime(["2026-09-30"])})
    forecasts = pd.DataFrame({"scope": ["I-13"], "kind": ["when"], "remaining": [10], "p85": ["2026-11-11"],
                              "p_on_time": [0.0956]})
    why = finish_views(ini, schedule, forecasts, end=END, slip_days=30, on_time_probability=0.5)["why"].iloc[0]
    assert why.startswith("The owner's date and the pace so far stay within the schedule tolerance")
