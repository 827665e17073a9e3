"""The board's views of the exception register: the one-page dashboard and the decision tables.

These functions turn the results of :mod:`pmo_lib.reporting.register` and the KPI
engine into display tables and HTML; they compute nothing new.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence

import pandas as pd
from IPython.display import HTML

from ..inputs.config import DEFAULT_EXCEPTION_RULES, ExceptionRules
from ..inputs import i18n
from ..inputs.i18n import gettext, ngettext
from .register import SEVERITY_RANK, decided_part, exception_rules
from .report import TABLE_CSS, _TABLE_IDS, table_style
from .report import esc as _esc, status_badge as _badge
from .theme import display_name, format_value

HEADLINE_KPIS = ("cpi", "spi", "nps", "csat", "benefits_realization", "flow_time_p85", "strategic_alignment",
                 "on_time_delivery")
#: An exception's badge has the colour and symbol of the KPI status that raises it, so the pack reads one way:
#: low is a missed target within the red threshold (at risk, amber), medium and above are beyond it (off track,
#: red). The word says the severity; the colour never contradicts the KPI's own badge.
SEVERITY_BADGE = {"critical": "red", "high": "red", "medium": "red", "low": "amber"}




def severity_badge(severity: str) -> str:
    """A badge for an exception's severity: the word is the severity itself."""
    if not isinstance(severity, str):
        return ""
    status = SEVERITY_BADGE[severity]
    return _badge(status, {status: str(display_name(severity, "severity"))})


def decision_table(portfolio: pd.DataFrame, register: pd.DataFrame, *, min_severity: str = "medium",
                   limit: int | None = None, max_items: int | None = None, keep_severe: bool = False) -> pd.DataFrame:
    """One row per initiative needing a decision: severity, exceptions, one recommendation and why.

    Parameters
    ----------
    portfolio : DataFrame
        :func:`pmo_lib.portfolio_status`.
    register : DataFrame
        :func:`pmo_lib.exception_register`.
    min_severity : str
        Leave out initiatives whose most severe exception is milder.
    limit : int, optional
        Keep the first ``limit`` rows.
    max_items : int, optional
        List at most this many exceptions per initiative, then say how many more.
    keep_severe : bool
        With ``limit``, never leave out an initiative of high or critical
        severity: the one-page dashboard shows every one the summary counts.

    Returns
    -------
    DataFrame
        Columns ``initiative, owner, severity, exceptions, recommendation,
        reason`` (display strings; ``severity`` holds HTML badges), most
        severe first.
    """
    cut = SEVERITY_RANK[min_severity]
    rows = []
    order = {i: n for n, i in enumerate(register["initiative_id"].dropna().drop_duplicates())}
    hit = portfolio[portfolio["severity"].map(lambda s: SEVERITY_RANK.get(s, 99)) <= cut]
    hit = hit.assign(_o=hit["initiative_id"].map(order)).sort_values("_o")
    owners = register.dropna(subset=["initiative_id"]).drop_duplicates("initiative_id").set_index("initiative_id")["owner"]
    for r in hit.itertuples(index=False):
        mine = register[register["initiative_id"] == r.initiative_id]
        listed = [f"{i18n.shown(s.short)} ({str(display_name(s.severity, 'severity')).lower()})"
                  for s in mine.itertuples(index=False)]
        if max_items and len(listed) > max_items:
            more = len(listed) - max_items
            listed = listed[:max_items] + [ngettext("and {count} more", "and {count} more", more).format(
                count=i18n.number(more))]
        items = i18n.semicolon().join(listed)
        why = decided_part(r.reason)
        advice = str(display_name(r.recommendation, "recommendation"))
        if r.status == "on_hold":  # "Continue" alone would read as "resume"
            advice = gettext("{recommendation} (the initiative is on hold)").format(recommendation=advice)
        rows.append({"initiative": f"{r.initiative_id} {r.name}", "owner": owners.get(r.initiative_id, ""),
                     "severity": r.severity, "exceptions": items,
                     "recommendation": gettext("{recommendation}: {why}").format(recommendation=advice, why=why) if why
                     else advice})
    out = pd.DataFrame(rows, columns=["initiative", "owner", "severity", "exceptions", "recommendation"])
    if limit and keep_severe:
        limit = max(limit, int(out["severity"].isin(["critical", "high"]).sum()))
    return out.head(limit) if limit else out


