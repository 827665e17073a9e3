"""What every source shares: secrets from the environment, source rows, and their mapping onto a kit table.

A reader turns its source into :class:`SourceRows`: one record per source row, each
a mapping of source column to the values it holds (usually one; a Jira export
repeats a header such as ``Labels`` once per value, a Jira field may hold a list).
:func:`map_rows` then renames the columns (``columns:``), translates the values
(``values:``), turns timestamps into dates in the workspace's time zone and yields the
kit table as text, the form a CSV file of the workspace has, with where each row came
from. Problems go to a collector and name the source's own key.
"""
from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from ..config import CONFIG_FILE, TableSource
from ..exceptions import Problem, _Collector
from ..tables import TABLES, TableSpec

#: Default columns of a Jira export, and what ``from: jira`` names the same facts.
JIRA_COLUMNS = {"item_id": "Issue key", "item_type": "Issue Type", "created": "Created", "finished": "Resolved"}
#: What started means for ``from: jira``: the changelog's first move into an "In Progress" status.
JIRA_STARTED = "Started (first move to In Progress)"
#: Jira issue types as kit item types; ``values:`` overrides or adds to it.
JIRA_TYPES = {"Story": "feature", "Task": "feature", "Feature": "feature", "Bug": "defect", "Risk": "risk",
              "Tech debt": "debt", "Technical debt": "debt"}
CATCH_ALL = "*"
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PREVIEW = 3


class Secrets:
    """Every value taken from the environment for a source; :meth:`mask` hides them in any text."""

    def __init__(self) -> None:
        self.values: set[str] = set()

    def add(self, value: str | None) -> None:
        if value:
            self.values.add(value)
            from urllib.parse import quote, quote_plus
            self.values.update({quote(value, safe=""), quote_plus(value)})

    def mask(self, text: object) -> str:
        out = str(text)
        for value in sorted(self.values, key=len, reverse=True):
            out = out.replace(value, "***")
        return out


def expand_env(text: str, key: str, secrets: Secrets, issues: _Collector, config_file: str,
               line: int | None) -> str | None:
    """``text`` with each ``${NAME}`` replaced by that environment variable; ``None`` when one is not set.

    In a URL's user and password (``scheme://user:${PASSWORD}@host``) the value is
    percent-encoded, so a password with ``@``, ``/`` or ``#`` still makes a valid URL.
    """
    missing = [name for name in _ENV.findall(text) if name not in os.environ]
    for name in dict.fromkeys(missing):
        issues.add(config_file, CONFIG_FILE, f"the environment variable {name} is not set; {key} needs it "
                   "(credentials come from the environment, never from the workspace)", row=line, column=key)
    if missing:
        return None

    def value(match: re.Match) -> str:
        secret = os.environ[match.group(1)]
        secrets.add(secret)
        return secret

    def quoted(match: re.Match) -> str:
        from urllib.parse import quote
        return quote(value(match), safe="")

    userinfo = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@", text)
    if userinfo:
        head = userinfo.group(1) + _ENV.sub(quoted, userinfo.group(2)) + "@"
        return head + _ENV.sub(value, text[userinfo.end():])
    return _ENV.sub(value, text)


def env_value(name: str, key: str, secrets: Secrets, issues: _Collector, config_file: str,
              line: int | None) -> str | None:
    """The environment variable ``name`` (from ``user_env`` or ``token_env``), kept secret."""
    if name not in os.environ:
        issues.add(config_file, CONFIG_FILE, f"the environment variable {name} is not set; {key} names it",
                   row=line, column=key)
        return None
    secrets.add(os.environ[name])
    return os.environ[name]


def public_url(text: str) -> str:
    """A URL as pmo.yaml writes it, without user and password: fit for logs, errors and the manifest."""
    text = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", r"\1", text)
    return re.sub(r"([?&](?:password|passwd|pwd|token|secret|api_key|apikey)=)[^&#]*", r"\1***", text, flags=re.I)


@dataclass
class SourceRows:
    """A source read as records of source column -> values, with where each came from.

    Attributes
    ----------
    label : str
        The source as the user names it: an export's path, a database table, a Jira site.
    header : list of str
        Source column names in the source's order (repeated names once).
    records : list of dict
        One per source row: column -> list of values (an empty list for an empty cell).
    positions : list of str
        Each row's place in the source: "line 14", "sheet Plan row 5", "issue PROJ-12"; may be empty.
    record : dict
        What ``data/_sources.json`` says of the source: from, source, query.
    key_columns : list of str
        Source columns that identify a row (a database table's primary key); default the kit table's key.
    """

    label: str
    header: list[str]
    records: list[dict[str, list[Any]]]
    positions: list[str]
    record: dict[str, Any]
    key_columns: list[str] = field(default_factory=list)
    date_format: str | None = None
    key_word: str | None = None  # "issue": the key reads "issue PROJ-12" rather than "Issue key 'PROJ-12'"


