"""Tables that live elsewhere: a database, tool exports, Jira; pulled into a snapshot that reports are built from.

``pmo.yaml`` names the sources (``sources:``, see docs/input-format.md). Two ways to
read a workspace that has them:

* **From the snapshot** (every run): the tables pulled last, in ``data/<table>.csv``,
  with ``data/_sources.json`` saying where each came from, when, and the sha256 of
  its rows. A report is thus always built from a snapshot, and its manifest names it.
* **Live** (``pmo validate``, ``pmo pull``): every source is read again and mapped,
  and problems name the source's own key: the Jira issue, the export's line, the
  database table and primary key.

:func:`pull_workspace` reads live, validates, and only then replaces the snapshot, at once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pandas as pd

from ..config import CONFIG_FILE, Config, TableSource
from ..exceptions import ConfigError, Problem, _Collector
from ..tables import TABLES
from .mapping import Pulled, Secrets, SourceRows, env_value, expand_env, map_rows, public_url, relocate

SOURCES_FILE = "_sources.json"
DATA_DIR = "data"
KINDS = {"jira-csv": "Jira CSV export", "jira": "Jira", "csv": "CSV export", "xlsx": "workbook export",
         "sql": "database"}

__all__ = ["SOURCES_FILE", "Sourced", "PullResult", "manifest_snapshot", "pull_workspace", "read_snapshot", "read_with_sources",
           "relocate", "sourced_description"]


@dataclass
class Sourced:
    """What the sources gave a workspace load: where each table came from and, read live, the pulled tables."""

    live: bool
    pulled: dict[str, Pulled] = field(default_factory=dict)
    snapshot: dict[str, Any] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)  # table -> "Jira CSV export exports/jira.csv"
    failed: set[str] = field(default_factory=set)  # tables whose source could not be read (and said why)

    def relocate(self, problems: list[Problem]) -> list[Problem]:
        """Problems named by the sources' keys; a table whose source failed is not also "missing"."""
        kept = [p for p in problems if not (p.table in self.failed and p.message.startswith("required table"))]
        return relocate(kept, self.pulled) if self.pulled else kept


def sourced_description(record: dict[str, Any]) -> str:
    """A source as a person names it: "Jira CSV export exports/jira.csv", "database sqlite:///x.db table t"."""
    kind = record.get("from", "")
    what = KINDS.get(kind, kind)
    if kind == "sql":
        return f"{what} {record.get('source')}" + (f" table {record['table']}" if record.get("table") else " query")
    return f"{what} {record.get('source')}"


def _settings(source: TableSource | None, database: str | None, timezone: str) -> str:
    """A fingerprint of what pmo.yaml says of one table's source, to tell when the snapshot is stale."""
    body = {"source": source.model_dump(mode="json", by_alias=True) if source else None, "database": database,
            "timezone": timezone}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


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


