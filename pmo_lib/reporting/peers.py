"""The maturity report's section "How you compare": the peer comparison in words and as a table."""
from __future__ import annotations

import pandas as pd

from ..analysis.benchmark import MIN_PEERS
from ..inputs.text import plural
from .report import esc


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def peer_shortfall(comparison: pd.DataFrame | None, *, cycle: str, min_peers: int = MIN_PEERS) -> str | None:
    """Why the section shows no comparison, in words; ``None`` when it can show one.

    ``comparison`` is :func:`pmo_lib.compare_with_peers`, or ``None`` when the
    workspace names no peer file.
    """
    if comparison is None:
        return ("No peer comparison: the workspace names no peer file. Gather other organisations' anonymised "
                "score exports into one file and name it in the <b>benchmark</b> setting of the "
                "workspace configuration, with the organisation's <b>sector</b>, to compare each dimension with "
                "theirs.")
    most = int(comparison["n_peers"].max()) if len(comparison) else 0
    if most < min_peers:
        has = f"has {most}" if most else "has none"
        return (f"No peer comparison yet: a comparison needs scores of at least {plural(min_peers, 'peer organisation')}"
                f" from {esc(cycle)} or earlier, and the peer file {has}. Nothing about the peers is shown until "
                "there are enough, so that no one organisation can be recognised.")
    return None


def peer_summary(comparison: pd.DataFrame, *, organisation: str, sector: str | None = None,
                 min_peers: int = MIN_PEERS) -> str:
    """Where the organisation leads and lags its peers, in plain words (markdown).

    A dimension *leads* when its score is above the peers' upper quartile
    (ahead of three in four peers), and *lags* when it is below their lower
    quartile. Only dimensions with at least ``min_peers`` peers are named.
    """
    shown = comparison.dropna(subset=["percentile"])
    if shown.empty:
        return ""
    n = int(shown["n_peers"].max())
    org = esc(organisation)
    lead = shown[shown["score"] > shown["peer_q3"]].sort_values("percentile", ascending=False)
    lag = shown[shown["score"] < shown["peer_q1"]].sort_values("percentile")
    words = [f"Compared with {plural(n, 'peer organisation')}"]
    if len(lead):
        words.append(f", {org} leads its peers in {_listed([esc(d) for d in lead['dimension']])} (ahead of "
                     f"{_listed([_pct(p) for p in lead['percentile']])} of them)")
    else:
        best = shown.sort_values("percentile", ascending=False).iloc[0]
        words.append(f", {org} is not ahead of three in four peers on any dimension; its strongest standing is in "
                     f"{esc(best['dimension'])} (ahead of {_pct(best['percentile'])} of them)")
    if len(lag):
        words.append(f", and lags them in {_listed([esc(d) for d in lag['dimension']])} (ahead of only "
                     f"{_listed([_pct(p) for p in lag['percentile']])})")
    else:
        worst = shown.sort_values("percentile").iloc[0]
        words.append(f"; on no dimension are three in four peers ahead of it, and its weakest standing is in "
                     f"{esc(worst['dimension'])} (ahead of {_pct(worst['percentile'])} of them)")
    text = "".join(words) + "."
    if not sector:
        return text + " No sector is set for the organisation, so there is no comparison within a sector."
    in_sector = comparison.dropna(subset=["sector_percentile"])
    if in_sector.empty:
        most = int(comparison["n_sector_peers"].max())
        return (text + f" Within {esc(sector)} the peer file has {plural(most, 'peer')}; a comparison within the sector "
                f"needs {min_peers}, so none is shown.")
    top = in_sector.sort_values("sector_percentile", ascending=False).iloc[0]
    low = in_sector.sort_values("sector_percentile").iloc[0]
    return (text + f" Within {esc(sector)} ({plural(int(in_sector['n_sector_peers'].max()), 'peer')}), it stands "
            f"highest in {esc(top['dimension'])} (ahead of {_pct(top['sector_percentile'])}) and lowest in "
            f"{esc(low['dimension'])} (ahead of {_pct(low['sector_percentile'])}).")


def peer_table(comparison: pd.DataFrame, *, sector: str | None = None) -> tuple[pd.DataFrame, dict, dict]:
    """The comparison as a report table: the frame, its formats and its column labels for :func:`pmo_lib.table`.

    The sector columns are left out when no dimension has enough peers in the sector.
    """
    columns = ["dimension", "score", "peer_q1", "peer_median", "peer_q3", "percentile"]
    labels = {"dimension": "Dimension", "score": "Score", "peer_q1": "Peers' lower quartile",
              "peer_median": "Peer median", "peer_q3": "Peers' upper quartile",
              "percentile": "Percentile rank among all peers"}
    if sector and comparison["sector_percentile"].notna().any():
        columns += ["sector_median", "sector_percentile"]
        labels.update(sector_median=f"{sector} median", sector_percentile=f"Percentile rank in {sector}")
    formats = {c: "{:.2f}" for c in ("score", "peer_q1", "peer_median", "peer_q3", "sector_median")}
    formats.update(percentile="{:.0f}%", sector_percentile="{:.0f}%")
    return comparison[columns], {k: v for k, v in formats.items() if k in columns}, labels
