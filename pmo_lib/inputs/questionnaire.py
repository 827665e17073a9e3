"""The maturity questionnaire: the workbook and printable PDF respondents fill in, and reading a returned
workbook (:mod:`pmo_lib.inputs.collect` merges them into the assessment table)."""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .config import Config, Questionnaire
from .exceptions import Problem
from .model import MaturityModel

ANSWERS = "Answers"
LISTS = "_Lists"
HEADER_ROW = 5
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")  # the kit's workbooks share one header style
HEADER_FONT = Font(bold=True, color="FFFFFF")

DEFAULT_ROLES = ("Executive", "PMO", "Delivery lead", "Product owner")
DONT_KNOW = "Don't know"
INSTRUCTION = "For each statement, choose the answer that best describes your organisation today."
DONT_KNOW_NOTE = f"If you don't know, choose “{DONT_KNOW}” rather than guess."
ANONYMITY_NOTE = ("Your answers are confidential. Use the respondent code your PMO gave you, not your name. "
                  "Results are reported only as averages, overall, by role and by business unit; no one's "
                  "individual answers are shown.")
_RASTER = {".png", ".jpg", ".jpeg", ".gif", ".bmp"}


@dataclass(frozen=True)
class QuestionnaireOptions:
    """What a questionnaire says about who sends it: organisation, branding, deadline and roles.

    Attributes
    ----------
    organisation : str, optional
        Shown in the title.
    deadline : date, optional
        Return date; without it respondents are told to return it by the date their PMO gives them.
    roles : tuple of str, optional
        The roles respondents choose from. ``None`` offers :data:`DEFAULT_ROLES`
        as suggestions and accepts any text.
    contact : str, optional
        Who answers respondents' questions.
    colour : str
        The primary colour, ``#rrggbb``.
    logo : Path, optional
        A logo file; the workbook shows raster images only (PNG, JPEG), the PDF any image.
    """

    organisation: str | None = None
    deadline: dt.date | None = None
    roles: tuple[str, ...] | None = None
    contact: str | None = None
    colour: str = "#1f4e79"
    logo: Path | None = None

    @classmethod
    def from_config(cls, config: Config, workspace: Path | None = None) -> QuestionnaireOptions:
        """Read the options from a workspace's configuration; the logo path is relative to ``workspace``."""
        logo = None
        if config.branding.logo and workspace is not None and (Path(workspace) / config.branding.logo).is_file():
            logo = Path(workspace) / config.branding.logo
        q = config.questionnaire
        return cls(organisation=config.organisation, deadline=q.deadline,
                   roles=tuple(q.roles) if q.roles is not None else None, contact=q.contact,
                   colour=config.branding.primary_colour, logo=logo)

    @property
    def offered_roles(self) -> tuple[str, ...]:
        """The roles shown to respondents: the configured list, or the suggestions."""
        return self.roles if self.roles is not None else DEFAULT_ROLES

    def deadline_text(self) -> str:
        """The sentence that tells respondents when to return the questionnaire."""
        if self.deadline is None:
            return "Please return this questionnaire by the date your PMO gives you."
        d = self.deadline
        return f"Please return this questionnaire by {d:%A} {d.day} {d:%B %Y}."

    def notes(self) -> list[str]:
        """The instructions both the workbook and the PDF give, in order."""
        lines = [INSTRUCTION, DONT_KNOW_NOTE, self.deadline_text(), ANONYMITY_NOTE]
        if self.contact:
            lines.append(f"Questions? Contact {self.contact}.")
        return lines


TITLE = "Maturity questionnaire"


def _title(options: QuestionnaireOptions) -> str:
    return f"{options.organisation}: {TITLE.lower()}" if options.organisation else TITLE


def _scale_text(model: MaturityModel) -> list[str]:
    labels = [f"{k} = {v}" for k, v in sorted(model.scale_labels.items())]
    return labels or [f"{model.scale_min} (lowest) to {model.scale_max} (highest)"]


def _answer_choices(model: MaturityModel) -> list[str]:
    return [str(p) for p in range(model.scale_min, model.scale_max + 1)] + [DONT_KNOW]


def _add_logo(sheet, logo: Path | None, anchor: str) -> bool:
    """Place a raster logo at ``anchor``, about 48 pixels high; False when there is none to place."""
    if logo is None or logo.suffix.lower() not in _RASTER:
        return False
    try:
        from openpyxl.drawing.image import Image
        image = Image(str(logo))
    except Exception:  # Pillow missing or an unreadable image: the workbook goes without it
        return False
    if image.height:
        image.width, image.height = round(image.width * 48 / image.height), 48
    sheet.add_image(image, anchor)
    return True


