"""Presentation helpers the notebooks use: formatted tables, badges and prose.

Every string that comes from the workspace is HTML-escaped here, so that a
name such as ``<script>`` shows as text in the report.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping

import pandas as pd
from IPython.display import HTML, Markdown

from . import theme
from .theme import STATUS_SYMBOLS, STATUS_WORDS

UNIT_FORMATS = {"ratio": "{:.2f}", "share": "{:.0%}", "currency": "{:,.0f}", "days": "{:.0f}",
                "count": "{:,.0f}", "points": "{:+.0f}"}


def esc(value: object) -> str:
    """Escape a value for HTML or Markdown prose."""
    return html.escape(str(value), quote=True)


def status_badge(status: str, words: Mapping[str, str] | None = None) -> str:
    """A RAG badge: colour, symbol and word, so colour is never the only signal.

    ``words`` replaces the default words (On track, At risk, Off track, Not rated).
    """
    key = status if status in STATUS_WORDS else "n/a"
    css = "na" if key == "n/a" else key
    word = (words or {}).get(key, STATUS_WORDS[key])
    return f'<span class="rag rag-{css}">{STATUS_SYMBOLS[key]} {esc(word)}</span>'


def format_value(value: float, unit: str, currency: str = "") -> str:
    """Format one KPI value by its unit; NaN shows as n/a."""
    if pd.isna(value):
        return "n/a"
    text = UNIT_FORMATS.get(unit, "{:,.2f}").format(value)
    return f"{currency}\u00a0{text}" if unit == "currency" and currency else text


def _readable_codes(frame: pd.DataFrame, codes: bool | Mapping[str, str | tuple[str, ...]],
                    skip: tuple[str, ...]) -> pd.DataFrame:
    """Replace enumerated codes by their display names (see :mod:`pmo_lib.theme`)."""
    if codes is False:
        return frame
    vocab = dict(theme.COLUMN_VOCABULARY)
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
        :data:`pmo_lib.theme.COLUMN_VOCABULARY` (``status``, ``kind``,
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
        if pd.api.types.is_bool_dtype(shown[column]):
            shown[column] = shown[column].map({True: "Yes", False: "No"})
        elif pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    shown = _readable_codes(shown, codes, tuple(badges))
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c]) and c not in badges]
    styler = shown.style.hide(axis="index")
    styler = styler.format(na_rep="n/a", escape="html", precision=2, thousands=",")
    for column, fmt in formats.items():
        if column in shown.columns:
            shown_fmt = theme.plain_formatter(fmt) if isinstance(fmt, str) else fmt
            styler = styler.format(shown_fmt, subset=[column], na_rep="n/a", escape="html")
    for column in badges:
        if column in shown.columns:
            styler = styler.format(lambda v: status_badge(v, badge_words), subset=[column], escape="html")
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right"})
        styler = styler.map_index(lambda label: "text-align: right" if label in numeric else "", axis="columns")
    if nowrap is None:
        nowrap = tuple(c for c in shown.columns if isinstance(c, str) and (
            c.endswith("_id") or c in ("id", "owner", "date", "due_date", "cycle")))
    keep = [c for c in nowrap if c in shown.columns]
    if keep:
        styler = styler.set_properties(subset=keep, **{"white-space": "nowrap"})
    styler = styler.set_table_attributes('class="pmo-table"')
    headers = []
    for column in shown.columns:
        if column in labels:
            headers.append(labels[column])
        elif codes is not False and isinstance(column, str):
            name = theme.display_name(column)
            headers.append(theme.humanise(name) if name == column and re.fullmatch(r"[a-z][a-z0-9_]*", column)
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
    """A callout box, e.g. for a section whose optional table is missing."""
    return HTML(f'<div class="pmo-notice pmo-notice-{kind}">{text}</div>')


def missing_table_notice(table_name: str, what: str) -> HTML:
    """Say plainly that a section cannot be shown because a table is missing."""
    return notice(f"<strong>Not available.</strong> {esc(what)} needs the <code>{esc(table_name)}</code> "
                  "table, which this workspace does not provide. Add it to the workspace to see this section.")


def plural(n: float, word: str, many: str | None = None) -> str:
    """``3 initiatives``, ``1 initiative``, ``1 day`` (see :func:`pmo_lib.theme.plural`)."""
    return theme.plural(n, word, many)


def scorecard(kpis: pd.DataFrame, steps: Mapping[int, str], *, currency: str = "") -> pd.DataFrame:
    """The portfolio KPI scorecard, grouped by step, with values formatted by unit.

    Returns
    -------
    DataFrame
        Columns ``step, name, value, target, status, n``; ``value`` and
        ``target`` are display strings.
    """
    port = kpis[kpis["scope"] == "portfolio"].sort_values(["step"], kind="stable")
    out = pd.DataFrame({
        "step": port["step"].map(lambda s: f"{s} {steps.get(s, '')}".strip()),
        "name": port["name"],
        "value": [format_value(v, u, currency) + (f" ±{m:.0f}" if pd.notna(m) else "")
                  for v, u, m in zip(port["value"], port["unit"], port["margin"])],
        "target": [format_value(t, u, currency) if pd.notna(t) else "–" for t, u in zip(port["target"], port["unit"])],
        "status": port["status"],
        "n": port["n"],
    })
    return out.reset_index(drop=True)


def headline_cards(cards: list[tuple[str, str, str]]) -> HTML:
    """A row of headline numbers: (label, value, note) for each card."""
    body = "".join(f"<div><span>{esc(label)}</span><b>{esc(value)}</b><span>{esc(note)}</span></div>"
                   for label, value, note in cards)
    return HTML(f'<div class="pmo-headline">{body}</div>')


def _named(frame: pd.DataFrame, model) -> pd.DataFrame:
    names = model.dimensions.set_index("dimension_id")["dimension"]
    return frame.assign(dimension=frame["dimension_id"].map(names))


def group_table(groups: pd.DataFrame, model, *, alpha: float = 0.05) -> pd.DataFrame:
    """Role comparison per dimension with a reading in plain words.

    Returns
    -------
    DataFrame
        Columns ``dimension, statistic, p_value, effect_size, n_groups, reading``.
    """
    out = _named(groups, model)
    out["reading"] = [
        "too few respondents per role to test" if pd.isna(p) else
        ("roles see this differently" if p < alpha else "no clear difference between roles")
        for p in out["p_value"]]
    return out[["dimension", "statistic", "p_value", "effect_size", "n_groups", "reading"]]


def change_table(change: pd.DataFrame, model, *, alpha: float = 0.05) -> pd.DataFrame:
    """Change since the previous cycle per dimension, with a reading in plain words."""
    out = _named(change, model)
    out["reading"] = [
        "no earlier answers" if pd.isna(p) else
        (("rose" if d > 0 else "fell") + " beyond chance" if p < alpha else "no clear change")
        for p, d in zip(out["p_value"], out["delta"])]
    return out[["dimension", "previous_score", "score", "delta", "p_value", "effect_size", "reading"]]


def reliability_table(dims: pd.DataFrame, *, cutoff: float = 0.7) -> pd.DataFrame:
    """Cronbach's alpha and rwg(J) per dimension with a status against the cut-off.

    The status columns hold ``green`` (at or above the cut-off), ``amber``
    (below it) or ``n/a`` (not computable), for badges.
    """
    def status(v):
        return "n/a" if pd.isna(v) else ("green" if v >= cutoff else "amber")

    out = dims[["dimension", "cronbach_alpha", "alpha_n", "rwg"]].copy()
    out.insert(3, "alpha_status", out["cronbach_alpha"].map(status))
    out["rwg_status"] = out["rwg"].map(status)
    return out


def scorecard_with_trends(kpis: pd.DataFrame, trends: pd.DataFrame, steps: Mapping[int, str], *,
                          currency: str = "") -> pd.DataFrame:
    """The scorecard of :func:`scorecard` with a trend column (arrow and word)."""
    from .trends import trend_arrow

    port = kpis[kpis["scope"] == "portfolio"].sort_values(["step"], kind="stable")
    card = scorecard(kpis, steps, currency=currency)
    words = trends.set_index("kpi_id")["trend"]
    card.insert(4, "trend", [trend_arrow(words.get(k, "")) for k in port["kpi_id"]])
    return card


def kpi_exceptions(kpis: pd.DataFrame, *, currency: str = "") -> pd.DataFrame:
    """KPIs off track: portfolio KPIs in red, then initiatives in red or amber.

    Returns
    -------
    DataFrame
        Columns ``scope, name, value, target, status, note``.
    """
    port = kpis[(kpis["scope"] == "portfolio") & (kpis["status"] == "red")]
    ini = kpis[(kpis["scope"] != "portfolio") & kpis["status"].isin(["red", "amber"])]
    ini = ini.assign(_o=ini["status"].map({"red": 0, "amber": 1})).sort_values(["_o", "kpi_id", "scope"])
    rows = pd.concat([port, ini])
    return pd.DataFrame({
        "scope": rows["scope"],
        "name": rows["name"],
        "value": [format_value(v, u, currency) for v, u in zip(rows["value"], rows["unit"])],
        "target": [format_value(t, u, currency) if pd.notna(t) else "–" for t, u in zip(rows["target"], rows["unit"])],
        "status": rows["status"],
    }).reset_index(drop=True)


def unit_label(unit: str, currency: str = "") -> str:
    """Axis label for a KPI unit."""
    return {"share": "share", "ratio": "ratio", "days": "days", "count": "items", "points": "points",
            "currency": currency or "money"}.get(unit, unit)


def chartable_kpis(trends: pd.DataFrame, kpi_ids: list[str]) -> pd.DataFrame:
    """The requested KPIs that have control limits (enough cycles), in the requested order."""
    have = trends[trends["kpi_id"].isin(kpi_ids) & trends["center"].notna()]
    return have.set_index("kpi_id").reindex([k for k in kpi_ids if k in set(have["kpi_id"])]).reset_index()


def trend_table(trends: pd.DataFrame, catalog) -> pd.DataFrame:
    """Trend statistics with KPI names, for the report."""
    names = catalog.table.set_index("kpi_id")["name"]
    out = trends.assign(name=trends["kpi_id"].map(names))
    return out[["name", "n_cycles", "mk_tau", "mk_p", "sen_slope", "center", "lcl", "ucl", "signals"]]


def catalogue_table(catalog) -> pd.DataFrame:
    """Every KPI's definition, formula, unit and thresholds, for the appendix."""
    t = catalog.table

    def fmt(v, unit):
        return "–" if pd.isna(v) else theme.quantity(v, unit)

    return pd.DataFrame({"name": t["name"], "definition": t["definition"], "formula": t["formula"], "unit": t["unit"],
                         "thresholds": [f"{fmt(a, u)} · {fmt(b, u)} · {fmt(c, u)}" for a, b, c, u in
                                        zip(t["target"], t["amber"], t["red"], t["unit"])]})