def portfolio_exceptions(register: pd.DataFrame, *, min_severity: str = "low") -> pd.DataFrame:
    """The portfolio-wide exceptions (no single initiative), most severe first.

    Returns
    -------
    DataFrame
        Columns ``area, description, severity``.
    """
    cut = SEVERITY_RANK[min_severity]
    port = register[register["initiative_id"].isna() & (register["severity"].map(SEVERITY_RANK) <= cut)]
    return pd.DataFrame({"area": port["kind"].map(lambda k: display_name(k, "exception_kind")), "description": port["description"],
                         "severity": port["severity"]}).reset_index(drop=True)


def register_counts(register: pd.DataFrame) -> dict[str, int]:
    """Exceptions by severity, every severity present as a key."""
    counts = register["severity"].value_counts()
    return {s: int(counts.get(s, 0)) for s in SEVERITY_RANK}


def kpi_rag_grid(history: pd.DataFrame, cycles: Sequence[str], *, kpi_ids: Sequence[str] = HEADLINE_KPIS,
                 currency: str = "") -> pd.DataFrame:
    """Each headline KPI's value and status in the given cycles, as badges.

    Parameters
    ----------
    history : DataFrame
        :func:`pmo_lib.kpi_history` (portfolio scope).
    cycles : sequence of str
        The cycles to show, oldest first (the dashboard uses the last four).

    Returns
    -------
    DataFrame
        Column ``KPI`` and one column per cycle holding HTML badges with the
        value, and ``Target``.
    """
    from .report import _limits, format_value
    rows = []
    for kpi_id in kpi_ids:
        h = history[(history["kpi_id"] == kpi_id) & history["cycle"].isin(cycles)].set_index("cycle")
        if h.empty:
            continue
        first = h.iloc[-1]
        row = {"KPI": gettext(first["name"])}
        for c in cycles:
            if c in h.index and pd.notna(h.at[c, "value"]):
                r = h.loc[c]
                versus = _limits(r) if r["rate_as"] == "value" and pd.notna(r["target"]) else None
                row[c] = _badge(r["status"], {r["status"]: format_value(r["value"], first["unit"], currency,
                                                                        versus=versus)})
            else:
                row[c] = "–"
        row["Target"] = format_value(first["target"], first["unit"], currency) if pd.notna(first["target"]) else "–"
        rows.append(row)
    return pd.DataFrame(rows, columns=["KPI", *cycles, "Target"])


def html_table(frame: pd.DataFrame, *, caption: str | None = None, escape: Sequence[str] = ()) -> str:
    """A compact HTML table of display strings; columns in ``escape`` are escaped, others are trusted HTML."""
    left = ' style="text-align: left"'  # every column holds text or badges; the house rules come with the table
    head = "".join(f"<th{left}>{_esc(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td{left}>{_esc(v) if c in escape else v}</td>" for c, v in row.items()) + "</tr>"
                   for _, row in frame.iterrows())
    cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
    table_id = f"pmo-dash-{next(_TABLE_IDS)}-{secrets.token_hex(3)}"
    return (f'{table_style(table_id)}<table id="{table_id}" class="pmo-table pmo-compact" style="{TABLE_CSS}">'
            f'{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def dashboard(*, cycle: str, maturity_line: str, rag: pd.DataFrame, decisions: pd.DataFrame, funding_line: str,
              actions_line: str, needing: int | None = None) -> HTML:
    """The governance report's one-page view.

    Parameters
    ----------
    maturity_line, funding_line, actions_line : str
        One sentence each (escaped Markdown-free text).
    rag : DataFrame
        :func:`kpi_rag_grid`.
    decisions : DataFrame
        :func:`decision_table`, already cut to the top rows.
    needing : int, optional
        How many initiatives need a decision in all, when ``decisions`` shows
        only the most severe of them.
    """
    caption = gettext("Initiatives needing a decision, most severe first")
    if needing is not None and needing > len(decisions):
        caption = gettext("The {shown} most severe of the {count} initiatives needing a decision").format(
            shown=len(decisions), count=needing)
    top = decisions.assign(severity=decisions["severity"].map(severity_badge))
    names = {"initiative": gettext("Initiative"), "severity": gettext("Severity"), "exceptions": gettext("Exceptions"),
             "recommendation": gettext("Recommended decision")}
    top = top.rename(columns=names).drop(columns=["owner"])
    kpi, target = gettext("KPI"), gettext("Target")
    heads = {"maturity": gettext("Maturity."), "exceptions": gettext("Exceptions."), "funding": gettext("Funding."),
             "actions": gettext("Actions.")}
    nothing = gettext("No initiative needs a decision this cycle.")
    parts = [
        '<div class="pmo-dashboard" style="font-size: 0.86em; break-after: page; page-break-after: always">',
        f'<p class="pmo-dash-line"><b>{_esc(heads["maturity"])}</b> {_esc(maturity_line)}</p>',
        html_table(rag.rename(columns={"KPI": kpi, "Target": target}),
                   caption=(gettext("Headline KPIs in {cycle}").format(cycle=cycle) if len(rag.columns) == 3 else
                            ngettext("Headline KPIs, last {count} cycle to {cycle}",
                                     "Headline KPIs, last {count} cycles to {cycle}", len(rag.columns) - 2).format(
                                count=len(rag.columns) - 2, cycle=cycle)),
                   escape=(kpi, target)),
        html_table(top, caption=caption,
                   escape=(names["initiative"], names["exceptions"], names["recommendation"])) if len(top) else
        f'<p class="pmo-dash-line"><b>{_esc(heads["exceptions"])}</b> '
        f'{_esc(nothing)}</p>',
        f'<p class="pmo-dash-line"><b>{_esc(heads["funding"])}</b> {_esc(funding_line)}</p>',
        f'<p class="pmo-dash-line"><b>{_esc(heads["actions"])}</b> {_esc(actions_line)}</p>',
        "</div>",
    ]
    return HTML("".join(parts))


