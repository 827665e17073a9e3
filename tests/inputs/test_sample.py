"""The sample organisation: deterministic, valid, and telling its story."""
from __future__ import annotations

import filecmp

from pmo_lib import compute_kpis, create_sample_workspace, load_catalog, load_workspace, maturity_trend
from pmo_lib.inputs.sample import TROUBLED


def test_same_seed_gives_byte_identical_files(tmp_path, sample):
    other = create_sample_workspace(tmp_path / "again")
    files = sorted(p.name for p in (sample / "data").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(sample / "data", other / "data", files, shallow=False)
    assert not mismatch and not errors and len(match) == 14


def test_sample_is_valid_and_realistic(sample):
    ws = load_workspace(sample)
    assert len(ws.cycles) == 6
    assert 35 <= len(ws["initiatives"]) <= 50
    assert ws["initiatives"]["goal_id"].isna().sum() >= 2
    assert len(ws["goals"]) == 5
    assert ws["assessment"]["role"].nunique() == 4
    assert ws["assessment"].groupby("cycle")["respondent_id"].nunique().between(10, 14).all()
    assert len(ws["work_items"]) > 2000 and len(ws["feedback"]) > 500


def test_sample_story_maturity_improves_and_one_programme_goes_off_the_rails(sample):
    ws = load_workspace(sample)
    trend = maturity_trend(ws.cycle(None), ws.model)
    assert trend["score"].iloc[-1] - trend["score"].iloc[0] > 0.4
    catalog = load_catalog(config=ws.config)
    first = compute_kpis(ws.cycle(ws.cycles[0]), catalog).set_index(["kpi_id", "scope"])
    last = compute_kpis(ws.cycle(ws.cycles[-1]), catalog).set_index(["kpi_id", "scope"])
    assert first.loc[("cpi", TROUBLED), "value"] > 0.95
    assert last.loc[("cpi", TROUBLED), "status"] == "red"
    assert last.loc[("budget_reallocation", "portfolio"), "value"] > 0
    shifted = compute_kpis(ws.cycle("2026-Q1"), catalog).set_index(["kpi_id", "scope"])
    assert shifted.loc[("budget_reallocation", "portfolio"), "value"] > 0.05  # funding moved in 2026


def test_sample_story_reaches_the_governance_pack(sample):
    from pmo_lib import exception_register, funding_changes, portfolio_status

    ws = load_workspace(sample)
    catalog = load_catalog(config=ws.config)
    cycle = ws.cycles[-1]
    kpis = compute_kpis(ws.cycle(cycle), catalog)
    register = exception_register(ws.cycle(cycle), kpis, catalog)
    troubled = register[register["initiative_id"] == TROUBLED]
    assert set(troubled["kind"]) >= {"cost", "schedule", "delivery"}
    assert register.iloc[0]["initiative_id"] == TROUBLED
    # one recommendation per initiative: the recovery plan the board accepted this cycle (D-017)
    assert set(troubled["recommendation"]) == {"recover"}
    row = portfolio_status(ws.cycle(cycle), register).set_index("initiative_id").loc[TROUBLED]
    assert "D-017" in row["reason"] and row["severity"] == "critical"
    assert register.dropna(subset=["initiative_id"]).groupby("initiative_id")["recommendation"].nunique().max() == 1
    shift = funding_changes(ws.cycle("2026-Q1"))
    g1 = shift[shift["goal_id"] == "G1"]
    assert (g1["change"] > 0).sum() > len(g1) / 2  # money moved to digital self-service in 2026


def test_a_longer_history_keeps_the_same_story(tmp_path):
    """The benchmarks' 12-cycle sample is valid and has data in every cycle."""
    ws = load_workspace(create_sample_workspace(tmp_path / "long", cycles=12))
    assert len(ws.cycles) == 12 and ws.cycles[0] == "2023-Q4" and ws.cycles[-1] == "2026-Q3"
    assert ws.warnings == []
    assert set(ws["financials"]["cycle"]) == set(ws.cycles)
