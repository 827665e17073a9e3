"""``pmo init``: a new workspace with a commented pmo.yaml, an input workbook
to fill in and the maturity questionnaire."""
from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path
from typing import IO, Any, Collection, Iterator, Mapping

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .config import Config, load_config
from .exceptions import PmoError
from .i18n import N_, _, using
from .model import MaturityModel, load_model
from .questionnaire import (HEADER_FILL, HEADER_FONT, QuestionnaireOptions, write_questionnaire,
                            write_questionnaire_pdf)
from .resources import TEMPLATES_DIR
from .tables import TABLES, ColumnSpec, TableSpec
from .workspace import EXAMPLE_MARKER, EXAMPLES_SHEET

_ROWS_WITH_LISTS = 2000
_EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
_EXAMPLE_FONT = Font(italic=True, color="7F7F7F")
_MAX_ID_LENGTH = 40

# Readable names for the header row; the column code goes beneath. A column not
# listed here gets its code in words ("planned_end_date" -> "Planned end date"). N_: translated where written.
_LABELS = {
    "goal_id": N_("Goal ID"), "target_share": N_("Target share of spend"), "initiative_id": N_("Initiative ID"),
    "bac": N_("Budget at completion"), "budget": N_("Budget for the cycle"), "planned_value": N_("Planned value (PV)"),
    "earned_value": N_("Earned value (EV)"), "actual_cost": N_("Actual cost (AC)"),
    "respondent_id": N_("Respondent ID"), "nps": N_("Likelihood to recommend (0-10)"),
    "csat": N_("Satisfaction (1-5)"), "realized_benefit": N_("Realised benefit"), "raid_id": N_("RAID ID"),
    "raised_date": N_("Date raised"), "closed_date": N_("Date closed"), "decision_id": N_("Decision ID"),
    "action_id": N_("Action ID"), "item_type": N_("Item type"), "forecast_end_date": N_("Forecast end date"),
}
_TABLE_LABELS = {("initiatives", "kind"): N_("Project or product"), ("work_items", "item_id"): N_("Work item ID"),
                 ("assessment", "item_id"): N_("Statement ID"), ("raid", "kind"): N_("Kind of item"),
                 ("decisions", "owner"): N_("Decided by"), ("actions", "cycle"): N_("Cycle raised in")}
# The headings of the columns without a label above, so that they read in the workbook's language too;
# in English they are the column's code in words, as before.
_WORD_LABELS = {
    "cycle": N_("Cycle"), "start_date": N_("Start date"), "end_date": N_("End date"), "goal": N_("Goal"),
    "weight": N_("Weight"), "name": N_("Name"), "kind": N_("Kind"), "owner": N_("Owner"), "status": N_("Status"),
    "planned_end_date": N_("Planned end date"), "actual_end_date": N_("Actual end date"),
    "business_value": N_("Business value"), "time_criticality": N_("Time criticality"),
    "risk_reduction": N_("Risk reduction"), "job_size": N_("Job size"),
    "cost_of_delay_per_week": N_("Cost of delay per week"), "created": N_("Created"), "started": N_("Started"),
    "finished": N_("Finished"), "planned_benefit": N_("Planned benefit"), "title": N_("Title"),
    "severity": N_("Severity"), "due_date": N_("Due date"), "date": N_("Date"), "outcome": N_("Outcome"),
    "team": N_("Team"), "capacity_days": N_("Capacity days"), "demand_days": N_("Demand days"), "role": N_("Role"),
    "item_id": N_("Item ID"), "score": N_("Score"), "unit": N_("Unit"), "note": N_("Note"),
    "requested_budget": N_("Requested budget"), "decision": N_("Decision"), "must_stop": N_("Must stop"),
    "must_fund": N_("Must fund"),
}

