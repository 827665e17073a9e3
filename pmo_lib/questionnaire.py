"""The maturity questionnaire: the workbook and printable PDF respondents fill in, and
collecting their returned workbooks into the workspace's assessment table."""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .exceptions import InputError, PmoError, Problem
from .maturity import MaturityModel

ANSWERS = "Answers"
HEADER_ROW = 5
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")  # the kit's workbooks share one header style
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _scale_text(model: MaturityModel) -> list[str]:
    labels = [f"{k} = {v}" for k, v in sorted(model.scale_labels.items())]
    return labels or [f"{model.scale_min} (lowest) to {model.scale_max} (highest)"]


def write_questionnaire(model: MaturityModel, target: Path) -> Path:
    """Write the questionnaire workbook: respondent, role, one row per statement, a score drop-down.

    Layout of the ``Answers`` sheet: B1 respondent id, B2 role, row 5 the
    header ``item_id, dimension, statement, score``, then one row per item.
    """
    book = Workbook()
    intro = book.active
    intro.title = "Introduction"
    lines = [model.name, "", "For each statement, choose how far it is true of your organisation today.",
             "Leave the score empty if you do not know; do not guess.", "", "Answer scale:"]
    lines += [f"  {t}" for t in _scale_text(model)]
    lines += ["", f"Write your respondent id in cell B1 and your role (e.g. Executive, PMO, Delivery lead, "
                  f"Product owner) in cell B2 of the '{ANSWERS}' sheet."]
    for line in lines:
        intro.append([line])
    intro.column_dimensions["A"].width = 110
    intro["A1"].font = Font(bold=True, size=14)
    sheet = book.create_sheet(ANSWERS)
    sheet.append(["Respondent id", None])
    sheet.append(["Role", None])
    sheet.append(["Scale", "; ".join(_scale_text(model))])
    sheet.append([])
    sheet.append(["item_id", "dimension", "statement", "score"])
    for cell in sheet[HEADER_ROW]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    for col, width in zip("ABCD", (14, 34, 90, 10)):
        sheet.column_dimensions[col].width = width
    dims = model.dimensions.set_index("dimension_id")["dimension"]
    for item in model.items.itertuples():
        sheet.append([item.item_id, dims[item.dimension_id], item.text, None])
        sheet.cell(sheet.max_row, 3).alignment = Alignment(wrap_text=True, vertical="top")
    rule = DataValidation(type="whole", operator="between", formula1=str(model.scale_min),
                          formula2=str(model.scale_max), allow_blank=True, showErrorMessage=True,
                          error=f"Answer with a whole number from {model.scale_min} to {model.scale_max}, "
                                "or leave it empty")
    sheet.add_data_validation(rule)
    rule.add(f"D{HEADER_ROW + 1}:D{sheet.max_row}")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    book.save(target)
    return target


def questionnaire_html(model: MaturityModel) -> str:
    """A printable questionnaire: statements grouped by dimension with a box per scale point."""
    esc = html.escape
    points = list(range(model.scale_min, model.scale_max + 1))
    head = "".join(f"<th>{p}</th>" for p in points) + "<th>?</th>"
    sections = []
    dims = model.dimensions.set_index("dimension_id")["dimension"]
    for dim_id, items in model.items.groupby("dimension_id", sort=False):
        rows = "".join(f"<tr><td class='id'>{esc(it.item_id)}</td><td>{esc(it.text)}</td>"
                       + "<td class='box'>☐</td>" * (len(points) + 1) + "</tr>" for it in items.itertuples())
        sections.append(f"<h2>{esc(dims[dim_id])}</h2><table><thead><tr><th></th><th>Statement</th>{head}</tr>"
                        f"</thead><tbody>{rows}</tbody></table>")
    scale = "".join(f"<li>{esc(t)}</li>" for t in _scale_text(model))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(model.name)}</title><style>
