"""The maturity questionnaire: the workbook and printable PDF respondents fill in, and
collecting their returned workbooks into the workspace's assessment table."""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .config import Config, Questionnaire
from .exceptions import InputError, PmoError, Problem
from .maturity import MaturityModel

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
                  "Results are reported only as averages, overall and by role; no one's individual answers "
                  "are shown.")
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
    from .render import logo_data_uri

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
    from .render import render_pdf

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


# --------------------------------------------------------------------------- collecting returned questionnaires

ASSESSMENT = "assessment"
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
    from .maturity import load_model
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
        path = self.path
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            pass
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
        from .theme import plural

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
        raise InputError(problems, workspace=folder)
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


def _score_text(value: object) -> str:
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

    columns = TABLES[ASSESSMENT].column_names
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
    sheet = book[names[ASSESSMENT]] if ASSESSMENT in names else None
    created = sheet is None or all(c.value is None for c in sheet[1])
    if created:
        if sheet is None:
            sheet = book.create_sheet(ASSESSMENT)
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
