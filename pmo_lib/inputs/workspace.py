"""Loading a workspace from disk and validating it, once, into typed tables."""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .config import CONFIG_FILE, Config, load_validated, scenario_problems
from .exceptions import InputError, PmoError, Problem, _Collector
from .i18n import activate
from .catalog import KpiCatalog, load_catalog
from .cycles import Cycle, ordered
from .model import MaturityModel, load_model
from .playbook import Playbook, cadence_problems, load_playbook
from .resources import TEMPLATES_DIR
from .tables import TABLES, WSJF_SCALE, TableSpec, pandera_schema

DATA_DIR = "data"
WORKBOOK = "data.xlsx"
_PREVIEW = 8


@dataclass
class Workspace:
    """A validated workspace: configuration, typed tables and where they came from.

    Attributes
    ----------
    path : Path
        The workspace folder.
    config : Config
        The validated ``pmo.yaml``.
    tables : dict of str to DataFrame
        Every table of :data:`pmo_lib.inputs.tables.TABLES`; a table the workspace
        does not provide is empty, with its columns, and absent from ``present``.
    present : set of str
        Names of the tables the workspace provides.
    model : MaturityModel
        The maturity model the assessment is scored against.
    catalog : KpiCatalog
        The KPI catalogue with the workspace's targets and thresholds applied.
    playbook : Playbook
        The workspace's own playbook (``playbook`` in pmo.yaml) or the kit's,
        checked against the model and the catalogue.
    files : list of Path
        Every input file, for checksums.
    warnings : list of Problem
        Issues that do not stop a run (missing optional tables, cycles with no data).
    """

    path: Path
    config: Config
    tables: dict[str, pd.DataFrame]
    present: set[str]
    model: MaturityModel
    catalog: KpiCatalog | None = None
    playbook: Playbook | None = None
    files: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    def has(self, table: str) -> bool:
        """Whether the workspace provides a non-empty ``table``."""
        return table in self.present

    @property
    def cycles(self) -> list[str]:
        """Cycle names ordered by start date."""
        return self.cycle(None).history_names

    def cycle(self, name: str | None = None) -> Cycle:
        """The cycle ``name`` (the latest when ``None``): its dates, neighbours, rows and tables as known then.

        Raises
        ------
        PmoError
            When the cycle is not in the cycles table; the message lists the known cycles.
        """
        return Cycle.of(self.tables, name, present=self.present)

    def resolve_cycle(self, cycle: str | None) -> str:
        """Return ``cycle``, or the latest cycle when it is ``None``.

        Raises
        ------
        PmoError
            When the cycle is not in ``cycles``.
        """
        return self.cycle(cycle).name

    def previous_cycle(self, cycle: str) -> str | None:
        """The cycle before ``cycle``, or ``None`` for the first one."""
        previous = self.cycle(cycle).previous
        return previous.name if previous is not None else None

    def as_of(self, cycle: str | None = None) -> dict[str, pd.DataFrame]:
        """The tables as known at the end of ``cycle`` (default: the latest).

        The same as ``ws.cycle(cycle).tables`` (:attr:`pmo_lib.Cycle.tables`):
        later cycles' rows are left out and each initiative has the status and
        forecast of that time.
        """
        return dict(self.cycle(cycle).tables)

    def source(self, table: str) -> str:
        """Where a table was read from, as the user would name it.

        A table pulled from a source is named by that source (``exports/jira.csv``,
        ``sqlite:///portfolio.db table pmo_initiatives``), not by its snapshot file.
        """
        return self._sources.get(table, f"{DATA_DIR}/{table}.csv")

    def warnings_for(self, cycle: str | Cycle | None) -> list[Problem]:
        """The warnings as they stood at the end of ``cycle``: what a report of that cycle shows.

        :attr:`warnings` speak of the whole workspace, as ``pmo validate`` reads it.
        The warnings that depend on time speak here of ``cycle`` alone: the work
        items finished by its end without a start date, and the cycles up to it
        without rows in a table. Every other warning is the same for every cycle.
        """
        at = cycle if isinstance(cycle, Cycle) else self.cycle(cycle)
        unstarted = _unstarted_warning(at.tables["work_items"], self.source("work_items"), by=at)
        out: list[Problem] = []
        for warning in self.warnings:
            if warning in self._dated:
                if unstarted is not None and warning.message.endswith(_UNSTARTED_TAIL):
                    out.append(unstarted)
                    unstarted = None
                continue
            out.append(warning)
        if unstarted is not None:
            out.append(unstarted)
        return out + _coverage_warnings(self, upto=at)

    _sources: dict[str, str] = field(default_factory=dict)
    #: The workspace-wide warnings that :meth:`warnings_for` replaces by a cycle's own.
    _dated: list[Problem] = field(default_factory=list, repr=False)
    #: ``data/_sources.json`` of the snapshot the tables were read from (read live: what was pulled);
    #: empty without sources.
    snapshot: dict = field(default_factory=dict)
    #: Read live (``from_sources``): each sourced table as pulled, for ``pmo pull`` to write.
    pulled: dict = field(default_factory=dict, repr=False)
    #: The peer file ``benchmark:`` in pmo.yaml names (:data:`pmo_lib.inputs.peers.PEER_COLUMNS`); None without one.
    peers: pd.DataFrame | None = field(default=None, repr=False)