def exception_table(exceptions: pd.DataFrame) -> pd.DataFrame:
    """Exceptions for the report: who, what, severity as a badge status, decision."""
    who = [f"{i} {n}" if pd.notna(i) else "Portfolio" for i, n in zip(exceptions["initiative_id"], exceptions["name"])]
    return pd.DataFrame({"exception_id": exceptions["exception_id"], "who": who, "owner": exceptions["owner"],
                         "description": exceptions["description"],
                         "severity": exceptions["severity"].map({"high": "red", "medium": "amber"}),
                         "recommendation": exceptions["recommendation"]})


def raid_grid(open_items: pd.DataFrame) -> pd.DataFrame:
    """Open RAID items as an initiative × severity count grid."""
    who = open_items["initiative_id"].fillna("Portfolio")
    grid = pd.crosstab(who, open_items["severity"]).reindex(columns=["critical", "high", "medium", "low"], fill_value=0)
    return grid.loc[grid.sum(axis=1).sort_values(ascending=False, kind="stable").index]


def raid_grid_title(grid: pd.DataFrame) -> str:
    """Title naming the initiative with the most open high or critical items."""
    severe = grid[["critical", "high"]].sum(axis=1)
    if severe.max() == 0:
        return "No open high or critical items"
    return f"{severe.idxmax()} carries the most open high and critical items ({int(severe.max())})"


