"""Presentation helpers the notebooks use: formatted tables, badges and prose.

Every string that comes from the workspace is HTML-escaped here, so that a
name such as ``<script>`` shows as text in the report.
"""
from __future__ import annotations

import html
import itertools
import re
import secrets
from collections.abc import Mapping
from typing import cast

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown
from pandas.io.formats.style import Styler

from . import theme
from ..inputs import i18n
from ..inputs.i18n import N_, gettext, ngettext
from ..inputs.config import DEFAULT_MINIMUMS, Minimums
from ..inputs.catalog import COUNT_NOUNS
from .theme import STATUS_SYMBOLS, STATUS_WORDS
# The theme formats values and names units; they are re-exported here, where the notebooks found them.
from .theme import MAX_EXTRA_DECIMALS, UNIT_DECIMALS, format_value, plural, unit_label  # noqa: F401

_TABLE_IDS = itertools.count(1)

#: What a KPI rated as a share is a share of, in words.
BASIS_WORDS = {"share_of_ac": N_("of actual cost"), "share_of_pv": N_("of planned value"),
               "share_of_bac": N_("of the budget at completion"),
               "share_of_throughput": N_("of the items finished in the cycle"),
               "share_of_planned_duration": N_("of the planned duration")}  # translated where shown (_)


def esc(value: object) -> str:
    """Escape a value for HTML or Markdown prose (a recorded text said in the report's language)."""
    return html.escape(str(i18n.shown(value)), quote=True)


# --- the look each element carries ----------------------------------------------------------------------------
# A badge, a notice, a table and a figure carry their own style (inline, or a <style> scoped to the table's id),
# so JupyterLab shows them as the report does. templates/report/report.css repeats these rules for the page
# around them; the values are the same, so the HTML and PDF look as before.

#: The primary colour: the workspace's (``--primary``, set by the report template) or the kit's default.
PRIMARY_CSS = f"var(--primary, {theme.PRIMARY})"
BADGE_CSS = ("display: inline-block; padding: .2mm 1.8mm; border-radius: 3mm; font-size: 8pt; font-weight: 600; "
             "white-space: nowrap")
NOTICE_CSS = "color: #222; padding: 2.5mm 4mm; margin: 3mm 0 5mm; page-break-inside: avoid"
TABLE_CSS = ("border-collapse: collapse; width: 100%; margin: 3mm 0 5mm; font-size: 8.5pt; table-layout: auto; "
             "color: #222")
#: Rules for the parts of a table, each scoped to the table's id by :func:`table_style`.
TABLE_RULES = (
    ("caption", "caption-side: top; text-align: left; font-weight: bold; color: #333; padding-bottom: 1.5mm; "
                "page-break-after: avoid; break-after: avoid"),
    ("thead", "display: table-header-group"),
    ("th", f"background: {PRIMARY_CSS}; color: #fff; padding: 1.5mm 2mm; font-weight: 600; vertical-align: bottom; "
           "border: 0; hyphens: none; word-break: normal; overflow-wrap: normal"),
    ("td", "padding: 1.2mm 2mm; border: 0; border-bottom: 1px solid #e3e7ec; vertical-align: top; background: #fff; "
           "hyphens: none; word-break: normal; overflow-wrap: normal; max-width: none"),
    ("tr", "page-break-inside: avoid; break-inside: avoid; background: none"),
    ("tbody tr:nth-child(even) td", "background: #f6f8fa"),
)
FIGURE_CSS = "margin: 4mm 0 6mm; page-break-inside: avoid; break-inside: avoid"
CAPTION_CSS = "font-size: 8.5pt; color: #555; margin-top: 1.5mm; page-break-before: avoid; break-before: avoid"
FIGURE_NUMBER_CSS = "font-weight: bold; color: #333"


def table_style(table_id: str) -> str:
    """A ``<style>`` element with the house table rules, scoped to the table with id ``table_id``.

    The rules carry no text alignment: each cell states its own (text left, numbers right).
    """
    rules = "\n".join(f"#{table_id} {selector} {{ {props} }}" for selector, props in TABLE_RULES)
    return f"<style>\n{rules}\n</style>"


def status_badge(status: str, words: Mapping[str, str] | None = None) -> str:
    """A RAG badge: colour, symbol and word, so colour is never the only signal.

    ``words`` replaces the default words (On track, At risk, Off track, For
    information, Not rated: ``STATUS_WORDS`` in the theme). A status may carry a
    qualifier after a comma, ``"amber, uncertain (21 answers)"``; it is shown
    after the badge.
    """
    key, _, qualifier = str(status).partition(", ")
    key = key if key in STATUS_WORDS else "n/a"
    css = "na" if key == "n/a" else key
    word = (words or {}).get(key, gettext(STATUS_WORDS[key]))
    background, colour = theme.BADGE_COLOURS[key]
    badge = (f'<span class="rag rag-{css}" style="{BADGE_CSS}; background: {background}; color: {colour}">'
             f'{STATUS_SYMBOLS[key]} {esc(word)}</span>')
    return f"{badge} <small>{esc(qualifier)}</small>" if qualifier else badge


def status_text(status: str, *, uncertain: bool = False, n: int | None = None, kpi_id: str = "") -> str:
    """A status in words for prose, e.g. ``At risk, uncertain (21 answers)``."""
    word = gettext(STATUS_WORDS.get(status, STATUS_WORDS["n/a"]))
    return word + (f", {uncertainty_note(n, kpi_id)}" if uncertain else "")