# One example row per table, telling one small story; the loader skips it while it is unchanged.
_D = dt.date
_EXAMPLES: dict[str, dict[str, object]] = {
    "cycles": {"cycle": "2026-Q3", "start_date": _D(2026, 7, 1), "end_date": _D(2026, 9, 30)},
    "goals": {"goal_id": "G1", "goal": "Grow digital self-service", "weight": 1, "target_share": 0.3},
    "initiatives": {"initiative_id": "I-001", "name": "Mobile booking app", "kind": "product", "goal_id": "G1",
                    "owner": "A. Okafor", "status": "active", "start_date": _D(2026, 1, 15),
                    "planned_end_date": _D(2027, 6, 30), "forecast_end_date": _D(2027, 8, 31),
                    "actual_end_date": None, "bac": 1200000, "business_value": 8, "time_criticality": 5,
                    "risk_reduction": 3, "job_size": 5, "cost_of_delay_per_week": 20000},
    "financials": {"cycle": "2026-Q3", "initiative_id": "I-001", "budget": 150000, "planned_value": 480000,
                   "earned_value": 450000, "actual_cost": 500000},
    "feedback": {"cycle": "2026-Q3", "initiative_id": "I-001", "respondent_id": "C-1001", "nps": 8, "csat": 4},
    "work_items": {"item_id": "W-0001", "initiative_id": "I-001", "item_type": "feature",
                   "created": _D(2026, 7, 2), "started": _D(2026, 7, 6), "finished": _D(2026, 7, 20)},
    "benefits": {"cycle": "2026-Q3", "initiative_id": "I-001", "planned_benefit": 60000, "realized_benefit": 45000},
    "raid": {"raid_id": "R-001", "kind": "risk", "initiative_id": "I-001", "title": "Key supplier may miss delivery",
             "severity": "high", "status": "open", "owner": "B. Lindqvist", "raised_date": _D(2026, 7, 10),
             "due_date": _D(2026, 8, 31), "closed_date": None},
    "decisions": {"decision_id": "D-001", "cycle": "2026-Q3", "date": _D(2026, 9, 20),
                  "title": "Approve next cycle's funding", "owner": "Portfolio board",
                  "outcome": "Approved with changes"},
    "actions": {"action_id": "A-001", "cycle": "2026-Q3", "title": "Publish the revised KPI definitions",
                "owner": "C. Moreau", "due_date": _D(2026, 10, 31), "status": "open"},
    "capacity": {"cycle": "2026-Q3", "team": "Platform", "capacity_days": 240},
    "demand": {"cycle": "2026-Q3", "initiative_id": "I-001", "team": "Platform", "demand_days": 60},
    "assessment": {"cycle": "2026-Q3", "respondent_id": "R-01", "role": "Executive", "item_id": "SA1", "score": 3,
                   "unit": "Operations"},
}
_REFERENCED = {"cycles.cycle": "2026-Q3", "initiatives.initiative_id": "I-001", "goals.goal_id": "G1"}
_BY_KIND = {"id": "X-001", "text": "", "date": _D(2026, 9, 30), "number": 0, "int": 0}


def column_label(table: str, column: str) -> str:
    """The readable name of a column, shown above its code in the workbook's header."""
    label = _TABLE_LABELS.get((table, column)) or _LABELS.get(column)
    if label:
        return _(label)
    words = column.replace("_", " ").split()
    words = ["ID" if w == "id" else w for w in words]
    english = " ".join(words)[:1].upper() + " ".join(words)[1:]
    return _(_WORD_LABELS[column]) if english == _WORD_LABELS.get(column) else english


def example_row(spec: TableSpec) -> dict[str, object]:
    """The example row of a table: the values written under its header, by column code."""
    given = _EXAMPLES.get(spec.name, {})
    row = {}
    for col in spec.columns:
        if col.name in given:
            row[col.name] = given[col.name]
        elif col.references in _REFERENCED:
            row[col.name] = _REFERENCED[col.references]
        elif col.choices:
            row[col.name] = col.choices[0]
        elif col.nullable:
            row[col.name] = None
        else:
            row[col.name] = _BY_KIND.get(col.kind, "")
    return row


