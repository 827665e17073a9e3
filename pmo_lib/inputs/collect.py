"""Collecting returned questionnaires into a workspace's assessment table, in either form.

A first collection needs only pmo.yaml, the maturity model and the cycle: the
rest of the workspace may still be empty. A ``data.xlsx`` workspace gets its
``assessment`` sheet written and keeps everything else; a CSV workspace gets
``data/assessment.csv``. Either is replaced atomically.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.styles import Alignment

from .config import Config
from .exceptions import InputError, PmoError, Problem
from .model import MaturityModel
from .questionnaire import DONT_KNOW, HEADER_FILL, HEADER_FONT, read_returned


ASSESSMENT = "assessment"


class ReturnedError(InputError):
    """Returned questionnaires have problems; every one is listed, and nothing was written."""

    def _summary(self) -> str:
        from .text import plural

        head = f"{plural(len(self.problem_list), 'problem')} in the returned questionnaires"
        if self.workspace is not None:
            head += f" in {self.workspace}"
        return head + "; nothing was collected:\n" + "\n".join(f"  - {p.format()}" for p in self.problem_list)


def shown(path: Path) -> Path:
    """A path as a user would type it: relative to the working folder when it is inside it."""
    try:
        return Path(path).relative_to(Path.cwd())
    except ValueError:
        return Path(path)
_BLANKS_SHOWN = 5


def workspace_settings(path: str | Path) -> tuple[Config, MaturityModel]:
    """A workspace's configuration and maturity model, without reading (or needing) its input tables.

    Raises
    ------
    ConfigError
        When pmo.yaml or the maturity model is invalid.
    PmoError
        When the maturity model pmo.yaml names is missing or outside the workspace.
    """
    from .config import load_config
    from .model import load_model
    from .resources import TEMPLATES_DIR

    path = Path(path).resolve()
    config = load_config(path)
    if not config.maturity_model:
        return config, load_model(TEMPLATES_DIR / "maturity_model.yaml")
    target = (path / config.maturity_model).resolve()
    if not (target.is_relative_to(path) and target.is_file()):
        raise PmoError(f"maturity_model in pmo.yaml names {config.maturity_model!r}, which is not a file inside {path}")
    return config, load_model(target)


def raw_tables(path: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """The workspace's tables as text, example rows left out, without validating them; and what could not be read."""
    from .exceptions import _Collector
    from .workspace import _read_raw

    issues = _Collector()
    frames, _, _ = _read_raw(Path(path), issues)
    return frames, issues.problems


@dataclass
class SourcedTables:
    """The tables of a workspace whose pmo.yaml names sources, read live, without validating them.

    Attributes
    ----------
    frames : dict of str to DataFrame
        Every table as text: the sourced ones mapped from their sources, the others
        from the workspace's own files.
    sources : dict of str to str
        Each sourced table's source as a person names it ("Jira CSV export exports/jira.csv").
    own : str
        Where the tables with rows that are not sourced are kept: "data.xlsx", "CSV files in data/" or "".
    failed : set of str
        The tables whose source could not be read.
    problems : list of Problem
        What could not be read or mapped.
    """

    frames: dict[str, pd.DataFrame]
    sources: dict[str, str]
    own: str
    failed: set[str]
    problems: list[Problem]


def sourced_tables(path: Path, config: Config) -> SourcedTables:
    """Read a workspace whose pmo.yaml has ``sources:`` as ``pmo validate`` does: sourced tables from their sources."""
    from .exceptions import _Collector
    from .sources import read_with_sources
    from .workspace import WORKBOOK, _read_csv, _read_workbook

    issues = _Collector()
    frames, labels, _, sourced = read_with_sources(Path(path), config, {}, issues, live=True, read_csv=_read_csv,
                                                   read_workbook=_read_workbook, workbook_name=WORKBOOK)
    own = {label for name, label in labels.items() if name not in sourced.descriptions and len(frames[name])}
    where = ([WORKBOOK] if any(WORKBOOK in label for label in own) else []) + \
        (["CSV files in data/"] if any(label.endswith(".csv") for label in own) else [])
    return SourcedTables(frames, dict(sourced.descriptions), " and ".join(where), set(sourced.failed),
                         issues.problems)


def known_cycles(frames: dict[str, pd.DataFrame]) -> list[str]:
    """The cycle names a raw cycles table holds, ordered by start date (best effort: it is not validated)."""
    cycles = frames.get("cycles")
    if cycles is None or "cycle" not in cycles.columns:
        return []
    table = cycles.assign(_name=cycles["cycle"].astype(str).str.strip(),
                          _start=cycles["start_date"].astype(str).str.strip() if "start_date" in cycles.columns
                          else "")
    table = table[table["_name"] != ""].sort_values("_start", kind="stable")
    return list(dict.fromkeys(table["_name"]))