def uncertainty_note(n: int | None, kpi_id: str = "") -> str:
    """``uncertain (21 answers)``: the interval reaches the target, with what n counts."""
    if n is None or pd.isna(n):
        return gettext("uncertain")
    one, many = COUNT_NOUNS.get(kpi_id, ("record", "records"))
    if i18n.current_language() != i18n.SOURCE_LANGUAGE:  # whole phrases, so each language declines its noun
        count, k = i18n.number(int(n)), int(n)
        if one == "answer":
            return ngettext("uncertain ({count} answer)", "uncertain ({count} answers)", k).format(count=count)
        if one == "closed initiative":
            return ngettext("uncertain ({count} closed initiative)", "uncertain ({count} closed initiatives)",
                            k).format(count=count)
        return ngettext("uncertain ({count} record)", "uncertain ({count} records)", k).format(count=count)
    return f"uncertain ({int(n):,} {one if int(n) == 1 else many})"


def kpi_value_text(row, currency: str = "") -> str:
    """A KPI row's value for a table or prose, with its basis share and margin where it has them.

    ``row`` is a row of :func:`pmo_lib.compute_kpis` (a Series or namedtuple).
    ``EUR -1,513,767 (-2.9% of the budget at completion)``; ``+11 ±10``.
    """
    value, unit = _get(row, "value"), _get(row, "unit")
    target, rate_as = _get(row, "target"), _get(row, "rate_as", "value")
    if rate_as in BASIS_WORDS:
        text = format_value(value, unit, currency)
        rated = _get(row, "rated_value")
        if pd.notna(rated):
            text += f" ({format_value(rated, 'share', versus=_limits(row))} {gettext(BASIS_WORDS[rate_as])})"
        return text
    text = format_value(value, unit, currency, versus=_limits(row) if pd.notna(target) else None)
    margin = _get(row, "margin")
    if pd.notna(value) and pd.notna(margin):
        text += f" ±{i18n.number(margin, 0, grouping=False)}"
    return text


@i18n.formatter("kpi_value")
def _kpi_value_words(row: Mapping, currency: str = "", headline: bool = False) -> str:
    """A recorded KPI value (the exception register's descriptions) in the report's language; ``headline`` leaves
    out the share of its basis."""
    text = kpi_value_text({k: np.nan if v is None else v for k, v in row.items()}, currency)
    return text.split(" (")[0] if headline else text


@i18n.formatter("kpi_target")
def _kpi_target_words(row: Mapping, currency: str = "") -> str:
    """A recorded KPI target (the exception register's descriptions) in the report's language."""
    return kpi_target_text({k: np.nan if v is None else v for k, v in row.items()}, currency)


def kpi_target_text(row, currency: str = "") -> str:
    """A KPI row's target with its direction, e.g. ``≥ 1.00``, ``≤ 14 days``, ``≤ 0% (green up to 5%)``.

    A KPI rated as a share states the share and its basis; a descriptive KPI
    shows ``for information``.
    """
    if _get(row, "status") == "info" or _get(row, "direction") == "none":
        return gettext("for information")
    target = _get(row, "target")
    if pd.isna(target):
        return "–"
    rate_as = _get(row, "rate_as", "value")
    unit = "share" if rate_as in BASIS_WORDS else _get(row, "unit")
    compare = _get(row, "rated_value") if rate_as in BASIS_WORDS else _get(row, "value")
    sign = "≥" if _get(row, "direction") == "higher" else "≤"
    tolerance = _get(row, "tolerance", 0.0)
    edge = _edge(row)
    text = f"{sign} {format_value(target, unit, currency, versus=compare if not tolerance else None)}"
    if rate_as in BASIS_WORDS:
        text += f" {gettext(BASIS_WORDS[rate_as])}"
    if tolerance and pd.notna(tolerance):
        shown = format_value(edge, unit, currency, versus=compare)
        text += " " + (gettext("(green from {value})") if _get(row, "direction") == "higher"
                       else gettext("(green up to {value})")).format(value=shown)
    ceiling = _get(row, "ceiling")
    if ceiling is not None and pd.notna(ceiling):  # budget reallocation: the funding rules' limit without the board
        text += " " + gettext("(at most {value} without the board)").format(
            value=format_value(ceiling, unit, currency, versus=compare))
    return text


def _get(row, key: str, default=None):
    if isinstance(row, Mapping) or isinstance(row, pd.Series):
        return row.get(key, default)
    return getattr(row, key, default)


def _edge(row) -> float:
    """The green edge of a KPI row on its rating scale: target ∓ tolerance."""
    from ..inputs.catalog import green_edge
    tolerance = _get(row, "tolerance", 0.0)
    return green_edge(_get(row, "direction"), _get(row, "target"),
                      0.0 if tolerance is None or pd.isna(tolerance) else tolerance)


def _limits(row) -> list[float]:
    """The numbers a KPI row's status compares with: its green edge and its red threshold."""
    return [_edge(row), _get(row, "red", np.nan)]


def kpi_status_text(row) -> str:
    """A KPI row's status for a badge, with ``uncertain (n …)`` after a comma where its interval reaches the target."""
    status = _get(row, "status")
    if bool(_get(row, "uncertain", False)):
        return f"{status}, {uncertainty_note(_get(row, 'n'), _get(row, 'kpi_id', ''))}"
    return status


def _readable_codes(frame: pd.DataFrame, codes: bool | Mapping[str, str | tuple[str, ...]],
                    skip: tuple[str, ...]) -> pd.DataFrame:
    """Replace enumerated codes by their display names (see :mod:`pmo_lib.reporting.theme`)."""
    if codes is False:
        return frame
    vocab: dict[str, str | tuple[str, ...]] = dict(theme.COLUMN_VOCABULARY)
    if isinstance(codes, Mapping):
        vocab.update(codes)
    known = set(theme.relabelled_codes())
    for column in frame.columns:
        dtype = frame[column].dtype
        if column in skip or pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
            continue
        values = frame[column].astype(object)
        if column in vocab:
            frame[column] = values.map(lambda v: theme.display_name(v, vocab[column]))
        else:  # a code with an underscore is never meant for a client, whatever its column
            frame[column] = values.map(lambda v: theme.display_name(v) if isinstance(v, str) and v in known else v)
    return frame


