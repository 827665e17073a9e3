"""The peer file (``benchmark:`` in pmo.yaml): other organisations' anonymised maturity scores.

A peer file gathers many ``pmo benchmark export`` files into one CSV, one row
per organisation, cycle and dimension. It is read and checked with the
workspace, so a bad peer file stops ``pmo validate`` and ``pmo run`` before
anything is written.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .exceptions import _Collector
from .model import MaturityModel
from .tables import TableSpec, _c

#: The columns of a peer file, the contract of ``pmo benchmark export``: nothing else leaves the workspace.
PEERS = TableSpec("peers", "Anonymised maturity scores of other organisations, one row per organisation, cycle "
                           "and dimension.", (
    _c("org_hash", "id", "The organisation's anonymous code: the first 16 hex digits of the sha256 of its name."),
    _c("sector", "text", "The organisation's sector, e.g. Insurance; empty when it gave none.", nullable=True),
    _c("cycle", "id", "Planning cycle of the assessment, e.g. 2026-Q3."),
    _c("dimension_id", "id", "Maturity dimension, as in the maturity model."),
    _c("score", "number", "The dimension's maturity score on the model's scale."),
    _c("n_respondents", "int", "Respondents behind the score.", min=1),
), key=("org_hash", "cycle", "dimension_id"))

PEER_COLUMNS = PEERS.column_names
_HASH = re.compile(r"[0-9a-f]{8,64}")


def read_peers(path: Path, label: str, model: MaturityModel | None, issues: _Collector) -> pd.DataFrame | None:
    """Read and check a peer file, adding every problem to ``issues``.

    Parameters
    ----------
    path : Path
        The peer CSV.
    label : str
        How problems name the file (its path as pmo.yaml gives it).
    model : MaturityModel or None
        The workspace's model: dimension ids and scores are checked against it.
    issues : _Collector

    Returns
    -------
    DataFrame or None
        Columns :data:`PEER_COLUMNS` (rows numbered as the spreadsheet shows
        them, the header being row 1), or ``None`` when the file has problems.
    """
    from .workspace import _check_keys, _parse_table, _plain, _read_csv

    before = len(issues.problems)
    raw = _read_csv(path, label, PEERS.name, issues)
    if raw is None:
        return None
    if raw.empty:
        issues.add(label, PEERS.name, "the peer file is empty; it needs a header and at least one row")
        return None
    extra = [str(c).strip() for c in raw.columns if str(c).strip() not in PEER_COLUMNS]
    for name in extra:
        issues.add(label, PEERS.name, f"unknown column '{name}'; a peer file has exactly the columns "
                   f"{', '.join(PEER_COLUMNS)}", column=name)
    frame = _parse_table(PEERS, raw, label, issues)
    if frame is None:
        return None
    _check_keys(PEERS, frame, label, issues)
    for idx in frame.index[frame["org_hash"].notna() & ~frame["org_hash"].astype(str).str.fullmatch(_HASH)]:
        issues.add(label, PEERS.name, "expected the lower-case hex code pmo benchmark export writes",
                   row=int(idx), column="org_hash", value=frame.at[idx, "org_hash"])
    if model is not None:
        known = set(model.dimensions["dimension_id"])
        for idx in frame.index[frame["dimension_id"].notna() & ~frame["dimension_id"].isin(known)]:
            issues.add(label, PEERS.name, f"unknown dimension; the maturity model has {', '.join(sorted(known))}",
                       row=int(idx), column="dimension_id", value=frame.at[idx, "dimension_id"])
        lo, hi = model.scale_min, model.scale_max
        score = frame["score"]
        for idx in frame.index[(score.notna() & ((score < lo) | (score > hi))).to_numpy()]:
            issues.add(label, PEERS.name, f"score must lie on the model's scale, {lo} to {hi}",
                       row=int(idx), column="score", value=_plain(score[idx]))
    if len(issues.problems) > before:
        return None
    return frame.astype({"n_respondents": int}).reset_index(drop=True)[PEER_COLUMNS]