def closing_table(closing: pd.DataFrame, *, currency: str) -> pd.DataFrame:
    """The closing summary as display strings.

    Returns
    -------
    DataFrame
        Columns ``initiative, outcome, finished, schedule, cost, benefits``.
    """
    rows = []
    for r in closing.itertuples(index=False):
        if pd.notna(r.days_late):
            d = int(r.days_late)
            schedule = (gettext("on time") if d == 0 else
                        ngettext("{count} day late", "{count} days late", abs(d)) if d > 0 else
                        ngettext("{count} day early", "{count} days early", abs(d))).format(count=i18n.number(abs(d)))
        else:
            schedule = gettext("stopped before its planned end")
        cost = ((gettext("{cost}, {share} over budget") if r.cost_vs_budget > 0 else
                 gettext("{cost}, {share} under budget")).format(
            cost=format_value(r.actual_cost, "currency", currency), share=i18n.percent(abs(r.cost_vs_budget)))
            if pd.notna(r.cost_vs_budget) else "–")
        rows.append({"initiative": f"{r.initiative_id} {r.name}",
                     "outcome": display_name("closed" if r.status == "closed" else "cancelled", "initiative_status"),
                     "finished": i18n.date(r.actual_end_date) if pd.notna(r.actual_end_date) else "–",
                     "schedule": schedule, "cost": cost,
                     "benefits": gettext("{share} of planned").format(share=i18n.percent(r.benefits_realised))
                     if pd.notna(r.benefits_realised) else "–"})
    return pd.DataFrame(rows, columns=["initiative", "outcome", "finished", "schedule", "cost", "benefits"])


def decisions_view(decisions: pd.DataFrame, *, caption: str) -> HTML:
    """:func:`decision_table` as an HTML table with severity badges."""
    names = {"initiative": gettext("Initiative"), "owner": gettext("Owner"), "severity": gettext("Severity"),
             "exceptions": gettext("Exceptions"), "recommendation": gettext("Recommended decision")}
    shown = decisions.assign(severity=decisions["severity"].map(severity_badge)).rename(columns=names)
    return HTML(html_table(shown, caption=caption, escape=(names["initiative"], names["owner"], names["exceptions"],
                                                           names["recommendation"])))


def portfolio_exceptions_view(exceptions: pd.DataFrame, *, caption: str) -> HTML:
    """:func:`portfolio_exceptions` as an HTML table with severity badges."""
    names = {"area": gettext("Area"), "description": gettext("Exception"), "severity": gettext("Severity")}
    shown = exceptions.assign(severity=exceptions["severity"].map(severity_badge)).rename(columns=names)
    return HTML(html_table(shown, caption=caption, escape=(names["area"], names["description"])))


