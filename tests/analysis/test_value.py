"""Value for money and flow on the tiny workspace, checked by hand."""
from __future__ import annotations

import pytest

from pmo_lib import compute_kpis, flow_times, load_catalog, load_workspace, value_for_money, wip_ageing


@pytest.fixture
def ws(tiny):
    return load_workspace(tiny)


def test_value_for_money_relates_benefit_to_the_cycles_spend(ws):
    kpis = compute_kpis(ws.cycle("C3"), load_catalog(config=ws.config))
    vfm = value_for_money(ws.cycle("C3"), kpis).set_index("initiative_id")
    # I4: C3 spend = 79,000 - 59,000 = 20,000; realised benefit 6,600
    assert vfm.at["I4", "spend"] == pytest.approx(20000)
    assert vfm.at["I4", "benefit_per_cost"] == pytest.approx(6600 / 20000)
    assert vfm.at["I2", "nps"] == pytest.approx(100 * 2 / 3)
    assert vfm.index[0] == "I4"  # 0.33 per unit beats I2's 9,000 / 28,000


def test_flow_times_of_items_finished_in_the_cycle(ws):
    times = flow_times(ws.cycle("C2")).set_index("item_id")
    assert times["flow_days"].to_dict() == {"W3": 66, "W4": 41, "W5": 10, "W6": 50}


def test_wip_ageing_at_the_cycle_end(ws):
    ageing = wip_ageing(ws.cycle("C2"))
    # at 2026-06-30: W7 started 2026-05-03 (58 days), W8 started 2026-06-02 (28 days), both of I1
    assert ageing["items"].sum() == 2
    assert set(ageing["age_band"].astype(str)) == {"30–59 days", "14–29 days"}
    assert ageing["oldest_days"].max() == 58


def test_value_for_money_accounts_for_every_active_initiative(tiny):
    from pmo_lib import value_scatter, value_scatter_note

    from tests.conftest import edit_csv

    # I3 (active) has no C3 financials; I1 and I3 have no C3 feedback; I4 is closed
    edit_csv(tiny, "financials", lambda f: f[~((f["cycle"] == "C3") & (f["initiative_id"] == "I3"))])
    ws = load_workspace(tiny)
    kpis = compute_kpis(ws.cycle("C3"), load_catalog(config=ws.config))
    vfm = value_for_money(ws.cycle("C3"), kpis).set_index("initiative_id")
    assert {"I1", "I2", "I3", "I4"} <= set(vfm.index)
    assert vfm.at["I3", "status"] == "active" and vfm.loc["I3", ["spend", "cpi"]].isna().all()
    note = value_scatter_note(vfm.reset_index())
    assert note.startswith("1 of 3 active initiatives has both a CPI and customer answers")
    assert "I1 has no net promoter score answers this cycle and is shown on the strip" in note
    assert "I3 has no cost data this cycle and is not shown" in note
    fig = value_scatter(vfm.reset_index())
    texts = [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]
    assert "I2" in texts and "I1" in texts  # I2 on the chart, I1 on the strip
    assert any("I3" in t and "no cost data" in t for t in texts)
    assert len(fig.axes) == 2 and "answers" in fig.axes[1].get_yticklabels()[0].get_text()