@page {{ size: A4; margin: 16mm; @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font-size: 8pt; }} }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 9pt; color: #222; }}
h1 {{ color: #1f4e79; font-size: 16pt; }} h2 {{ color: #1f4e79; font-size: 11pt; margin-top: 6mm; break-after: avoid; }}
table {{ width: 100%; border-collapse: collapse; }} th, td {{ border-bottom: 1px solid #ddd; padding: 1.2mm; vertical-align: top; }}
thead {{ display: table-header-group; }} tr {{ break-inside: avoid; }} th {{ background: #1f4e79; color: #fff; }}
td.box {{ text-align: center; font-size: 12pt; width: 7mm; }} td.id {{ width: 10mm; color: #555; }}
.fill {{ border-bottom: 1px solid #999; display: inline-block; width: 60mm; }}
</style></head><body><h1>{esc(model.name)}</h1>
<p>Respondent id: <span class="fill">&nbsp;</span> &nbsp; Role: <span class="fill">&nbsp;</span></p>
<p>For each statement, tick how far it is true of your organisation today; tick <b>?</b> if you do not know.</p>
<ul>{scale}</ul>{''.join(sections)}</body></html>"""


def write_questionnaire_pdf(model: MaturityModel, target: Path) -> Path:
    """Write the printable questionnaire as an A4 PDF."""
    from .render import render_pdf

    return render_pdf(questionnaire_html(model), target)


def read_returned(path: Path, model: MaturityModel) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one returned questionnaire workbook.

    Returns
    -------
    tuple
        The answers (``respondent_id, role, item_id, score``) and the problems found.
    """
    problems: list[Problem] = []
    label = str(path)
    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # a corrupt or foreign file
        return pd.DataFrame(), [Problem(label, ANSWERS, f"the workbook cannot be opened: {exc}")]
    if ANSWERS not in book.sheetnames:
        return pd.DataFrame(), [Problem(label, ANSWERS, f"no '{ANSWERS}' sheet; is this a questionnaire workbook?")]
    sheet = book[ANSWERS]
    respondent = str(sheet["B1"].value or "").strip() or path.stem
    role = str(sheet["B2"].value or "").strip()
    if not role:
        problems.append(Problem(label, ANSWERS, "the role is empty (cell B2)", row=2, column="B"))
    known = set(model.items["item_id"])
    rows = []
    for r in range(HEADER_ROW + 1, sheet.max_row + 1):
        item, score = sheet.cell(r, 1).value, sheet.cell(r, 4).value
        if item is None and score is None:
            continue
        item = str(item).strip()
        if item not in known:
            problems.append(Problem(label, ANSWERS, "unknown item_id; it is not in the maturity model",
                                    row=r, column="item_id", value=item))
            continue
        if score is not None and str(score).strip() != "":
            try:
                value = float(score)
            except ValueError:
                value = None
            if value is None or not value.is_integer() or not model.scale_min <= value <= model.scale_max:
                problems.append(Problem(label, ANSWERS, f"score must be a whole number from {model.scale_min} "
                                        f"to {model.scale_max}, or empty", row=r, column="score", value=score))
                continue
        else:
            value = None
        rows.append({"respondent_id": respondent, "role": role, "item_id": item, "score": value})
    return pd.DataFrame(rows, columns=["respondent_id", "role", "item_id", "score"]), problems


def collect_responses(workspace, folder: str | Path, *, cycle: str | None = None) -> dict:
    """Merge returned questionnaire workbooks into the workspace's assessment table.

    Every ``*.xlsx`` in ``folder`` is read. The answers replace any earlier
    rows of the same cycle and respondent, so collecting twice gives the same
    table. Duplicate respondents across files, unknown items and out-of-scale
    scores are all reported together and nothing is written.

    Parameters
    ----------
    workspace : Workspace
        A loaded workspace that keeps its tables as CSV files.
    folder : path
        The returned workbooks.
    cycle : str, optional
        The cycle the answers belong to; default the latest cycle.

    Returns
    -------
    dict
        ``cycle``, ``respondents`` (count), ``answers`` (rows written) and ``path``.
    """
    cycle = workspace.resolve_cycle(cycle)
    folder = Path(folder)
    files = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith(("~$", ".")))
    if not files:
        raise PmoError(f"no questionnaire workbooks (*.xlsx) in {folder}")
    target = workspace.path / "data" / "assessment.csv"
    if not target.is_file():
        raise PmoError(f"collect-responses writes to {target}; this workspace keeps its tables elsewhere "
                       "(data.xlsx). Paste the answers into the assessment sheet instead.")
    problems: list[Problem] = []
    frames, seen = [], {}
    for path in files:
        answers, found = read_returned(path, workspace.model)
        problems += found
        if answers.empty:
            continue
        respondent = answers["respondent_id"].iloc[0]
        if respondent in seen:
            problems.append(Problem(str(path), ANSWERS, f"respondent id also used in {seen[respondent].name}",
                                    row=1, column="B", value=respondent))
            continue
        seen[respondent] = path
        frames.append(answers)
    if problems:
        raise InputError(problems, workspace=folder)
    new = pd.concat(frames, ignore_index=True).assign(cycle=cycle)
    current = pd.read_csv(target, dtype=str, keep_default_na=False)
    keep = ~((current["cycle"] == cycle) & current["respondent_id"].isin(set(new["respondent_id"])))
    new_text = new.assign(score=new["score"].map(lambda v: "" if pd.isna(v) else str(int(v))))
    merged = pd.concat([current[keep], new_text[current.columns.intersection(new_text.columns)]], ignore_index=True)
    tmp = target.with_suffix(".csv.tmp")
    merged.to_csv(tmp, index=False)
    tmp.replace(target)
    return {"cycle": cycle, "respondents": len(seen), "answers": len(new), "path": target}
