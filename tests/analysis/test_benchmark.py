"""The peer benchmark: percentile ranks, quartiles, which peers count, and what is never shown."""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pmo_lib.analysis.benchmark import (EXPORT_COLUMNS, benchmark_export, compare_with_peers, org_hash, peer_rows,
                                        percentile_rank)

ORG = "Acme Insurance"


def dims_of(scores: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"dimension_id": list(scores), "dimension": [d.title() for d in scores],
                         "score": list(scores.values()), "n_respondents": 12})


def peer_file(scores: dict[str, list[float]], *, sectors: list[str], cycle: str = "2026-Q3") -> pd.DataFrame:
    rows = []
    for dim, values in scores.items():
        for i, (value, sector) in enumerate(zip(values, sectors)):
            rows.append({"org_hash": org_hash(f"peer {i}"), "sector": sector, "cycle": cycle, "dimension_id": dim,
                         "score": value, "n_respondents": 10})
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)


def test_org_hash_is_the_first_16_hex_digits_of_the_names_sha256_whatever_its_spacing_and_case():
    """Independent implementation: hashlib's sha256 of the UTF-8 name (FIPS 180-4)."""
    expected = hashlib.sha256(b"acme insurance").hexdigest()[:16]
    assert org_hash("Acme Insurance") == org_hash("  acme   INSURANCE ") == expected
    assert org_hash("Acme Insurer") != expected


@pytest.mark.parametrize("value", [1.0, 2.5, 3.0, 3.2, 4.9, 0.5])
def test_percentile_rank_is_scipys_percentileofscore_with_kind_mean(value):
    """Checked against scipy.stats.percentileofscore(kind='mean'): (below + 0.5 * equal) / n, in percent."""
    others = np.array([1.0, 2.0, 2.5, 2.5, 3.0, 3.0, 3.0, 4.0, 4.5])
    assert percentile_rank(value, others) == pytest.approx(stats.percentileofscore(others, value, kind="mean"))
    # worked by hand: 3.0 among these nine has 4 below and 3 equal, 100 * (4 + 1.5) / 9
    assert percentile_rank(3.0, others) == pytest.approx(100 * 5.5 / 9)


def test_quartiles_and_percentile_ranks_match_numpy_and_scipy_overall_and_within_the_sector():
    """Quartiles against numpy.percentile (linear); ranks against scipy.stats.percentileofscore(kind='mean')."""
    rng = np.random.default_rng(7)
    sectors = ["Insurance"] * 7 + ["Banking"] * 6 + ["insurance "] * 2  # the sector compares without case or spaces
    scores = {"flow": list(np.round(rng.normal(3, 0.6, 15), 2)), "funding": list(np.round(rng.normal(2.5, 0.6, 15), 2))}
    peers = peer_file(scores, sectors=sectors)
    out = compare_with_peers(dims_of({"flow": 3.1, "funding": 2.2}), peers, cycle="2026-Q3", organisation=ORG,
                             sector="Insurance").set_index("dimension_id")
    for dim, values in scores.items():
        row = out.loc[dim]
        assert row["n_peers"] == 15 and row["n_sector_peers"] == 9
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        assert (row["peer_q1"], row["peer_median"], row["peer_q3"]) == pytest.approx((q1, median, q3))
        assert row["percentile"] == pytest.approx(stats.percentileofscore(values, row["score"], kind="mean"))
        in_sector = [v for v, s in zip(values, sectors) if s.strip().casefold() == "insurance"]
        assert row["sector_median"] == pytest.approx(np.percentile(in_sector, 50))
        assert row["sector_percentile"] == pytest.approx(stats.percentileofscore(in_sector, row["score"], kind="mean"))


def test_fewer_than_five_peers_show_no_peer_value_and_no_rank():
    peers = peer_file({"flow": [2.0, 3.0, 3.5, 4.0]}, sectors=["Insurance"] * 4)
    out = compare_with_peers(dims_of({"flow": 3.2}), peers, cycle="2026-Q3", organisation=ORG, sector="Insurance")
    row = out.iloc[0]
    assert row["n_peers"] == 4 and row["n_sector_peers"] == 4
    assert row[["peer_q1", "peer_median", "peer_q3", "percentile", "sector_median", "sector_percentile"]].isna().all()