def value_score_method(funding) -> str:
    """How the value score is computed, with the workspace's weights."""
    w = funding.value_weights
    return ("**Value score (0–100).** The weighted mean of four components, each scaled to 0–1: customer value "
            f"(NPS, or CSAT where there is no NPS; weight {w.customer:g}), benefits realisation (capped at 120%; weight "
            f"{w.benefits:g}), strategic alignment (1 when linked to a goal; weight {w.alignment:g}) and cost performance "
            f"(CPI from 0.5 to 1.2; weight {w.cost:g}). A component an initiative lacks is left out and the weights of the "
            "others rescaled. The weights are part of the workspace configuration (funding, value weights).")


def data_quality_table(workspace) -> pd.DataFrame:
    """The workspace's warnings (issues that did not stop the run), for the data-quality appendix.

    Returns
    -------
    DataFrame
        Columns ``source, table, message``.
    """
    rows = [{"source": str(p.file).replace(str(workspace.path), "").lstrip("/") or ".", "table": p.table,
             "message": p.message} for p in workspace.warnings]
    return pd.DataFrame(rows, columns=["source", "table", "message"])


def data_quality_section(workspace):
    """The data-quality appendix: the warnings as a table, or a note that there are none."""
    frame = data_quality_table(workspace)
    if frame.empty:
        return notice("The inputs passed every check without a warning.")
    return table(frame, labels={"source": "File", "table": "Table", "message": "Warning"},
                 caption="Warnings found while loading the workspace; they did not stop the run")


