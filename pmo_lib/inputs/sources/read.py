"""Reading a workspace whose pmo.yaml names sources: from the last pull, or live from the sources themselves."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pandas as pd

from ..config import CONFIG_FILE, Config, TableSource
from ..exceptions import Problem, _Collector
from ..tables import TABLES
from .mapping import Pulled, Secrets, SourceRows, env_value, expand_env, map_rows, public_url, relocate
from .snapshot import (DATA_DIR, SOURCES_FILE, _settings, _sha256, read_snapshot, settings_parts, source_label,
                       sourced_description)


@dataclass
class Sourced:
    """What the sources gave a workspace load: where each table came from and, read live, the pulled tables."""

    live: bool
    pulled: dict[str, Pulled] = field(default_factory=dict)
    snapshot: dict[str, Any] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)  # table -> "Jira CSV export exports/jira.csv"
    failed: set[str] = field(default_factory=set)  # tables whose source could not be read (and said why)
    origins: dict[str, str] = field(default_factory=dict)  # table -> its source as pmo.yaml names it

    def relocate(self, problems: list[Problem]) -> list[Problem]:
        """Problems named by the sources' keys; a table whose source failed is not also "missing"."""
        kept = [p for p in problems if not (p.table in self.failed and p.message.startswith("required table"))]
        return relocate(kept, self.pulled) if self.pulled else kept

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
    hand_csvs = [p for p in sorted(data_dir.glob("*.csv"))
                 if p.stem not in pulled_before and not p.name.startswith(".")] if data_dir.is_dir() else []
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
            sourced.origins[name] = table.label
        sourced.snapshot = {"tables": {n: t.record for n, t in pulled.items()}}
        return frames, labels, files, sourced

    wanted = set(config.sources.tables) | (pulled_before if config.sources.database else set())
    if not snapshot:
        issues.add(str(path), "", f"{CONFIG_FILE} names sources but they were never pulled; run 'pmo pull {path}' "
                   "(or 'pmo run --pull') first")
        return frames, labels, files, sourced
    files.append(data_dir / SOURCES_FILE)
    sourced.snapshot = snapshot
    again = f"run 'pmo pull {path}' (or 'pmo run --pull')"
    stale: list[str] = []
    for name in sorted(wanted):
        record = snapshot["tables"].get(name)
        csv_path = data_dir / f"{name}.csv"
        if record is None or not csv_path.is_file():
            issues.add(str(path), name, f"the table comes from a source but is not in the last pull; {again}")
            sourced.failed.add(name)
            continue
        if _stale(record, config.sources.tables.get(name), config.sources.database, config.timezone):
            stale.append(name)
            sourced.failed.add(name)
            continue
        files.append(csv_path)
        frame = read_csv(csv_path, str(csv_path), name, issues)
        if frame is None:
            continue
        sourced.descriptions[name] = sourced_description(record)
        sourced.origins[name] = source_label(name, record)
        _claim(name, frame, str(csv_path), frames, labels, issues)
    if stale:
        issues.problems.extend(_what_changed(path, config, lines, snapshot, stale, again))
    return frames, labels, files, sourced


def _serves(entry: TableSource | None) -> bool:
    """Whether ``sources.database`` serves a table: it has no entry, or an SQL entry without a database of its own."""
    return entry is None or (entry.source_kind == "sql" and not entry.database)


def _stale(record: dict[str, Any], entry: TableSource | None, database: str | None, zone: str) -> bool:
    """Whether pmo.yaml says something else of a pulled table's source than when it was pulled.

    A change of the database concerns only the tables it serves. A pull by an
    older kit recorded one fingerprint of everything, the database included.
    """
    recorded = record.get("settings_parts")
    if not isinstance(recorded, dict):
        return bool(record.get("settings") != _settings(entry, database, zone))
    now = settings_parts(entry, database, zone)
    return (recorded.get("entry") != now["entry"] or recorded.get("timezone") != zone
            or (_serves(entry) and recorded.get("database") != now["database"]))


def _what_changed(path: Path, config: Config, lines: dict[tuple, int], snapshot: dict[str, Any], stale: list[str],
                  again: str) -> list[Problem]:
    """Why the pulled tables ``stale`` no longer match pmo.yaml, each cause once with the tables it affects.

    The time zone and the database serve many tables at once; a table's own entry
    under ``sources.tables`` serves only it. A pull since the kit records each
    part's fingerprint; for an older pull the cause is told from what it recorded.
    """
    assert config.sources is not None
    config_file = str(path / CONFIG_FILE)
    when = f"in {CONFIG_FILE} since the last pull ({snapshot.get('pulled_at') or 'time unknown'})"
    records = {name: snapshot["tables"][name] for name in stale}

    def parts(name: str) -> dict[str, str] | None:
        recorded = records[name].get("settings_parts")
        return recorded if isinstance(recorded, dict) else None

    def affects(names: list[str]) -> str:
        return f"it affects {'the table' if len(names) == 1 else f'{len(names)} tables:'} {', '.join(names)}"

    database, zone = config.sources.database, config.timezone
    zones: dict[str, str] = {}  # table -> the time zone it was pulled in, when that changed
    db_changed, entry_changed = [], []
    for name in stale:
        record, recorded = records[name], parts(name)
        entry = config.sources.tables.get(name)
        was = (recorded or {}).get("timezone", snapshot.get("timezone"))
        if was is not None and was != zone:
            zones[name] = str(was)
        serves = _serves(entry)
        if recorded is not None:
            now = settings_parts(entry, database, zone)
            if serves and recorded.get("database") != now["database"]:
                db_changed.append(name)
            if recorded.get("entry") != now["entry"]:
                entry_changed.append(name)
        elif serves and record.get("from") == "sql" and record.get("source") != (public_url(database) if database
                                                                                 else None):
            db_changed.append(name)  # a pull by an older kit: told from what it recorded
    unexplained = [n for n in stale if n not in zones and n not in db_changed and n not in entry_changed]
    if unexplained and db_changed and not any(parts(n) for n in unexplained):
        db_changed += unexplained  # an older pull fingerprinted the database with every table
    else:
        entry_changed += unexplained
    out: list[Problem] = []
    if zones:
        names = list(zones)
        out.append(Problem(config_file, CONFIG_FILE, f"timezone changed from {' and '.join(sorted(set(zones.values())))} "
                           f"to {zone} {when}; {affects(names)}; {again} to pull them in the new time zone",
                           row=lines.get(("timezone",)), column="timezone"))
    if db_changed:
        old = sorted({str(records[n].get("source")) for n in db_changed if records[n].get("from") == "sql"})
        new = public_url(database) if database else "none"
        moved = f"from {' and '.join(old)} to {new}" if old and old != [new] else "(its address or credentials)"
        out.append(Problem(config_file, CONFIG_FILE, f"sources.database changed {moved} {when}; {affects(db_changed)}; "
                           f"{again}", row=lines.get(("sources", "database")), column="sources.database"))
    for name in entry_changed:
        here = ("sources", "tables", name)
        what = f"sources.tables.{name}" if name in config.sources.tables else f"the source of the table {name}"
        out.append(Problem(config_file, CONFIG_FILE, f"{what} changed {when}; {again}",
                           row=lines.get(here), column=".".join(here) if name in config.sources.tables else None))
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
                table.record["settings_parts"] = settings_parts(sources.tables.get(name), sources.database,
                                                                config.timezone)
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
