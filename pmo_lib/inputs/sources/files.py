"""Exports inside the workspace: Jira's "Export CSV (all fields)", any CSV export, any xlsx sheet."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..exceptions import _Collector
from .mapping import SourceRows


def read_csv_export(path: Path, label: str, table: str, issues: _Collector, *, jira: bool,
                    date_format: str | None = None) -> SourceRows | None:
    """Read a CSV export as records, keeping repeated headers (one ``Labels`` column per value) and line numbers.

    The line of a row is the line of the file on which it starts: a Jira description
    spanning several lines moves the rows after it down, as an editor shows them.
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # Jira writes a byte-order mark
    except UnicodeDecodeError as exc:
        issues.add(label, table, f"the export is not UTF-8 encoded (byte 0x{raw[exc.start]:02x} at position "
                   f"{exc.start}); export it again as UTF-8")
        return None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") and not jira else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    records: list[dict[str, list[Any]]] = []
    positions: list[str] = []
    try:
        line = 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if not header:
                if not any(c.strip() for c in row):
                    continue
                header = [c.strip() for c in row]
                continue
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
                issues.add(f"{label} line {start}", table, f"the row has {len(row)} cells but the header has "
                           f"{len(header)}; is a value's comma not quoted?")
            record: dict[str, list[Any]] = {}
            for name, cell in zip(header, row):
                record.setdefault(name, [])
                if cell.strip():
                    record[name].append(cell.strip())
            records.append(record)
            positions.append(f"line {start}")
    except csv.Error as exc:
        issues.add(f"{label} line {reader.line_num}", table, f"the export is not valid CSV: {exc}")
        return None
    if not header:
        issues.add(label, table, "the export is empty: it has no header row")
        return None
    return SourceRows(label, list(dict.fromkeys(header)), records, positions,
                      {"from": "jira-csv" if jira else "csv", "source": label, "query": None},
                      date_format=date_format, key_word="issue" if jira else None)


def read_xlsx_export(path: Path, label: str, table: str, sheet: str | None, issues: _Collector,
                     date_format: str | None = None) -> SourceRows | None:
    """Read one sheet of a workbook export (Smartsheet, MS Project, Excel); row 1 holds the headers.

    Cells are read as the values the workbook last computed, so an export with
    formulas gives their results.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        issues.add(label, table, f"the workbook cannot be opened: {exc}")
        return None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            issues.add(label, table, f"the workbook has no sheet {sheet!r}; it has {', '.join(book.sheetnames)}")
            return None
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header: list[str] = []
        records: list[dict[str, list[Any]]] = []
        positions: list[str] = []
        for number, row in enumerate(rows, start=1):
            if not header:
                if not any(c is not None and str(c).strip() for c in row):
                    continue
                header = [str(c).strip() if c is not None else "" for c in row]
                continue
            if all(c is None or str(c).strip() == "" for c in row):
                continue
            record: dict[str, list[Any]] = {}
            for name, cell in zip(header, row):
                if not name:
                    continue
                record.setdefault(name, [])
                if cell is not None and str(cell).strip() != "":
                    record[name].append(cell.strip() if isinstance(cell, str) else cell)
            records.append(record)
            positions.append(f"sheet {ws.title} row {number}")
    finally:
        book.close()
    if not header:
        issues.add(label, table, "the sheet is empty: it has no header row")
        return None
    return SourceRows(label, [h for h in dict.fromkeys(header) if h], records, positions,
                      {"from": "xlsx", "source": label, "sheet": ws.title, "query": None}, date_format=date_format)
