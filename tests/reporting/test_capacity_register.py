"""Overloaded teams in the one exception register, the next agenda and the capacity chart."""
from __future__ import annotations

import matplotlib.colors
import pandas as pd
import pytest

from pmo_lib import (Cycle, capacity_bars, capacity_utilisation, exception_register, load_catalog, next_agenda,
                     portfolio_exceptions, portfolio_status)
from pmo_lib.reporting.theme import STATUS_COLOURS
from tests.reporting.test_register import _initiatives, _kpis, _tables


def _cycle(demand_a: float) -> Cycle:
    tables = _tables(
        initiatives=_initiatives({"initiative_id": "I1", "name": "One"}, {"initiative_id": "I2", "name": "Two"}),
        capacity=pd.DataFrame({"cycle": ["C3", "C3"], "team": ["A", "B"], "capacity_days": [100.0, 200.0]}),
        demand=pd.DataFrame({"cycle": ["C3", "C3", "C3"], "initiative_id": ["I1", "I2", "I2"],
                             "team": ["A", "A", "B"], "demand_days": [demand_a - 10, 10.0, 40.0]}))
    return Cycle.of(tables, "C3")


@pytest.mark.parametrize("demand, severity", [(85.0, None), (90.0, "medium"), (100.0, "medium"), (110.0, "high")])
def test_an_overloaded_team_is_medium_above_the_limit_and_high_above_full_capacity(demand, severity):
    cycle = _cycle(demand)
    cap = capacity_utilisation(cycle, max_utilisation=0.85)
    register = exception_register(cycle, _kpis([]), load_catalog(), capacity=cap, max_utilisation=0.85)
    rows = register[register["kind"] == "capacity"]
    if severity is None:
        assert rows.empty
        return
    assert len(rows) == 1 and rows["initiative_id"].isna().all()
    row = rows.iloc[0]
    assert row["severity"] == severity and row["value"] == demand / 100
    over = round(demand - 85)
    assert row["description"].endswith(f"defer or re-sequence {over} person-days of this team's work to bring it "
                                       "within the limit")
    # team-level: no initiative gets a recommendation from it, and it is listed once among portfolio-wide items
    status = portfolio_status(cycle, register)
    assert set(status["recommendation"]) == {"continue"}
    assert len(portfolio_exceptions(register)) == 1


def test_without_capacity_the_register_is_unchanged():
    cycle = _cycle(110.0)
    kpis, catalog = _kpis([("cpi", "I1", 0.7, "red")]), load_catalog()
    plain = exception_register(cycle, kpis, catalog)
    empty = exception_register(cycle, kpis, catalog, capacity=capacity_utilisation(
        Cycle.of({**dict(cycle.tables), "capacity": cycle.tables["capacity"].iloc[:0]}, "C3"), max_utilisation=0.85))
    pd.testing.assert_frame_equal(plain, empty)
    assert "capacity" not in set(plain["kind"])


def test_the_next_agenda_asks_what_to_defer_on_the_overloaded_team_once():
    cycle = _cycle(110.0)
    cap = capacity_utilisation(cycle, max_utilisation=0.85)
    register = exception_register(cycle, _kpis([]), load_catalog(), capacity=cap, max_utilisation=0.85)
    agenda = next_agenda(cycle="C3", next_cycle=None, portfolio=portfolio_status(cycle, register), register=register,
                         scenario=None, mix=None, actions=None, currency="EUR", capacity=cap, max_utilisation=0.85)
    assert ("Decide what to defer or re-sequence on the overloaded team: A (110% of its capacity, 25 person-days "
            "over its load limit).") in agenda
    assert "portfolio KPIs" not in agenda
    without = next_agenda(cycle="C3", next_cycle=None, portfolio=portfolio_status(cycle, register), register=register,
                          scenario=None, mix=None, actions=None, currency="EUR")
    assert "overloaded" not in without and "portfolio KPIs" not in without


def test_the_capacity_chart_paints_an_overloaded_bar_red_and_never_green():
    cycle = _cycle(110.0)
    cap = capacity_utilisation(cycle, max_utilisation=0.85)
    fig = capacity_bars(cap, cycle="C3", max_utilisation=0.85, primary="#1f4e79")
    ax = fig.axes[0]
    colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}
    assert STATUS_COLOURS["red"] in colours and STATUS_COLOURS["green"] not in colours
    assert (ax.get_title(loc="left") or ax.get_title()) == "A is overloaded in C3: 110% of its capacity"  # left under the house theme
    assert any("overloaded" in t.get_text() for t in ax.texts)


def test_the_agenda_names_the_work_that_loads_the_overloaded_team_most():
    from pmo_lib import team_users

    cycle = _cycle(110.0)  # team A: I1 100 days, I2 10 days; team B: I2 40 days
    users = team_users(cycle, ["A", "B"], top=1)
    assert users.to_dict("records") == [{"team": "A", "initiative_id": "I1", "name": "One", "demand_days": 100.0},
                                        {"team": "B", "initiative_id": "I2", "name": "Two", "demand_days": 40.0}]
    cap = capacity_utilisation(cycle, max_utilisation=0.85)
    register = exception_register(cycle, _kpis([]), load_catalog(), capacity=cap, max_utilisation=0.85)
    agenda = next_agenda(cycle="C3", next_cycle=None, portfolio=portfolio_status(cycle, register), register=register,
                         scenario=None, mix=None, actions=None, currency="EUR", capacity=cap, max_utilisation=0.85,
                         team_users=team_users(cycle, ["A", "B"]))
    assert "Most of the load comes from I1 One (100 person-days of A); I2 Two (10 person-days of A)." in agenda
    assert "of B" not in agenda  # B is not overloaded
