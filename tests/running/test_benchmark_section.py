"""The maturity report's "How you compare", executed on the tiny workspace with and without a peer file."""
from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib import read_result
from pmo_lib.analysis.benchmark import EXPORT_COLUMNS, org_hash

from .test_notebooks import execute

pytestmark = pytest.mark.notebook


def _outputs(nb) -> str:
    return "\n".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("data", {}).get("text/markdown", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def test_without_a_peer_file_the_section_names_the_setting_and_records_no_peer_values(tiny, tmp_path):
    nb = execute("maturity", tiny, tmp_path, cycle="C3")
    assert "<b>benchmark</b> setting" in _outputs(nb)
    recorded = read_result(tmp_path / "results", "benchmark")
    assert recorded["n_peers"].eq(0).all() and recorded["peer_median"].isna().all()


def test_with_six_peers_the_section_ranks_every_dimension_and_the_radar_shows_the_peers(tiny, tmp_path):
    scores = [2.0, 2.5, 3.0, 3.5, 4.0, 4.5]
    rows = [[org_hash(f"peer {i}"), "Retail", "C3", dim, s, 9] for i, s in enumerate(scores)
            for dim in ("alignment", "flow")]
    pd.DataFrame(rows, columns=EXPORT_COLUMNS).to_csv(tiny / "peers.csv", index=False)
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "sector: Retail\nbenchmark: peers.csv\n")
    nb = execute("maturity", tiny, tmp_path, cycle="C3")
    text = _outputs(nb)
    assert "Compared with 6 peer organisations, Tiny Test Org" in text and "Within Retail (6 peers)" in text
    assert "Percentile rank in Retail" in text
    recorded = read_result(tmp_path / "results", "benchmark").set_index("dimension_id")
    assert recorded.at["alignment", "peer_median"] == pytest.approx(3.25)
    assert recorded.at["alignment", "percentile"] == pytest.approx(100 * 4.5 / 6)  # 4.0: 4 of 6 below, 1 tie
    radar = next(c for c in nb.cells if "maturity_radar" in c.source)
    assert "The shaded band is the middle half of the peer organisations" in str(radar.outputs)