def table(frame: pd.DataFrame, *, formats: Mapping[str, str | object] | None = None,
          badges: tuple[str, ...] = (), labels: Mapping[str, str] | None = None,
          caption: str | None = None, badge_words: Mapping[str, str] | None = None,
          codes: bool | Mapping[str, str | tuple[str, ...]] = True, nowrap: tuple[str, ...] | None = None):
    """Render a result table as a formatted, escaped HTML table in client language.

    Parameters
    ----------
    frame : DataFrame
    formats : mapping, optional
        Column to format string (``"{:,.0f}"``) or callable. ``g`` and ``e``
        patterns (``"{:.3g}"``) print in plain notation, never ``1.5e+05``.
    badges : tuple of str
        Columns holding a RAG status, shown as badges.
    badge_words : mapping, optional
        Words for the badges' statuses, e.g. ``{"green": "Adequate"}``.
    labels : mapping, optional
        Column to header text. A column without a label whose name is a code
        (``on_hold``, ``critical``, ``median_age_days``) gets its display name.
    caption : str, optional
    codes : bool or mapping, default True
        Show enumerated values by their display names: the columns of
        :data:`pmo_lib.reporting.theme.COLUMN_VOCABULARY` (``status``, ``kind``,
        ``severity``, ``kpi_id``, ``role``…) by their vocabulary, and any known
        snake_case code in other columns. A mapping adds or overrides columns,
        e.g. ``{"metric": "kpi"}``; False shows the values as they are.
    nowrap : tuple of str, optional
        Columns never broken across lines (identifiers, owners, dates). Default:
        columns named ``*_id``, ``id``, ``owner``, ``date``, ``due_date`` and ``cycle``.

    Returns
    -------
    IPython.display.HTML
    """
    formats = dict(formats or {})
    labels = dict(labels or {})
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype.kind in "OT":  # recorded texts in the report's language
            shown[column] = shown[column].map(i18n.shown)
        if pd.api.types.is_bool_dtype(shown[column]):
            shown[column] = shown[column].map({True: gettext("Yes"), False: gettext("No")})
        elif pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = (shown[column].dt.strftime("%Y-%m-%d") if i18n.current_locale() is None
                             # a date is one token ("21 oct. 2026" never breaks across lines in a narrow column)
                             else shown[column].map(lambda d: None if pd.isna(d) else i18n.date(d).replace(" ", "\u00a0")))
    shown = _readable_codes(shown, codes, tuple(badges))
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c]) and c not in badges]
    # no cell ids: cells are styled by their column's class (colN), so a PDF styles each column once, not each cell
    styler = Styler(shown, uuid=f"pmo{next(_TABLE_IDS)}_{secrets.token_hex(3)}", cell_ids=False).hide(axis="index")
    na = gettext("n/a")  # numbers in the report's locale: 1,234.50 (en), 1.234,50 (de)
    styler = styler.format(na_rep=na, escape="html", precision=2, thousands=i18n.group_symbol(),
                           decimal=i18n.decimal_symbol())
    for column, fmt in formats.items():
        if column in shown.columns:
            shown_fmt = theme.plain_formatter(fmt) if isinstance(fmt, str) else fmt
            styler = styler.format(shown_fmt, subset=[column], na_rep=na, escape="html")
    for column in badges:
        if column in shown.columns:
            styler = styler.format(lambda v: status_badge(v, badge_words), subset=[column], escape="html")
    if nowrap is None:
        nowrap = tuple(c for c in shown.columns if isinstance(c, str) and (
            c.endswith("_id") or c in ("id", "owner", "date", "due_date", "cycle")))
    # One rule per column, on the column's class, not one per cell: the header and the cells of a column align
    # alike (text left, numbers right), and identifiers' cells never wrap.
    column_rules = [(f".col{j}", f"text-align: {'right' if column in numeric else 'left'}")
                    for j, column in enumerate(shown.columns)]
    column_rules += [(f"td.col{j}", "white-space: nowrap") for j, column in enumerate(shown.columns)
                     if column in nowrap]
    styler = styler.set_table_attributes(f'class="pmo-table" style="{TABLE_CSS}"')
    styler = styler.set_table_styles([{"selector": selector, "props": props}
                                      for selector, props in (*TABLE_RULES, *column_rules)])
    headers = []
    for column in shown.columns:
        if column in labels:
            headers.append(labels[column])
        elif codes is not False and isinstance(column, str):
            name = str(theme.display_name(column))
            headers.append(gettext(theme.humanise(name)) if name == column and re.fullmatch(r"[a-z][a-z0-9_]*", column)
                           else name)
        else:
            headers.append(column)
    styler = styler.relabel_index(headers, axis="columns")
    if caption:
        styler = styler.set_caption(esc(caption))
    return HTML(styler.to_html())


def md(text: str) -> Markdown:
    """Display generated prose. Escape workspace strings with :func:`esc` first."""
    return Markdown(text)


def notice(text: str, *, kind: str = "info") -> HTML:
    """A callout box, e.g. for a section whose optional table is missing.

    ``text`` is trusted HTML: escape workspace strings with :func:`esc`. ``kind`` is
    ``"info"`` (a box in the primary colour) or ``"warning"`` (amber).
    """
    border, background = theme.NOTICE_COLOURS.get(kind, theme.NOTICE_COLOURS["info"])
    style = f"border-left: 4px solid {border or PRIMARY_CSS}; background: {background}; {NOTICE_CSS}"
    return HTML(f'<div class="pmo-notice pmo-notice-{esc(kind)}" style="{style}">{text}</div>')


def figure_html(svg: str, caption: str) -> str:
    """A captioned, numbered figure around an inline SVG chart (what :func:`pmo_lib.show_figure` displays).

    The number is the figure's place in the notebook as run so far (a cell run again keeps its
    numbers); the rendered report numbers the figures again in page order.
    """
    number = figure_number()
    return (f'<figure class="pmo-figure" style="{FIGURE_CSS}">{svg}<figcaption style="{CAPTION_CSS}">'
            f'<span class="pmo-figure-number" style="{FIGURE_NUMBER_CSS}">{gettext("Figure")} {number}. </span>{esc(caption)}'
            '</figcaption></figure>')


