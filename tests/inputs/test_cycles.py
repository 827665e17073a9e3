"""The cycle object: dates, neighbours, the rows that fall in it and the tables as known at its end."""
from __future__ import annotations

import dataclasses
import pickle

import pandas as pd
import pytest

from pmo_lib import Cycle, PmoError, load_workspace

from tests.conftest import edit_csv
from tests.reporting.test_register import D, _initiatives, _tables


@pytest.fixture
def ws(tiny):
    return load_workspace(tiny)


def test_a_cycle_carries_its_name_dates_and_previous_cycle(ws):
    c2 = ws.cycle("C2")
    assert c2.name == "C2" and str(c2) == "C2"
    assert c2.start == pd.Timestamp("2026-04-01") and c2.end == pd.Timestamp("2026-06-30")
    assert isinstance(c2.start, pd.Timestamp) and isinstance(c2.end, pd.Timestamp)
    assert c2.previous is not None and c2.previous.name == "C1"
    assert c2.previous.end == pd.Timestamp("2026-03-31")
    assert c2.next_name == "C3"


def test_the_first_cycle_has_no_previous_and_the_last_no_next(ws):
    first, last = ws.cycle("C1"), ws.cycle("C3")
    assert first.previous is None and first.history == (first,)
    assert last.next_name is None


def test_no_name_means_the_latest_cycle(ws):
    assert ws.cycle(None).name == "C3" and ws.cycle().name == "C3"


def test_history_is_every_cycle_up_to_and_including_it_in_start_order(ws):
    c3 = ws.cycle("C3")
    assert [c.name for c in c3.history] == ["C1", "C2", "C3"] == c3.history_names
    assert c3.history[-1] is c3 and c3.history[-2] is c3.previous
    assert [c.start for c in c3.history] == sorted(c.start for c in c3.history)
    assert ws.cycle("C2").history_names == ["C1", "C2"]


def test_order_follows_start_dates_not_file_order(tiny):
    edit_csv(tiny, "cycles", lambda f: f.iloc[::-1])
    ws = load_workspace(tiny)
    assert ws.cycle("C2").previous.name == "C1" and ws.cycles == ["C1", "C2", "C3"]
    tables = _tables()
    tables["cycles"] = tables["cycles"].iloc[::-1]  # a hand-built mapping is ordered the same way
    assert Cycle.of(tables, "C3").history_names == ["C1", "C2", "C3"]
    assert Cycle.of(tables).name == "C3"


def test_an_unknown_cycle_names_the_known_ones(ws):
    with pytest.raises(PmoError, match="cycle 'C9' is not in the cycles table; known cycles: C1, C2, C3"):
        ws.cycle("C9")


def test_rows_of_a_cycle_keyed_table_are_its_own_and_later_cycles_are_excluded(ws):
    c2 = ws.cycle("C2")
    fin = c2.rows("financials")
    assert set(fin["cycle"]) == {"C2"} and len(fin) == (ws["financials"]["cycle"] == "C2").sum()
    assert set(c2.rows("assessment")["cycle"]) == {"C2"}
    # the tables as known at C2's end hold no row of C3
    assert "C3" not in set(c2.tables["financials"]["cycle"])
    assert set(c2.tables["financials"]["cycle"]) == {"C1", "C2"}
    assert (ws["financials"]["cycle"] == "C3").any()  # the workspace does have C3 rows


def test_rows_of_a_dated_table_fall_between_start_and_end(ws):
    c2 = ws.cycle("C2")
    # finished from 2026-04-01 to 2026-06-30: W3, W4, W5, W6; W7 finished in C3, W8 and W9 not at all
    assert c2.rows("work_items")["item_id"].tolist() == ["W3", "W4", "W5", "W6"]
    # raised in C2: R2 (2026-04-01, the first day) and R3
    assert c2.rows("raid")["raid_id"].tolist() == ["R2", "R3"]
    # under way in C1 (2026-01-01 to 2026-03-31): every initiative, since I4 ended only in 2026-08
    assert ws.cycle("C1").rows("initiatives")["initiative_id"].tolist() == ["I1", "I2", "I3", "I4"]


def test_a_goal_belongs_to_no_cycle_and_an_unknown_table_is_named(ws):
    with pytest.raises(PmoError, match="the goals table has no cycle or date"):
        ws.cycle("C2").rows("goals")
    with pytest.raises(PmoError, match="unknown table 'budgets'"):
        ws.cycle("C2").rows("budgets")


def test_the_tables_are_those_known_at_the_cycles_end(ws):
    c2 = ws.cycle("C2")
    ini = c2.tables["initiatives"].set_index("initiative_id")
    # I4 closed on 2026-08-15, after C2's end: it was still active then and its end date unknown
    assert ini.at["I4", "status"] == "active" and pd.isna(ini.at["I4", "actual_end_date"])
    assert ws.cycle("C3").tables["initiatives"].set_index("initiative_id").at["I4", "status"] == "closed"
    assert ws.as_of("C2")["initiatives"].equals(c2.tables["initiatives"])
    assert list(c2.tables["cycles"]["cycle"]) == ["C1", "C2", "C3"]  # the cycles table stays whole


def test_a_cycle_is_immutable_and_its_tables_read_only(ws):
    c2 = ws.cycle("C2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c2.name = "C9"  # type: ignore[misc]
    with pytest.raises(TypeError):
        c2.tables["financials"] = pd.DataFrame()  # type: ignore[index]
    assert ws["initiatives"].set_index("initiative_id").at["I4", "status"] == "closed"  # the workspace is untouched


def test_a_cycle_knows_which_tables_the_workspace_provides(minimal):
    ws = load_workspace(minimal)
    assert not ws.cycle(None).has("feedback") and ws.cycle(None).has("financials")


def test_a_cycle_built_from_tables_and_one_from_the_workspace_agree(ws):
    from_tables = Cycle.of(ws.tables, "C2", present=ws.present)
    assert from_tables.start == ws.cycle("C2").start and from_tables.previous.name == "C1"
    assert from_tables.present == frozenset(ws.present)


def test_the_workspace_delegates_its_cycle_helpers(ws):
    assert ws.resolve_cycle(None) == "C3" and ws.resolve_cycle("C1") == "C1"
    assert ws.previous_cycle("C2") == "C1" and ws.previous_cycle("C1") is None


def test_a_cycle_survives_pickling(ws):
    c2 = ws.cycle("C2")
    _ = c2.tables  # also once its tables are worked out
    back = pickle.loads(pickle.dumps(c2))
    assert back.name == "C2" and back.previous.name == "C1" and back.end == c2.end
    assert back.rows("financials").equals(c2.rows("financials"))


def test_a_hand_built_cycle_leaves_out_later_decisions():
    decisions = pd.DataFrame({"decision_id": ["D1", "D2"], "cycle": ["C1", "C3"],
                              "date": [D("2026-03-01"), D("2026-09-01")], "title": ["a", "b"], "owner": [None, None],
                              "outcome": [None, None], "initiative_id": [None, None], "decision": [None, None]})
    tables = _tables(initiatives=_initiatives({"initiative_id": "I1", "name": "One"}), decisions=decisions)
    c2 = Cycle.of(tables, "C2")
    assert c2.tables["decisions"]["decision_id"].tolist() == ["D1"]
    assert c2.rows("decisions").empty and Cycle.of(tables, "C3").rows("decisions")["decision_id"].tolist() == ["D2"]