def raid_exceptions(items: pd.DataFrame, register: pd.DataFrame) -> pd.Series:
    """How the exception register rates each RAID item, in words, beside the item's own severity.

    An item's own severity (critical, high…) and the severity of the exception it raises differ by
    the register's rules: a high item past its due date is a medium exception, a critical one high,
    one step more beyond 90 days overdue, and an item on an initiative that has ended is a low,
    portfolio-wide exception. This column shows the board that rating next to the item, so the RAID
    table and the exception tables tell the same story.

    Parameters
    ----------
    items : DataFrame
        :func:`pmo_lib.open_raid` rows (``raid_id``, ``initiative_id``).
    register : DataFrame
        :func:`pmo_lib.exception_register`.

    Returns
    -------
    Series
        Display strings aligned with ``items``: the exception's severity, with why for an item on
        an ended initiative, or "–" for an item that raises no exception.
    """
    raid = register[register["kind"] == "raid"]
    ident = raid["metric"].astype(str).str.split(" ", n=1).str[0]
    by_id = dict(zip(ident, raid.itertuples(index=False)))
    words = []
    for r in items.itertuples(index=False):
        hit = by_id.get(r.raid_id)
        if hit is None:
            words.append("–")
            continue
        word = str(display_name(hit.severity, "severity"))
        if pd.isna(hit.initiative_id) and pd.notna(r.initiative_id):
            word = gettext("{severity}: its initiative has ended; close the item or hand it over").format(severity=word)
        words.append(word)
    return pd.Series(words, index=items.index, dtype=object)


def raid_exceptions_note(rules: ExceptionRules = DEFAULT_EXCEPTION_RULES) -> str:
    """The sentence under the overdue RAID items: why an item's severity and its exception's can differ."""
    return gettext("An item's own severity and the severity of the exception it raises follow different rules (see "
                   "the appendix): a high item past its due date is a medium exception, a critical one high, one step "
                   "more beyond {days} overdue; an item on an initiative that has ended is a low, portfolio-wide "
                   "exception; medium and low items raise none.").format(
        days=ngettext("{count} day", "{count} days", rules.overdue_escalation_days).format(
            count=i18n.number(rules.overdue_escalation_days)))


def budget_change_reasons(changes: pd.DataFrame, initiatives: pd.DataFrame, *, end: pd.Timestamp,
                          max_cut: float) -> pd.Series:
    """Why each budget changed since the previous cycle, as far as the funding rules see it.

    A budget that falls to nothing because the initiative ended is no cut, and one that starts is no
    move: the funding rules' limits (``funding.max_cut``, ``funding.max_shift``) apply to the money moved
    between initiatives funded in both cycles. A cut deeper than ``max_cut`` on an initiative still
    under way is named as beyond what the rules allow without the board.

    Parameters
    ----------
    changes : DataFrame
        :func:`pmo_lib.funding_changes`.
    initiatives : DataFrame
        The initiatives table as known at the cycle's end (``status``, ``actual_end_date``).
    end : Timestamp
        The cycle's end.
    max_cut : float
        ``funding.max_cut``.

    Returns
    -------
    Series
        Display strings aligned with ``changes``; empty for an ordinary move within the rules.
    """
    ini = initiatives.set_index("initiative_id")
    words = []
    for r in changes.itertuples(index=False):
        status = ini["status"].get(r.initiative_id)
        ended = ini["actual_end_date"].get(r.initiative_id)
        if status in ("closed", "cancelled") and r.budget == 0:
            words.append(gettext("ended {date}: no further budget").format(date=i18n.date(ended)) if pd.notna(ended)
                         and pd.Timestamp(ended) <= end else gettext("ended: no further budget"))
        elif r.previous_budget == 0:
            words.append(gettext("started: first budget"))
        elif status in ("closed", "cancelled"):
            words.append(gettext("last cycle before it ended"))
        elif r.change < 0 and round(-r.change / r.previous_budget, 2) > max_cut:  # as the board reads it: whole percent
            words.append(gettext("cut by {share}, more than the {cap} the funding rules allow without the board").format(
                share=i18n.percent(-r.change / r.previous_budget), cap=i18n.percent(max_cut)))
        else:
            words.append("")
    return pd.Series(words, index=changes.index, dtype=object)


def rules_table(rules: ExceptionRules = DEFAULT_EXCEPTION_RULES) -> pd.DataFrame:
    """The exception and recommendation rules, for the method appendix.

    Parameters
    ----------
    rules : ExceptionRules
        The workspace's policy (``pmo.yaml``'s ``exceptions``); the text quotes its numbers.

    Returns
    -------
    DataFrame
        Columns ``rule, text``.
    """
    return pd.DataFrame(exception_rules(rules), columns=["rule", "text"])