_FIGURE_NUMBERS: dict[tuple[object, int], int] = {}
_CELL: dict[str, object] = {"id": None, "figures": 0}


def figure_number() -> int:
    """The next figure's number: by the cell that shows it and its place in the cell, so a cell run again
    shows the same numbers. Outside a notebook (no cell id) every figure gets a new number."""
    _CELL["figures"] = int(cast(int, _CELL["figures"])) + 1
    cell = _CELL["id"] if _CELL["id"] is not None else object()
    return _FIGURE_NUMBERS.setdefault((cell, int(cast(int, _CELL["figures"]))), len(_FIGURE_NUMBERS) + 1)


def _before_cell(info) -> None:
    """IPython's ``pre_run_cell`` event: note which cell runs (its id, sent by JupyterLab and papermill)."""
    _CELL["id"] = getattr(info, "cell_id", None)
    _CELL["figures"] = 0


def frame_html(frame: pd.DataFrame) -> str:
    """A DataFrame in the house table style: what a notebook shows for a DataFrame left bare in a cell.

    Same look as :func:`table`: no row numbers, missing values as ``n/a``, text left and numbers right,
    thousands separators, codes by their display names. A meaningful index (named, or labels that are
    not row numbers) becomes the first columns; a frame longer than pandas' ``display.max_rows`` shows
    its first rows and says how many there are.
    """
    shown = frame
    if isinstance(shown.columns, pd.MultiIndex):
        shown = shown.set_axis([" ".join(str(p) for p in c if str(p)) for c in shown.columns], axis="columns")
    index = shown.index
    if isinstance(index, pd.MultiIndex) or any(n is not None for n in index.names) \
            or not pd.api.types.is_integer_dtype(index.dtype):
        shown = shown.reset_index(allow_duplicates=True)
        shown.columns = ["" if isinstance(c, str) and c in ("index", "level_0") and c not in frame.columns else c
                         for c in shown.columns]
    seen: dict[object, int] = {}
    names = []
    for column in shown.columns:  # a table needs distinct column names: repeat a name as "name (2)"
        seen[column] = seen.get(column, 0) + 1
        names.append(column if seen[column] == 1 else f"{column} ({seen[column]})")
    shown = shown.set_axis(names, axis="columns")
    caption = None
    limit = pd.get_option("display.max_rows")
    if limit and len(shown) > limit:
        caption = f"The first {limit:,} of {len(shown):,} rows"
        shown = shown.head(limit)
    return str(table(shown.reset_index(drop=True), caption=caption).data)


def _frame_html_or_none(frame: pd.DataFrame) -> str | None:
    try:
        return frame_html(frame)
    except Exception:  # a frame the house style cannot show keeps pandas' own display
        return None