def read_with_sources(path: Path, config: Config, lines: dict[tuple, int], issues: _Collector, *, live: bool,
                      read_csv: Callable[..., pd.DataFrame | None], read_workbook: Callable[..., dict],
                      workbook_name: str) -> tuple[dict[str, pd.DataFrame], dict[str, str], list[Path], Sourced]:
    """The raw tables of a workspace whose pmo.yaml has ``sources:``: the workspace loader's hook.

    Tables without a source come from the workspace's own files as always (``data/*.csv``
    or the workbook). Sourced tables come from the snapshot, or, ``live``, from their
    sources; a table both typed into the workspace and sourced is a problem.

    Returns
    -------
    tuple
        Raw text frames, the label of each table's origin, the files read, and :class:`Sourced`.
    """
    assert config.sources is not None
    snapshot = read_snapshot(path)
    pulled_before = set(snapshot.get("tables", {}))
    data_dir, workbook = path / DATA_DIR, path / workbook_name
    frames: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    files: list[Path] = []
    own: dict[str, pd.DataFrame] = {}
    own_labels: dict[str, str] = {}
    hand_csvs = [p for p in sorted(data_dir.glob("*.csv")) if p.stem not in pulled_before and not p.name.startswith(".")] \
        if data_dir.is_dir() else []
    if workbook.is_file() and hand_csvs:
        issues.add(str(path), "", f"both {DATA_DIR}/ (with {', '.join(p.name for p in hand_csvs)}) and {workbook_name} "
                   "hold tables; keep only one of them besides the pulled tables")
    elif workbook.is_file():
        files.append(workbook)
        for name, frame in read_workbook(workbook, str(workbook), issues).items():
            own[name] = frame
            own_labels[name] = f"{workbook} (sheet {name})"
    for csv_path in hand_csvs:
        files.append(csv_path)
        frame = read_csv(csv_path, str(csv_path), csv_path.stem, issues)
        if frame is not None:
            own[csv_path.stem] = frame
            own_labels[csv_path.stem] = str(csv_path)

    sourced = Sourced(live=live)
    for name, frame in own.items():
        frames[name], labels[name] = frame, own_labels[name]
    if live:
        pulled = _read_live(path, config, lines, issues, sourced.failed)
        sourced.pulled = pulled
        for name, table in pulled.items():
            _claim(name, table.frame, table.label, frames, labels, issues)
            sourced.descriptions[name] = sourced_description(table.record)
        sourced.snapshot = {"tables": {n: t.record for n, t in pulled.items()}}
        return frames, labels, files, sourced

    wanted = set(config.sources.tables) | (pulled_before if config.sources.database else set())
    if not snapshot:
        issues.add(str(path), "", f"{CONFIG_FILE} names sources but they were never pulled; run 'pmo pull {path}' "
                   "(or 'pmo run --pull') first")
        return frames, labels, files, sourced
    files.append(data_dir / SOURCES_FILE)
    sourced.snapshot = snapshot
    for name in sorted(wanted):
        record = snapshot["tables"].get(name)
        csv_path = data_dir / f"{name}.csv"
        if record is None or not csv_path.is_file():
            issues.add(str(path), name, f"the table comes from a source but is not in the last pull; run "
                       f"'pmo pull {path}'")
            continue
        if record.get("settings") != _settings(config.sources.tables.get(name), config.sources.database, config.timezone):
            issues.add(str(csv_path), name, f"the source of the table changed in {CONFIG_FILE} since the last pull "
                       f"({record.get('pulled_at')}); run 'pmo pull {path}'")
            continue
        files.append(csv_path)
        frame = read_csv(csv_path, str(csv_path), name, issues)
        if frame is None:
            continue
        sourced.descriptions[name] = sourced_description(record)
        _claim(name, frame, str(csv_path), frames, labels, issues)
    return frames, labels, files, sourced


def snapshot_changes(workspace: Path, snapshot: dict[str, Any]) -> list[Problem]:
    """Pulled tables whose file was edited after the pull: the report uses the edit, and says so."""
    out = []
    for name, record in snapshot.get("tables", {}).items():
        path = workspace / DATA_DIR / f"{name}.csv"
        if path.is_file() and record.get("sha256") and _sha256(path.read_bytes()) != record["sha256"]:
            out.append(Problem(str(path), name, f"the table was changed by hand after it was pulled on "
                               f"{str(record.get('pulled_at', ''))[:10]}; the report uses the changed rows"))
    return out


def _claim(name: str, frame: pd.DataFrame, label: str, frames: dict[str, pd.DataFrame], labels: dict[str, str],
           issues: _Collector) -> None:
    """Add a sourced table, unless the workspace also types it in (an empty workbook sheet does not count)."""
    if name in frames and frames[name].shape[0] > 0:
        issues.add(labels[name], name, f"the table is both typed into the workspace and read from {label}; "
                   "keep only one of them")
        return
    frames[name], labels[name] = frame, label