@dataclass
class Pulled:
    """A kit table read from a source: its text frame and, per row, where the row came from."""

    table: str
    frame: pd.DataFrame
    where: list[str]
    label: str
    record: dict[str, Any]
    columns: dict[str, str]  # kit column -> source column it came from
    reported: set[tuple[int, str]] = field(default_factory=set)  # (row, kit column) already reported


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return value.isoformat()
    return str(value).strip()


_DATE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M%z",
    "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
    "%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d/%b/%y %H:%M", "%d/%b/%Y %H:%M", "%d/%b/%y", "%d/%b/%Y",
    "%d %b %Y", "%d-%b-%Y",
)


def to_date(value: Any, zone: ZoneInfo, date_format: str | None = None) -> str | None:
    """The ISO date (YYYY-MM-DD) of a source timestamp in ``zone``; ``""`` when empty, ``None`` when unreadable.

    A timestamp with a zone or offset is converted to ``zone`` first; one without is
    taken to be in ``zone`` already (as Jira writes its exports in the exporting
    user's time zone).
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return ""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text  # the loader checks that it is a real calendar date
    text = re.sub(r"([+-]\d{2}):?(\d{2})$", r"\1\2", text.replace("Z", "+0000") if text.endswith("Z") else text)
    for fmt in ((date_format,) if date_format else ()) + _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return to_date(parsed, zone)
    return None


def _lookup(name: str, header: list[str], *, jira: bool) -> str | None:
    """The source column ``name`` refers to: exact, then ignoring case, then Jira's ``Custom field (name)``."""
    if name in header:
        return name
    folded = {h.casefold(): h for h in header}
    if name.casefold() in folded:
        return folded[name.casefold()]
    if jira:
        custom = f"custom field ({name})".casefold()
        if custom in folded:
            return folded[custom]
    return None


def _close_columns(name: str, header: list[str], *, jira: bool, most: int = 3) -> list[str]:
    """The source columns most like ``name``, closest first (difflib), ignoring case and Jira's ``Custom field (…)``."""
    def bare(column: str) -> str:
        inner = re.fullmatch(r"custom field \((.*)\)", column.casefold()) if jira else None
        return inner.group(1) if inner else column.casefold()

    wanted = name.casefold()
    scored = [(difflib.SequenceMatcher(None, wanted, bare(h)).ratio(), i, h) for i, h in enumerate(header)]
    return [h for score, _, h in sorted(scored, key=lambda t: (-t[0], t[1])) if score >= 0.5][:most]


def _value_map(table: str, column: str, source: TableSource, kind: str) -> dict[str, str] | None:
    """The value map of one kit column, casefolded: the kind's defaults, then pmo.yaml's ``values:``."""
    out: dict[str, str] = {}
    if table == "work_items" and column == "item_type" and kind in ("jira-csv", "jira"):
        out.update({k.casefold(): v for k, v in JIRA_TYPES.items()})
        out.update({v: v for v in TABLES["work_items"].column("item_type").choices})
    given = source.values.get(column)
    if given is not None:
        out.update({str(k).strip().casefold(): str(v) for k, v in given.items()})
    return out or None