@dataclass
class Collection:
    """What one ``collect_responses`` did: the answers merged and what a consultant should know about them.

    Attributes
    ----------
    cycle : str
        The cycle the answers were filed under.
    path : Path
        The file written: ``data/assessment.csv`` or ``data.xlsx``.
    answers : DataFrame
        The merged answers: ``respondent_id, role, item_id, score, file``; an empty score is a blank or "Don't know".
    files : list of Path
        The workbooks read, earliest first (modification time, then name).
    twice : list of tuple
        ``(respondent_id, earlier file, later file)`` for each respondent who returned more than one
        workbook; the later file's answers are the ones kept.
    replaced : int
        Respondents whose earlier answers for the cycle were in the table and were replaced.
    created : bool
        Whether the assessment table had to be created.
    roles : list of str, optional
        The roles pmo.yaml expects, if it lists them.
    notes : list of str
        Anything else worth saying (a cycle not yet in the cycles table).
    """

    cycle: str
    path: Path
    answers: pd.DataFrame
    files: list[Path]
    twice: list[tuple[str, Path, Path]]
    replaced: int
    created: bool
    roles: list[str] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def respondents(self) -> int:
        return int(self.answers["respondent_id"].nunique())

    @property
    def where(self) -> str:
        """The file written, relative to the working folder when it is inside it."""
        path = shown(self.path)
        return f"{path}, sheet {ASSESSMENT}" if path.suffix == ".xlsx" else str(path)

    def per_role(self) -> dict[str, int]:
        """Questionnaires returned per role: the expected roles first (zero when none came back), then any other."""
        counts = self.answers.drop_duplicates("respondent_id")["role"].value_counts()
        out = {role: int(counts.get(role, 0)) for role in (self.roles or [])}
        for role, n in counts.items():
            out.setdefault(str(role), int(n))
        return out

    def blanks(self) -> pd.Series:
        """Per statement, how many respondents left it blank or answered "Don't know"; most first, zeros left out."""
        empty = self.answers[self.answers["score"].isna()]
        counts = empty.groupby("item_id", sort=False)["respondent_id"].nunique()
        return counts[counts > 0].sort_values(ascending=False, kind="stable")

    def summary(self) -> list[str]:
        """The short report the command line prints."""
        from .text import plural

        created = f" (the {ASSESSMENT} table was created)" if self.created else ""
        lines = [f"Collected {plural(self.respondents, 'questionnaire')} ({plural(len(self.answers), 'answer')}) "
                 f"for cycle {self.cycle} into {self.where}{created}."]
        roles = self.per_role()
        lines.append(f"  Returned per role: {', '.join(f'{role} {n}' for role, n in roles.items())}.")
        for respondent, earlier, later in self.twice:
            lines.append(f"  {respondent} answered twice: kept {later.name}, the later file, "
                         f"and left out {earlier.name}.")
        blanks = self.blanks()
        if len(blanks):
            shown = ", ".join(f"{item} ({n} of {self.respondents})" for item, n in blanks.head(_BLANKS_SHOWN).items())
            more = f", and {plural(len(blanks) - _BLANKS_SHOWN, 'more statement')}" if len(blanks) > _BLANKS_SHOWN else ""
            lines.append(f"  Most often left blank or \u201c{DONT_KNOW}\u201d: {shown}{more}.")
        else:
            lines.append("  No statement was left blank.")
        if self.replaced:
            lines.append(f"  Replaced the earlier answers of {plural(self.replaced, 'respondent')} "
                         f"in cycle {self.cycle}.")
        lines += [f"  {note}" for note in self.notes]
        return lines


def _returned_files(folder: Path) -> list[Path]:
    """The returned workbooks, earliest first: by modification time, then by name."""
    files = [p for p in folder.glob("*.xlsx") if not p.name.startswith(("~$", "."))]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def _resolve_collect_cycle(cycle: str | None, known: list[str]) -> tuple[str, list[str]]:
    if cycle is None:
        if not known:
            raise PmoError("the cycles table has no cycle yet; say which cycle the answers belong to, "
                           "e.g. --cycle 2026-Q3")
        return known[-1], []
    cycle = str(cycle).strip()
    if not cycle:
        raise PmoError("the cycle is empty; give the cycle the answers belong to, e.g. --cycle 2026-Q3")
    if known and cycle not in known:
        raise PmoError(f"cycle {cycle!r} is not in the cycles table; known {'cycle' if len(known) == 1 else 'cycles'}: "
                       f"{', '.join(known)}. "
                       "Add it to the cycles table first")
    if not known:
        return cycle, [f"Cycle {cycle} is not in the cycles table yet; add it there before validating."]
    return cycle, []


