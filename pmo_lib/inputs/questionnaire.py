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
from .i18n import N_, _, current_language, current_locale, languages, translations
from .i18n import date as local_date
from .model import MaturityModel

ANSWERS = N_("Answers")  # the sheet's name in English; a translated workbook names it in its language
LISTS = "_Lists"
HEADER_ROW = 5
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")  # the kit's workbooks share one header style
HEADER_FONT = Font(bold=True, color="FFFFFF")

DEFAULT_ROLES = ("Executive", "PMO", "Delivery lead", "Product owner")
DONT_KNOW = N_("Don't know")
INSTRUCTION = N_("For each statement, choose the answer that best describes your organisation today.")
_DONT_KNOW_NOTE = N_("If you don't know, choose “{dont_know}” rather than guess.")
DONT_KNOW_NOTE = _DONT_KNOW_NOTE.format(dont_know=DONT_KNOW)  # in English
ANONYMITY_NOTE = N_("Your answers are confidential. Use the respondent code your PMO gave you, not your name. "
                  "Results are reported only as averages, overall, by role and by business unit; no one's "
                  "individual answers are shown.")
# N_: these and the sheet and column names below are translated where written (i18n.py); the English ones
# stay the constants, and reading a returned workbook accepts every language's words (_in_any_language).
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
            return _("Please return this questionnaire by the date your PMO gives you.")
        d = self.deadline
        when = f"{d:%A} {d.day} {d:%B %Y}" if current_locale() is None else local_date(d, form="full")
        return _("Please return this questionnaire by {date}.").format(date=when)

    def notes(self) -> list[str]:
        """The instructions both the workbook and the PDF give, in order."""
        lines = [_(INSTRUCTION), _dont_know_note(), self.deadline_text(), _(ANONYMITY_NOTE)]
        if self.contact:
            lines.append(_("Questions? Contact {contact}.").format(contact=self.contact))
        return lines


TITLE = N_("Maturity questionnaire")


def _dont_know_note() -> str:
    return _(_DONT_KNOW_NOTE).format(dont_know=_(DONT_KNOW))


def _in_any_language(message: str) -> set[str]:
    """``message`` and its translation in every language the kit has, for reading a returned workbook."""
    return {message} | {str(translations(lang).gettext(message)) for lang in languages()}


def _title(options: QuestionnaireOptions) -> str:
    if not options.organisation:
        return _(TITLE)
    return _("{organisation}: maturity questionnaire").format(organisation=options.organisation)


def _scale_text(model: MaturityModel) -> list[str]:
    labels = [f"{k} = {_(v)}" for k, v in sorted(model.scale_labels.items())]
    return labels or [_("{lowest} (lowest) to {highest} (highest)").format(lowest=model.scale_min,
                                                                          highest=model.scale_max)]