def map_rows(table: str, rows: SourceRows, source: TableSource, kind: str, zone: ZoneInfo,
             issues: _Collector, *, config_file: str, lines: dict[tuple, int]) -> Pulled | None:
    """Map a source's rows onto the kit table ``table``, as text; ``None`` when the columns cannot be matched."""
    spec: TableSpec = TABLES[table]
    here = ("sources", "tables", table)
    jira = kind in ("jira-csv", "jira")
    failed = False
    for part in ("columns", "values"):
        for name in getattr(source, part):
            if name not in spec.column_names:
                close = difflib.get_close_matches(name, spec.column_names, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"its columns are {', '.join(spec.column_names)}"
                issues.add(config_file, CONFIG_FILE, f"the {table} table has no column {name!r}; {hint}",
                           row=lines.get(here + (part, name)), column=".".join(here + (part, name)))
                failed = True
    defaults = dict(JIRA_COLUMNS) if jira and table == "work_items" else {}
    if kind == "jira" and table == "work_items":
        defaults["started"] = JIRA_STARTED
    chosen: dict[str, str] = {}
    for col in spec.columns:
        wanted = source.columns.get(col.name)
        if wanted is not None:
            found = _lookup(wanted, rows.header, jira=jira)
            if found is None:
                close = _close_columns(wanted, rows.header, jira=jira)
                rest = close + [h for h in rows.header if h not in close]
                hint = (f"did you mean {' or '.join(repr(c) for c in close)}? It has {_listing(rest)}" if close
                        else f"it has {_listing(rest)}")
                issues.add(config_file, CONFIG_FILE, f"{rows.label} has no column {wanted!r}; {hint}",
                           row=lines.get(here + ("columns", col.name)),
                           column=".".join(here + ("columns", col.name)))
                failed = True
                continue
            chosen[col.name] = found
            continue
        found = _lookup(defaults[col.name], rows.header, jira=jira) if col.name in defaults else None
        found = found or _lookup(col.name, rows.header, jira=False)
        if found is not None:
            chosen[col.name] = found
        elif col.present:
            close = difflib.get_close_matches(col.name, rows.header, n=1, cutoff=0.5)
            hint = f"; perhaps {close[0]!r}" if close else f"; it has {_listing(rows.header)}"
            issues.add(config_file, CONFIG_FILE,
                       f"nothing in {rows.label} gives the {table} column {col.name!r}: name the source column "
                       f"under columns{hint}", row=lines.get(here) , column=".".join(here + ("columns", col.name)))
            failed = True
    if failed:
        return None

    where = [_where(rows, i, spec, chosen) for i in range(len(rows.records))]
    data: dict[str, list[str]] = {}
    reported: set[tuple[int, str]] = set()
    for col in spec.columns:
        if col.name not in chosen:
            continue
        src = chosen[col.name]
        mapping = _value_map(table, col.name, source, kind)
        unmapped: Counter[str] = Counter()
        unmapped_rows: dict[str, list[str]] = {}
        several: list[tuple[int, str]] = []  # rows whose values map to more than one kit value
        out: list[str] = []
        for i, record in enumerate(rows.records):
            values = [v for v in record.get(src, []) if _text(v) != ""]
            text, problem = _one_value(values, mapping, col.kind, zone, rows.date_format)
            if problem == "unmapped":
                for v in dict.fromkeys(_text(v) for v in values):
                    unmapped[v] += 1
                    unmapped_rows.setdefault(v, []).append(where[i][len(rows.label):].strip() or where[i])
                reported.add((i, col.name))
            elif problem in (_SEVERAL, _SEVERAL_MAPPED):
                several.append((i, " + ".join(dict.fromkeys(_text(v) for v in values))))
                reported.add((i, col.name))
            elif problem:
                issues.add(where[i], table, problem, column=_column(col.name, src),
                           value=", ".join(_text(v) for v in values))
                reported.add((i, col.name))
            out.append(text)
        if len(several) == 1:
            (i, value), = several
            issues.add(where[i], table, _several_text(col.name, src, mapping), column=_column(col.name, src),
                       value=value)
        elif several:
            first = [f"{where[i][len(rows.label):].strip() or where[i]}: {value}" for i, value in several]
            issues.add(rows.label, table, f"{_several_text(col.name, src, mapping)} ({_rows(len(several))}: "
                       f"{_listing(first, _PREVIEW)})", column=_column(col.name, src))
        for value, count in unmapped.most_common():
            issues.add(rows.label, table,
                       f"{src} {value!r} is not mapped ({_rows(count)}: {_listing(unmapped_rows[value], _PREVIEW)}); "
                       f"add it under values.{col.name} in {CONFIG_FILE}, or a catch-all '{CATCH_ALL}'",
                       column=_column(col.name, src), value=value)
        data[col.name] = out
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows.records)), dtype=object)
    return Pulled(table, frame, where, rows.label, dict(rows.record), chosen, reported)


_SEVERAL = "several"  # a cell holds several values and no map picks one
_SEVERAL_MAPPED = "several mapped"  # a cell's values map to more than one kit value


def _several_text(column: str, source: str, mapping: dict[str, str] | None) -> str:
    if mapping is None:
        return (f"{source} holds several values in a row; map the one that counts under values.{column} in "
                f"{CONFIG_FILE}")
    return (f"{source} holds several values in a row that map to different {column} values; keep one in the "
            f"source, or map only the one that counts under values.{column} in {CONFIG_FILE}")