def collect_responses(workspace, folder: str | Path, *, cycle: str | None = None) -> Collection:
    """Merge returned questionnaire workbooks into the workspace's assessment table.

    Only pmo.yaml, the maturity model and the cycle are needed: the rest of the
    workspace may still be incomplete, and the assessment table is created when
    it is missing (``data/assessment.csv``, or an ``assessment`` sheet in
    ``data.xlsx``). In a workbook only the ``assessment`` sheet changes; every
    other sheet, drop-down, note and format is kept.

    Every ``*.xlsx`` in ``folder`` is read, earliest first (modification time,
    then name). A respondent who returned two workbooks is reported and the later
    one is kept. The answers replace any earlier rows of the same cycle and
    respondent, so collecting the same files twice gives the same table. Unknown
    statements, out-of-scale answers, empty roles and, when pmo.yaml lists the
    roles, roles outside that list are all reported together, each with its
    file, sheet, row and column, and nothing is written. The file is replaced
    atomically: on any error it is left as it was.

    Parameters
    ----------
    workspace : Workspace or path
        The workspace folder (or a loaded workspace).
    folder : path
        The returned workbooks.
    cycle : str, optional
        The cycle the answers belong to; default the latest cycle of the cycles table.

    Returns
    -------
    Collection
    """
    from .workspace import DATA_DIR, WORKBOOK, Workspace

    if isinstance(workspace, Workspace):
        path, config, model = workspace.path, workspace.config, workspace.model
    else:
        path = Path(workspace).expanduser().resolve()
        if not path.is_dir():
            raise PmoError(f"workspace {str(path)!r} is not a folder; create one with 'pmo init {path}'")
        config, model = workspace_settings(path)
    folder = Path(folder)
    if not folder.is_dir():
        raise PmoError(f"{folder} is not a folder; give the folder that holds the returned questionnaires")
    files = _returned_files(folder)
    if not files:
        raise PmoError(f"no questionnaire workbooks (*.xlsx) in {folder}")
    workbook, data_dir = path / WORKBOOK, path / DATA_DIR
    if workbook.is_file() and data_dir.is_dir():
        raise PmoError(f"both {DATA_DIR}/ and {WORKBOOK} are present in {path}; keep only one source of tables")
    frames, _ = raw_tables(path) if (workbook.is_file() or data_dir.is_dir()) else ({}, [])
    cycle, notes = _resolve_collect_cycle(cycle, known_cycles(frames))

    problems: list[Problem] = []
    chosen: dict[str, tuple[Path, pd.DataFrame, list[Problem]]] = {}
    unplaced: list[Problem] = []
    twice: list[tuple[str, Path, Path]] = []
    for file in files:
        answers, found = read_returned(file, model, settings=config.questionnaire)
        respondent = answers.attrs.get("respondent_id")
        if respondent is None:
            unplaced += found
            continue
        if respondent in chosen:
            twice.append((respondent, chosen[respondent][0], file))
        chosen[respondent] = (file, answers.assign(file=file.name), found)  # the later file wins
    problems = unplaced + [p for _, _, found in chosen.values() for p in found]
    if problems:
        raise ReturnedError(problems, workspace=folder)
    if not chosen:
        raise PmoError(f"no answers found in the workbooks in {folder}")
    new = pd.concat([frame for _, frame, _ in chosen.values()], ignore_index=True)
    if workbook.is_file():
        target, created, replaced = workbook, *_merge_workbook(workbook, new, cycle)
    else:
        target = data_dir / f"{ASSESSMENT}.csv"
        created, replaced = _merge_csv(target, new, cycle)
    return Collection(cycle=cycle, path=target, answers=new, files=files, twice=twice, replaced=replaced,
                      created=created, roles=list(config.questionnaire.roles) if config.questionnaire.roles else None,
                      notes=notes)


def _score_text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