def _read_live(path: Path, config: Config, lines: dict[tuple, int], issues: _Collector,
               failed: set[str]) -> dict[str, Pulled]:
    """Read and map every source; problems name the source's own keys."""
    from .sql import Database

    assert config.sources is not None
    sources = config.sources
    config_file = str(path / CONFIG_FILE)
    zone = ZoneInfo(config.timezone)
    secrets = Secrets()
    databases: dict[str, Database] = {}

    def database(written: str, key: str, line: int | None) -> Database:
        if written not in databases:
            databases[written] = Database(written, key=key, workspace=path, secrets=secrets, issues=issues,
                                          config_file=config_file, line=line)
        return databases[written]

    for name in sources.tables:
        if name not in TABLES:
            import difflib
            close = difflib.get_close_matches(name, list(TABLES), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known tables: {', '.join(TABLES)}"
            issues.add(config_file, CONFIG_FILE, f"unknown table '{name}' under sources.tables; {hint}",
                       row=lines.get(("sources", "tables", name)), column=f"sources.tables.{name}")
    out: dict[str, Pulled] = {}
    quiet = logging.getLogger("jira"), logging.getLogger("urllib3")
    levels = [q.level for q in quiet]
    for q in quiet:
        q.setLevel(logging.CRITICAL)
    try:
        entries: list[tuple[str, TableSource]] = [(n, s) for n, s in sources.tables.items() if n in TABLES]
        if sources.database is not None:
            db = database(sources.database, "sources.database", lines.get(("sources", "database")))
            if db.engine("") is not None:
                entries += [(n, TableSource(table=n)) for n in TABLES
                            if n not in sources.tables and db.has_table(n)]
            else:
                failed.update(TABLES)
        for name, source in entries:
            rows = _read_one(path, name, source, config_file, lines, secrets, issues, database, sources.database)
            if rows is None:
                failed.add(name)
                continue
            table = map_rows(name, rows, source, source.source_kind or "", zone, issues,
                             config_file=config_file, lines=lines)
            if table is None:
                failed.add(name)
            else:
                table.record["settings"] = _settings(sources.tables.get(name), sources.database, config.timezone)
                table.record.update(_export_digest(path, source))
                out[name] = table
    finally:
        for q, level in zip(quiet, levels):
            q.setLevel(level)
        for db in databases.values():
            db.close()
    for problem in issues.problems:  # a driver's message may quote the URL it was given
        problem.message = secrets.mask(problem.message)
        problem.file = secrets.mask(problem.file)
        if isinstance(problem.value, str):
            problem.value = secrets.mask(problem.value)
    return out


def _export_digest(path: Path, source: TableSource) -> dict[str, str]:
    if source.path is None or not (path / source.path).is_file():
        return {}
    return {"export_sha256": _sha256((path / source.path).read_bytes())}


def _read_one(path: Path, name: str, source: TableSource, config_file: str, lines: dict[tuple, int],
              secrets: Secrets, issues: _Collector, database: Callable[..., Any],
              default_database: str | None) -> SourceRows | None:
    from .files import read_csv_export, read_xlsx_export

    here = ("sources", "tables", name)
    kind = source.source_kind
    if kind in ("jira-csv", "csv", "xlsx"):
        assert source.path is not None
        target = (path / source.path).resolve()
        if not target.is_relative_to(path):
            issues.add(config_file, CONFIG_FILE, "an export must be inside the workspace folder",
                       row=lines.get(here + ("path",)), column=f"sources.tables.{name}.path", value=source.path)
            return None
        if not target.is_file():
            issues.add(source.path, name, "the export file does not exist in the workspace folder")
            return None
        if kind == "xlsx":
            return read_xlsx_export(target, source.path, name, source.sheet, issues, source.date_format)
        return read_csv_export(target, source.path, name, issues, jira=kind == "jira-csv",
                               date_format=source.date_format)
    if kind == "sql":
        written = source.database or default_database
        if not written:
            _no_database(issues, config_file, lines, name)
            return None
        key = f"sources.tables.{name}.database" if source.database else "sources.database"
        line = lines.get(here + ("database",)) if source.database else lines.get(("sources", "database"))
        return database(written, key, line).read(name, name=source.table, query=source.query,
                                                 date_format=source.date_format)
    assert kind == "jira" and source.url is not None and source.jql is not None
    url = expand_env(source.url, f"sources.tables.{name}.url", secrets, issues, config_file, lines.get(here + ("url",)))
    user = token = None
    if source.user_env:
        user = env_value(source.user_env, f"sources.tables.{name}.user_env", secrets, issues, config_file,
                         lines.get(here + ("user_env",)))
    if source.token_env:
        token = env_value(source.token_env, f"sources.tables.{name}.token_env", secrets, issues, config_file,
                          lines.get(here + ("token_env",)))
    if url is None or (source.user_env and user is None) or (source.token_env and token is None):
        return None
    from .jira_rest import read_jira

    return read_jira(url, secrets.mask(public_url(source.url)), source.jql, user, token, source.columns, name,
                     secrets, issues)


def _no_database(issues: _Collector, config_file: str, lines: dict[tuple, int], name: str) -> None:
    issues.add(config_file, CONFIG_FILE, "the table is read from a database, but neither sources.database nor "
               f"sources.tables.{name}.database names one", row=lines.get(("sources", "tables", name)),
               column=f"sources.tables.{name}")
    return None


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
