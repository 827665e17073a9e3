"""The snapshot: ``pmo pull`` writes the sourced tables and ``data/_sources.json`` at once; runs read it."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import CONFIG_FILE, TableSource
from ..exceptions import ConfigError, Problem
from .mapping import Pulled

SOURCES_FILE = "_sources.json"
DATA_DIR = "data"
KINDS = {"jira-csv": "Jira CSV export", "jira": "Jira", "csv": "CSV export", "xlsx": "workbook export",
         "sql": "database"}


def sourced_description(record: dict[str, Any]) -> str:
    """A source as a person names it: "Jira CSV export exports/jira.csv", "database sqlite:///x.db table t"."""
    kind = record.get("from", "")
    what = KINDS.get(kind, kind)
    if kind == "sql":
        return f"{what} {record.get('source')}" + (f" table {record['table']}" if record.get("table") else " query")
    return f"{what} {record.get('source')}"

def source_label(table: str, record: dict[str, Any]) -> str:
    """A pulled table's source as problems and the data-quality appendix name it: what pmo.yaml names.

    ``exports/jira.csv``, ``sqlite:///portfolio.db table pmo_initiatives``,
    ``sqlite:///portfolio.db query for financials``, ``Jira https://acme.atlassian.net``.
    """
    kind, source = record.get("from", ""), str(record.get("source", ""))
    if kind == "sql":
        return f"{source} table {record['table']}" if record.get("table") else f"{source} query for {table}"
    if kind == "jira":
        return f"Jira {source}"
    return source


def _settings(source: TableSource | None, database: str | None, timezone: str) -> str:
    """A fingerprint of what pmo.yaml says of one table's source, to tell when the snapshot is stale."""
    body = {"source": source.model_dump(mode="json", by_alias=True) if source else None, "database": database,
            "timezone": timezone}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def settings_parts(source: TableSource | None, database: str | None, timezone: str) -> dict[str, str]:
    """What :func:`_settings` fingerprints, part by part, to tell which part changed since a pull.

    The table's own entry and the database as fingerprints (a URL may hold what
    must not be written down), the time zone as it is.
    """
    def digest(body: object) -> str:
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]

    return {"entry": digest(source.model_dump(mode="json", by_alias=True) if source else None),
            "database": digest(database), "timezone": timezone}

def read_snapshot(workspace: Path) -> dict[str, Any]:
    """``data/_sources.json`` of a workspace, or an empty mapping when it has none (or it does not parse)."""
    path = workspace / DATA_DIR / SOURCES_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("tables"), dict) else {}

def snapshot_changes(workspace: Path, snapshot: dict[str, Any]) -> list[Problem]:
    """What changed since the pull without a new pull: the report says so, and which rows it uses.

    A pulled table edited by hand (the report uses the edit), and an export that
    was replaced or removed (the report uses the rows pulled from it before).
    """
    out = []
    for name, record in snapshot.get("tables", {}).items():
        path = workspace / DATA_DIR / f"{name}.csv"
        day = str(record.get("pulled_at", ""))[:10]
        if path.is_file() and record.get("sha256") and _sha256(path.read_bytes()) != record["sha256"]:
            out.append(Problem(str(path), name, f"the table was changed by hand after it was pulled on "
                               f"{day}; the report uses the changed rows"))
        export = record.get("source") if record.get("export_sha256") else None
        if export is None:
            continue
        again = f"run 'pmo pull {workspace}' (or 'pmo run --pull') to use it"
        if not (workspace / export).is_file():
            out.append(Problem(export, name, f"the export is no longer in the workspace folder; the report uses the "
                               f"rows pulled from it on {day}"))
        elif _sha256((workspace / export).read_bytes()) != record["export_sha256"]:
            out.append(Problem(export, name, f"the export changed since the last pull on {day}; the report uses the "
                               f"rows pulled then: {again}"))
    return out

def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class PullResult:
    """What ``pmo pull`` wrote: each table's file and row count, and the record of the snapshot."""

    workspace: Path
    tables: dict[str, dict[str, Any]]
    sources_file: Path


def table_csv(frame: pd.DataFrame) -> bytes:
    """A pulled table as the CSV bytes the workspace keeps (UTF-8, comma-separated, ``\\n`` line ends)."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def pull_workspace(workspace: str | Path) -> PullResult:
    """Read every source of a workspace, validate the whole workspace, and replace its snapshot at once.

    Writes ``data/<table>.csv`` for each sourced table and ``data/_sources.json``. A
    pull that fails (a source cannot be read, a row breaks the contract) changes nothing.

    Raises
    ------
    InputError
        With every problem, named by the sources' own keys.
    """
    from ..workspace import load_workspace

    path = Path(workspace).expanduser().resolve()
    ws = load_workspace(path, from_sources=True)
    if ws.config.sources is None:
        raise ConfigError([Problem(str(path / CONFIG_FILE), CONFIG_FILE, "there is nothing to pull: pmo.yaml has "
                                   "no sources (see 'Data where it lives' in the README)")])
    pulled: dict[str, Pulled] = ws.pulled
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    previous = read_snapshot(path)
    data_dir = path / DATA_DIR
    stage = path / f".{DATA_DIR}-pull-{uuid.uuid4().hex[:8]}"
    old = path / f".{DATA_DIR}-old-{uuid.uuid4().hex[:8]}"
    tables: dict[str, dict[str, Any]] = {}
    try:
        if data_dir.is_dir():
            shutil.copytree(data_dir, stage)
            for name in previous.get("tables", {}):  # tables pulled before and no longer sourced
                (stage / f"{name}.csv").unlink(missing_ok=True)
        else:
            stage.mkdir()
        for name in sorted(pulled):
            body = table_csv(pulled[name].frame)
            (stage / f"{name}.csv").write_bytes(body)
            record = {k: v for k, v in pulled[name].record.items() if v is not None}
            tables[name] = {**record, "file": f"{DATA_DIR}/{name}.csv", "pulled_at": now,
                            "rows": int(pulled[name].frame.shape[0]), "sha256": _sha256(body)}
        document = {"pulled_at": now, "timezone": ws.config.timezone, "tables": tables}
        (stage / SOURCES_FILE).write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        if data_dir.exists():
            os.replace(data_dir, old)
        os.replace(stage, data_dir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return PullResult(path, tables, data_dir / SOURCES_FILE)


def manifest_snapshot(workspace: Any) -> dict[str, Any] | None:
    """What a report's manifest says of the snapshot it was built from; ``None`` for a workspace without sources.

    The pull's time, its record file and that file's sha256, and per table its source
    (URL without credentials), query, row count and the sha256 of its rows.
    """
    snapshot = getattr(workspace, "snapshot", None) or {}
    if not snapshot.get("tables"):
        return None
    record = workspace.path / DATA_DIR / SOURCES_FILE
    keep = ("from", "source", "table", "sheet", "query", "pulled_at", "rows", "sha256", "export_sha256")
    return {"file": f"{DATA_DIR}/{SOURCES_FILE}", "pulled_at": snapshot.get("pulled_at"),
            "sha256": _sha256(record.read_bytes()) if record.is_file() else None,
            "timezone": snapshot.get("timezone"),
            "tables": {name: {k: t[k] for k in keep if t.get(k) is not None}
                       for name, t in sorted(snapshot["tables"].items())}}