def _atomic_write(target: Path, write) -> None:
    """Write ``target`` through a temporary file in its folder, then replace it in one step."""
    import os
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except PermissionError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PmoError(f"cannot write {target}: {exc.strerror or exc}; close it if it is open in Excel "
                       "and collect again") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _merge_csv(target: Path, new: pd.DataFrame, cycle: str) -> tuple[bool, int]:
    """Merge into ``data/assessment.csv``, keeping its separator and byte-order mark; (created, replaced)."""
    import io

    from .tables import TABLES

    columns = [c.name for c in TABLES[ASSESSMENT].columns if c.present]  # an optional column (unit) is typed in later
    sep, encoding, created = ",", "utf-8", not target.is_file()
    current = pd.DataFrame(columns=columns)
    if not created:
        raw = target.read_bytes()
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PmoError(f"{target} is not UTF-8 encoded; save it as 'CSV UTF-8' and collect again") from exc
        if text.strip():
            header = text.splitlines()[0]
            sep = ";" if header.count(";") > header.count(",") else ","
            current = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
            current.columns = [str(c).strip() for c in current.columns]
    missing = [c for c in ("cycle", "respondent_id", "role", "item_id", "score") if c not in current.columns]
    if missing:
        raise PmoError(f"{target} has no column {', '.join(repr(m) for m in missing)}; "
                       f"its header must be {sep.join(columns)}")
    ids = set(new["respondent_id"])
    mine = (current["cycle"].str.strip() == cycle) & current["respondent_id"].str.strip().isin(ids)
    replaced = int(current.loc[mine, "respondent_id"].str.strip().nunique())
    rows = new.assign(cycle=cycle, score=new["score"].map(_score_text))
    merged = pd.concat([current[~mine], rows.reindex(columns=current.columns, fill_value="")], ignore_index=True)
    _atomic_write(target, lambda tmp: merged.to_csv(tmp, sep=sep, index=False, encoding=encoding))
    return created, replaced


def _merge_workbook(target: Path, new: pd.DataFrame, cycle: str) -> tuple[bool, int]:
    """Merge into the ``assessment`` sheet of ``data.xlsx``; every other sheet is left exactly as it is.

    Rows of other cycles and respondents stay where they are. The rows of the
    respondents being collected are replaced: the rows below the first of them
    move up and the new answers follow, so collecting the same files twice gives
    the same sheet. Rows marked as the kit's example are never moved or changed.
    """
    from openpyxl.utils import get_column_letter

    from .scaffold import column_label
    from .tables import TABLES
    from .workspace import EXAMPLE_MARKER, _cell_text, header_code

    try:
        book = load_workbook(target)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise PmoError(f"{target} cannot be opened: {exc}") from exc
    spec = TABLES[ASSESSMENT]
    names = {name.strip(): name for name in book.sheetnames}
    found = book[names[ASSESSMENT]] if ASSESSMENT in names else None
    created = found is None or all(c.value is None for c in found[1])
    sheet = book.create_sheet(ASSESSMENT) if found is None else found
    if created:
        for i, col in enumerate(spec.columns, start=1):
            head = sheet.cell(1, i, f"{column_label(ASSESSMENT, col.name)}\n{col.name}")
            head.fill, head.font = HEADER_FILL, HEADER_FONT
            head.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[get_column_letter(i)].width = max(16, len(col.name) + 4)
        sheet.row_dimensions[1].height = 32
        sheet.freeze_panes = "A2"
    header = {header_code(c.value): c.column for c in sheet[1] if header_code(c.value)}
    missing = [c.name for c in spec.columns if c.present and c.name not in header]
    if missing:
        raise PmoError(f"the {ASSESSMENT} sheet of {target} has no column {', '.join(repr(m) for m in missing)}; "
                       "each column's code goes on the last line of its header cell in row 1")
    width = max(sheet.max_column, max(header.values()))

    def text(r: int, code: str) -> str:
        return _cell_text(sheet.cell(r, header[code]).value).strip()

    fixed, data, last = set(), [], 1
    for r in range(2, sheet.max_row + 1):
        values = [sheet.cell(r, c).value for c in range(1, width + 1)]
        if any(isinstance(v, str) and v.strip().casefold() == EXAMPLE_MARKER.casefold() for v in values):
            fixed.add(r)
            last = r
        elif any(v is not None and str(v).strip() != "" for v in values):
            data.append(r)
            last = r
    ids = set(new["respondent_id"])
    mine = [r for r in data if text(r, "cycle") == cycle and text(r, "respondent_id") in ids]
    replaced = len({text(r, "respondent_id") for r in mine})
    start = mine[0] if mine else last + 1
    moved = [[sheet.cell(r, c).value for c in range(1, width + 1)] for r in data if r >= start and r not in mine]
    for row in new.itertuples():
        values = [None] * width
        for code, value in (("cycle", cycle), ("respondent_id", row.respondent_id), ("role", row.role),
                            ("item_id", row.item_id), ("score", None if pd.isna(row.score) else int(row.score))):
            values[header[code] - 1] = value
        moved.append(values)
    r, end = start, max(sheet.max_row, last)
    for values in moved:
        while r in fixed:
            r += 1
        for c, value in enumerate(values, start=1):
            sheet.cell(r, c).value = value
        r += 1
    for rest in range(r, end + 1):  # the rows that moved up leave their old places empty
        if rest not in fixed:
            for c in range(1, width + 1):
                if sheet.cell(rest, c).value is not None:
                    sheet.cell(rest, c).value = None
    _atomic_write(target, lambda tmp: book.save(tmp))
    return created, replaced