def step_dimensions(maturity: pd.DataFrame, step: int) -> pd.DataFrame:
    """The maturity dimensions that measure one step, with level, score and target."""
    rows = maturity[maturity["step"] == step]
    return rows[["dimension", "level", "level_name", "score", "target"]]


def step_kpis(kpis: pd.DataFrame, step: int, *, currency: str = "") -> pd.DataFrame:
    """The portfolio KPIs that show one step's progress, formatted, with status."""
    rows = kpis[(kpis["scope"] == "portfolio") & (kpis["step"] == step)]
    return pd.DataFrame({"name": rows["name"],
                         "value": [format_value(v, u, currency) for v, u in zip(rows["value"], rows["unit"])],
                         "target": [format_value(t, u, currency) if pd.notna(t) else "–"
                                    for t, u in zip(rows["target"], rows["unit"])],
                         "status": rows["status"]})


def cadence_table(events) -> pd.DataFrame:
    """The planning cycle's events as a table."""
    return pd.DataFrame([{"week": e.week, "event": e.name, "purpose": e.purpose,
                          "inputs": "; ".join(e.inputs), "outputs": "; ".join(e.outputs),
                          "participants": ", ".join(e.participants)} for e in events])


def threshold_table(catalog) -> pd.DataFrame:
    """KPIs with thresholds: what value makes each amber and red."""
    t = catalog.table.dropna(subset=["amber", "red"], how="all")
    word = {"higher": "below", "lower": "above"}
    return pd.DataFrame({"name": t["name"],
                         "amber": [f"{word[d]} {theme.quantity(a, u)}" if pd.notna(a) else "–"
                                   for d, a, u in zip(t["direction"], t["amber"], t["unit"])],
                         "red": [f"{word[d]} {theme.quantity(r, u)}" if pd.notna(r) else "–"
                                 for d, r, u in zip(t["direction"], t["red"], t["unit"])]})


def glossary_table(catalog, terms: Mapping[str, str]) -> pd.DataFrame:
    """Every KPI and playbook term with its meaning, alphabetically."""
    rows = [{"term": n, "meaning": d} for n, d in zip(catalog.table["name"], catalog.table["definition"])]
    rows += [{"term": k, "meaning": v} for k, v in terms.items()]
    return pd.DataFrame(rows).sort_values("term", key=lambda s: s.str.lower()).reset_index(drop=True)
