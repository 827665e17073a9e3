"""Per-cycle fingerprints: one sha256 of everything a cycle's reports depend on.

``pmo run`` keeps a cycle's pack, untouched, when the pack's manifest records the
fingerprint the cycle has now (and the pack is complete and did not fail). The
fingerprint covers:

* the kit: its version, the code of ``pmo_lib``, its notebooks and its templates
  folder (the knowledge files: maturity model, KPI catalogue and playbook, and the
  report template), and the versions of the packages a run uses;
* the workspace's own files other than data: ``pmo.yaml``, its own maturity
  model and playbook, its own notebooks and its logo;
* the notebooks that run (kit and workspace), by their content;
* the parameters that change a pack: formats, code variant, kernel, cell timeout
  (not ``--jobs``, the scheduler or kernel reuse, which change where and how fast
  the same reports are made);
* the workspace's data **as seen at the cycle's end**, table by table, by the
  rules of :data:`DATA_RULES`, with the tables the workspace provides and the
  warnings the cycle's reports print.

Left out: the run's date (the reports' cover shows when they were made; a pack is
not rebuilt only to change that date).

A rule is *exact* when the reports of the cycle read nothing of the table that
the rule leaves out; :data:`DATA_RULES` says why for each table. Where only a
row's current value is known (an action's status today, a RAID item's severity
today), that row enters in full from the cycle in which it first appears: a
change to it rebuilds that cycle and every later one, never an earlier one.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..inputs.cycles import CYCLE_COLUMN_TABLES, Cycle
from ..inputs.resources import NOTEBOOKS_DIR, TEMPLATES_DIR, __version__
from ..inputs.workspace import DATA_DIR, WORKBOOK, Workspace, file_sha256

#: Plans: their rows describe cycles ahead, so a cycle's reports read the next cycle's rows too.
PLAN_TABLES = ("capacity", "demand")
#: Which part of each table enters a cycle's fingerprint, and why that is all its reports read.
DATA_RULES: dict[str, str] = {
    "cycles": "the cycle's own row and every earlier row, and the next cycle's row (its reports name the "
              "next cycle and take the forecast horizon from its length); later rows are left out",
    **{t: "the rows of the cycle and of earlier cycles (as Cycle.tables gives them), in full; rows of later "
          "cycles are left out" for t in CYCLE_COLUMN_TABLES if t != "cycles" and t not in PLAN_TABLES},
    "initiatives": "every initiative as known at the cycle's end (Cycle.tables: the status and forecast "
                   "recorded for the cycle, an end date after it not yet known, a later start still proposed), "
                   "in full",
    "work_items": "items with a date (created, started, finished) on or before the cycle's end; dates after "
                  "the end count as not yet happened (left empty); items wholly after it are left out",
    "raid": "items raised on or before the cycle's end; a closing date after the end counts as not yet "
            "happened (left empty, the item open); items raised later are left out",
    "goals": "the whole table, for every cycle (a goal belongs to no cycle)",
    **{t: "the rows of the cycle, of earlier cycles and of the next cycle (a plan for the next cycle is known "
          "before it starts; the next cycle's load reads it); rows of cycles after the next are left out"
       for t in PLAN_TABLES},
}
WORK_ITEM_DATES = ("created", "started", "finished")
#: Columns no report reads: where a row stood in its file, and which rule set an initiative's status.
IGNORED_COLUMNS = ("source_row", "status_source")
#: The run options that change what a pack holds.
PACK_PARAMETERS = ("formats", "with_code", "kernel", "timeout")


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _files_digest(folders: Iterable[Path], suffixes: tuple[str, ...] | None = None) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts or (suffixes and path.suffix not in suffixes):
                continue
            digest.update(f"{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def kit_digest() -> str:
    """The kit's version, its code, notebooks and templates (knowledge files and report template)."""
    code = Path(__file__).resolve().parents[1]
    return _sha(json.dumps([__version__, _files_digest([code], (".py",)),
                            _files_digest([NOTEBOOKS_DIR], (".ipynb",)), _files_digest([TEMPLATES_DIR])]))


def _is_data(ws: Workspace, path: Path) -> bool:
    return path.is_relative_to(ws.path / DATA_DIR) or path == ws.path / WORKBOOK


def _frame_digest(frame: pd.DataFrame) -> str:
    frame = frame.drop(columns=[c for c in IGNORED_COLUMNS if c in frame.columns])
    text = frame.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S", lineterminator="\n")
    return _sha(text)


def table_as_seen(cycle: Cycle, table: str) -> pd.DataFrame:
    """The part of ``table`` that enters ``cycle``'s fingerprint (:data:`DATA_RULES`)."""
    known = cycle.tables
    frame = known[table]
    end = cycle.end
    if table == "cycles" or table in PLAN_TABLES:
        names = cycle.history_names + ([cycle.next_name] if cycle.next_name else [])
        return frame[frame["cycle"].isin(names)]
    if table == "work_items" and len(frame):
        dates = frame[list(WORK_ITEM_DATES)]
        seen = dates.where(dates <= end)  # after the end: not yet happened
        keep = seen.notna().any(axis=1) | dates.isna().all(axis=1)
        return frame.assign(**{c: seen[c] for c in WORK_ITEM_DATES})[keep]
    if table == "raid" and len(frame):
        frame = frame[frame["raised_date"].isna() | (frame["raised_date"] <= end)]
        later = frame["closed_date"] > end
        return frame.assign(closed_date=frame["closed_date"].where(~later),
                            status=frame["status"].where(~later, "open"))
    return frame


def fingerprint_parts(ws: Workspace, cycle: Cycle, *, notebooks: Mapping[str, str],
                      parameters: Mapping[str, Any], common: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each input's digest for ``cycle``: the kit, the workspace's files, notebooks, parameters, and each table.

    ``notebooks`` maps each report that runs to its notebook's sha256; ``common``
    the parts shared by every cycle (:func:`common_parts`), computed once.
    """
    parts = dict(common if common is not None else common_parts(ws, notebooks=notebooks, parameters=parameters))
    for table in sorted(ws.tables):
        parts[f"data:{table}"] = _frame_digest(table_as_seen(cycle, table))
    parts["warnings"] = _sha("\n".join(p.format() for p in ws.warnings_for(cycle)))
    return parts


def common_parts(ws: Workspace, *, notebooks: Mapping[str, str], parameters: Mapping[str, Any]) -> dict[str, str]:
    """The parts of every cycle's fingerprint that do not depend on the cycle."""
    from .runner import _package_versions

    own = {str(p.relative_to(ws.path)) if p.is_relative_to(ws.path) else str(p): file_sha256(p)
           for p in ws.files if not _is_data(ws, p)}
    return {"kit": kit_digest(), "packages": _sha(json.dumps(_package_versions(), sort_keys=True)),
            "workspace_files": _sha(json.dumps(own, sort_keys=True)),
            "notebooks": _sha(json.dumps(dict(notebooks), sort_keys=True)),
            "parameters": _sha(json.dumps({k: parameters.get(k) for k in PACK_PARAMETERS}, sort_keys=True,
                                          default=str)),
            "tables_provided": _sha(",".join(sorted(ws.present)))}


def fingerprint(parts: Mapping[str, str]) -> str:
    """One sha256 of a cycle's parts."""
    return _sha(json.dumps(dict(parts), sort_keys=True))