def _model_named_in_broken_config(path: Path) -> Path | None:
    """The model a ``pmo.yaml`` that failed validation names, so its answers are not checked against another.

    The kit's model when the file names none; None (skip the model's checks this round) when the file
    cannot be read or names a model that is not a file inside the workspace. The config's own problems
    are reported already.
    """
    try:
        raw = yaml.safe_load((path / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    name = raw.get("maturity_model") if isinstance(raw, dict) else None
    if name is None:
        return TEMPLATES_DIR / "maturity_model.yaml"
    candidate = (path / str(name)).resolve()
    return candidate if candidate.is_file() and candidate.is_relative_to(path.resolve()) else None


def file_sha256(path: Path) -> str:
    """Return the sha256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- reading

def _read_csv(path: Path, label: str, table: str, issues: _Collector) -> pd.DataFrame | None:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        issues.add(label, table,
                   f"the file is not UTF-8 encoded (byte 0x{raw[exc.start]:02x} at position {exc.start}); "
                   "save it as 'CSV UTF-8'")
        return None
    if not text.strip():
        return pd.DataFrame()
    header = text.splitlines()[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            skipinitialspace=True, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError) as exc:
        issues.add(label, table, f"the file is not valid CSV: {exc}".strip())
        return None
    frame.index = frame.index + 2  # spreadsheet rows: the header is row 1
    return frame


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


EXAMPLE_MARKER = "Example row: ignored when loaded"
EXAMPLES_SHEET = "_Examples"


def header_code(value: object) -> str:
    """The column code in a workbook header cell: its last non-empty line.

    The input workbook ``pmo init`` writes puts a readable name above the code
    ("Budget at completion" newline "bac"); a plain code header is its own code.
    """
    lines = [line.strip() for line in _cell_text(value).splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _examples(book) -> dict[str, dict[str, str]]:
    """The example rows the kit wrote, from the hidden ``_Examples`` sheet: table -> column -> cell text."""
    if EXAMPLES_SHEET not in book.sheetnames:
        return {}
    out: dict[str, dict[str, str]] = {}
    for table, column, value in book[EXAMPLES_SHEET].iter_rows(min_row=2, max_col=3, values_only=True):
        if table and column:
            out.setdefault(str(table), {})[str(column)] = _cell_text(value)
    return out


def _is_example(row, header: list[str], example: dict[str, str] | None, label: str, name: str,
                issues: _Collector) -> bool:
    """Whether ``row`` is the kit's untouched example row, to be skipped.

    A row is skipped only when it carries :data:`EXAMPLE_MARKER` and every
    value still equals the example the kit wrote. A marked row whose values
    were changed is reported, never dropped in silence.
    """
    if not any(isinstance(c.value, str) and c.value.strip().casefold() == EXAMPLE_MARKER.casefold() for c in row):
        return False
    values = {code: _cell_text(c.value).strip() for code, c in zip(header, row) if code}
    if example is not None and all(values.get(code, "") == text.strip() for code, text in example.items()):
        return True
    issues.add(label, name, f"the row is marked '{EXAMPLE_MARKER}' but its values are not the example's; "
               "delete the marker to load the row as data, or delete the row", row=row[0].row)
    return True


def _read_workbook(path: Path, label: str, issues: _Collector) -> dict[str, pd.DataFrame]:
    """Read every table sheet of an input workbook as text, indexed by spreadsheet row.

    Row 1 holds the headers; each header's last line is the column code. A row
    marked :data:`EXAMPLE_MARKER` whose values are still the kit's example is skipped.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=False, read_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        issues.add(label, "", f"the workbook cannot be opened: {exc}")
        return {}
    examples = _examples(book)
    frames = {}
    for sheet in book.worksheets:
        if sheet.title.startswith("_"):
            continue  # instructions, drop-down lists and the example values
        name = sheet.title.strip()
        for merged in sheet.merged_cells.ranges:
            if merged.min_row == 1:
                issues.add(label, name, f"header cells {merged.coord} are merged; give each column its own header cell",
                           row=1)
        rows = list(sheet.iter_rows())
        if not rows:
            frames[name] = pd.DataFrame()
            continue
        header = [header_code(c.value) for c in rows[0]]
        while header and not header[-1]:
            header.pop()
        records, index = [], []
        for row in rows[1:]:
            cells = row[:len(header)]
            if all(c.value is None or str(c.value).strip() == "" for c in cells):
                continue
            if _is_example(row, header, examples.get(name), label, name, issues):
                continue
            values = []
            for col_name, cell in zip(header, cells):
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                    issues.add(label, name, "the cell holds a formula; paste values only",
                               row=cell.row, column=col_name, value=str(cell.value))
                values.append(_cell_text(cell.value))
            values += [""] * (len(header) - len(values))
            records.append(values)
            index.append(row[0].row)
        frames[name] = pd.DataFrame(records, columns=header, index=index, dtype=object)
    return frames


def _read_raw(path: Path, issues: _Collector) -> tuple[dict[str, pd.DataFrame], dict[str, str], list[Path]]:
    data_dir, workbook = path / DATA_DIR, path / WORKBOOK
    frames: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    files: list[Path] = []
    if data_dir.is_dir() and workbook.is_file():
        issues.add(str(path), "", f"both {DATA_DIR}/ and {WORKBOOK} are present; keep only one source of tables")
        return frames, sources, files
    if workbook.is_file():
        files.append(workbook)
        for name, frame in _read_workbook(workbook, str(workbook), issues).items():
            frames[name] = frame
            sources[name] = f"{workbook} (sheet {name})"
    elif data_dir.is_dir():
        for csv_path in sorted(data_dir.iterdir()):
            if csv_path.suffix.lower() != ".csv" or csv_path.name.startswith("."):
                continue
            files.append(csv_path)
            frame = _read_csv(csv_path, str(csv_path), csv_path.stem, issues)
            if frame is not None:
                frames[csv_path.stem] = frame
                sources[csv_path.stem] = str(csv_path)
    else:
        issues.add(str(path), "", f"no input tables: expected a {DATA_DIR}/ folder of CSV files or a {WORKBOOK} workbook")
    return frames, sources, files


# --------------------------------------------------------------------------- parsing

def _parse_column(values: pd.Series, kind: str, add) -> tuple[pd.Series, pd.Series]:
    """Parse raw text cells of one column, vectorised; report each cell that does not parse.

    Returns the parsed column and the mask of empty cells.
    """
    text = values.astype("string").fillna("").str.strip()
    empty = text.eq("").to_numpy(dtype=bool)
    if kind in ("id", "text"):
        return text.astype(object).where(~empty, None), empty
    if kind == "enum":
        return text.str.lower().astype(object).where(~empty, None), empty
    if kind in ("int", "number"):
        parsed = pd.to_numeric(text.where(~empty), errors="coerce").astype("float64")
        bad = ~empty & ~np.isfinite(parsed.to_numpy())
        message = "expected a number" if kind == "number" else "expected a whole number"
        if kind == "int":
            bad |= ~empty & np.isfinite(parsed.to_numpy()) & (parsed.to_numpy() % 1 != 0)
        for idx in values.index[bad]:
            add(idx, text[idx], message)
        return parsed.where(~bad), empty
    iso = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).to_numpy(dtype=bool)
    parsed = pd.to_datetime(text.where(iso & ~empty), format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    for idx in values.index[~empty & ~iso]:
        add(idx, text[idx], "expected an ISO date YYYY-MM-DD")
    for idx in values.index[~empty & iso & parsed.isna().to_numpy()]:
        add(idx, text[idx], "is not a real calendar date")
    return parsed, empty


def _parse_table(spec: TableSpec, raw: pd.DataFrame, label: str, issues: _Collector) -> pd.DataFrame | None:
    raw = raw.rename(columns=lambda c: str(c).strip())
    missing = [c.name for c in spec.columns if c.present and c.name not in raw.columns]
    for name in missing:
        close = difflib.get_close_matches(name, [str(c) for c in raw.columns], n=1)
        hint = f"; did you mean to name column {close[0]!r} {name!r}?" if close else ""
        issues.add(label, spec.name, f"required column '{name}' is missing{hint}", column=name)
    if missing:
        return None
    parsed = pd.DataFrame(index=raw.index)
    for col in spec.columns:
        if col.name not in raw.columns:
            parsed[col.name] = pd.Series(col.default if col.default is not None else np.nan,
                                         index=raw.index, dtype="float64")
            continue

        def add(idx, value, message, _col=col.name):
            issues.add(label, spec.name, message, row=int(idx), column=_col, value=value)

        parsed[col.name], blank = _parse_column(raw[col.name], col.kind, add)
        if not col.nullable:
            for idx in raw.index[blank]:
                add(idx, None, "a value is required here (the cell is empty)")
        elif col.default is not None:
            parsed[col.name] = parsed[col.name].fillna(col.default)
    # range and enumeration checks: pandera, lazily, so every failure is listed
    import pandera.pandas as pa  # loaded here: a kernel reading the runner's validated workspace never needs it

    try:
        pandera_schema(spec).validate(parsed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        for case in cases.itertuples():
            message = str(case.check)
            issues.add(label, spec.name, message, row=int(case.index), column=case.column,
                       value=_plain(case.failure_case))
    return parsed


def _plain(value: object) -> object:
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, (np.floating, float)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _check_keys(spec: TableSpec, frame: pd.DataFrame, label: str, issues: _Collector) -> None:
    if not spec.key:
        return
    keyed = frame.dropna(subset=list(spec.key))
    dup = keyed.duplicated(subset=list(spec.key), keep=False)
    first_row: dict[tuple, int] = {}
    for idx, row in keyed[dup].iterrows():
        key = tuple(row[k] for k in spec.key)
        if key in first_row:
            what = ", ".join(f"{k} {v!r}" for k, v in zip(spec.key, key))
            issues.add(label, spec.name, f"duplicate {what}; it first appears in row {first_row[key]}",
                       row=int(idx), column=spec.key[-1], value=key[-1])
        else:
            first_row[key] = int(idx)


def _check_dates(spec: TableSpec, frame: pd.DataFrame, label: str, issues: _Collector) -> None:
    for start, end in spec.date_order:
        bad = frame[end].notna() & frame[start].notna() & (frame[end] < frame[start])
        for idx in frame.index[bad.to_numpy()]:
            issues.add(label, spec.name, f"{end} is before {start} ({frame.at[idx, start].date()})",
                       row=int(idx), column=end, value=frame.at[idx, end].date().isoformat())


def _check_references(tables: dict[str, pd.DataFrame], sources: dict[str, str], issues: _Collector) -> None:
    for spec in TABLES.values():
        frame = tables.get(spec.name)
        if frame is None:
            continue
        for col in spec.columns:
            if not col.references:
                continue
            ref_table, ref_col = col.references.split(".")
            target = tables.get(ref_table)
            if target is None:
                if ref_table == "goals" and frame[col.name].notna().any():
                    issues.add(sources[spec.name], spec.name,
                               "goal_id values are given but the workspace has no goals table",
                               column=col.name)
                continue
            known = set(target[ref_col].dropna())
            listing = ", ".join(sorted(map(str, known))[:_PREVIEW]) + (", ..." if len(known) > _PREVIEW else "")
            bad = frame[col.name].notna() & ~frame[col.name].isin(known)
            for idx in frame.index[bad.to_numpy()]:
                issues.add(sources[spec.name], spec.name,
                           f"unknown {ref_col}; it is not in the {ref_table} table (known: {listing})",
                           row=int(idx), column=col.name, value=frame.at[idx, col.name])


def _check_cumulative(tables: dict[str, pd.DataFrame], sources: dict[str, str], issues: _Collector) -> None:
    """Cumulative PV, EV and AC must not fall from one cycle to the next.

    A value already reported as invalid (a negative cost) is not reported again for the fall it makes.
    """
    fin, cycles = tables.get("financials"), tables.get("cycles")
    if fin is None or cycles is None:
        return
    reported = {(p.row, p.column) for p in issues.problems if p.table == "financials"}
    order = {c: i for i, c in enumerate(ordered(cycles.dropna(subset=["start_date"]))["cycle"])}
    frame = fin.assign(_order=fin["cycle"].map(order)).dropna(subset=["_order"])
    frame = frame.sort_values(["initiative_id", "_order"])
    for column in ("planned_value", "earned_value", "actual_cost"):
        previous = frame.groupby("initiative_id")[column].shift()
        previous_cycle = frame.groupby("initiative_id")["cycle"].shift()
        fell = frame[column] < previous
        for idx in sorted(frame.index[fell.to_numpy()]):
            if (int(idx), column) in reported:
                continue
            issues.add(sources["financials"], "financials",
                       f"{column} is cumulative but fell from {previous[idx]:,.0f} in cycle "
                       f"{previous_cycle[idx]} for initiative {frame.at[idx, 'initiative_id']}",
                       row=int(idx), column=column, value=_plain(frame.at[idx, column]))


def _check_investment(tables: dict[str, pd.DataFrame], sources: dict[str, str], issues: _Collector,
                      warnings: list[Problem]) -> None:
    """The investment columns of ``initiatives``: fund and stop are exclusive; scores off SAFe's scale are a warning.

    An initiative cannot be both ``must_fund`` and ``must_stop`` (an error naming its row). A WSJF attribute
    or job size off the relative scale 1, 2, 3, 5, 8, 13, 20 still counts as given, with a warning.
    """
    ini = tables.get("initiatives")
    if ini is None:
        return
    label = sources["initiatives"]
    both = ini["must_fund"].eq("true") & ini["must_stop"].eq("true")
    for idx in ini.index[both.to_numpy()]:
        issues.add(label, "initiatives", f"initiative {ini.at[idx, 'initiative_id']} is marked both must_fund and "
                   "must_stop; choose one", row=int(idx), column="must_stop", value="true")
    for column in ("business_value", "time_criticality", "risk_reduction", "job_size"):
        values = ini[column]
        off = values.notna() & ~values.isin(WSJF_SCALE)
        if off.any():
            rows = ", ".join(f"row {int(i)} ({values[i]:g})" for i in ini.index[off.to_numpy()][:_PREVIEW])
            warnings.append(Problem(label, "initiatives", f"{column} is off SAFe's relative scale (1, 2, 3, 5, 8, 13, "
                                    f"20) in {rows}; the values are used as given", column=column))


def _check_assessment(frame: pd.DataFrame, model: MaturityModel, label: str, issues: _Collector) -> None:
    known = set(model.items["item_id"])
    bad_item = ~frame["item_id"].isin(known)
    for idx in frame.index[bad_item.to_numpy()]:
        close = difflib.get_close_matches(str(frame.at[idx, "item_id"]), sorted(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        issues.add(label, "assessment", f"unknown item_id; it is not in the maturity model{hint}",
                   row=int(idx), column="item_id", value=frame.at[idx, "item_id"])
    lo, hi = model.scale_min, model.scale_max
    score = frame["score"]
    bad = score.notna() & ((score < lo) | (score > hi) | (score % 1 != 0))
    for idx in frame.index[bad.to_numpy()]:
        issues.add(label, "assessment", f"score must be a whole number from {lo} to {hi} (the model's scale)",
                   row=int(idx), column="score", value=_plain(score[idx]))


def _check_roles(frame: pd.DataFrame, config: Config, label: str, issues: _Collector) -> pd.DataFrame:
    """Accept only the questionnaire roles pmo.yaml lists, if any; a case-only difference takes the list's spelling."""
    settings = config.questionnaire
    if settings.roles is None:
        return frame
    matched = frame["role"].map(lambda r: settings.match_role(r) if isinstance(r, str) else None)
    for idx in frame.index[(matched.isna() & frame["role"].notna()).to_numpy()]:
        issues.add(label, "assessment", f"the role is not in the questionnaire's list of roles in {CONFIG_FILE} "
                   f"({', '.join(settings.roles)})", row=int(idx), column="role", value=frame.at[idx, "role"])
    return frame.assign(role=matched.where(matched.notna(), frame["role"]))


def _check_role_weights(frame: pd.DataFrame, config: Config, label: Path, issues: _Collector) -> None:
    """``maturity.role_weights`` may name only roles respondents can have.

    Those are the questionnaire's roles when pmo.yaml lists them, otherwise the roles in the answers.
    """
    weights = config.maturity.role_weights
    if not weights:
        return
    known = list(config.questionnaire.roles) if config.questionnaire.roles is not None else sorted(
        frame["role"].dropna().astype(str).unique())
    for role in weights:
        if role not in known:
            close = difflib.get_close_matches(role, known, n=1)
            issues.add(str(label), CONFIG_FILE, f"maturity.role_weights names a role no respondent has; "
                       + (f"did you mean {close[0]!r}?" if close else f"known roles: {', '.join(known)}"),
                       column="maturity.role_weights", value=role)


def load_workspace(path: str | Path | None = None, *, from_sources: bool = False) -> Workspace:
    """Load and validate a workspace, collecting every problem before raising.

    Parameters
    ----------
    path : str or Path, optional
        The workspace folder. ``None`` means the bundled sample organisation,
        generated on first use.
    from_sources : bool
        Read the tables that pmo.yaml's ``sources:`` names from those sources rather
        than from the last pull, and name problems by the sources' own keys.

    Returns
    -------
    Workspace

    Raises
    ------
    InputError
        With a table of every problem found (file, table, row, column, value, message).
    """
    if path is None:
        from .sample import sample_workspace
        path = sample_workspace()
    path = Path(path).expanduser().resolve()
    cached = None if from_sources else _from_run_cache(path)
    if cached is not None:
        activate(cached.config.language, cached.config.locale)  # the reports' language (i18n.py)
        return cached
    if not path.is_dir():
        raise PmoError(f"workspace {str(path)!r} is not a folder; create one with 'pmo init {path}'")
    issues = _Collector()
    config: Config | None = None
    config_lines: dict[tuple, int] = {}
    try:
        config, config_lines = load_validated(path / CONFIG_FILE, Config, table=CONFIG_FILE)
    except InputError as exc:
        issues.problems.extend(exc.problem_list)
    files = [path / CONFIG_FILE] if (path / CONFIG_FILE).is_file() else []

    model: MaturityModel | None = None
    model_path: Path | None = TEMPLATES_DIR / "maturity_model.yaml"
    if config is not None and config.maturity_model:
        model_path = _inside(path, config.maturity_model, "maturity_model", issues)
    elif config is None:
        model_path = _model_named_in_broken_config(path)
    if model_path is not None:
        try:
            model = load_model(model_path)
            if model_path.is_relative_to(path):
                files.append(model_path)
        except InputError as exc:
            issues.problems.extend(exc.problem_list)
    own_playbook = None
    if config is not None and config.playbook:
        own_playbook = _inside(path, config.playbook, "playbook", issues)
        if own_playbook is not None:
            files.append(own_playbook)
    catalog, playbook = _load_knowledge(path, config, config_lines, model, own_playbook, issues)
    if config is not None and config.notebooks:  # the workspace's own notebooks (pmo.yaml, notebooks:)
        from .notebooks import check_notebooks

        notebooks, problems = check_notebooks(path, config, config_lines)
        files += notebooks
        issues.problems.extend(problems)
    if config is not None and config.branding.logo:
        logo = _inside(path, config.branding.logo, "branding.logo", issues)
        if logo is not None:
            files.append(logo)

    peers = None  # the peer benchmark's file (benchmark: in pmo.yaml), checked like a table
    if config is not None and config.benchmark:
        peers_path = _inside(path, config.benchmark, "benchmark", issues)
        if peers_path is not None:
            from .peers import read_peers
            files.append(peers_path)
            peers = read_peers(peers_path, str(peers_path), model, issues)

    sourced = None
    if config is not None and config.sources is not None:
        from .sources import read_with_sources
        raw, sources, data_files, sourced = read_with_sources(
            path, config, config_lines, issues, live=from_sources, read_csv=_read_csv, read_workbook=_read_workbook,
            workbook_name=WORKBOOK)
    else:
        raw, sources, data_files = _read_raw(path, issues)
    files += data_files
    for name in sorted(set(raw) - set(TABLES)):
        close = difflib.get_close_matches(name, list(TABLES), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known tables: {', '.join(TABLES)}"
        issues.add(sources[name], name, f"unknown table '{name}'; {hint}")

    tables: dict[str, pd.DataFrame] = {}
    warnings: list[Problem] = []
    for spec in TABLES.values():
        label = sources.get(spec.name, spec.name)
        if spec.name not in raw:
            if spec.required and raw:
                issues.add(str(path), spec.name, f"required table '{spec.name}' is missing "
                           f"(expected {DATA_DIR}/{spec.name}.csv or a sheet '{spec.name}' in {WORKBOOK})")
            elif not spec.required:
                warnings.append(Problem(str(path), spec.name, f"optional table '{spec.name}' is not provided; "
                                        "report sections that need it say so"))
            continue
        if raw[spec.name].shape[0] == 0:
            if spec.required:
                issues.add(label, spec.name, "the table is empty; it needs at least one row")
            else:
                warnings.append(Problem(label, spec.name, "the table is empty; it is treated as not provided"))
            continue
        parsed = _parse_table(spec, raw[spec.name], label, issues)
        if parsed is not None:
            _check_keys(spec, parsed, label, issues)
            _check_dates(spec, parsed, label, issues)
            tables[spec.name] = parsed
    _check_references(tables, sources, issues)
    if config is not None and config.scenarios and "initiatives" in tables:  # what-ifs name known initiatives
        issues.problems.extend(scenario_problems(config.scenarios, tables["initiatives"]["initiative_id"],
                                                 file=str(path / CONFIG_FILE), lines=config_lines))
    _check_cumulative(tables, sources, issues)
    _check_investment(tables, sources, issues, warnings)
    if model is not None and "assessment" in tables:
        _check_assessment(tables["assessment"], model, sources["assessment"], issues)
    if config is not None and "assessment" in tables:
        tables["assessment"] = _check_roles(tables["assessment"], config, sources["assessment"], issues)
        _check_role_weights(tables["assessment"], config, path / CONFIG_FILE, issues)
    origins = {**sources, **(sourced.origins if sourced is not None else {})}  # a sourced table: its source
    _check_unstarted(tables, sources, issues)
    if "work_items" in tables:
        unstarted = _unstarted_warning(tables["work_items"], origins["work_items"])
        if unstarted is not None:
            warnings.append(unstarted)
    if sourced is not None:
        issues.problems = sourced.relocate(issues.problems)
    issues.raise_if_any(workspace=path)
    assert config is not None and model is not None and catalog is not None and playbook is not None

    present = set(tables)
    full = {}
    for spec in TABLES.values():
        frame = tables.get(spec.name)
        if frame is None:
            frame = _empty(spec)
        if spec.name == "cycles":
            frame = ordered(frame)
        full[spec.name] = frame.reset_index(names="source_row")
    ws = Workspace(path=path, config=config, tables=full, present=present, model=model,
                   catalog=catalog, playbook=playbook, files=files, warnings=warnings, _sources=origins,
                   snapshot=sourced.snapshot if sourced else {}, pulled=sourced.pulled if sourced else {},
                   peers=peers)
    if sourced is not None and not sourced.live:
        from .sources import snapshot_changes
        warnings.extend(snapshot_changes(path, sourced.snapshot))
    coverage = _coverage_warnings(ws)
    warnings.extend(coverage)
    ws._dated = [w for w in warnings if w.message.endswith(_UNSTARTED_TAIL)] + coverage
    activate(config.language, config.locale)  # every kernel that loads the workspace speaks its language
    return ws


def _check_unstarted(tables: dict[str, pd.DataFrame], sources: dict[str, str], issues: _Collector) -> None:
    """Work items finished without a start must not be finished before they were created."""
    items = tables.get("work_items")
    if items is None:
        return
    unstarted = items["finished"].notna() & items["started"].isna()
    early = unstarted & items["created"].notna() & (items["finished"] < items["created"])
    for idx in items.index[early.to_numpy()]:
        issues.add(sources["work_items"], "work_items",
                   f"finished is before created ({items.at[idx, 'created'].date()})", row=int(idx),
                   column="finished", value=items.at[idx, "finished"].date().isoformat())


_UNSTARTED_TAIL = "have no start date: they count in throughput but are left out of flow time"


def _unstarted_warning(items: pd.DataFrame, label: str, *, by: Cycle | None = None) -> Problem | None:
    """The data-quality note on work items finished without a start date, or ``None`` when there are none.

    They count in throughput and are left out of flow time; the note gives their
    number and share. ``by`` counts only the items finished by the end of that
    cycle, as its report knew them; without it, every finished item counts.
    """
    done = items["finished"].notna()
    if by is not None:
        done &= items["finished"] <= by.end
    unstarted = done & items["started"].isna()
    count, finished = int(unstarted.sum()), int(done.sum())
    if not count:
        return None
    what = "finished work items" if by is None else f"work items finished by the end of {by.name}"
    return Problem(label, "work_items", f"{count} of {finished} {what} ({count / finished:.0%}) {_UNSTARTED_TAIL}")


def _load_knowledge(path: Path, config: Config | None, config_lines: dict[tuple, int], model: MaturityModel | None,
                    own_playbook: Path | None, issues: _Collector) -> tuple[KpiCatalog | None, Playbook | None]:
    """Load the KPI catalogue and the playbook, and check what pmo.yaml and the playbook say of them and the model.

    The cross-references: KPI ids in ``targets.kpis`` and ``thresholds.kpis``;
    dimensions in ``targets.maturity``; the playbook's dimensions, levels,
    expected KPIs and RACI roles; the playbook's cadence events against
    ``cadence.cycle_weeks``. Every problem goes to ``issues``, with its file and line.
    """
    config_file = str(path / CONFIG_FILE)
    catalog: KpiCatalog | None = None
    kpi_ids: list[str] | None = None
    try:
        catalog = load_catalog(config=config, config_file=config_file, config_lines=config_lines)
        kpi_ids = catalog.ids
    except InputError as exc:
        issues.problems.extend(exc.problem_list)
        try:  # the playbook is still checked against the catalogue's ids
            kpi_ids = load_catalog().ids
        except InputError:
            pass  # the catalogue itself is broken, reported above
    if config is not None and model is not None and isinstance(config.targets.maturity, dict):
        dims = model.dimensions["dimension_id"].tolist()
        for dim in config.targets.maturity:
            if dim not in dims:
                close = difflib.get_close_matches(str(dim), dims, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"the model has {', '.join(dims)}"
                issues.add(config_file, CONFIG_FILE, f"targets.maturity names an unknown dimension; {hint}",
                           row=config_lines.get(("targets", "maturity", dim)), column=f"targets.maturity.{dim}",
                           value=dim)
    playbook: Playbook | None = None
    playbook_cadence: Playbook | None = None
    if model is not None and (config is None or not config.playbook or own_playbook is not None):
        try:
            playbook = playbook_cadence = load_playbook(model, kpi_ids=kpi_ids, path=own_playbook,
                                                        strict=own_playbook is not None)
        except InputError as exc:
            issues.problems.extend(exc.problem_list)
            playbook_cadence = _cadence_only(own_playbook)  # its events are still checked against the cycle
    if config is not None and playbook_cadence is not None:
        issues.problems.extend(cadence_problems(config, playbook_cadence, file=config_file, lines=config_lines))
    return catalog, playbook


def _cadence_only(path: Path | None) -> Playbook | None:
    """The cadence events of a playbook that failed its checks, if its YAML at least has a valid shape."""
    from .playbook import _Playbook

    try:
        raw, _ = load_validated(path or TEMPLATES_DIR / "playbook.yaml", _Playbook, table="playbook")
    except InputError:
        return None
    return Playbook(pd.DataFrame(), cadence=list(raw.cadence))


def _empty(spec: TableSpec) -> pd.DataFrame:
    dtypes = {"date": "datetime64[ns]", "number": "float64", "int": "float64"}
    return pd.DataFrame({c.name: pd.Series(dtype=dtypes.get(c.kind, object)) for c in spec.columns})


def _coverage_warnings(ws: Workspace, *, upto: Cycle | None = None) -> list[Problem]:
    """Warn about cycles that lack data an analysis would use: every cycle, or those up to ``upto``."""
    out = []
    for table in ("financials", "assessment", "feedback"):
        if not ws.has(table):
            continue
        covered = set(ws[table]["cycle"])
        for cycle in (ws.cycles if upto is None else upto.history_names):
            if cycle not in covered:
                out.append(Problem(ws.source(table), table, f"cycle {cycle!r} has no rows in {table}"))
    return out


def _inside(workspace: Path, relative: str, key: str, issues: _Collector) -> Path | None:
    """Resolve a path from pmo.yaml inside the workspace, or report it."""
    target = (workspace / relative).resolve()
    if not target.is_relative_to(workspace):
        issues.add(str(workspace / CONFIG_FILE), CONFIG_FILE,
                   "paths must stay inside the workspace folder", column=key, value=relative)
        return None
    if not target.is_file():
        issues.add(str(workspace / CONFIG_FILE), CONFIG_FILE, "file not found", column=key, value=relative)
        return None
    return target


RUN_CACHE_ENV = "PMO_WORKSPACE_CACHE"


def _fingerprint(files: list[Path]) -> list[tuple[str, int, int]]:
    return [(str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.exists()]


def write_run_cache(workspace: Workspace, target: Path, *, snapshot: bool = False) -> Path:
    """Save a validated workspace for the notebooks of one run to load instead of re-validating.

    The runner points the ``PMO_WORKSPACE_CACHE`` environment variable at the file. A
    notebook's :func:`load_workspace` uses it only for the same folder and, unless it
    is a ``snapshot``, only while every input file still has the size and
    modification time it had when validated. A snapshot is sent to Dask workers,
    whose view of the files' times may differ: the run uses the inputs exactly as
    the runner validated them.
    """
    import pickle

    payload = {"path": str(workspace.path), "fingerprint": None if snapshot else _fingerprint(workspace.files),
               "workspace": workspace}
    target.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    return target


def _from_run_cache(path: Path) -> Workspace | None:
    import os
    import pickle

    cache = os.environ.get(RUN_CACHE_ENV)
    if not cache or not Path(cache).is_file():
        return None
    try:
        payload = pickle.loads(Path(cache).read_bytes())
    except Exception:  # a stale or foreign file: validate from scratch instead
        return None
    ws = payload.get("workspace")
    if payload.get("path") != str(path) or ws is None:
        return None
    if payload.get("fingerprint") is not None and payload["fingerprint"] != _fingerprint(ws.files):
        return None
    return ws
