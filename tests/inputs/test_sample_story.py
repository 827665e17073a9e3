"""The sample tells one story: no duplicate open risks or actions, funding decisions the budgets bear out."""
from __future__ import annotations

import pandas as pd

from pmo_lib import load_workspace


def test_no_initiative_has_two_open_raid_items_of_one_title_at_once(sample):
    raid = load_workspace(sample)["raid"]
    for r in raid[raid["initiative_id"].notna()].itertuples(index=False):
        same = raid[(raid["initiative_id"] == r.initiative_id) & (raid["title"] == r.title)
                    & (raid["raid_id"] != r.raid_id) & (raid["raised_date"] <= r.raised_date)]
        still_open = same[same["closed_date"].isna() | (same["closed_date"] > r.raised_date)]
        assert still_open.empty, (r.raid_id, r.title, list(still_open["raid_id"]))


def test_no_action_repeats_one_still_open(sample):
    actions = load_workspace(sample)["actions"].reset_index(drop=True)
    for i, r in actions.iterrows():
        before = actions.iloc[:i]
        assert not ((before["title"] == r["title"]) & before["status"].eq("open")).any(), (r["action_id"], r["title"])


def test_funding_decisions_match_the_budgets_and_wait_for_the_latest_packs_scenario(sample):
    """D-007 (2025-Q4) moved money to digital self-service: G1's budget rose by EUR 1,061,000 into 2026-Q1
    and G4's fell by more, so EUR 1.1m moved. In the latest cycle the next cycle's funding is the
    governance report's proposal: its funding decisions are deferred, not already approved."""
    ws = load_workspace(sample)
    decisions = ws["decisions"].set_index("decision_id")
    fin = ws["financials"].merge(ws["initiatives"][["initiative_id", "goal_id"]])
    g1 = fin[fin["goal_id"] == "G1"].groupby("cycle")["budget"].sum()
    assert g1["2026-Q1"] - g1["2025-Q4"] == 1_061_000
    assert decisions.at["D-007", "outcome"] == "EUR 1.1m moved from efficiency projects"
    last = decisions[decisions["cycle"] == ws.cycles[-1]]
    funding = last[last["title"].isin(["Approve next cycle's funding", "Shift funding to digital self-service"])]
    assert len(funding) == 2 and funding["outcome"].str.startswith("Deferred until the board reviews").all()
    assert not pd.Series(decisions["outcome"]).str.contains("1.2m").any()