def write_questionnaire(model: MaturityModel, target: Path, *,
                        options: QuestionnaireOptions | None = None) -> Path:
    """Write the questionnaire workbook: respondent, role, one row per statement, an answer drop-down.

    Layout of the ``Answers`` sheet: B1 respondent code, B2 role (a drop-down
    of the roles), B3 the scale, row 5 the header (statement id, dimension,
    statement, answer), then one row per item. The answer drop-down offers the
    scale's points and "Don't know", which is collected as an empty answer.
    """
    options = options or QuestionnaireOptions()
    fill = PatternFill("solid", fgColor=options.colour.lstrip("#").upper())
    book = Workbook()
    intro = book.active
    intro.title = "Introduction"
    title_row = 1
    if _add_logo(intro, options.logo, "A1"):
        intro.row_dimensions[1].height = 40
        title_row = 2
    lines = [_title(options), model.name, ""] + options.notes() + ["", "Answer scale:"]
    lines += [f"  {t}" for t in _scale_text(model)] + [f"  {DONT_KNOW}"]
    lines += ["", f"Write your respondent code in cell B1 and choose your role in cell B2 of the '{ANSWERS}' "
                  f"sheet, then choose an answer for each statement in column D."]
    for r, line in enumerate(lines, start=title_row):
        intro.cell(r, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    intro.column_dimensions["A"].width = 110
    intro.cell(title_row, 1).font = Font(bold=True, size=14, color=options.colour.lstrip("#").upper())
    lists = book.create_sheet(LISTS)
    for r, role in enumerate(options.offered_roles, start=1):
        lists.cell(r, 1, role)
    lists.sheet_state = "hidden"
    sheet = book.create_sheet(ANSWERS, 1)
    sheet.append(["Respondent code", None, "the code your PMO gave you, not your name"])
    sheet.append(["Role", None, "choose from the list" if options.roles is not None
                  else "choose from the list, or type your role"])
    sheet.append(["Scale", "; ".join(_scale_text(model) + [DONT_KNOW])])
    sheet.append([DONT_KNOW_NOTE])
    sheet.append(["Statement ID", "Dimension", "Statement", "Your answer"])
    for cell in sheet[HEADER_ROW]:
        cell.fill, cell.font = fill, HEADER_FONT
    for row in (1, 2):
        sheet.cell(row, 1).font = Font(bold=True)
        sheet.cell(row, 3).font = Font(italic=True, color="666666")
    for col, width in zip("ABCD", (16, 34, 90, 12)):
        sheet.column_dimensions[col].width = width
    dims = model.dimensions.set_index("dimension_id")["dimension"]
    for item in model.items.itertuples():
        sheet.append([item.item_id, dims[item.dimension_id], item.text, None])
        sheet.cell(sheet.max_row, 3).alignment = Alignment(wrap_text=True, vertical="top")
    role = DataValidation(type="list", formula1=f"'{LISTS}'!$A$1:$A${len(options.offered_roles)}",
                          allow_blank=True, showErrorMessage=options.roles is not None, errorTitle="Role",
                          error=f"Choose one of: {', '.join(options.offered_roles)}")
    sheet.add_data_validation(role)
    role.add("B2")
    choices = _answer_choices(model)
    rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                          showErrorMessage=True, errorTitle="Answer",
                          error=f"Choose a whole number from {model.scale_min} to {model.scale_max}, "
                                f"or {DONT_KNOW}")
    sheet.add_data_validation(rule)
    rule.add(f"D{HEADER_ROW + 1}:D{sheet.max_row}")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    book.save(target)
    return target


def questionnaire_html(model: MaturityModel, *, options: QuestionnaireOptions | None = None) -> str:
    """A printable questionnaire: statements grouped by dimension with a box per answer, "Don't know" last."""
    from .printing import logo_data_uri

    options = options or QuestionnaireOptions()
    esc = html.escape
    colour = options.colour
    points = list(range(model.scale_min, model.scale_max + 1))
    head = "".join(f"<th class='box'>{p}</th>" for p in points) + "<th class='dk'>Don\u2019t<br>know</th>"
    sections = []
    dims = model.dimensions.set_index("dimension_id")["dimension"]
    for dim_id, items in model.items.groupby("dimension_id", sort=False):
        rows = "".join(f"<tr><td class='id'>{esc(it.item_id)}</td><td>{esc(it.text)}</td>"
                       + "<td class='box'>\u2610</td>" * (len(points) + 1) + "</tr>" for it in items.itertuples())
        sections.append(f"<section><h2>{esc(dims[dim_id])}</h2><table><colgroup><col class='id'><col>"
                        + "<col class='box'>" * len(points) + "<col class='dk'></colgroup>"
                        f"<thead><tr><th></th><th class='st'>Statement</th>{head}</tr></thead>"
                        f"<tbody>{rows}</tbody></table></section>")
    scale = "".join(f"<li>{esc(t)}</li>" for t in _scale_text(model)) + f"<li>{esc(DONT_KNOW)}</li>"
    roles = " ".join(f"<span class='role'>\u2610 {esc(r)}</span>" for r in options.offered_roles)
    if options.roles is None:
        roles += " <span class='role'>\u2610 Other: <span class='fill short'>&nbsp;</span></span>"
    notes = (f"<p>{esc(INSTRUCTION)} Tick one box per statement.</p><p><b>{esc(DONT_KNOW_NOTE)}</b></p>"
             f"<p>{esc(options.deadline_text())}</p><p class='anon'>{esc(ANONYMITY_NOTE)}</p>"
             + (f"<p>Questions? Contact {esc(options.contact)}.</p>" if options.contact else ""))
    logo = logo_data_uri(options.logo)
    logo_html = f"<img class='logo' src='{logo}' alt=''>" if logo else ""
    org = f"<div class='org'>{esc(options.organisation)}</div>" if options.organisation else ""
    footer = esc(_title(options)).replace('"', "'")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(_title(options))}</title><style>
