"""The peer benchmark: how an organisation's maturity scores compare with other organisations'.

Two halves. :func:`benchmark_export` turns one cycle's dimension scores into
the anonymised rows that ``pmo benchmark export`` writes and a peer file
gathers. :func:`compare_with_peers` ranks the organisation's scores among the
peers of a peer file, overall and within its sector.

Which peer rows count
    Each peer organisation counts once per dimension: with its row of the same
    cycle when it has one, otherwise with its latest cycle before it (cycle
    names compare as text, which orders the kit's ``YYYY-Qn`` names). A peer
    whose rows all come after the cycle is left out, so a report of an earlier
    cycle knows nothing of later assessments. The organisation's own rows (its
    :func:`org_hash`) are always left out.

Percentile rank
    The share of peers scoring below the organisation, counting peers with the
    same score as half below: ``100 * (below + 0.5 * equal) / n``, as
    ``scipy.stats.percentileofscore(kind="mean")``.

Quartiles
    The peers' 25th, 50th and 75th percentiles by NumPy's default (linear)
    method, ``numpy.percentile``.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

#: Fewest peer organisations a comparison needs, overall or within the sector; below it nothing is shown.
MIN_PEERS = 5
#: Hex digits of the sha256 kept as the organisation's code.
HASH_DIGITS = 16
#: Decimals of an exported score: enough to rank, too few to recover any one answer.
SCORE_DECIMALS = 2
#: The columns of an export and of a peer file (:data:`pmo_lib.inputs.peers.PEER_COLUMNS`).
EXPORT_COLUMNS = ["org_hash", "sector", "cycle", "dimension_id", "score", "n_respondents"]
#: The columns of :func:`compare_with_peers`.
COMPARISON_COLUMNS = ["dimension_id", "dimension", "score", "n_peers", "peer_q1", "peer_median", "peer_q3",
                      "percentile", "n_sector_peers", "sector_median", "sector_percentile"]


def org_hash(organisation: str) -> str:
    """The organisation's anonymous code: the first 16 hex digits of the sha256 of its name.

    The name is compared without case and surrounding or repeated spaces, so
    that every export of one organisation carries the same code.
    """
    name = " ".join(str(organisation).split()).casefold()
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:HASH_DIGITS]


def benchmark_export(dims: pd.DataFrame, *, organisation: str, cycle: str, sector: str | None = None) -> pd.DataFrame:
    """The anonymised peer rows of one cycle: what ``pmo benchmark export`` writes.

    Parameters
    ----------
    dims : DataFrame
        The cycle's dimension scores (:func:`pmo_lib.point_scores` or
        :func:`pmo_lib.score_dimensions`): ``dimension_id, score, n_respondents``.
    organisation : str
        The organisation's name; only its :func:`org_hash` is written.
    cycle : str
    sector : str, optional

    Returns
    -------
    DataFrame
        Columns ``org_hash, sector, cycle, dimension_id, score,
        n_respondents`` and nothing else, one row per scored dimension in model
        order; ``score`` rounded to two decimals.
    """
    scored = dims.dropna(subset=["score"])
    return pd.DataFrame({
        "org_hash": org_hash(organisation),
        "sector": sector if sector is not None else "",
        "cycle": cycle,
        "dimension_id": scored["dimension_id"].to_numpy(),
        "score": scored["score"].astype(float).round(SCORE_DECIMALS).to_numpy(),
        "n_respondents": scored["n_respondents"].astype(int).to_numpy(),
    }, columns=EXPORT_COLUMNS)


def peer_rows(peers: pd.DataFrame, *, cycle: str, own_hash: str) -> pd.DataFrame:
    """One row per peer organisation and dimension: its same cycle, or its latest before it.

    The organisation's own rows (``own_hash``) and rows of later cycles are left out.

    Returns
    -------
    DataFrame
        The peer file's columns, at most one row per ``org_hash`` and ``dimension_id``.
    """
    rows = peers[(peers["org_hash"] != own_hash) & (peers["cycle"].astype(str) <= cycle)]
    rows = rows.sort_values(["org_hash", "dimension_id", "cycle"], kind="stable")
    return rows.drop_duplicates(["org_hash", "dimension_id"], keep="last").reset_index(drop=True)


def percentile_rank(value: float, others: np.ndarray | pd.Series) -> float:
    """Percentile rank of ``value`` among ``others``: ``100 * (below + 0.5 * equal) / n``.

    The same as ``scipy.stats.percentileofscore(others, value, kind="mean")``;
    NaN when ``value`` is NaN or there are no others.
    """
    values = np.asarray(others, dtype=float)
    values = values[~np.isnan(values)]
    if np.isnan(value) or not len(values):
        return float("nan")
    below = np.count_nonzero(values < value)
    equal = np.count_nonzero(values == value)
    return float(100.0 * (below + 0.5 * equal) / len(values))


def compare_with_peers(dims: pd.DataFrame, peers: pd.DataFrame | None, *, cycle: str, organisation: str,
                       sector: str | None = None, min_peers: int = MIN_PEERS) -> pd.DataFrame:
    """Rank each dimension's score among the peers, overall and within the organisation's sector.

    Parameters
    ----------
    dims : DataFrame
        The cycle's dimension scores: ``dimension_id, dimension, score``.
    peers : DataFrame or None
        The peer file (``ws.peers``); ``None`` gives a table without peer values.
    cycle : str
        The cycle reported on; see the module's notes on which peer rows count.
    organisation : str
        The organisation's name: its own rows (by :func:`org_hash`) are left out.
    sector : str, optional
        The organisation's sector; without it the sector columns are empty.
    min_peers : int
        Fewest peers a dimension needs; with fewer, its peer columns (or its
        sector columns) are empty, so no peer's score can be read off.

    Returns
    -------
    DataFrame
        Columns ``dimension_id, dimension, score, n_peers, peer_q1,
        peer_median, peer_q3, percentile, n_sector_peers, sector_median,
        sector_percentile``, one row per dimension in the order of ``dims``.
        ``n_peers`` counts the peer organisations with a score for the
        dimension; ``peer_q1``, ``peer_median`` and ``peer_q3`` are their
        quartiles (``numpy.percentile``, linear); ``percentile`` the
        organisation's percentile rank among them (0 to 100). The ``sector_``
        columns are the same among the peers of the same sector (compared
        without case).
    """
    chosen = (peer_rows(peers, cycle=cycle, own_hash=org_hash(organisation)) if peers is not None
              else pd.DataFrame(columns=EXPORT_COLUMNS))
    same_sector = (chosen["sector"].fillna("").astype(str).str.strip().str.casefold()
                   == str(sector).strip().casefold()) if sector else pd.Series(False, index=chosen.index)
    out = []
    for dim in dims.itertuples():
        scores = chosen.loc[chosen["dimension_id"] == dim.dimension_id, "score"].astype(float)
        in_sector = chosen.loc[(chosen["dimension_id"] == dim.dimension_id) & same_sector, "score"].astype(float)
        row = {"dimension_id": dim.dimension_id, "dimension": dim.dimension, "score": float(dim.score),
               "n_peers": len(scores), "n_sector_peers": len(in_sector)}
        if len(scores) >= min_peers:
            q1, median, q3 = np.percentile(scores.to_numpy(), [25, 50, 75])
            row.update(peer_q1=float(q1), peer_median=float(median), peer_q3=float(q3),
                       percentile=percentile_rank(float(dim.score), scores.to_numpy()))
        if len(in_sector) >= min_peers:
            row.update(sector_median=float(np.median(in_sector.to_numpy())),
                       sector_percentile=percentile_rank(float(dim.score), in_sector.to_numpy()))
        out.append(row)
    table = pd.DataFrame(out, columns=COMPARISON_COLUMNS)
    return table.astype({"n_peers": int, "n_sector_peers": int,
                         **{c: float for c in COMPARISON_COLUMNS if c not in
                            ("dimension_id", "dimension", "n_peers", "n_sector_peers")}})