def _rule(col: ColumnSpec, letter: str, spec: TableSpec, *, list_range: str | None,
          model: MaturityModel | None, roles: list[str] | None) -> DataValidation | None:
    """The cell check of one column, or None when any text will do."""
    first = f"{letter}2"
    if list_range is not None:
        error = (_("Choose one of: {choices}").format(choices=", ".join(col.choices)) if len(col.choices) <= 8
                 else _("Choose a value from the list"))
        return DataValidation(type="list", formula1=list_range, allow_blank=True, showErrorMessage=True,
                              errorTitle=col.name, error=error)
    if spec.name == "assessment" and col.name == "score" and model is not None:
        lo, hi = model.scale_min, model.scale_max
        return DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi),
                              allow_blank=True, showErrorMessage=True, errorTitle=col.name,
                              error=_("A whole number from {lowest} to {highest}; leave it empty for don't know").format(
                                  lowest=lo, highest=hi))
    if spec.name == "assessment" and col.name == "role" and roles:
        inline = ",".join(roles)
        if len(inline) <= 250 and "," not in "".join(roles):
            return DataValidation(type="list", formula1=f'"{inline}"', allow_blank=True, showErrorMessage=True,
                                  errorTitle=col.name,
                                  error=_("Choose one of: {choices}").format(choices=", ".join(roles)))
    if col.kind == "date":
        return DataValidation(type="date", operator="between", formula1="DATE(1990,1,1)",
                              formula2="DATE(2100,12,31)", allow_blank=True, showErrorMessage=True,
                              errorTitle=col.name, error=_("Enter a date, e.g. 2026-09-30 (year-month-day)"))
    if col.kind in ("number", "int"):
        kind = "whole" if col.kind == "int" else "decimal"
        whole = col.kind == "int"
        if col.min is not None and col.max is not None:
            error = (_("A whole number from {lowest} to {highest}") if whole
                     else _("A number from {lowest} to {highest}")).format(lowest=f"{col.min:g}", highest=f"{col.max:g}")
            return DataValidation(type=kind, operator="between", formula1=f"{col.min:g}", formula2=f"{col.max:g}",
                                  allow_blank=True, showErrorMessage=True, errorTitle=col.name, error=error)
        if col.min is not None and col.above_min:
            error = (_("A whole number, more than {lowest}") if whole
                     else _("A number, more than {lowest}")).format(lowest=f"{col.min:g}")
            return DataValidation(type=kind, operator="greaterThan", formula1=f"{col.min:g}",
                                  allow_blank=True, showErrorMessage=True, errorTitle=col.name, error=error)
        if col.min is not None:
            error = (_("A whole number, {lowest} or more") if whole
                     else _("A number, {lowest} or more")).format(lowest=f"{col.min:g}")
            return DataValidation(type=kind, operator="greaterThanOrEqual", formula1=f"{col.min:g}",
                                  allow_blank=True, showErrorMessage=True, errorTitle=col.name, error=error)
        return DataValidation(type=kind, operator="between", formula1="-1E+15", formula2="1E+15",
                              allow_blank=True, showErrorMessage=True, errorTitle=col.name,
                              error=_("A whole number") if whole else _("A number"))
    if col.kind == "id":
        # identifiers: no spaces (a cycle may have single inner spaces, e.g. "FY27 P1"), at most 40 characters,
        # and a reference must name a row of the table it points to
        cycle = col.name == "cycle" or col.references == "cycles.cycle"
        checks = [f"LEN({first})<={_MAX_ID_LENGTH}",
                  f"TRIM({first})={first}" if cycle else f'ISERROR(FIND(" ",{first}))']
        error = (_("An identifier has no spaces at either end and at most {count} characters") if cycle
                 else _("An identifier has no spaces and at most {count} characters")).format(count=_MAX_ID_LENGTH)
        if col.references:
            ref_table, ref_col = col.references.split(".")
            ref_letter = get_column_letter(TABLES[ref_table].column_names.index(ref_col) + 1)
            checks.append(f"COUNTIF('{ref_table}'!${ref_letter}:${ref_letter},{first})>0")
            error += _("; it must be a {column} on the {sheet} sheet").format(
                column=column_label(ref_table, ref_col), sheet=ref_table)
        return DataValidation(type="custom", formula1=f"AND({','.join(checks)})", allow_blank=True,
                              showErrorMessage=True, errorTitle=col.name, error=error)
    return None


