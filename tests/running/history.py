"""Build a workspace as it stood at an earlier cycle's end, for the tests of incremental runs.

The sample generator writes a whole history at once (it always ends in 2026-Q3), so
"a new cycle's data arrives" is played backwards: from a workspace of n cycles,
:func:`workspace_at` writes the files the PMO had at the end of cycle n - 1, and
copying the full workspace's files over them appends the last cycle's data.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from pmo_lib.inputs.cycles import CYCLE_COLUMN_TABLES
from pmo_lib.inputs.workspace import load_workspace


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def workspace_at(source: Path, target: Path, cycle: str) -> Path:
    """Copy the workspace ``source`` to ``target`` as its files stood at the end of ``cycle``.

    Later cycles' rows are removed; work item and RAID dates after the end are
    emptied (a RAID item closed later is open again); each initiative has the status,
    forecast and end date known then.
    """
    shutil.copytree(source, target)
    at = load_workspace(source).cycle(cycle)
    end, names = at.end, set(at.history_names)
    data = target / "data"
    for table in CYCLE_COLUMN_TABLES:
        path = data / f"{table}.csv"
        if path.is_file():
            frame = _read(path)
            _write(frame[frame["cycle"].isin(names)], path)
    items_path = data / "work_items.csv"
    if items_path.is_file():
        items = _read(items_path)
        dates = {c: pd.to_datetime(items[c].replace("", None)) for c in ("created", "started", "finished")}
        later = pd.DataFrame({c: d > end for c, d in dates.items()})
        for column in dates:
            items.loc[later[column], column] = ""
        _write(items[~(later | pd.DataFrame({c: d.isna() for c, d in dates.items()})).all(axis=1)], items_path)
    raid_path = data / "raid.csv"
    if raid_path.is_file():
        raid = _read(raid_path)
        raid = raid[pd.to_datetime(raid["raised_date"]) <= end].copy()
        closed_later = pd.to_datetime(raid["closed_date"].replace("", None)) > end
        raid.loc[closed_later, "closed_date"] = ""
        raid.loc[closed_later, "status"] = "open"
        _write(raid, raid_path)
    ini_path = data / "initiatives.csv"
    known = at.tables["initiatives"].set_index("initiative_id")
    ini = _read(ini_path)
    ids = ini["initiative_id"]
    ini["status"] = ids.map(known["status"]).to_numpy()
    for column in ("forecast_end_date", "actual_end_date"):
        ini[column] = ids.map(known[column].dt.strftime("%Y-%m-%d")).fillna("").to_numpy()
    _write(ini, ini_path)
    return target


def append_cycle(full: Path, target: Path) -> None:
    """Bring ``target`` (made by :func:`workspace_at`) up to ``full``: the next cycle's data arrives."""
    for path in (full / "data").glob("*.csv"):
        shutil.copy2(path, target / "data" / path.name)