@page {{ size: A4; margin: 16mm 16mm 18mm 16mm;
  @bottom-left {{ content: "{footer}"; font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #666; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font-family: "DejaVu Sans", sans-serif;
                   font-size: 7.5pt; color: #666; }} }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 9pt; color: #222; }}
header {{ display: flex; align-items: center; gap: 6mm; border-bottom: 2px solid {colour}; padding-bottom: 3mm; }}
img.logo {{ max-height: 16mm; max-width: 50mm; }}
.org {{ font-size: 11pt; font-weight: bold; color: {colour}; }}
h1 {{ color: {colour}; font-size: 15pt; margin: 1mm 0 0 0; }}
h2 {{ color: {colour}; font-size: 11pt; margin: 5mm 0 1.5mm 0; break-after: avoid; }}
section {{ break-inside: avoid; }}  /* a dimension's statements stay on one page */
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 1.2mm; vertical-align: top; }}
thead {{ display: table-header-group; }} tr {{ break-inside: avoid; }}
th {{ background: {colour}; color: #fff; font-size: 8pt; }} th.st {{ text-align: left; }}
col.id {{ width: 11mm; }} col.box {{ width: 8mm; }} col.dk {{ width: 14mm; }}
td.box {{ text-align: center; font-size: 12pt; }} td.id {{ color: #555; }}
th.box, th.dk {{ text-align: center; }} th.dk {{ font-size: 7pt; font-weight: bold; }}
.fill {{ border-bottom: 1px solid #999; display: inline-block; width: 55mm; }} .fill.short {{ width: 30mm; }}
.who p {{ margin: 2.5mm 0; }} .role {{ margin-right: 4mm; white-space: nowrap; }}
.intro p {{ margin: 1.5mm 0; }} .anon {{ color: #444; }}
ul.scale {{ margin: 0 0 2mm 0; padding-left: 5mm; columns: 2; }} p.scale {{ margin: 3mm 0 1mm 0; }}
.model {{ color: #555; font-size: 9pt; margin-top: 0.5mm; }}
</style></head><body>
<header>{logo_html}<div>{org}<h1>{TITLE}</h1><div class="model">{esc(model.name)}</div></div></header>
<div class="intro">{notes}</div>
<p class="scale"><b>Answer scale</b></p><ul class="scale">{scale}</ul>
<div class="who"><p>Respondent code: <span class="fill">&nbsp;</span></p><p>Role: {roles}</p></div>
{''.join(sections)}</body></html>"""


def write_questionnaire_pdf(model: MaturityModel, target: Path, *,
                            options: QuestionnaireOptions | None = None) -> Path:
    """Write the printable questionnaire as an A4 PDF."""
    from .printing import render_pdf

    return render_pdf(questionnaire_html(model, options=options), target)


def _is_dont_know(value: object) -> bool:
    text = str(value).strip().replace("\u2019", "'").casefold()
    return text in {"", DONT_KNOW.casefold(), "?", "dk"}


def read_returned(path: Path, model: MaturityModel, *,
                  settings: Questionnaire | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one returned questionnaire workbook.

    An empty answer and "Don't know" both become an empty score.

    Parameters
    ----------
    path : Path
    model : MaturityModel
    settings : Questionnaire, optional
        The workspace's questionnaire settings (``config.questionnaire``); when they list roles, a role
        outside the list is a problem and one that differs only in case takes
        the list's spelling.

    Returns
    -------
    tuple
        The answers (``respondent_id, role, item_id, score``; ``attrs["respondent_id"]`` is set
        whenever the workbook could be read) and the problems found.
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
    elif settings is not None and settings.roles is not None:
        known_role = settings.match_role(role)
        if known_role is None:
            problems.append(Problem(label, ANSWERS, f"the role is not in the questionnaire's list of roles "
                                    f"({', '.join(settings.roles)})", row=2, column="B", value=role))
        else:
            role = known_role
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
        if score is not None and not _is_dont_know(score):
            try:
                value = float(score)
            except ValueError:
                value = None
            if value is None or not value.is_integer() or not model.scale_min <= value <= model.scale_max:
                problems.append(Problem(label, ANSWERS, f"score must be a whole number from {model.scale_min} "
                                        f"to {model.scale_max}, {DONT_KNOW} or empty", row=r, column="score",
                                        value=score))
                continue
        else:
            value = None
        rows.append({"respondent_id": respondent, "role": role, "item_id": item, "score": value})
    frame = pd.DataFrame(rows, columns=["respondent_id", "role", "item_id", "score"])
    frame.attrs["respondent_id"] = respondent  # known even when no answer could be read
    return frame, problems
