"""The words and table of "How you compare"."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib.analysis.benchmark import COMPARISON_COLUMNS
from pmo_lib.reporting.peers import peer_shortfall, peer_summary, peer_table


def comparison(rows: list[tuple]) -> pd.DataFrame:
    """(dimension, score, q1, median, q3, percentile, sector percentile) with 40 peers, 8 in the sector."""
    out = [{"dimension_id": d.lower(), "dimension": d, "score": s, "n_peers": 40, "peer_q1": q1, "peer_median": m,
            "peer_q3": q3, "percentile": p, "n_sector_peers": 8, "sector_median": m, "sector_percentile": sp}
           for d, s, q1, m, q3, p, sp in rows]
    return pd.DataFrame(out, columns=COMPARISON_COLUMNS)


ROWS = [("Flow", 3.9, 2.8, 3.1, 3.5, 92.5, 87.5), ("Funding", 2.1, 2.6, 3.0, 3.4, 10.0, 25.0),
        ("Governance", 3.2, 2.9, 3.2, 3.6, 50.0, 62.5)]


def test_the_summary_names_where_the_organisation_leads_and_lags_in_words():
    text = peer_summary(comparison(ROWS), organisation="Acme", sector="Insurance")
    assert "Compared with 40 peer organisations, Acme leads its peers in Flow (ahead of 92% of them)" in text
    assert "lags them in Funding (ahead of only 10%)" in text
    assert "Within Insurance (8 peers), it stands highest in Flow (ahead of 88%) and lowest in Funding" in text
    assert "Governance" not in text  # the middle half is not named


def test_without_a_lead_or_a_lag_the_summary_gives_the_strongest_and_weakest_standing():
    rows = [("Flow", 3.2, 2.8, 3.1, 3.5, 55.0, np.nan), ("Funding", 2.9, 2.6, 3.0, 3.4, 40.0, np.nan)]
    frame = comparison(rows).assign(n_sector_peers=3)
    text = peer_summary(frame, organisation="Acme", sector="Insurance")
    assert "not ahead of three in four peers on any dimension; its strongest standing is in Flow" in text
    assert "on no dimension are three in four peers ahead of it, and its weakest standing is in Funding (ahead of 40% of them)" in text
    assert "Within Insurance the peer file has 3 peers; a comparison within the sector needs 5" in text
    assert "No sector is set" in peer_summary(frame, organisation="Acme")


def test_the_shortfall_says_which_setting_fills_the_section_and_why_few_peers_show_nothing():
    assert "<b>benchmark</b> setting" in peer_shortfall(None, cycle="2026-Q3")
    few = comparison(ROWS).assign(n_peers=4, peer_q1=np.nan, peer_median=np.nan, peer_q3=np.nan, percentile=np.nan)
    text = peer_shortfall(few, cycle="2026-Q3")
    assert "at least 5 peer organisations from 2026-Q3 or earlier, and the peer file has 4" in text
    assert peer_shortfall(comparison(ROWS), cycle="2026-Q3") is None


def test_the_table_keeps_the_sector_columns_only_when_the_sector_has_enough_peers():
    shown, formats, labels = peer_table(comparison(ROWS), sector="Insurance")
    assert list(shown.columns) == ["dimension", "score", "peer_q1", "peer_median", "peer_q3", "percentile",
                                   "sector_median", "sector_percentile"]
    assert labels["sector_percentile"] == "Percentile rank in Insurance" and formats["percentile"](77.6) == "78%"
    shown, formats, labels = peer_table(comparison(ROWS).assign(sector_percentile=np.nan), sector="Insurance")
    assert "sector_percentile" not in shown and "sector_median" not in formats


def test_the_radar_gains_the_peer_median_and_middle_half_only_when_given_and_complete():
    import matplotlib.pyplot as plt

    from pmo_lib.reporting.charts import maturity_radar

    dims = comparison(ROWS)[["dimension_id", "dimension", "score"]].assign(target=4.0)

    def legend(**kw) -> list[str]:
        fig = maturity_radar(dims, scale=(1, 5), **kw)
        words = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        plt.close(fig)
        return words

    assert legend() == ["Target", "This cycle"]  # the default chart is unchanged
    assert legend(peers=comparison(ROWS)) == ["Target", "Peers' middle half", "Peer median", "This cycle"]
    assert legend(peers=comparison(ROWS).assign(peer_median=np.nan)) == ["Target", "This cycle"]
