"""The KPI engine, checked against published worked examples and hand computations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_lib import (STATUSES, ConfigError, compute_kpis, kpi_history, load_catalog, load_workspace, nps_score,
                     rag_status, wilson_interval)
from pmo_lib.inputs.config import Config


@pytest.fixture
def tiny_kpis(tiny):
    ws = load_workspace(tiny)
    catalog = load_catalog(config=ws.config)
    return ws, catalog, {c: compute_kpis(ws.cycle(c), catalog) for c in ws.cycles}


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
    kpis = compute_kpis(ws.cycle("C3"), load_catalog(config=ws.config)).set_index(
        ["kpi_id", "scope"])
    for kpi_id, table in [("nps", "feedback"), ("throughput", "work_items"), ("open_high_risks", "raid"),
                          ("goal_mix_deviation", "goals")]:
        row = kpis.loc[(kpi_id, "portfolio")]
        assert np.isnan(row["value"]) and row["status"] == "n/a"
        assert table in row["note"]


def rate(values, direction, target, red, tolerance=0.0, descriptive=False):
    n = len(values)
    return rag_status(pd.Series(values, dtype=float), pd.Series([direction] * n), pd.Series([target] * n),
                      pd.Series([red] * n), tolerance=tolerance, descriptive=descriptive).tolist()


def test_green_only_when_the_target_is_met_higher_is_better():
    # Target 1.00, red 0.90, no tolerance: exactly at target, just below, at red, just beyond red.
    assert rate([1.05, 1.0, 0.9999, 0.95, 0.9, 0.8999, np.nan], "higher", 1.0, 0.9) == [
        "green", "green", "amber", "amber", "amber", "red", "n/a"]


def test_green_only_when_the_target_is_met_lower_is_better():
    # Flow time: target 14 days, red 30. The "20 days against 14: On track" is amber now.
    assert rate([10, 14, 14.01, 20, 30, 30.01, np.nan], "lower", 14, 30) == [
        "green", "green", "amber", "amber", "amber", "red", "n/a"]
    # Defects 24% against a 20% target is not on track.
    assert rate([0.24], "lower", 0.2, 0.35) == ["amber"]


def test_tolerance_widens_green_by_exactly_the_tolerance_in_both_directions():
    # Higher is better: green iff value >= target - tolerance.
    assert rate([1.0, 0.95, 0.9499, 0.85, 0.8499], "higher", 1.0, 0.85, tolerance=0.05) == [
        "green", "green", "amber", "amber", "red"]
    # Lower is better: green iff value <= target + tolerance.
    assert rate([0.0, 0.05, 0.0501, 0.1, 0.1001], "lower", 0.0, 0.1, tolerance=0.05) == [
        "green", "green", "amber", "amber", "red"]


def test_no_red_threshold_means_amber_is_the_worst_and_no_target_is_not_rated():
    assert rate([0.5, -10.0], "higher", 1.0, np.nan) == ["amber", "amber"]
    assert rate([0.5], "higher", np.nan, np.nan) == ["n/a"]


def test_a_descriptive_kpi_is_for_information_unless_it_has_no_value():
    assert rate([884, np.nan], "none", np.nan, np.nan, descriptive=True) == ["info", "n/a"]


def test_the_sample_has_no_unrated_kpi_and_no_green_kpi_that_misses_its_target(sample):
    ws = load_workspace(sample)
    catalog = load_catalog(config=ws.config)
    for cycle in ws.cycles[-2:]:
        kpis = compute_kpis(ws.cycle(cycle), catalog)
        assert set(kpis["status"]) <= set(STATUSES)
        port = kpis[kpis["scope"] == "portfolio"].set_index("kpi_id")
        assert (port["status"] != "n/a").all(), port.loc[port["status"] == "n/a", "note"].to_dict()
        assert port.at["throughput", "status"] == "info"
        green = kpis[kpis["status"] == "green"]
        higher = green["direction"] == "higher"
        met = np.where(higher, green["rated_value"] >= green["target"] - green["tolerance"],
                       green["rated_value"] <= green["target"] + green["tolerance"])
        assert met.all()


def test_currency_variances_are_rated_as_a_share_of_their_budget(tiny_kpis):
    # I1 in C2: PV 40,000, EV 35,000, AC 36,000, BAC 100,000 (the worked example above).
    _, _, kpis = tiny_kpis
    rows = kpis["C2"].set_index(["kpi_id", "scope"])
    cpi = 35 / 36
    assert rows.at[("cost_variance", "I1"), "rated_value"] == pytest.approx(-1000 / 36000)
    assert rows.at[("cost_variance", "I1"), "rated_value"] == pytest.approx(cpi - 1)  # CV/AC = CPI - 1
    assert rows.at[("schedule_variance", "I1"), "rated_value"] == pytest.approx(-5000 / 40000)  # SV/PV = SPI - 1
    eac = 100000 / cpi
    assert rows.at[("eac", "I1"), "rated_value"] == pytest.approx(eac / 100000)
    assert rows.at[("vac", "I1"), "rated_value"] == pytest.approx((100000 - eac) / 100000)
    # SV -12.5% of PV is beyond the -10% red threshold; CV -2.8% of AC only misses the target.
    assert rows.at[("schedule_variance", "I1"), "status"] == "red"
    assert rows.at[("cost_variance", "I1"), "status"] == "amber"
    # The value itself stays in money.
    assert rows.at[("vac", "I1"), "value"] == pytest.approx(100000 - eac)
    # CV and CPI always agree, because CV is rated as CV/AC = CPI - 1 with thresholds 0 and -0.1.
    for scope in ["portfolio", "I1", "I2", "I3", "I4"]:
        assert rows.at[("cost_variance", scope), "status"] == rows.at[("cpi", scope), "status"], scope


def test_wip_is_rated_against_the_cycles_throughput(tiny_kpis):
    _, _, kpis = tiny_kpis
    rows = kpis["C2"].set_index(["kpi_id", "scope"])
    assert rows.at[("wip", "portfolio"), "rated_value"] == pytest.approx(2 / 4)  # 2 open, 4 finished
    assert rows.at[("wip", "portfolio"), "status"] == "amber"  # at red (0.5) is still amber


def test_wilson_interval_matches_newcombe_and_scipy():
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
    # seven methods", Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no
    # continuity correction): 81/263 -> 0.2553-0.3662, 15/148 -> 0.0624-0.1605,
    # 0/20 -> 0-0.1611, 1/29 -> 0.0061-0.1718.
    from scipy.stats import binomtest

    for k, n, low, high in [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
                            (1, 29, 0.0061, 0.1718)]:
        got = wilson_interval(k, n)
        assert got == pytest.approx((low, high), abs=5e-5)
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert got == pytest.approx((ci.low, ci.high), abs=1e-12)
    assert all(np.isnan(wilson_interval(0, 0)))


def test_an_interval_that_spans_the_target_marks_the_rating_uncertain(tiny_kpis):
    _, _, kpis = tiny_kpis
    rows = kpis["C3"].set_index(["kpi_id", "scope"])
    nps = rows.loc[("nps", "portfolio")]  # +50 from 6 answers, target +30: green but uncertain
    _, margin, n = nps_score(pd.Series([10, 9, 8, 6, 9, 10]))
    assert nps["ci_low"] == pytest.approx(max(-100, 50 - nps["margin"]))
    assert nps["status"] == "green" and bool(nps["uncertain"]) and nps["n"] == 6
    csat = rows.loc[("csat", "portfolio")]  # 4 of 5 satisfied = 80%, Wilson 37.6%-96.4%
    assert (csat["ci_low"], csat["ci_high"]) == pytest.approx(wilson_interval(4, 5))
    assert bool(csat["uncertain"])
    # A rating without an interval is never uncertain.
    assert not rows["uncertain"][rows["ci_low"].isna()].any()


def test_uncertain_never_turns_a_missed_target_green(sample):
    # "NPS +24 ±35 from 21 answers against +30" must read amber, uncertain: never green.
    assert rag_status(pd.Series([24.0]), pd.Series(["higher"]), pd.Series([30.0]), pd.Series([0.0])).tolist() == [
        "amber"]
    ws = load_workspace(sample)
    kpis = compute_kpis(ws.cycle(ws.cycles[-1]), load_catalog(config=ws.config))
    unsure = kpis[kpis["uncertain"]]
    assert len(unsure) and set(unsure["kpi_id"]) <= {"nps", "csat", "on_time_delivery"}
    assert ((unsure["ci_low"] <= unsure["target"]) & (unsure["target"] <= unsure["ci_high"])).all()
    missed = unsure[unsure["value"] < unsure["target"]]
    assert len(missed) and (missed["status"] != "green").all()


def test_compute_kpis_keeps_its_columns_and_adds_the_rating_ones(tiny_kpis):
    _, _, kpis = tiny_kpis
    assert list(kpis["C2"].columns[:11]) == ["kpi_id", "name", "step", "scope", "value", "unit", "target",
                                             "status", "n", "margin", "note"]
    assert kpis["C2"]["uncertain"].dtype == bool
    assert {"rated_value", "rate_as", "tolerance", "red", "direction", "ci_low", "ci_high"} <= set(kpis["C2"].columns)


def test_workspace_overrides_targets_and_thresholds():
    config = Config(organisation="X", targets={"kpis": {"cpi": 1.05}},
                    thresholds={"kpis": {"spi": {"red": 0.8}, "nps": {"tolerance": 5}}})
    catalog = load_catalog(config=config)
    assert catalog.spec("cpi")["target"] == 1.05
    assert catalog.spec("cpi")["amber"] == 1.05  # the green edge, kept for compatibility
    assert catalog.spec("spi")["red"] == 0.8
    assert catalog.spec("nps")["tolerance"] == 5
    assert catalog.spec("nps")["amber"] == 25
    for key in ("target", "red", "direction", "unit", "name", "amber", "tolerance", "descriptive", "rate_as"):
        assert key in catalog.spec("cpi").index


def test_amber_in_pmo_yaml_is_an_alias_for_the_tolerance():
    catalog = load_catalog(config=Config(organisation="X", thresholds={"kpis": {"spi": {"amber": 0.95, "red": 0.85}}}))
    assert catalog.spec("spi")["tolerance"] == pytest.approx(0.05)
    lower = load_catalog(config=Config(organisation="X", thresholds={"kpis": {"flow_time_p50": {"amber": 21}}}))
    assert lower.spec("flow_time_p50")["tolerance"] == pytest.approx(7)


@pytest.mark.parametrize("thresholds, message", [
    ({"spi": {"amber": 0.95, "tolerance": 0.05}}, "not both"),
    ({"spi": {"amber": 1.05}}, "worse side of the target"),
    ({"cpi": {"red": 1.01}}, "inside the green band"),
    ({"cpi": {"tolerance": 0.05, "red": 0.96}}, "inside the green band"),
    ({"throughput": {"red": 100}}, "descriptive"),
])
def test_overrides_that_break_the_rating_rule_are_errors(thresholds, message):
    with pytest.raises(ConfigError, match=message):
        load_catalog(config=Config(organisation="X", thresholds={"kpis": thresholds}))


def test_a_target_on_a_descriptive_kpi_is_an_error():
    with pytest.raises(ConfigError, match="descriptive"):
        load_catalog(config=Config(organisation="X", targets={"kpis": {"throughput": 900}}))


def test_goal_mix_deviation_uses_the_guardrail_tolerance_of_pmo_yaml():
    catalog = load_catalog(config=Config(organisation="X", thresholds={"goal_mix_tolerance": 0.08}))
    assert catalog.spec("goal_mix_deviation")["tolerance"] == 0.08
    assert load_catalog().spec("goal_mix_deviation")["tolerance"] == 0.05


def test_every_kpi_in_the_catalogue_has_a_target_or_is_descriptive():
    t = load_catalog().table
    rated = t[~t["descriptive"]]
    assert rated["target"].notna().all() and rated["red"].notna().all()
    assert t.loc[t["descriptive"], "kpi_id"].tolist() == ["throughput"]
    assert set(t.loc[t["unit"] == "currency", "rate_as"]) == {"share_of_ac", "share_of_pv", "share_of_bac"}


def test_override_of_an_unknown_kpi_is_an_error():
    with pytest.raises(ConfigError, match="unknown KPI"):
        load_catalog(config=Config(organisation="X", targets={"kpis": {"cpii": 1.0}}))


def test_catalogue_rejects_unknown_keys_and_missing_formulas(tmp_path):
    (tmp_path / "c.yaml").write_text(
        "kpis:\n  - {id: magic, name: M, step: 1, definition: d, formula: f, unit: ratio, direction: higher,"
        " target: 1, scopes: [portfolio], colour: red}\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_catalog(tmp_path / "c.yaml")
    (tmp_path / "c.yaml").write_text(
        "kpis:\n  - {id: magic, name: M, step: 1, definition: d, formula: f, unit: ratio, direction: higher,"
        " target: 1, scopes: [portfolio]}\n")
    with pytest.raises(ConfigError, match="no formula is implemented"):
        load_catalog(tmp_path / "c.yaml")


@pytest.mark.parametrize("fields, message", [
    ("direction: higher", "needs a target"),
    ("direction: none, target: 1", "only for a descriptive KPI"),
    ("direction: none, descriptive: true, target: 5", "takes no target"),
    ("direction: higher, target: 1, tolerance: -0.1", "greater than or equal to 0"),
    ("direction: higher, target: 1, red: 1.2", "inside the green band"),
    ("direction: lower, target: 1, red: 0.5", "inside the green band"),
    ("direction: higher, target: 1, rate_as: share_of_bac", "applies to a KPI in currency"),
    ("direction: higher, target: 1, rate_as: share_of_budget", "is not one of"),
    ("direction: higher, target: 1, bounds: [1, 0]", "low < high"),
])
def test_catalogue_rating_rules_are_validated(tmp_path, fields, message):
    (tmp_path / "c.yaml").write_text(
        "kpis:\n  - {id: cpi, name: M, step: 1, definition: d, formula: f, unit: ratio, " + fields +
        ", scopes: [portfolio]}\n")
    with pytest.raises(ConfigError, match=message):
        load_catalog(tmp_path / "c.yaml")


def test_a_kpi_can_only_be_rated_on_a_basis_its_formula_gives(tmp_path):
    (tmp_path / "c.yaml").write_text(
        "kpis:\n  - {id: wip, name: W, step: 3, definition: d, formula: f, unit: count, direction: lower,"
        " target: 10, scopes: [portfolio], rate_as: share_of_bac}\n")
    with pytest.raises(ConfigError, match="applies to a KPI in currency"):
        load_catalog(tmp_path / "c.yaml")
    (tmp_path / "c.yaml").write_text(
        "kpis:\n  - {id: eac, name: E, step: 2, definition: d, formula: f, unit: currency, direction: lower,"
        " target: 1, scopes: [portfolio], rate_as: share_of_bac}\n"
        "  - {id: csat, name: C, step: 2, definition: d, formula: f, unit: currency, direction: lower,"
        " target: 1, scopes: [portfolio], rate_as: share_of_bac}\n")
    with pytest.raises(ConfigError, match="cannot be rated as share_of_bac"):
        load_catalog(tmp_path / "c.yaml")


def test_history_has_one_row_per_kpi_and_cycle(tiny_kpis):
    ws, catalog, _ = tiny_kpis
    history = kpi_history(ws.cycle(None), catalog)
    assert len(history) == 3 * len(catalog.ids)
    assert history["cycle"].unique().tolist() == ["C1", "C2", "C3"]