def write_input_workbook(target: Path, *, model: MaturityModel | None = None,
                         roles: list[str] | None = None) -> Path:
    """Write the input workbook: one sheet per table, readable headers, an example row, cell checks.

    Its words are in the current language (``pmo init`` and ``pmo run`` write it in the workspace's);
    sheet names and column codes are the same in every language.

    Row 1 of each table sheet holds a readable name with the column code on a
    second line (the loader reads the code). Row 2 is an example, marked
    :data:`~pmo_lib.inputs.workspace.EXAMPLE_MARKER` just right of the table; the
    loader skips it while its values are unchanged (they are kept in the
    hidden ``_Examples`` sheet). Dates, numbers, identifiers and enumerations
    are checked by the workbook itself as they are typed. Sheets whose name
    starts with ``_`` (instructions, lists, examples) are ignored on load.

    Parameters
    ----------
    target : Path
    model : MaturityModel, optional
        Offers its statement ids and answer scale in the assessment sheet.
    roles : list of str, optional
        The questionnaire's roles from pmo.yaml; the assessment's role column offers only these.
    """
    book = Workbook()
    help_sheet = book.active
    help_sheet.title = "_" + _("Instructions")  # "_": the loader skips the sheet in every language
    notes = [_("How to fill in this workbook"),
             _("Each sheet is one table. Row 1 names each column, with the column's code beneath it."),
             _("Row 2 is an example, marked '{marker}'. The kit skips it as long as it is unchanged: "
               "type your own rows below it, or delete it.").format(marker=EXAMPLE_MARKER),
             _("Dates are year-month-day (2026-09-30). Identifiers have no spaces (cycle names may, e.g. FY27 P1)."),
             _("Hover over a column's header for its meaning; the table below lists every column."), ""]
    for line in notes:
        help_sheet.append([line])
    help_sheet["A1"].font = Font(bold=True, size=13)
    help_sheet.append([_("table"), _("column code"), _("heading"), _("required"), _("meaning")])
    header_row = help_sheet.max_row
    for cell in help_sheet[header_row]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for letter, width in zip("ABCDE", (16, 20, 30, 18, 90)):
        help_sheet.column_dimensions[letter].width = width
    help_sheet.freeze_panes = f"A{header_row + 1}"
    lists = book.create_sheet("_Lists")
    examples = book.create_sheet(EXAMPLES_SHEET)
    examples.append(["table", "column", "value"])
    list_col = 0
    for spec in TABLES.values():
        help_sheet.append([spec.name, "", "", _("required table") if spec.required else _("optional table"),
                           _(spec.help)])
        help_sheet.cell(help_sheet.max_row, 1).font = Font(bold=True)
        sheet = book.create_sheet(spec.name)
        labels = [column_label(spec.name, c.name) for c in spec.columns]
        sheet.append([f"{label}\n{col.name}" for label, col in zip(labels, spec.columns)])
        sheet.row_dimensions[1].height = 32
        sheet.freeze_panes = "A2"
        example = example_row(spec)
        sheet.append([example[c.name] for c in spec.columns] + [EXAMPLE_MARKER])
        for i, col in enumerate(spec.columns, start=1):
            letter = get_column_letter(i)
            head = sheet.cell(1, i)
            head.fill, head.font = HEADER_FILL, HEADER_FONT
            head.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[letter].width = max(14, len(labels[i - 1]) + 4, len(col.name) + 4)
            cell = sheet.cell(2, i)
            cell.fill, cell.font = _EXAMPLE_FILL, _EXAMPLE_FONT
            examples.append([spec.name, col.name, example[col.name]])
            need = (_("optional column") if not col.present
                    else (_("may be empty") if col.nullable else _("value required")))
            help_sheet.append(["", col.name, labels[i - 1], need, _(col.help)])
            note = Comment(f"{_(col.help)}\n({need})", "PMO Playbook Kit")
            note.width, note.height = 260, 90
            head.comment = note
            list_range = None
            if col.choices:
                list_col += 1
                list_letter = get_column_letter(list_col)
                lists.cell(1, list_col, f"{spec.name}.{col.name}")
                for r, choice in enumerate(col.choices, start=2):
                    lists.cell(r, list_col, choice)
                list_range = f"'_Lists'!${list_letter}$2:${list_letter}${len(col.choices) + 1}"
            elif spec.name == "assessment" and col.name == "item_id" and model is not None:
                list_col += 1
                list_letter = get_column_letter(list_col)
                lists.cell(1, list_col, "assessment.item_id")
                ids = model.items["item_id"].tolist()
                for r, item in enumerate(ids, start=2):
                    lists.cell(r, list_col, item)
                list_range = f"'_Lists'!${list_letter}$2:${list_letter}${len(ids) + 1}"
                col = ColumnSpec(col.name, col.kind, col.help, choices=tuple(ids))
            rule = _rule(col, letter, spec, list_range=list_range, model=model, roles=roles)
            if rule is not None:
                sheet.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}{_ROWS_WITH_LISTS}")
            if col.kind == "date":
                sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
                cell.number_format = "yyyy-mm-dd"
        marker = sheet.cell(2, len(spec.columns) + 1)
        marker.font = Font(italic=True, bold=True, color="C00000")
        sheet.column_dimensions[get_column_letter(len(spec.columns) + 1)].width = len(EXAMPLE_MARKER) + 4
    for row in help_sheet.iter_rows(min_row=header_row + 1):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
    lists.sheet_state = "hidden"
    examples.sheet_state = "hidden"
    book.save(target)
    return target