def use_house_style(shell=None) -> bool:
    """Show bare DataFrames in the house table style and number figures by cell, in an IPython kernel.

    Called on ``import pmo_lib``: a DataFrame left as the last line of a cell reaches Lab, the HTML
    and the PDF as :func:`table` shows it, never raw with its index and ``NaN``. The plain-text
    form (a terminal) is unchanged. Returns False outside IPython.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, _frame_html_or_none)
    if _before_cell not in shell.events.callbacks.get("pre_run_cell", []):
        shell.events.register("pre_run_cell", _before_cell)
    return True


def missing_table_notice(table_name: str, what: str) -> HTML:
    """Say plainly that a section cannot be shown because a table is missing."""
    return notice(gettext("<strong>Not available.</strong> {what} needs the <code>{table}</code> table, which this "
                    "workspace does not provide. Add it to the workspace to see this section.").format(
                        what=esc(what), table=esc(table_name)))


def scorecard(kpis: pd.DataFrame, steps: Mapping[int, str], *, currency: str = "") -> pd.DataFrame:
    """The portfolio KPI scorecard, grouped by step, with values formatted by unit.

    Returns
    -------
    DataFrame
        Columns ``step, name, value, target, status, n``; ``value`` and
        ``target`` are display strings (see :func:`kpi_value_text` and
        :func:`kpi_target_text`). ``status`` is the status for
        :func:`status_badge`, with ``, uncertain (n answers)`` appended where
        the KPI's interval reaches its target.
    """
    port = kpis[kpis["scope"] == "portfolio"].sort_values(["step"], kind="stable")
    rows = [r for _, r in port.iterrows()]
    out = pd.DataFrame({
        "step": port["step"].map(lambda s: f"{s} {steps.get(s, '')}".strip()).tolist(),
        "name": port["name"].tolist(),
        "value": [kpi_value_text(r, currency) for r in rows],
        "target": [kpi_target_text(r, currency) for r in rows],
        "status": [kpi_status_text(r) for r in rows],
        "n": port["n"].tolist(),
    })
    return out.reset_index(drop=True)


def headline_cards(cards: list[tuple[str, str, str]]) -> HTML:
    """A row of headline numbers: (label, value, note) for each card."""
    card = f"flex: 1 1 28mm; border: 1px solid #d8dee6; border-top: 4px solid {PRIMARY_CSS}; padding: 2.5mm 3mm"
    small = 'style="font-size: 8.5pt; color: #555"'
    big = f'style="display: block; font-size: 16pt; color: {PRIMARY_CSS}"'
    body = "".join(f'<div style="{card}"><span {small}>{esc(label)}</span><b {big}>{esc(value)}</b>'
                   f'<span {small}>{esc(note)}</span></div>' for label, value, note in cards)
    return HTML(f'<div class="pmo-headline" style="display: flex; flex-wrap: wrap; gap: 3mm; margin: 4mm 0 6mm">'
                f'{body}</div>')


def _named(frame: pd.DataFrame, model) -> pd.DataFrame:
    names = model.dimensions.set_index("dimension_id")["dimension"]
    return frame.assign(dimension=frame["dimension_id"].map(names))


def needs_text(need: int, has: int, what: str) -> str:
    """What a statistic lacks, in words: ``needs at least 5 complete answers (has 3)``."""
    has_text = i18n.number(int(has))
    if what == "statement":
        text = ngettext("needs at least {count} statement (has {has})", "needs at least {count} statements (has {has})",
                        need)
    elif what == "complete answer":
        text = ngettext("needs at least {count} complete answer (has {has})",
                        "needs at least {count} complete answers (has {has})", need)
    elif what == "respondent":
        text = ngettext("needs at least {count} respondent (has {has})",
                        "needs at least {count} respondents (has {has})", need)
    else:  # a noun without a translation: English
        return f"needs at least {plural(need, what)} (has {has_text})"
    return text.format(count=_count(need), has=has_text)


#: An effect size (ε², read like η²) from which a gap between groups counts as large: Cohen (1988) calls
#: η² of 0.01 small, 0.06 medium and 0.14 large.
LARGE_EFFECT = 0.14


def group_table(groups: pd.DataFrame, model, *, alpha: float = 0.05,
                minimums: Minimums = DEFAULT_MINIMUMS) -> pd.DataFrame:
    """Role comparison per dimension with a reading in plain words.

    Where no test ran, the reading says what it needs: two roles with
    ``minimums.group_size`` respondents each.

    Returns
    -------
    DataFrame
        Columns ``dimension, statistic, p_value, effect_size, n_groups, reading``.
    """
    out = _named(groups, model)
    need = minimums.group_size
    out["reading"] = [
        ngettext("needs two roles with at least {count} respondent each",
                 "needs two roles with at least {count} respondents each", need).format(count=_count(need))
        if pd.isna(p) else gettext("roles see this differently") if p < alpha else
        (gettext("the gap between roles looks large, but too few answered to tell it from chance")
         if pd.notna(e) and e >= LARGE_EFFECT else gettext("no clear difference between roles"))
        for p, e in zip(out["p_value"], out["effect_size"])]
    return out[["dimension", "statistic", "p_value", "effect_size", "n_groups", "reading"]]


def change_table(change: pd.DataFrame, model, *, alpha: float = 0.05,
                 minimums: Minimums = DEFAULT_MINIMUMS) -> pd.DataFrame:
    """Change since the previous cycle per dimension, with a reading in plain words.

    An untested change says why: no earlier answers, or fewer than
    ``minimums.group_size`` respondents in a cycle.
    """
    out = _named(change, model)
    out["reading"] = [
        gettext("no earlier answers") if pd.isna(before) else
        gettext("too few respondents to test (needs {count} in each cycle)").format(count=minimums.group_size)
        if pd.isna(p) else
        ((gettext("rose beyond chance") if d > 0 else gettext("fell beyond chance")) if p < alpha else
         gettext("no clear change"))
        for p, d, before in zip(out["p_value"], out["delta"], out["previous_score"])]
    return out[["dimension", "previous_score", "score", "delta", "p_value", "effect_size", "reading"]]


def reliability_table(dims: pd.DataFrame, *, cutoff: float = 0.7,
                      minimums: Minimums = DEFAULT_MINIMUMS) -> pd.DataFrame:
    """Cronbach's alpha and rwg(J) per dimension with a status against the cut-off.

    The status columns hold ``green`` (at or above the cut-off), ``amber``
    (below it), ``red`` with a reason for a negative alpha, or ``n/a`` with
    what is missing (``n/a, needs at least 5 complete answers (has 3)``),
    for badges with a qualifier.

    Parameters
    ----------
    dims : DataFrame
        :func:`pmo_lib.score_dimensions`.
    cutoff : float
    minimums : Minimums
        The minimums the scores were computed with, quoted in the reasons.
    """
    def alpha_status(row) -> str:
        a = row["cronbach_alpha"]
        if pd.notna(a):
            return ("red, " + gettext("the statements move against each other") if a < 0 else
                    ("green" if a >= cutoff else "amber"))
        items = row.get("alpha_items")
        if items is not None and pd.notna(items) and items < minimums.alpha_items:
            return "n/a, " + needs_text(minimums.alpha_items, items, "statement")
        if pd.notna(row["alpha_n"]) and row["alpha_n"] < minimums.alpha_complete_cases:
            return "n/a, " + needs_text(minimums.alpha_complete_cases, row["alpha_n"], "complete answer")
        return "n/a, " + gettext("the answers do not vary")

    def rwg_status(row) -> str:
        v = row["rwg"]
        if pd.notna(v):
            return "green" if v >= cutoff else "amber"
        n = row.get("n_respondents")
        if n is not None and pd.notna(n) and n < minimums.agreement_respondents:
            return "n/a, " + needs_text(minimums.agreement_respondents, n, "respondent")
        return "n/a"

    out = dims[["dimension", "cronbach_alpha", "alpha_n", "rwg"]].copy()
    out.insert(3, "alpha_status", [alpha_status(r) for _, r in dims.iterrows()])
    out["rwg_status"] = [rwg_status(r) for _, r in dims.iterrows()]
    return out


def decimals_apart(values, references, *, decimals: int = 2, most: int = 6) -> int:
    """The fewest decimals (at least ``decimals``) at which every value looks different from its reference.

    Pairs that are equal, missing or closer than ``most`` decimals show do
    not count. Use it to format a column of values compared with thresholds.
    """
    pairs = [(float(v), float(r)) for v, r in zip(pd.Series(values, dtype=float), pd.Series(references, dtype=float))
             if pd.notna(v) and pd.notna(r) and v != r]
    for places in range(decimals, most + 1):
        if all(f"{v:.{places}f}" != f"{r:.{places}f}" for v, r in pairs):
            return places
    return most


def format_apart(value: float, reference: float, *, decimals: int = 2, most: int = 6) -> tuple[str, str]:
    """Format two numbers with enough decimals that they differ when they differ.

    ``3.7778`` against ``3.8`` gives ``("3.78", "3.80")``, never ``"3.8"`` twice;
    ``3.7996`` against ``3.8`` gives ``("3.7996", "3.8000")``. Equal numbers
    keep ``decimals``.
    """
    if pd.isna(value) or pd.isna(reference):
        return (format_value(value, ""), format_value(reference, ""))
    places = decimals_apart([value], [reference], decimals=decimals, most=most)
    if f"{value:.{places}f}" == f"{reference:.{places}f}":
        places = decimals
    return (i18n.number(value, places, grouping=False), i18n.number(reference, places, grouping=False))


def format_p(p: float) -> str:
    """A p-value in plain decimals: ``0.037``, ``< 0.001``, never scientific notation."""
    if pd.isna(p):
        return gettext("n/a")
    return "< " + i18n.number(0.001, 3) if p < 0.001 else i18n.number(p, 3, grouping=False)  # in the report's locale


def level_distance(next_level: float | None, n_blockers: int, gap: float | None) -> str:
    """How far the staged level is from the next one, in a few words.

    ``0.02 short of level 2`` for one blocking statement; ``5 statements
    short of level 2, the furthest by 1.05`` for several; ``the top level``
    when there is no next level. The distance never rounds to zero.
    """
    if next_level is None or pd.isna(next_level):
        return gettext("the top level")
    nxt = int(next_level)
    if n_blockers == 1 and gap is not None and pd.notna(gap):
        return gettext("{gap} short of level {level}").format(gap=format_apart(gap, 0.0)[0], level=nxt)
    n = int(n_blockers)
    if gap is not None and pd.notna(gap):
        return ngettext("{count} statement short of level {level}, the furthest by {gap}",
                        "{count} statements short of level {level}, the furthest by {gap}", n).format(
                            count=_count(n), level=nxt, gap=format_apart(gap, 0.0)[0])
    return ngettext("{count} statement short of level {level}", "{count} statements short of level {level}",
                    n).format(count=_count(n), level=nxt)


def _count(n: float) -> str:
    """A count as :func:`plural` writes it (``1,234``, ``2.5``), in the report's locale."""
    count = float(n)
    return i18n.number(count, 0 if count.is_integer() else 1)


