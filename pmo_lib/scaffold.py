"""``pmo init``: a new workspace with a commented pmo.yaml, a blank input
workbook and the maturity questionnaire."""
from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .exceptions import PmoError
from .maturity import load_model
from .questionnaire import HEADER_FILL, HEADER_FONT, write_questionnaire, write_questionnaire_pdf
from .resources import TEMPLATES_DIR
from .tables import TABLES

_ROWS_WITH_LISTS = 2000


def _header(sheet, names: list[str], widths: list[int] | None = None) -> None:
    sheet.append(names)
    for i, cell in enumerate(sheet[1], start=1):
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        sheet.column_dimensions[get_column_letter(i)].width = (widths or [])[i - 1] if widths else max(14, len(names[i - 1]) + 4)
    sheet.freeze_panes = "A2"


def write_input_workbook(target: Path) -> Path:
    """Write the blank input workbook: one sheet per table, help and drop-downs.

    Sheets whose name starts with ``_`` (instructions, lists) are ignored on load.
    """
    book = Workbook()
    help_sheet = book.active
    help_sheet.title = "_Instructions"
    _header(help_sheet, ["table", "column", "required", "meaning"], [16, 20, 22, 90])
    lists = book.create_sheet("_Lists")
    list_col = 0
    for spec in TABLES.values():
        help_sheet.append([spec.name, "", "required table" if spec.required else "optional table", spec.help])
        help_sheet.cell(help_sheet.max_row, 1).font = Font(bold=True)
        sheet = book.create_sheet(spec.name)
        _header(sheet, spec.column_names)
        for i, col in enumerate(spec.columns, start=1):
            need = "optional column" if not col.present else ("may be empty" if col.nullable else "value required")
            help_sheet.append(["", col.name, need, col.help])
            note = Comment(f"{col.help}\n({need})", "PMO Playbook Kit")
            note.width, note.height = 260, 90
            sheet.cell(1, i).comment = note
            if col.choices:
                list_col += 1
                letter = get_column_letter(list_col)
                lists.cell(1, list_col, f"{spec.name}.{col.name}")
                for r, choice in enumerate(col.choices, start=2):
                    lists.cell(r, list_col, choice)
                rule = DataValidation(type="list", allow_blank=col.nullable,
                                      formula1=f"'_Lists'!${letter}$2:${letter}${len(col.choices) + 1}",
                                      showErrorMessage=True, error=f"Choose one of: {', '.join(col.choices)}",
                                      errorTitle=f"{col.name}")
                sheet.add_data_validation(rule)
                rule.add(f"{get_column_letter(i)}2:{get_column_letter(i)}{_ROWS_WITH_LISTS}")
            elif col.kind == "date":
                sheet.column_dimensions[get_column_letter(i)].number_format = "yyyy-mm-dd"
    for row in help_sheet.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    lists.sheet_state = "hidden"
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
    write_input_workbook(path / "data.xlsx")
    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    write_questionnaire(model, path / "questionnaire.xlsx")
    write_questionnaire_pdf(model, path / "questionnaire.pdf")
    shutil.copy(TEMPLATES_DIR / "maturity_model.yaml", path / "maturity_model.example.yaml")
    return path