def init_workspace(path: str | Path, *, organisation: str | None = None) -> Path:
    """Create a new workspace folder from the kit's templates.

    Parameters
    ----------
    path : str or Path
        Folder to create; it must not exist or must be empty.
    organisation : str, optional
        Written into pmo.yaml; default the folder's name.

    Returns
    -------
    Path
    """
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise PmoError(f"{path} already exists and is not an empty folder; choose a new folder for the workspace")
    path.mkdir(parents=True, exist_ok=True)
    name = organisation or path.resolve().name.replace("-", " ").replace("_", " ").title()
    text = (TEMPLATES_DIR / "pmo.yaml").read_text(encoding="utf-8")
    (path / "pmo.yaml").write_text(text.replace("organisation: Example Organisation",
                                                f"organisation: {name!r}" if ":" in name else f"organisation: {name}"),
                                   encoding="utf-8")
    config = load_config(path)
    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    with using(config.language, config.locale):  # the workspace's language (English unless pmo.yaml says)
        write_input_workbook(path / "data.xlsx", model=model, roles=config.questionnaire.roles)
    write_questionnaire_files(config, model, path, path)
    shutil.copy(TEMPLATES_DIR / "maturity_model.yaml", path / "maturity_model.example.yaml")
    return path


def write_questionnaire_files(config: Config, model: MaturityModel, workspace: Path, folder: Path) -> list[Path]:
    """Write the questionnaire workbook and PDF for a workspace, with its organisation, branding, deadline and roles.

    Returns
    -------
    list of Path
        ``questionnaire.xlsx`` and ``questionnaire.pdf`` in ``folder``.
    """
    options = QuestionnaireOptions.from_config(config, workspace)
    with using(config.language, config.locale):  # in the workspace's language, with its date format
        return [write_questionnaire(model, folder / "questionnaire.xlsx", options=options),
                write_questionnaire_pdf(model, folder / "questionnaire.pdf", options=options)]


def refresh_questionnaire(path: str | Path) -> list[Path]:
    """Write a workspace's questionnaire again from its current pmo.yaml and maturity model.

    The input tables are not needed: a consultant sets the deadline, roles and
    logo and sends the questionnaire before any data is in.

    Returns
    -------
    list of Path
        ``questionnaire.xlsx`` and ``questionnaire.pdf`` in the workspace.

    Raises
    ------
    ConfigError
        When pmo.yaml or the maturity model is invalid.
    PmoError
        When a file pmo.yaml names is missing or outside the workspace.
    """
    path = Path(path).resolve()
    config = load_config(path)
    for key, relative in (("maturity_model", config.maturity_model), ("branding.logo", config.branding.logo)):
        if relative and not ((path / relative).resolve().is_relative_to(path) and (path / relative).is_file()):
            raise PmoError(f"{key} in pmo.yaml names {relative!r}, which is not a file inside {path}")
    model = load_model(path / config.maturity_model if config.maturity_model
                       else TEMPLATES_DIR / "maturity_model.yaml")
    return write_questionnaire_files(config, model, path, path)


def extract_table_help(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
                       options: Mapping[str, Any]) -> Iterator[tuple[int, str | None, Any, list[str]]]:
    """Babel method for ``pmo_lib/inputs/tables.py`` (``babel.cfg``): its code's marked strings, as Python's
    extractor finds them, and the help of every table and column, which the input workbook's instructions
    show translated. The help is read from :data:`~pmo_lib.inputs.tables.TABLES` itself, because several
    are f-strings; each message's comment names its table and column for the translator."""
    from babel.messages.extract import extract_python

    source = fileobj.read()
    found: Any = extract_python(io.BytesIO(source), keywords, comment_tags, options)  # type: ignore[arg-type]
    yield from found
    text = source.decode("utf-8")
    for spec in TABLES.values():
        for column, help_text in [("", spec.help)] + [(c.name, c.help) for c in spec.columns]:
            start = text.find(help_text[:30])
            line = text.count("\n", 0, start) + 1 if start >= 0 else 1
            yield line, None, help_text, [f"help of {spec.name}" + (f".{column}" if column else "")]