def _answer_choices(model: MaturityModel) -> list[str]:
    return [str(p) for p in range(model.scale_min, model.scale_max + 1)] + [_(DONT_KNOW)]


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
    intro.title = _("Introduction")
    title_row = 1
    if _add_logo(intro, options.logo, "A1"):
        intro.row_dimensions[1].height = 40
        title_row = 2
    answers = _(ANSWERS)
    lines = [_title(options), _(model.name), ""] + options.notes() + ["", _("Answer scale:")]
    lines += [f"  {t}" for t in _scale_text(model)] + [f"  {_(DONT_KNOW)}"]
    lines += ["", _("Write your respondent code in cell B1 and choose your role in cell B2 of the '{sheet}' "
                    "sheet, then choose an answer for each statement in column D.").format(sheet=answers)]
    for r, line in enumerate(lines, start=title_row):
        intro.cell(r, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    intro.column_dimensions["A"].width = 110
    intro.cell(title_row, 1).font = Font(bold=True, size=14, color=options.colour.lstrip("#").upper())
    lists = book.create_sheet(LISTS)
    for r, role in enumerate(options.offered_roles, start=1):
        lists.cell(r, 1, role)
    lists.sheet_state = "hidden"
    sheet = book.create_sheet(answers, 1)
    sheet.append([_("Respondent code"), None, _("the code your PMO gave you, not your name")])
    sheet.append([_("Role"), None, _("choose from the list") if options.roles is not None
                  else _("choose from the list, or type your role")])
    sheet.append([_("Scale"), "; ".join(_scale_text(model) + [_(DONT_KNOW)])])
    sheet.append([_dont_know_note()])
    sheet.append([_("Statement ID"), _("Dimension"), _("Statement"), _("Your answer")])
    for cell in sheet[HEADER_ROW]:
        cell.fill, cell.font = fill, HEADER_FONT
    for row in (1, 2):
        sheet.cell(row, 1).font = Font(bold=True)
        sheet.cell(row, 3).font = Font(italic=True, color="666666")
    for col, width in zip("ABCD", (16, 34, 90, 12)):
        sheet.column_dimensions[col].width = width
    dims = model.dimensions.set_index("dimension_id")["dimension"]
    for item in model.items.itertuples():
        sheet.append([item.item_id, _(dims[item.dimension_id]), _(item.text), None])
        sheet.cell(sheet.max_row, 3).alignment = Alignment(wrap_text=True, vertical="top")
    role = DataValidation(type="list", formula1=f"'{LISTS}'!$A$1:$A${len(options.offered_roles)}",
                          allow_blank=True, showErrorMessage=options.roles is not None, errorTitle=_("Role"),
                          error=_("Choose one of: {choices}").format(choices=", ".join(options.offered_roles)))
    sheet.add_data_validation(role)
    role.add("B2")
    choices = _answer_choices(model)
    rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                          showErrorMessage=True, errorTitle=_("Answer"),
                          error=_("Choose a whole number from {lowest} to {highest}, or {dont_know}").format(
                              lowest=model.scale_min, highest=model.scale_max, dont_know=_(DONT_KNOW)))
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
    head = "".join(f"<th class='box'>{p}</th>" for p in points) + f"<th class='dk'>{_dont_know_head()}</th>"
    sections = []
    dims = model.dimensions.set_index("dimension_id")["dimension"]
    # the page's words (outside the f-strings, where pybabel extract finds them)
    words = {"statement": _("Statement"), "other": _("Other:"), "tick": _("Tick one box per statement."),
             "scale": _("Answer scale"), "code": _("Respondent code:"), "role": _("Role:")}
    contact = _("Questions? Contact {contact}.").format(contact=options.contact)
    for dim_id, items in model.items.groupby("dimension_id", sort=False):
        rows = "".join(f"<tr><td class='id'>{esc(it.item_id)}</td><td>{esc(_(it.text))}</td>"
                       + "<td class='box'>\u2610</td>" * (len(points) + 1) + "</tr>" for it in items.itertuples())
        sections.append(f"<section><h2>{esc(_(dims[dim_id]))}</h2><table><colgroup><col class='id'><col>"
                        + "<col class='box'>" * len(points) + "<col class='dk'></colgroup>"
                        f"<thead><tr><th></th><th class='st'>{esc(words['statement'])}</th>{head}</tr></thead>"
                        f"<tbody>{rows}</tbody></table></section>")
    scale = "".join(f"<li>{esc(t)}</li>" for t in _scale_text(model)) + f"<li>{esc(_(DONT_KNOW))}</li>"
    roles = " ".join(f"<span class='role'>\u2610 {esc(r)}</span>" for r in options.offered_roles)
    if options.roles is None:
        roles += f" <span class='role'>\u2610 {esc(words['other'])} <span class='fill short'>&nbsp;</span></span>"
    notes = (f"<p>{esc(_(INSTRUCTION))} {esc(words['tick'])}</p>"
             f"<p><b>{esc(_dont_know_note())}</b></p>"
             f"<p>{esc(options.deadline_text())}</p><p class='anon'>{esc(_(ANONYMITY_NOTE))}</p>"
             + (f"<p>{esc(contact)}</p>"
                if options.contact else ""))
    logo = logo_data_uri(options.logo)
    logo_html = f"<img class='logo' src='{logo}' alt=''>" if logo else ""
    org = f"<div class='org'>{esc(options.organisation)}</div>" if options.organisation else ""
    footer = esc(_title(options)).replace('"', "'")
    page = '" counter(page) "'.join(esc(part).replace('"', "'") for part in _("Page {page} of {pages}").split("{page}"))
    page = ('"' + '" counter(pages) "'.join(page.split("{pages}")) + '"').replace('"" ', "").replace(' ""', "")
    lang = esc(current_language())
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{esc(_title(options))}</title><style>
@page {{ size: A4; margin: 16mm 16mm 18mm 16mm;
  @bottom-left {{ content: "{footer}"; font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #666; }}
  @bottom-right {{ content: {page}; font-family: "DejaVu Sans", sans-serif;
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
<header>{logo_html}<div>{org}<h1>{esc(_(TITLE))}</h1><div class="model">{esc(_(model.name))}</div></div></header>
<div class="intro">{notes}</div>
<p class="scale"><b>{esc(words["scale"])}</b></p><ul class="scale">{scale}</ul>
<div class="who"><p>{esc(words["code"])} <span class="fill">&nbsp;</span></p><p>{esc(words["role"])} {roles}</p></div>
{''.join(sections)}</body></html>"""


def write_questionnaire_pdf(model: MaturityModel, target: Path, *,
                            options: QuestionnaireOptions | None = None) -> Path:
    """Write the printable questionnaire as an A4 PDF."""
    from .printing import render_pdf

    return render_pdf(questionnaire_html(model, options=options), target)


def _dont_know_head() -> str:
    """The PDF's narrow "Don't know" column heading, broken over two lines."""
    words = _(DONT_KNOW).replace("'", "\u2019").split(" ")
    # break where the longer line is shortest: "Don’t / know", "Je ne / sais pas"
    cut = min(range(1, len(words) + 1), key=lambda i: max(len(" ".join(words[:i])), len(" ".join(words[i:]))))
    return "<br>".join(html.escape(" ".join(part)) for part in (words[:cut], words[cut:]) if part)


def _is_dont_know(value: object) -> bool:
    text = str(value).strip().replace("\u2019", "'").casefold()
    return text in {"", "?", "dk"} | {w.replace("\u2019", "'").casefold() for w in _in_any_language(DONT_KNOW)}


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
    names = [n for n in book.sheetnames if n in _in_any_language(ANSWERS)]
    if not names:
        return pd.DataFrame(), [Problem(label, ANSWERS, f"no '{ANSWERS}' sheet; is this a questionnaire workbook?")]
    sheet = book[names[0]]
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