def _one_value(values: list[Any], mapping: dict[str, str] | None, kind: str, zone: ZoneInfo,
               date_format: str | None) -> tuple[str, str | None]:
    """The kit text of one cell, from the source values it holds, and the problem, if any."""
    if mapping is not None and values:
        hits = [mapping[_text(v).casefold()] for v in values if _text(v).casefold() in mapping]
        if not hits and CATCH_ALL in mapping:
            hits = [mapping[CATCH_ALL]]
        if not hits:
            return _text(values[0]), "unmapped"
        if len(set(hits)) > 1:
            return "", _SEVERAL_MAPPED
        return hits[0], None
    if len({_text(v) for v in values}) > 1:
        return "", _SEVERAL
    if not values:
        return "", None
    value = values[0]
    if kind == "date":
        date = to_date(value, zone, date_format)
        if date is None:
            return _text(value), ("expected a date such as 2024-03-12, 2024-03-12 09:41 or 12/Mar/24 9:41 AM; "
                                  "set date_format for other forms")
        return date, None
    if isinstance(value, (dt.datetime, dt.date)) and kind in ("id", "text"):
        return to_date(value, zone) or "", None
    return _text(value), None


def _where(rows: SourceRows, i: int, spec: TableSpec, chosen: dict[str, str]) -> str:
    record = rows.records[i]
    if rows.key_word and spec.key:
        key = ", ".join(_text(v) for v in record.get(chosen.get(spec.key[0], ""), [])[:1])
        key_text = f"{rows.key_word} {key}" if key else ""
    else:
        columns = rows.key_columns or [chosen[k] for k in spec.key if k in chosen]
        key_text = ", ".join(f"{c} {_text(record.get(c, [''])[0] if record.get(c) else '')!r}" for c in columns)
    position = rows.positions[i] if i < len(rows.positions) else ""
    if position and key_text:
        return f"{rows.label} {position} ({key_text})"
    if key_text:
        return f"{rows.label} ({key_text})" if not rows.key_word else f"{rows.label} {key_text}"
    return f"{rows.label} {position}".strip()


def _column(kit: str, source: str) -> str:
    return kit if kit == source else f"{kit} (from '{source}')"


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _listing(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def relocate(problems: list[Problem], pulled: dict[str, Pulled]) -> list[Problem]:
    """Problems of pulled tables named by the source's own key rather than a row of a file that is not there.

    A problem with a row of a pulled table takes that row's place in the source; one
    already reported while mapping (an unmapped value) is dropped; problems that
    differ only in where they are (the same unknown initiative in 40 issues) become one,
    with their count and the first few keys.
    """
    out: list[Problem] = []
    groups: dict[tuple, list[Problem]] = {}
    order: list[tuple] = []
    for p in problems:
        source = pulled.get(p.table)
        if source is None:
            out.append(p)
            continue
        column = p.column
        kit_column = column.split(" ")[0] if column else None
        if p.row is not None and 0 <= p.row < len(source.where):
            if kit_column is not None and (p.row, kit_column) in source.reported:
                continue
            message = re.sub(r"first appears in row (\d+)",
                             lambda m: f"first appears at {_position(source, int(m.group(1)))}", p.message)
            if kit_column in source.columns and column == kit_column:
                column = _column(kit_column, source.columns[kit_column])
            p = Problem(source.where[p.row], p.table, message, None, column, p.value)
            key = (p.table, p.column, p.message, repr(p.value))
            if key not in groups:
                order.append(key)
                out.append(p)
            groups.setdefault(key, []).append(p)
        else:
            out.append(Problem(p.file, p.table, p.message, p.row, column, p.value))
    for key in order:
        same = groups[key]
        if len(same) > 1:
            first = same[0]
            merged = Problem(pulled[first.table].label, first.table,
                             f"{first.message} ({_rows(len(same))}: "
                             f"{_listing([_short(pulled[first.table], q.file) for q in same], _PREVIEW)})",
                             None, first.column, first.value)
            out[next(i for i, q in enumerate(out) if q is first)] = merged
    return out


def _position(source: Pulled, row: int) -> str:
    return _short(source, source.where[row]) if 0 <= row < len(source.where) else f"row {row}"


def _short(source: Pulled, where: str) -> str:
    return where[len(source.label):].strip() if where.startswith(source.label) else where
