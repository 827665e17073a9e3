"""The KPI engine, checked against published worked examples and hand computations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_lib import ConfigError, compute_kpis, kpi_history, load_catalog, load_workspace, nps_score, rag_status
from pmo_lib.config import Config


@pytest.fixture
def tiny_kpis(tiny):
    ws = load_workspace(tiny)
    catalog = load_catalog(config=ws.config)
    return ws, catalog, {c: compute_kpis(ws.tables, c, catalog, present=ws.present) for c in ws.cycles}


def value(kpis: pd.DataFrame, kpi_id: str, scope: str = "portfolio") -> float:
    row = kpis[(kpis["kpi_id"] == kpi_id) & (kpis["scope"] == scope)]
    assert len(row) == 1, (kpi_id, scope)
    return float(row["value"].iloc[0])


def test_earned_value_worked_example(tiny_kpis):
    # Worked example (PMI PMBOK-style, as quoted in the project's KPI issue): PV 40,000,
    # EV 35,000, AC 36,000 -> SV -5,000, CV -1,000, SPI 0.875, CPI 0.9722.
    # Initiative I1 in cycle C2 of the tiny workspace carries exactly these figures.
    _, _, kpis = tiny_kpis
    c2 = kpis["C2"]
    assert value(c2, "schedule_variance", "I1") == pytest.approx(-5000)
    assert value(c2, "cost_variance", "I1") == pytest.approx(-1000)
    assert value(c2, "spi", "I1") == pytest.approx(0.875)
    assert value(c2, "cpi", "I1") == pytest.approx(0.9722, abs=5e-5)
    # EAC = BAC / CPI = 100,000 / (35/36); VAC = BAC - EAC
    assert value(c2, "eac", "I1") == pytest.approx(100000 * 36 / 35)
    assert value(c2, "vac", "I1") == pytest.approx(100000 - 100000 * 36 / 35)


def test_cpi_is_sum_ev_over_sum_ac_across_initiatives_not_a_mean_of_ratios(tiny_kpis):
    _, _, kpis = tiny_kpis
    ev = np.array([35000, 57000, 20000, 60000])
    ac = np.array([36000, 60000, 21000, 59000])
    assert value(kpis["C2"], "cpi") == pytest.approx(ev.sum() / ac.sum())
    assert value(kpis["C2"], "cpi") != pytest.approx(np.mean(ev / ac), abs=1e-6)


def test_nps_and_its_margin_match_the_variance_of_coded_answers():
    # Independent formulation: code promoters +1, passives 0, detractors -1. NPS is
    # 100 x the mean and its standard error 100 x sqrt(population variance / n).
    answers = pd.Series([10, 9, 8, 6, 9, 10])
    coded = np.select([answers >= 9, answers <= 6], [1, -1], 0)
    nps, margin, n = nps_score(answers)
    assert n == 6
    assert nps == pytest.approx(100 * coded.mean())
    assert margin == pytest.approx(1.96 * 100 * np.sqrt(coded.var() / n))
    assert nps == pytest.approx(50.0)


def test_customer_kpis_in_the_tiny_workspace(tiny_kpis):
    _, _, kpis = tiny_kpis
    c3 = kpis["C3"]
    assert value(c3, "nps") == pytest.approx(50.0)  # 4 promoters, 1 detractor of 6
    assert value(c3, "nps", "I2") == pytest.approx(100 * 2 / 3)
    assert value(c3, "csat") == pytest.approx(4 / 5)  # one csat left empty
    assert value(c3, "benefits_realization") == pytest.approx(15600 / 18000)


def test_alignment_mix_and_reallocation_use_the_cycles_own_spend(tiny_kpis):
    # C2 spend = cumulative AC at C2 minus C1: I1 16k, I2 32k, I3 (no goal) 11k, I4 21k.
    _, _, kpis = tiny_kpis
    c2 = kpis["C2"]
    assert value(c2, "strategic_alignment") == pytest.approx(69 / 80)
    assert value(c2, "goal_mix_deviation") == pytest.approx(abs(37 / 80 - 0.6))
    before = np.array([30, 40, 10, 20]) / 100
    after = np.array([30, 50, 10, 20]) / 110
    assert value(c2, "budget_reallocation") == pytest.approx(0.5 * np.abs(after - before).sum())
    assert np.isnan(value(kpis["C1"], "budget_reallocation"))
    assert "first cycle" in kpis["C1"].set_index("kpi_id").at["budget_reallocation", "note"]


def test_flow_metrics(tiny_kpis):
    # Finished in C2: W3 (66 days), W4 (41), W5 (10), W6 (50); two features.
    _, _, kpis = tiny_kpis
    c2 = kpis["C2"]
    days = pd.Series([66, 41, 10, 50])
    assert value(c2, "throughput") == 4
    assert value(c2, "flow_time_p50") == pytest.approx(days.quantile(0.5))
    assert value(c2, "flow_time_p85") == pytest.approx(days.quantile(0.85))
    assert value(c2, "wip") == 2  # W7 finishes after the cycle; W8 has not finished; W9 never started
    assert value(c2, "flow_distribution_feature") == pytest.approx(0.5)


def test_delivery_and_risk_counts(tiny_kpis):
    _, _, kpis = tiny_kpis
    assert value(kpis["C3"], "on_time_delivery") == 1.0
    assert np.isnan(value(kpis["C2"], "on_time_delivery"))
    assert value(kpis["C2"], "open_high_risks") == 2  # R1, and R2 closed only after C2
    assert value(kpis["C3"], "open_high_risks") == 1  # R4 is a dependency, not a risk or issue


def test_missing_optional_tables_give_na_with_a_reason_never_zero(minimal):
    ws = load_workspace(minimal)
    kpis = compute_kpis(ws.tables, "C3", load_catalog(config=ws.config), present=ws.present).set_index(
        ["kpi_id", "scope"])
    for kpi_id, table in [("nps", "feedback"), ("throughput", "work_items"), ("open_high_risks", "raid"),
                          ("goal_mix_deviation", "goals")]:
        row = kpis.loc[(kpi_id, "portfolio")]
        assert np.isnan(row["value"]) and row["status"] == "n/a"
        assert table in row["note"]


def test_rag_status_respects_direction_and_thresholds():
    values = pd.Series([1.0, 0.93, 0.85, np.nan, 10, 25, 40])
    direction = pd.Series(["higher"] * 4 + ["lower"] * 3)
    amber = pd.Series([0.95] * 4 + [21.0] * 3)
    red = pd.Series([0.9] * 4 + [30.0] * 3)
    assert rag_status(values, direction, amber, red).tolist() == [
        "green", "amber", "red", "n/a", "green", "amber", "red"]


def test_workspace_overrides_targets_and_thresholds():
    config = Config(organisation="X", targets={"kpis": {"cpi": 1.05}}, thresholds={"kpis": {"spi": {"red": 0.8}}})
    catalog = load_catalog(config=config)
    assert catalog.spec("cpi")["target"] == 1.05
    assert catalog.spec("spi")["red"] == 0.8


def test_override_of_an_unknown_kpi_is_an_error():
    with pytest.raises(ConfigError, match="unknown KPI"):
        load_catalog(config=Config(organisation="X", targets={"kpis": {"cpii": 1.0}}))


def test_catalogue_rejects_unknown_keys_and_missing_formulas(tmp_path):
    (tmp_path / "c.yaml").write_text(
        "kpis:\n  - {id: magic, name: M, step: 1, definition: d, formula: f, unit: ratio, direction: higher,"
        " scopes: [portfolio], colour: red}\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_catalog(tmp_path / "c.yaml")
    (tmp_path / "c.yaml").write_text(
        "kpis:\n  - {id: magic, name: M, step: 1, definition: d, formula: f, unit: ratio, direction: higher,"
        " scopes: [portfolio]}\n")
    with pytest.raises(ConfigError, match="no formula is implemented"):
        load_catalog(tmp_path / "c.yaml")


def test_history_has_one_row_per_kpi_and_cycle(tiny_kpis):
    ws, catalog, _ = tiny_kpis
    history = kpi_history(ws.tables, catalog, present=ws.present)
    assert len(history) == 3 * len(catalog.ids)
    assert history["cycle"].unique().tolist() == ["C1", "C2", "C3"]