def blocker_table(blockers: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The statements that keep each dimension from its next level, ready for :func:`table`.

    ``blockers`` comes from :func:`pmo_lib.level_blockers`. The mean answer,
    threshold and distance share one number of decimals, enough that no mean
    looks equal to the threshold it misses (3.78 against 3.80, never 3.8
    against 3.8).

    Returns
    -------
    tuple
        The table (columns ``dimension, level, next_level, statement, score,
        threshold, gap``; ``statement`` is the item code and its text) and the
        formats to pass to :func:`table`.
    """
    places = decimals_apart(blockers["score"], blockers["threshold"])
    places = max(places, decimals_apart(blockers["gap"], [0.0] * len(blockers), decimals=places))
    frame = pd.DataFrame({
        "dimension": blockers["dimension"],
        "level": blockers["level"],
        "next_level": blockers["next_level"],
        "statement": [f"{i}: {gettext(t)}" for i, t in zip(blockers["item_id"], blockers["statement"])],
        "score": blockers["score"],
        "threshold": blockers["threshold"],
        "gap": blockers["gap"],
    }).reset_index(drop=True)
    fmt = f"{{:.{places}f}}"
    return frame, {"score": fmt, "threshold": fmt, "gap": fmt}


def scorecard_with_trends(kpis: pd.DataFrame, trends: pd.DataFrame, steps: Mapping[int, str], *,
                          currency: str = "") -> pd.DataFrame:
    """The scorecard of :func:`scorecard` with a trend column (arrow and word)."""
    port = kpis[kpis["scope"] == "portfolio"].sort_values(["step"], kind="stable")
    card = scorecard(kpis, steps, currency=currency)
    words = trends.set_index("kpi_id")["trend"]
    card.insert(4, "trend", [theme.trend_arrow(words.get(k, "")) for k in port["kpi_id"]])
    return card


def _slope_text(value: float, unit: str, currency: str = "") -> str:
    """A change per cycle with at least two significant digits and never scientific notation."""
    if pd.isna(value):
        return gettext("n/a")
    scaled = value * 100 if unit == "share" else value
    if scaled == 0:
        decimals = 0
    else:
        decimals = min(6, max(UNIT_DECIMALS.get(unit, 2) if unit != "share" else 0,
                              1 - int(np.floor(np.log10(abs(scaled))))))
    if unit == "currency":
        decimals = 0
    text = i18n.number(scaled, decimals, sign=True)  # in the report's locale (English: +1,234.5)
    if unit == "share":
        return gettext("{value} pp").format(value=text)
    if unit == "currency" and currency:
        if i18n.current_locale() is None:
            return f"{currency}\u00a0{text}"
        return ("+" if scaled > 0 else "") + i18n.money(scaled, currency)
    return gettext("{value} days").format(value=text) if unit == "days" else text


def chartable_kpis(trends: pd.DataFrame, kpi_ids: list[str]) -> pd.DataFrame:
    """The requested KPIs that have control limits (enough cycles), in the requested order."""
    have = trends[trends["kpi_id"].isin(kpi_ids) & trends["center"].notna()]
    return have.set_index("kpi_id").reindex([k for k in kpi_ids if k in set(have["kpi_id"])]).reset_index()


def trend_table(trends: pd.DataFrame, catalog, *, currency: str = "") -> pd.DataFrame:
    """Trend statistics with KPI names, every number formatted by the KPI's unit, for the report.

    Returns
    -------
    DataFrame
        Columns ``name, n_cycles, mk_tau, mk_p, sen_slope, center, lcl, ucl,
        signals``; all but ``n_cycles`` are display strings: shares in %
        (the slope in percentage points, pp), money with thousands separators,
        no scientific notation. The limits are clipped to the KPI's natural
        range by :func:`pmo_lib.kpi_trends`; ``signals`` are in words.
    """
    from ..analysis.trends import signal_text

    spec = catalog.table.set_index("kpi_id")
    units = trends["kpi_id"].map(spec["unit"]) if "unit" in spec else pd.Series("ratio", index=trends.index)

    return pd.DataFrame({
        "name": trends["kpi_id"].map(spec["name"]).tolist(),
        "n_cycles": trends["n_cycles"].tolist(),
        "mk_tau": [gettext("n/a") if pd.isna(t) else i18n.number(t, 2, sign=True) for t in trends["mk_tau"]],
        "mk_p": [gettext("n/a") if pd.isna(p) else ("< " + i18n.number(0.001, 3) if p < 0.001 else i18n.number(p, 3))
                 for p in trends["mk_p"]],
        "sen_slope": [_slope_text(v, u, currency) for v, u in zip(trends["sen_slope"], units)],
        "center": [format_value(v, u, currency) for v, u in zip(trends["center"], units)],
        "lcl": [format_value(v, u, currency) for v, u in zip(trends["lcl"], units)],
        "ucl": [format_value(v, u, currency) for v, u in zip(trends["ucl"], units)],
        "signals": [signal_text(s) if s else gettext("none") for s in trends["signals"]],
    })


def _rule_parts(spec) -> dict[str, str]:
    """Target, tolerance, red threshold and rating basis of one catalogue row, in words."""
    if spec["descriptive"] if "descriptive" in spec else False:
        return {"target": gettext("for information"), "tolerance": "–", "red": "–", "basis": gettext("not rated")}
    rate_as = spec.get("rate_as", "value")
    unit = "share" if rate_as in BASIS_WORDS else spec["unit"]
    basis = (gettext("the value") if rate_as not in BASIS_WORDS else
             gettext("the value as a share {basis}").format(basis=gettext(BASIS_WORDS[rate_as])))
    higher = spec["direction"] == "higher"
    tolerance = spec.get("tolerance", 0.0)
    tolerance = 0.0 if pd.isna(tolerance) else tolerance
    english = i18n.current_locale() is None
    if unit == "share":
        tol_text = gettext("{value} pp").format(value=f"{tolerance * 100:g}" if english else _count(tolerance * 100))
    elif unit == "days":
        tol_text = format_value(tolerance, "days")
    else:
        tol_text = f"{tolerance:g}" if english else _count(tolerance)
    red = format_value(spec["red"], unit) if pd.notna(spec["red"]) else ""
    return {"target": f"{'≥' if higher else '≤'} {format_value(spec['target'], unit)}" if pd.notna(spec["target"]) else "–",
            "tolerance": tol_text if tolerance else gettext("none"),
            "red": ((gettext("below {value}") if higher else gettext("above {value}")).format(value=red)
                    if pd.notna(spec["red"]) else gettext("never")),
            "basis": basis}


def catalogue_table(catalog) -> pd.DataFrame:
    """Every KPI's definition, formula, unit and rating rule, for the appendix.

    Returns
    -------
    DataFrame
        Columns ``name, definition, formula, unit, target, tolerance, red,
        basis``: green when the target is met within the tolerance, red
        beyond the red threshold, amber in between; ``basis`` says what is
        compared (the value, or a money value as a share of its budget). A
        descriptive KPI shows "for information".
    """
    t = catalog.table
    rules = [_rule_parts(row) for _, row in t.iterrows()]
    units = {"ratio": N_("ratio"), "share": "%", "currency": N_("money"), "days": N_("days"), "count": N_("count"),
             "points": N_("points (−100 to +100)")}
    shown = {code: gettext(word) if word != "%" else word for code, word in units.items()}
    return pd.DataFrame({"name": t["name"].tolist(), "definition": t["definition"].tolist(),
                         "formula": t["formula"].tolist(), "unit": [shown.get(u, u) for u in t["unit"]],
                         "target": [r["target"] for r in rules], "tolerance": [r["tolerance"] for r in rules],
                         "red": [r["red"] for r in rules], "basis": [r["basis"] for r in rules]})


def raid_grid(open_items: pd.DataFrame) -> pd.DataFrame:
    """Open RAID items as an initiative × severity count grid."""
    who = open_items["initiative_id"].fillna(gettext("Portfolio"))  # portfolio-wide items, in the report's language
    grid = pd.crosstab(who, open_items["severity"]).reindex(columns=["critical", "high", "medium", "low"], fill_value=0)
    return grid.loc[grid.sum(axis=1).sort_values(ascending=False, kind="stable").index]


def raid_grid_title(grid: pd.DataFrame) -> str:
    """Title naming the initiative with the most open high or critical items."""
    severe = grid[["critical", "high"]].sum(axis=1)
    if severe.max() == 0:
        return i18n.gettext("No open high or critical items")
    return i18n.gettext("{initiative} carries the most open high and critical items ({count})").format(
        initiative=severe.idxmax(), count=int(severe.max()))


def value_score_method(funding) -> str:
    """How the value score is computed, with the workspace's weights."""
    w = funding.value_weights
    if i18n.current_locale() is None:
        weights = {k: f"{v:g}" for k, v in (("customer", w.customer), ("benefits", w.benefits),
                                             ("alignment", w.alignment), ("cost", w.cost))}
        low, high, cap = "0.5", "1.2", "120%"
    else:
        weights = {k: i18n.number(v, 2).rstrip("0").rstrip(i18n.decimal_symbol()) if v != int(v) else i18n.number(v)
                   for k, v in (("customer", w.customer), ("benefits", w.benefits), ("alignment", w.alignment),
                                ("cost", w.cost))}
        low, high, cap = i18n.number(0.5, 1), i18n.number(1.2, 1), i18n.percent(1.2)
    return i18n.gettext(
        "**Value score (0–100).** The weighted mean of four components, each scaled to 0–1: customer value (NPS, or "
        "CSAT where there is no NPS; weight {customer}), benefits realisation (capped at {cap}; weight {benefits}), "
        "strategic alignment (1 when linked to a goal; weight {alignment}) and cost performance (CPI from {low} to "
        "{high}; weight {cost}). A component an initiative lacks is left out and the weights of the others rescaled. "
        "The weights are part of the workspace's configuration.").format(
        cap=cap, low=low, high=high, **weights)


def data_quality_table(workspace, cycle=None) -> pd.DataFrame:
    """The workspace's warnings (issues that did not stop the run), for the data-quality appendix.

    Parameters
    ----------
    workspace : Workspace
    cycle : Cycle or str, optional
        The report's cycle: the warnings as they stood at its end
        (:meth:`pmo_lib.Workspace.warnings_for`), so that a past cycle's report
        does not count later cycles' data. ``None`` gives the workspace's warnings,
        as ``pmo validate`` says them.

    Returns
    -------
    DataFrame
        Columns ``source, table, message``. ``source`` is where the warning comes
        from as the user names it: a file of the workspace, the source a table is
        pulled from (``exports/jira.csv``), or "workspace" for the workspace as a whole.
    """
    from ..inputs.tables import TABLES

    def readable(text: str) -> str:  # table codes as a client reads them; the source column names the file
        for name in TABLES:
            if "_" in name:
                text = text.replace(name, name.replace("_", " "))
        return text

    def where(file: str) -> str:
        inside = str(file).replace(str(workspace.path), "", 1).lstrip("/") if str(file).startswith(
            str(workspace.path)) else str(file)
        return inside or "workspace"

    warnings = workspace.warnings if cycle is None else workspace.warnings_for(cycle)
    rows = [{"source": where(p.file), "table": readable(p.table), "message": readable(p.message)} for p in warnings]
    return pd.DataFrame(rows, columns=["source", "table", "message"])


def data_quality_section(workspace, cycle=None):
    """The data-quality appendix: the warnings as a table, or a note that there are none.

    ``cycle`` is the report's cycle: the warnings as they stood at its end (see :func:`data_quality_table`).
    """
    frame = data_quality_table(workspace, cycle)
    if frame.empty:
        return notice(gettext("The inputs passed every check: nothing limits what the report can show."))
    return table(frame, labels={"source": gettext("File"), "table": gettext("Table"), "message": gettext("Warning")},
                 caption=gettext("Warnings found while loading the workspace; they did not stop the run"))


def step_dimensions(maturity: pd.DataFrame, step: int) -> pd.DataFrame:
    """The maturity dimensions that measure one step, with level, score and target."""
    rows = maturity[maturity["step"] == step]
    return i18n.translated_columns(rows[["dimension", "level", "level_name", "score", "target"]],
                                   "dimension", "level_name")


def step_kpis(kpis: pd.DataFrame, step: int, *, currency: str = "") -> pd.DataFrame:
    """The portfolio KPIs that show one step's progress, formatted, with status."""
    rows = [r for _, r in kpis[(kpis["scope"] == "portfolio") & (kpis["step"] == step)].iterrows()]
    return pd.DataFrame({"name": [gettext(r["name"]) for r in rows],
                         "value": [kpi_value_text(r, currency) for r in rows],
                         "target": [kpi_target_text(r, currency) for r in rows],
                         "status": [kpi_status_text(r) for r in rows]}, columns=["name", "value", "target", "status"])


def cadence_table(events) -> pd.DataFrame:
    """The planning cycle's events as a table."""
    return pd.DataFrame([{"week": e.week, "event": gettext(e.name), "purpose": gettext(e.purpose),
                          "inputs": "; ".join(gettext(i) for i in e.inputs), "outputs": "; ".join(gettext(o) for o in e.outputs),
                          "participants": ", ".join(gettext(p) for p in e.participants)} for e in events])


def threshold_table(catalog) -> pd.DataFrame:
    """Every KPI's rating rule: what value makes it amber (the target missed) and red.

    Returns
    -------
    DataFrame
        Columns ``name, amber, red``. ``amber`` is the green edge (target ∓
        tolerance) in words, ``red`` the red threshold; a KPI rated as a share
        says of what; a descriptive KPI says "for information".
    """
    t = catalog.table
    amber, red = [], []
    for _, spec in t.iterrows():
        if spec.get("descriptive", False):
            amber.append(gettext("never: for information"))
            red.append(gettext("never"))
            continue
        rate_as = spec.get("rate_as", "value")
        unit = "share" if rate_as in BASIS_WORDS else spec["unit"]
        basis = f" {gettext(BASIS_WORDS[rate_as])}" if rate_as in BASIS_WORDS else ""
        word = gettext("below {value}") if spec["direction"] == "higher" else gettext("above {value}")
        amber.append(word.format(value=format_value(spec['amber'], unit)) + basis if pd.notna(spec["amber"]) else "–")
        red.append(word.format(value=format_value(spec['red'], unit)) + basis if pd.notna(spec["red"]) else gettext("never"))
    return pd.DataFrame({"name": [gettext(n) for n in t["name"]], "amber": amber, "red": red})


def glossary_table(catalog, terms: Mapping[str, str]) -> pd.DataFrame:
    """Every KPI and playbook term with its meaning, alphabetically."""
    rows = [{"term": gettext(n), "meaning": gettext(d)} for n, d in zip(catalog.table["name"], catalog.table["definition"])]
    rows += [{"term": gettext(k), "meaning": gettext(v)} for k, v in terms.items()]
    return pd.DataFrame(rows).sort_values("term", key=lambda s: s.str.lower()).reset_index(drop=True)