def test_a_sector_with_fewer_than_five_peers_shows_only_the_overall_comparison():
    peers = peer_file({"flow": [2.0, 2.5, 3.0, 3.5, 4.0, 4.5]}, sectors=["Banking"] * 3 + ["Insurance"] * 3)
    row = compare_with_peers(dims_of({"flow": 3.2}), peers, cycle="2026-Q3", organisation=ORG,
                             sector="Insurance").iloc[0]
    assert row["n_peers"] == 6 and row["percentile"] == pytest.approx(50.0)
    assert row["n_sector_peers"] == 3 and np.isnan(row["sector_percentile"]) and np.isnan(row["sector_median"])
    without = compare_with_peers(dims_of({"flow": 3.2}), peers, cycle="2026-Q3", organisation=ORG).iloc[0]
    assert without["n_sector_peers"] == 0 and np.isnan(without["sector_percentile"])


def test_the_organisations_own_rows_are_left_out():
    peers = peer_file({"flow": [2.0, 2.5, 3.0, 3.5, 4.0]}, sectors=["Insurance"] * 5)
    own = benchmark_export(dims_of({"flow": 3.2}), organisation=" acme insurance", cycle="2026-Q3", sector="Insurance")
    both = pd.concat([peers, own], ignore_index=True)
    out = compare_with_peers(dims_of({"flow": 3.2}), both, cycle="2026-Q3", organisation=ORG, sector="Insurance")
    assert out.iloc[0]["n_peers"] == 5
    assert out.iloc[0]["percentile"] == pytest.approx(stats.percentileofscore([2.0, 2.5, 3.0, 3.5, 4.0], 3.2,
                                                                              kind="mean"))


def test_each_peer_counts_once_with_its_same_cycle_or_else_its_latest_before_it():
    h = org_hash("peer")
    peers = pd.DataFrame([
        [h, "Insurance", "2025-Q4", "flow", 2.0, 8],
        [h, "Insurance", "2026-Q2", "flow", 2.6, 8],  # latest before 2026-Q3: counts for 2026-Q3
        [h, "Insurance", "2026-Q4", "flow", 3.9, 8],  # after the cycle: never counts
    ], columns=EXPORT_COLUMNS)
    assert peer_rows(peers, cycle="2026-Q3", own_hash="x")["score"].tolist() == [2.6]
    assert peer_rows(peers, cycle="2025-Q4", own_hash="x")["score"].tolist() == [2.0]
    assert peer_rows(peers, cycle="2025-Q3", own_hash="x").empty


def test_without_a_peer_file_the_comparison_has_the_scores_and_no_peer_values():
    out = compare_with_peers(dims_of({"flow": 3.2, "funding": 2.0}), None, cycle="2026-Q3", organisation=ORG,
                             sector="Insurance")
    assert out["n_peers"].eq(0).all() and out["peer_median"].isna().all() and out["score"].tolist() == [3.2, 2.0]


def test_the_export_holds_exactly_the_contract_columns_with_rounded_scores_and_no_unscored_dimension():
    dims = dims_of({"flow": 3.14159, "funding": np.nan})
    out = benchmark_export(dims, organisation=ORG, cycle="2026-Q3", sector=None)
    assert list(out.columns) == EXPORT_COLUMNS
    assert out.to_dict("records") == [{"org_hash": org_hash(ORG), "sector": "", "cycle": "2026-Q3",
                                       "dimension_id": "flow", "score": 3.14, "n_respondents": 12}]


def test_the_sample_peer_file_is_realistic_and_seeded(tmp_path):
    from pmo_lib.inputs.model import load_model
    from pmo_lib.inputs.resources import TEMPLATES_DIR
    from pmo_lib.inputs.sample import SEED, _peers

    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    cycles = ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    peers = _peers(np.random.default_rng(SEED + 21), model, cycles)
    again = _peers(np.random.default_rng(SEED + 21), model, cycles)
    pd.testing.assert_frame_equal(peers, again)
    assert list(peers.columns) == EXPORT_COLUMNS and peers["org_hash"].nunique() == 40
    assert 4 <= peers.groupby("org_hash")["sector"].first().nunique() <= 5
    assert set(peers.groupby("org_hash")["cycle"].nunique()) <= {1, 2, 3}
    assert peers["n_respondents"].between(5, 40).all()
    assert peers["score"].between(model.scale_min, model.scale_max).all()
    # dimension scores hang together within an organisation: organisations differ more than their dimensions
    wide = peers.drop_duplicates(["org_hash", "dimension_id"]).pivot(index="org_hash", columns="dimension_id",
                                                                     values="score")
    assert np.nanmean(np.corrcoef(wide.to_numpy().T)[np.triu_indices(wide.shape[1], 1)]) > 0.3
