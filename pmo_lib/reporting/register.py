"""The exception register: every exception of a cycle, and one recommendation per initiative.

One analysis finds every exception of a cycle (cost, schedule, delivery,
customer value, benefits, flow and the other portfolio KPIs, and RAID items)
so that the KPI analysis and the governance report tell the same story. The
rules are written out by :func:`exception_rules` and shown in the reports'
method appendix. The numbers they use are the workspace's policy, set in
``pmo.yaml`` (``thresholds.schedule_slip_days`` and the ``exceptions``
section); the values below are the defaults.

Severity grows with the size of the breach
------------------------------------------
For a KPI, the *band* is the distance between its target and its red
threshold. A value that misses its target (beyond the KPI's tolerance) but
stays within the red threshold is **low**; beyond red by up to one band it is
**medium**, by up to two bands **high**, and further **critical**. A KPI whose
confidence interval spans its target is never more than low: the data cannot
yet tell whether it misses.

A forecast end later than the planned end by more than the schedule tolerance
(``thresholds.schedule_slip_days``, 30 days by default) is **medium**, more than
twice that **high** and more than three times **critical**
(``exceptions.high_slip_multiple`` and ``critical_slip_multiple``). An initiative past
its planned end and not closed is forecast to finish no earlier than the day
after the cycle's end; if that is within the tolerance, it is **low**.

A high risk or issue open past its due date is **medium**, a critical one
**high**; one more than 90 days overdue (``exceptions.overdue_escalation_days``)
is one step more severe.

One recommendation per initiative
---------------------------------
Each exception suggests a decision: *continue* (watch) for a low one,
*recover* for a medium one, and *re-scope* for a high or critical cost,
schedule or delivery exception (*recover* for the other kinds). An initiative
whose most severe cost exception and most severe schedule exception (a
schedule KPI or a late forecast end date) are both high or critical
(``exceptions.stop_severity``) gets *stop*.
The initiative's recommendation is the most far-reaching of these
(stop, re-scope, recover, continue), and its severity is the highest.

The board's own decisions (``decisions`` rows with an ``initiative_id`` and a
``decision``) come first:

1. a decision about the initiative in this cycle stands until its review next
   cycle ("recover: plan accepted in D-017; review in 2026-Q4");
2. after a *recover* or *re-scope* decision in an earlier cycle, an initiative
   still at high or critical severity (``exceptions.escalation_severity``) is
   escalated one step (recover to re-scope, re-scope to stop) unless the rules
   already ask for more; below that, the decided course continues;
3. an earlier *stop* that has not happened is repeated, to confirm the closure.

Initiatives that have ended (closed or cancelled by the cycle's end) raise no
exception and get no recommendation; :func:`closing_summary` reports how they
ended.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..inputs.asof import ENDED
from ..inputs.cycles import Cycle
from ..analysis.governance import open_raid
from ..inputs.catalog import KpiCatalog
from ..inputs.config import DEFAULT_EXCEPTION_RULES, ExceptionRules
from ..inputs import i18n
from ..inputs.i18n import N_, Text, a_date, a_number, a_percent, gettext, in_source_language, ngettext, nsay, say
from . import report  # noqa: F401  (registers the formatters of the KPI values its descriptions name)

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
DECISION_ORDER = ("stop", "re-scope", "recover", "continue")  # most far-reaching first
LIVE = ("active", "on_hold")

# The KPIs judged per initiative, and the kind of exception each raises.
INITIATIVE_KPIS = {"cpi": "cost", "spi": "schedule", "nps": "customer", "csat": "customer",
                   "benefits_realization": "benefits"}
# The kind of exception a portfolio KPI raises, by KPI id.
PORTFOLIO_KINDS = {"cpi": "cost", "cost_variance": "cost", "eac": "cost", "vac": "cost",
                   "spi": "schedule", "schedule_variance": "schedule",
                   "nps": "customer", "csat": "customer", "benefits_realization": "benefits",
                   "on_time_delivery": "delivery", "open_high_risks": "risk",
                   "strategic_alignment": "strategy", "goal_mix_deviation": "strategy",
                   "budget_reallocation": "strategy"}
# KPIs that raise no portfolio exception: earned schedule restates in time the schedule that SPI and SV
# already raise for the portfolio; it is shown on the scorecard, not decided twice.
NO_PORTFOLIO_EXCEPTION = frozenset({"spi_t", "sv_t", "ieac_t"})
#: The stop rule's two sides: cost, and schedule (its KPIs or a late forecast end date).
STOP_KINDS = (("cost",), ("schedule", "delivery"))
KIND_ORDER = ("cost", "schedule", "delivery", "customer", "benefits", "flow", "strategy", "risk", "raid", "forecast",
              "capacity")

REGISTER_COLUMNS = ["exception_id", "kind", "initiative_id", "name", "owner", "metric", "value", "target",
                    "threshold", "severity", "uncertain", "recommendation", "description", "short"]
PORTFOLIO_COLUMNS = ["initiative_id", "name", "status", "forecast_end_date", "severity", "recommendation", "reason"]

def _times(multiple: float) -> str:
    if multiple == 2.0:
        return gettext("twice")
    if multiple == 3.0:
        return gettext("three times")
    return gettext("{multiple} times").format(multiple=f"{multiple:g}" if i18n.current_locale() is None
                                              else i18n.number(multiple, 2).rstrip("0").rstrip(i18n.decimal_symbol()))


def _at_least(severity: str) -> str:
    """``high`` → ``high or critical``: the severities from ``severity`` up (in the report's language)."""
    names = [gettext(n) for n in reversed(SEVERITIES[:SEVERITY_RANK[severity] + 1])]  # msgids: narrative.py
    return names[0] if len(names) == 1 else gettext("{severities} or {last}").format(
        severities=", ".join(names[:-1]), last=names[-1])


def exception_rules(rules: ExceptionRules = DEFAULT_EXCEPTION_RULES) -> list[tuple[str, str]]:
    """The exception and recommendation rules in words, with the workspace's numbers, in the report's language.

    Returns
    -------
    list of tuple
        ``(rule, text)`` pairs, for the method appendix.
    """
    return [
        (gettext("Severity of a KPI"), gettext(
            "Low when it misses its target but stays within the red threshold; beyond red by up to one band (the "
            "distance from target to red) medium, up to two bands high, further critical. A KPI whose confidence "
            "interval spans its target is at most low.")),
        (gettext("Severity of a late forecast"), gettext(
            "Medium when the forecast end is more than the schedule tolerance after the planned end, high beyond "
            "{high} and critical beyond {critical} the tolerance. An initiative past its planned end and not closed is "
            "forecast to finish after the cycle's end at the earliest.").format(
            high=_times(rules.high_slip_multiple), critical=_times(rules.critical_slip_multiple))),
        (gettext("Severity of a risk or issue"), ngettext(
            "A high risk or issue open past its due date is medium, a critical one high; more than {count} day overdue "
            "raises it one step.",
            "A high risk or issue open past its due date is medium, a critical one high; more than {count} days overdue "
            "raises it one step.", rules.overdue_escalation_days).format(
            count=i18n.number(rules.overdue_escalation_days))),
        (gettext("Severity of a team's load"), gettext(
            "A team asked for more person-days than the utilisation limit allows of its capacity ({default} by "
            "default) is a portfolio-wide exception of medium severity, above {full} of its capacity high; the "
            "recommendation is to defer or re-sequence the days over the limit.").format(
            default=i18n.percent(0.85), full=i18n.percent(1.0))),
        (gettext("Recommended decision"), gettext(
            "Continue and watch for a low exception, recover for a medium one, re-scope for a high or critical cost, "
            "schedule or delivery exception, stop when cost and schedule (a schedule KPI or a late forecast end) are "
            "both {stop}. An initiative gets one recommendation: the most far-reaching of its exceptions'.").format(
            stop=_at_least(rules.stop_severity))),
        (gettext("The board's decisions"), gettext(
            "A decision about an initiative in this cycle stands until its review next cycle. After an earlier recover "
            "or re-scope decision, an initiative still at {escalate} severity is escalated one step; an earlier stop "
            "that has not happened is repeated.").format(escalate=_at_least(rules.escalation_severity))),
        (gettext("Ended initiatives"), gettext(
            "Initiatives closed or cancelled by the cycle's end raise no exceptions and get no future budget; the "
            "closing summary reports how they ended. A high or critical risk or issue still open past its due date on "
            "an ended initiative is listed as a portfolio-wide item of low severity, to be closed or handed over.")),
    ]


#: The rules with the default numbers; :func:`exception_rules` gives them with a workspace's.
RULES = exception_rules()


def breach_depth(value: float, target: float, red: float, direction: str, tolerance: float = 0.0) -> float:
    """How far a value misses its target, in bands.

    The band runs from the edge of the tolerance around the target to the red
    threshold.

    Returns 0 or less when the target is met, between 0 and 1 within the red
    threshold, and more than 1 beyond it; ``nan`` when it cannot be judged.
    """
    if any(pd.isna(x) for x in (value, target)):
        return np.nan
    sign = 1.0 if direction == "higher" else -1.0
    shortfall = sign * (target - value) - (tolerance if pd.notna(tolerance) else 0.0)
    shortfall = round(shortfall, 12)
    band = abs(target - red) - (tolerance if pd.notna(tolerance) else 0.0) if pd.notna(red) else np.nan
    if shortfall <= 0:
        return 0.0 if shortfall == 0 else shortfall
    if pd.isna(band) or band <= 0:
        return 1.0  # misses the target; with no red threshold beyond it, it cannot be more than low
    return round(shortfall / band, 9)


def severity_of_depth(depth: float) -> str | None:
    """Low, medium, high or critical for a breach depth; ``None`` when the target is met."""
    if pd.isna(depth) or depth <= 0:
        return None
    return "low" if depth <= 1 else "medium" if depth <= 2 else "high" if depth <= 3 else "critical"


def severity_of_slip(days: float, tolerance: float, *, past_due: bool = False,
                     rules: ExceptionRules = DEFAULT_EXCEPTION_RULES) -> str | None:
    """Severity of a forecast end ``days`` after the planned end.

    Medium beyond ``tolerance``, high and critical beyond the multiples of it
    that ``rules`` set; low when only ``past_due``.
    """
    if pd.isna(days):
        return None
    if days > rules.critical_slip_multiple * tolerance:
        return "critical"
    if days > rules.high_slip_multiple * tolerance:
        return "high"
    if days > tolerance:
        return "medium"
    return "low" if past_due else None


def _suggested(kind: str, severity: str) -> str:
    if kind == "capacity":
        return "re-scope"  # an overloaded team: defer or re-sequence its work
    if severity == "low":
        return "continue"
    if severity == "medium":
        return "recover"
    return "re-scope" if kind in ("cost", "schedule", "delivery", "forecast") else "recover"


def _most(values: Iterable[object], order: Sequence[str]) -> str:
    """The first of ``values`` in ``order`` (most far-reaching or most severe); "" when none is a string."""
    present = [v for v in values if isinstance(v, str)]
    return min(present, key=order.index) if present else ""


#: What a KPI row's value and target need to be written in words again, in any language (report.kpi_value_text).
_KPI_FACTS = ("kpi_id", "value", "unit", "target", "rate_as", "rated_value", "margin", "red", "tolerance", "direction",
              "status", "n")


def _kpi_rows(kpis: pd.DataFrame, catalog: KpiCatalog, live: set[str], currency: str) -> list[dict]:
    spec = catalog.table.set_index("kpi_id")
    rows = []
    for r in kpis.itertuples(index=False):
        if r.status not in ("amber", "red") or pd.isna(r.value):
            continue
        if r.scope == "portfolio" and r.kpi_id in NO_PORTFOLIO_EXCEPTION:
            continue
        if r.scope == "portfolio":
            kind = PORTFOLIO_KINDS.get(r.kpi_id, "flow" if r.step == 4 or "flow" in r.kpi_id or r.kpi_id == "wip"
                                       else "strategy")
        elif r.kpi_id in INITIATIVE_KPIS and r.scope in live:
            kind = INITIATIVE_KPIS[r.kpi_id]
        else:
            continue
        s = spec.loc[r.kpi_id]
        red = getattr(r, "red", s.get("red"))
        tolerance = getattr(r, "tolerance", s.get("tolerance", 0.0))
        direction = getattr(r, "direction", s["direction"])
        rated = getattr(r, "rated_value", r.value)
        rated = r.value if pd.isna(rated) else rated
        severity = severity_of_depth(breach_depth(rated, r.target, red, direction, tolerance))
        severity = severity or "low"
        if r.status == "red" and severity == "low":
            severity = "medium"  # beyond red by a rounding hair
        if r.status == "amber":
            severity = "low"
        uncertain = bool(getattr(r, "uncertain", False))
        if uncertain:
            severity = "low"
        threshold = red if r.status == "red" and pd.notna(red) else r.target
        facts = {key: getattr(r, key, None) for key in _KPI_FACTS}
        kpi = say(r.name)  # the catalogue's name, translated where the report shows it
        value = i18n.a_call("kpi_value", row=facts, currency=currency)
        target = i18n.a_call("kpi_target", row=facts, currency=currency)
        if uncertain:
            n = int(r.n) if pd.notna(r.n) else 0
            text = nsay("{kpi} {value} against a target of {target}; uncertain, from {count} answer",
                        "{kpi} {value} against a target of {target}; uncertain, from {count} answers", n,
                        kpi=kpi, value=value, target=target)
        else:
            text = say("{kpi} {value} against a target of {target}", kpi=kpi, value=value, target=target)
        headline = i18n.a_call("kpi_value", row=facts, currency=currency, headline=True)
        short = (say("{kpi} {value} (uncertain)", kpi=kpi, value=headline) if uncertain
                 else say("{kpi} {value}", kpi=kpi, value=headline))
        rows.append({"kind": kind, "initiative_id": None if r.scope == "portfolio" else r.scope, "metric": r.name,
                     "value": float(r.value), "target": r.target, "threshold": threshold, "severity": severity,
                     "uncertain": uncertain, "description": text, "short": short})
    return rows


def _days(days: float) -> Text:
    return nsay("{count} day", "{count} days", days)


#: A late risk or issue in words, by severity and kind.
_RAID_ITEMS = {("high", "risk"): N_("high risk"), ("critical", "risk"): N_("critical risk"),
               ("high", "issue"): N_("high issue"), ("critical", "issue"): N_("critical issue")}


def _raid_item(severity: str, kind: str) -> Text | str:
    words = _RAID_ITEMS.get((severity, kind))
    return say(words) if words else f"{severity} {kind}"


def _delivery_rows(ini: pd.DataFrame, end: pd.Timestamp, slip_days: int, rules: ExceptionRules) -> list[dict]:
    rows = []
    live = ini[ini["status"].isin(LIVE) & (ini["start_date"] <= end)]
    for r in live.itertuples(index=False):
        past_due = r.planned_end_date < end
        forecast = r.forecast_end_date
        if past_due:
            earliest = end + pd.Timedelta(days=1)
            forecast = earliest if pd.isna(forecast) or forecast < earliest else forecast
        if pd.isna(forecast):
            continue
        slip = float((forecast - r.planned_end_date).days)
        severity = severity_of_slip(slip, slip_days, past_due=past_due, rules=rules)
        if severity is None:
            continue
        late, planned = _days(slip), a_date(r.planned_end_date)
        text = (say("forecast to finish {late} after its planned end ({planned}), which passed {passed} before the "
                    "cycle's end", late=late, planned=planned, passed=_days((end - r.planned_end_date).days))
                if past_due else say("forecast to finish {late} after its planned end ({planned})", late=late,
                                     planned=planned))
        rows.append({"kind": "delivery", "initiative_id": r.initiative_id, "metric": "Forecast end date",
                     "value": slip, "target": 0.0, "threshold": float(slip_days), "severity": severity,
                     "uncertain": False, "description": text,
                     "short": nsay("forecast {count} day late", "forecast {count} days late", slip)})
    return rows


def _raid_rows(cycle: Cycle, live: set[str], ended: set[str], rules: ExceptionRules) -> list[dict]:
    raid, end = cycle.tables["raid"], cycle.end
    if raid.empty:
        return []
    late = open_raid(cycle)
    late = late[late["overdue"] & late["severity"].isin(["high", "critical"]) & late["kind"].isin(["risk", "issue"])]
    due = raid.set_index("raid_id")["due_date"]
    rows = []
    for r in late.itertuples(index=False):
        days = float((end - due[r.raid_id]).days)
        if pd.notna(r.initiative_id) and r.initiative_id in ended:
            rows.append({"kind": "raid", "initiative_id": None, "metric": f"{r.raid_id} {r.title}", "value": days,
                         "target": 0.0, "threshold": 0.0, "severity": "low", "uncertain": False,
                         "description": say("{item} {raid_id} \u2018{title}\u2019 is still open {overdue} past its due "
                                            "date although {initiative} has ended: close it or give it to the work "
                                            "that carries the risk now", item=_raid_item(r.severity, r.kind),
                                            raid_id=r.raid_id, title=r.title, overdue=_days(days),
                                            initiative=r.initiative_id),
                         "short": say("{raid_id} open on ended {initiative}", raid_id=r.raid_id,
                                      initiative=r.initiative_id)})
            continue
        if pd.notna(r.initiative_id) and r.initiative_id not in live:
            continue
        severity = "high" if r.severity == "critical" else "medium"
        if days > rules.overdue_escalation_days:
            severity = SEVERITIES[max(SEVERITY_RANK[severity] - 1, 0)]
        rows.append({"kind": "raid", "initiative_id": r.initiative_id if pd.notna(r.initiative_id) else None,
                     "metric": f"{r.raid_id} {r.title}", "value": days, "target": 0.0, "threshold": 0.0,
                     "severity": severity, "uncertain": False,
                     "description": say("{item} {raid_id} \u2018{title}\u2019 open {overdue} past its due date",
                                        item=_raid_item(r.severity, r.kind), raid_id=r.raid_id, title=r.title,
                                        overdue=_days(days)),
                     "short": say("{item} {raid_id} {overdue} overdue", item=_raid_item(r.severity, r.kind),
                                  raid_id=r.raid_id, overdue=_days(days))})
    return rows


def _capacity_rows(cycle: Cycle, capacity: pd.DataFrame, max_utilisation: float) -> list[dict]:
    """One portfolio-wide row per team overloaded in the cycle: medium above ``max_utilisation``, high above 100%."""
    rows = []
    hit = capacity[(capacity["cycle"] == cycle.name) & capacity["overloaded"].astype(bool)]
    for r in hit.sort_values(["utilisation", "team"], ascending=[False, True], kind="stable").itertuples(index=False):
        severity = "high" if r.utilisation > 1.0 else "medium"
        over = r.demand_days - max_utilisation * r.capacity_days
        rows.append({"kind": "capacity", "initiative_id": None, "metric": f"Load on team {r.team}",
                     "value": float(r.utilisation), "target": float(max_utilisation),
                     "threshold": 1.0 if severity == "high" else float(max_utilisation), "severity": severity,
                     "uncertain": False,
                     "description": say("team {team} is asked for {demand} person-days against the {capacity} it "
                                        "can give ({load} of its capacity, above the {limit} limit): defer or "
                                        "re-sequence {over} of this team's work to bring it within the limit",
                                        team=r.team, demand=a_number(r.demand_days), capacity=a_number(r.capacity_days),
                                        load=a_percent(r.utilisation), limit=a_percent(max_utilisation),
                                        over=nsay("{count} person-day", "{count} person-days", round(over))),
                     "short": say("team {team} at {load} of capacity", team=r.team, load=a_percent(r.utilisation))})
    return rows


@in_source_language  # recorded as a result: the same in every language (i18n.py)
def exception_register(cycle: Cycle, kpis: pd.DataFrame, catalog: KpiCatalog, *,
                       slip_days: int = 30, currency: str = "",
                       rules: ExceptionRules = DEFAULT_EXCEPTION_RULES,
                       forecasts: pd.DataFrame | None = None, on_time_probability: float = 0.5,
                       capacity: pd.DataFrame | None = None, max_utilisation: float = 0.85) -> pd.DataFrame:
    """Every exception of one cycle, each with its initiative's one recommendation.

    Parameters
    ----------
    cycle : Cycle
        The cycle; its tables are read as known at its end (:attr:`pmo_lib.Cycle.tables`).
    kpis : DataFrame
        :func:`pmo_lib.compute_kpis` for the cycle.
    catalog : KpiCatalog
    slip_days : int
        Schedule tolerance in days.
    currency : str
        Currency code for the descriptions.
    rules : ExceptionRules
        The severity and recommendation policy (``pmo.yaml``'s ``exceptions``).
    forecasts : DataFrame, optional
        :func:`pmo_lib.delivery_forecasts` for the cycle: an initiative under
        way whose chance to finish on time is below ``on_time_probability``
        (``thresholds.on_time_probability``) is a *forecast* exception, medium,
        or high below half of it (see :func:`forecast_exceptions`).
    capacity : DataFrame, optional
        :func:`pmo_lib.capacity_utilisation` for the cycle: each team above
        ``max_utilisation`` (``thresholds.max_utilisation``) in this cycle is a
        portfolio-wide *capacity* exception, medium, or high above 100%, whose
        description says how many person-days to defer or re-sequence.

    Returns
    -------
    DataFrame
        Columns ``exception_id, kind, initiative_id, name, owner, metric,
        value, target, threshold, severity, uncertain, recommendation,
        description``, most severe first. Every exception of one initiative
        carries the same recommendation: the initiative's, from
        :func:`portfolio_status`. Portfolio-wide exceptions have no
        ``initiative_id``.
    """
    asof, end = cycle.tables, cycle.end
    ini = asof["initiatives"]
    live = set(ini.loc[ini["status"].isin(LIVE), "initiative_id"])
    rows = _kpi_rows(kpis, catalog, live, currency) + _delivery_rows(ini, end, slip_days, rules) + \
        _raid_rows(cycle, live, set(ini.loc[ini["status"].isin(ENDED), "initiative_id"]), rules)
    if forecasts is not None:
        rows += _forecast_rows(cycle, forecasts, on_time_probability)[0]
    if capacity is not None and len(capacity):
        rows += _capacity_rows(cycle, capacity, max_utilisation)
    out = pd.DataFrame(rows, columns=[c for c in REGISTER_COLUMNS if c not in ("exception_id", "name", "owner",
                                                                                "recommendation")])
    names = ini.set_index("initiative_id")
    out["name"] = out["initiative_id"].map(names["name"])
    out["owner"] = out["initiative_id"].map(names["owner"])
    out["uncertain"] = out["uncertain"].astype(bool)
    decided = _recommendations(out, cycle, rules)
    out["recommendation"] = [
        decided[i][0] if pd.notna(i) else _suggested(k, s)
        for i, k, s in zip(out["initiative_id"], out["kind"], out["severity"])]
    initiative_rank = {i: SEVERITY_RANK[v[2]] for i, v in decided.items()}
    out = out.assign(_i=out["initiative_id"].map(initiative_rank).fillna(out["severity"].map(SEVERITY_RANK)),
                     _s=out["severity"].map(SEVERITY_RANK), _k=out["kind"].map(KIND_ORDER.index),
                     _p=out["initiative_id"].isna())
    out = out.sort_values(["_i", "_p", "initiative_id", "_s", "_k"], kind="stable").reset_index(drop=True)
    out.insert(0, "exception_id", [f"E{i + 1:02d}" for i in range(len(out))])
    return out[REGISTER_COLUMNS]


def _decisions(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    decisions = tables.get("decisions")
    if decisions is None or decisions.empty or "decision" not in decisions:
        return pd.DataFrame(columns=["decision_id", "cycle", "date", "initiative_id", "decision", "outcome"])
    return decisions.dropna(subset=["initiative_id", "decision"])


def _recommendations(register: pd.DataFrame, cycle: Cycle, rules: ExceptionRules) -> dict[str, tuple[str, str, str]]:
    """initiative_id to (recommendation, reason, severity) for initiatives with exceptions."""
    order = cycle.history_names  # the decisions known at the cycle's end are of these cycles
    nxt = cycle.next_name
    decisions = _decisions(cycle.tables)
    out: dict[str, tuple[str, str, str]] = {}
    for initiative, group in register.dropna(subset=["initiative_id"]).groupby("initiative_id", sort=False):
        severity = _most(group["severity"], list(SEVERITIES))
        suggested = [_suggested(k, s) for k, s in zip(group["kind"], group["severity"])]
        both = all(SEVERITY_RANK.get(_most(group.loc[group["kind"].isin(kinds), "severity"], SEVERITIES), 9)
                   <= SEVERITY_RANK[rules.stop_severity] for kinds in STOP_KINDS)
        rule = "stop" if both else _most(suggested, DECISION_ORDER)
        reason: str = _reason_text(group)
        if both:
            reason = say("{reasons}; cost and schedule performance are both far off target", reasons=reason)
        out[initiative] = (rule, reason, severity)
    for initiative, (rule, reason, severity) in list(out.items()):
        mine = decisions[decisions["initiative_id"] == initiative]
        if mine.empty:
            continue
        mine = mine.assign(_o=mine["cycle"].map(order.index)).sort_values(["_o", "date", "decision_id"])
        last = mine.iloc[-1]
        decided = say(_DECIDED[last["decision"]])
        decision, when = last["decision_id"], last["cycle"]
        if last["cycle"] == cycle.name:
            same = rule == last["decision"]
            if nxt is None:  # the workspace's last cycle
                why = (say("{decided} in {decision}; review in the next cycle", decided=decided, decision=decision)
                       if same else say("{decided} in {decision}; review in the next cycle; without that decision the "
                                        "rules would say {rule}", decided=decided, decision=decision,
                                        rule=say(_RULES[rule])))
            else:
                why = (say("{decided} in {decision}; review in {next}", decided=decided, decision=decision, next=nxt)
                       if same else say("{decided} in {decision}; review in {next}; without that decision the rules "
                                        "would say {rule}", decided=decided, decision=decision, next=nxt,
                                        rule=say(_RULES[rule])))
            out[initiative] = (last["decision"], _still_open(why, reason), severity)
        elif last["decision"] == "stop":
            why = say("{decided} in {decision} ({cycle}) has not happened yet; confirm the closure", decided=decided,
                      decision=decision, cycle=when)
            out[initiative] = ("stop", _still_open(why, reason), severity)
        elif last["decision"] in ("recover", "re-scope"):
            if SEVERITY_RANK[severity] <= SEVERITY_RANK[rules.escalation_severity]:
                step = DECISION_ORDER[max(DECISION_ORDER.index(last["decision"]) - 1, 0)]
                chosen = _most([step, rule], DECISION_ORDER)
                out[initiative] = (chosen, say(_NOT_BACK[last["decision"]], decision=decision, cycle=when,
                                               reasons=reason), severity)
            else:
                out[initiative] = (_most([last["decision"], rule], DECISION_ORDER),
                                   say("continue the course agreed in {decision} ({cycle}): {reasons}",
                                       decision=decision, cycle=when, reasons=reason), severity)
    return out


#: A board decision in the reasons' words, by decision.
_DECIDED = {"recover": N_("recovery plan accepted"), "re-scope": N_("re-scope agreed"), "stop": N_("stop decided"),
            "continue": N_("continuation agreed")}
#: What the rules would say, in the reasons' words.
_RULES = {"recover": N_("recover"), "re-scope": N_("re-scope"), "stop": N_("stop"), "continue": N_("continue")}
#: An earlier recover or re-scope decision that has not worked.
_NOT_BACK = {"recover": N_("the recovery plan accepted in {decision} ({cycle}) has not brought it back within its "
                           "thresholds: {reasons}"),
             "re-scope": N_("the re-scope agreed in {decision} ({cycle}) has not brought it back within its "
                            "thresholds: {reasons}")}
#: A reason that states the board's decision, then the exceptions still open (decided_part() reads it back).
_STILL_OPEN = N_("{why}. Still open: {reasons}")


def _still_open(why: Text, reasons: Text | str) -> Text:
    return say(_STILL_OPEN, why=why, reasons=reasons)


def decided_part(reason: object) -> str:
    """The part of a recommendation's reason that states the board's decision, in the report's language; "" when
    the recommendation follows the rules alone (the reason then only lists the exceptions)."""
    if isinstance(reason, Text) and reason.message[:2] == ["_", _STILL_OPEN]:
        return i18n.shown(Text(reason.message[2]["why"]))
    if isinstance(reason, str) and ". Still open:" in reason:  # a register recorded before its texts were kept
        return reason.split(". Still open:")[0]
    return ""


def _reason_text(group: pd.DataFrame) -> Text:
    return i18n.join_texts("; ", [say("{exception} ({severity})", exception=r.short, severity=say(r.severity))
                                  for r in group.itertuples(index=False)])


#: How an ended initiative's reason reads, by its status and whether its end date is known.
_ENDED = {("closed", True): N_("closed on {date}; see the closing summary"),
          ("closed", False): N_("closed; see the closing summary"),
          ("cancelled", True): N_("cancelled on {date}; see the closing summary"),
          ("cancelled", False): N_("cancelled; see the closing summary")}


@in_source_language  # recorded as a result: the same in every language (i18n.py)
def portfolio_status(cycle: Cycle, register: pd.DataFrame, *,
                     rules: ExceptionRules = DEFAULT_EXCEPTION_RULES) -> pd.DataFrame:
    """One row per initiative: its status as of the cycle's end and its one recommendation.

    Parameters
    ----------
    cycle : Cycle
        The cycle; its tables are read as known at its end.
    register : DataFrame
        :func:`exception_register` for the cycle.
    rules : ExceptionRules
        The policy the register was made with (``pmo.yaml``'s ``exceptions``).

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, status, forecast_end_date, severity,
        recommendation, reason``. ``severity`` is the highest of the
        initiative's exceptions (empty when it has none); ``recommendation``
        is continue, recover, re-scope or stop for an initiative under way and
        empty for one proposed or ended; ``reason`` says why in words.
    """
    ini = cycle.tables["initiatives"]
    decided = _recommendations(register, cycle, rules)
    rows = []
    for r in ini.itertuples(index=False):
        if r.status in LIVE:
            if r.initiative_id in decided:
                recommendation, reason, severity = decided[r.initiative_id]
            else:
                recommendation, reason, severity = "continue", say("no exception this cycle"), None
        elif r.status in ENDED:
            ended = _ENDED[r.status, pd.notna(r.actual_end_date)]
            recommendation, reason, severity = None, say(ended, date=a_date(r.actual_end_date)), None
        else:
            recommendation, reason, severity = None, say("proposed; not yet started"), None
        rows.append({"initiative_id": r.initiative_id, "name": r.name, "status": r.status,
                     "forecast_end_date": r.forecast_end_date, "severity": severity,
                     "recommendation": recommendation, "reason": reason})
    return pd.DataFrame(rows, columns=PORTFOLIO_COLUMNS)


def closing_summary(cycle: Cycle) -> pd.DataFrame:
    """How the initiatives that ended in the cycle ended: on time, on budget, with their benefits.

    An initiative ended in the cycle when it is closed or cancelled at the
    cycle's end and was not at the previous cycle's end.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, status, planned_end_date,
        actual_end_date, days_late, bac, actual_cost, cost_vs_budget,
        benefits_realised``. ``days_late`` is negative when early;
        ``cost_vs_budget`` is actual cost over budget at completion minus 1;
        ``benefits_realised`` is realised over planned benefit up to the cycle.
    """
    now = cycle.tables
    ini = now["initiatives"].set_index("initiative_id")
    ended_now = set(ini.index[ini["status"].isin(ENDED)])
    if cycle.previous is not None:
        before = cycle.previous.tables["initiatives"].set_index("initiative_id")
        ended_now -= set(before.index[before["status"].isin(ENDED)])
    fin = now["financials"]
    ben = now["benefits"]
    rows = []
    for initiative in sorted(ended_now):
        r = ini.loc[initiative]
        spent = fin[fin["initiative_id"] == initiative]
        ac = float(spent["actual_cost"].max()) if len(spent) else np.nan
        b = ben[ben["initiative_id"] == initiative]
        planned = b["planned_benefit"].sum()
        late = (r["actual_end_date"] - r["planned_end_date"]).days if pd.notna(r["actual_end_date"]) else np.nan
        rows.append({"initiative_id": initiative, "name": r["name"], "status": r["status"],
                     "planned_end_date": r["planned_end_date"], "actual_end_date": r["actual_end_date"],
                     "days_late": late, "bac": r["bac"], "actual_cost": ac,
                     "cost_vs_budget": ac / r["bac"] - 1 if r["bac"] else np.nan,
                     "benefits_realised": b["realized_benefit"].sum() / planned if planned else np.nan})
    return pd.DataFrame(rows, columns=["initiative_id", "name", "status", "planned_end_date", "actual_end_date",
                                       "days_late", "bac", "actual_cost", "cost_vs_budget", "benefits_realised"])


def _forecast_rows(cycle: Cycle, forecasts: pd.DataFrame,
                   on_time_probability: float) -> tuple[list[dict], list[dict]]:
    """The register rows the forecasts raise: (low chance to finish on time, contradicted typed dates)."""
    ini = cycle.tables["initiatives"].set_index("initiative_id")
    when = forecasts[(forecasts["kind"] == "when") & forecasts["scope"].isin(ini.index)]
    low: list[dict] = []
    dates: list[dict] = []
    for r in when.itertuples(index=False):
        i = ini.loc[r.scope]
        if i["status"] not in LIVE:
            continue
        p = r.p_on_time
        if pd.notna(p) and p < on_time_probability:
            severity = "high" if p < on_time_probability / 2 else "medium"
            passed = i["planned_end_date"] < cycle.end
            planned, pace = a_date(i["planned_end_date"]), dict(
                items=nsay("{count} open item", "{count} open items", int(r.remaining)), likely=a_percent(0.85),
                date=a_date(r.p85))
            text = (say("its planned end ({planned}) passed before the cycle's end with work still open; at the pace "
                        "of its own recent work its {items} are {likely} likely to be finished by {date}",
                        planned=planned, **pace) if passed else
                    say("a {chance} chance to finish its open work by its planned end ({planned}), below the {asked} "
                        "the portfolio asks for; at the pace of its own recent work its {items} are {likely} likely "
                        "to be finished by {date}", chance=a_percent(p), planned=planned,
                        asked=a_percent(on_time_probability), **pace))
            low.append({"kind": "forecast", "initiative_id": r.scope, "metric": "Chance to finish on time",
                         "value": float(p), "target": float(on_time_probability),
                         "threshold": float(on_time_probability), "severity": severity, "description": text,
                         "short": say("planned end passed") if passed else
                         say("{chance} chance to finish on time", chance=a_percent(p))})
        typed = i["forecast_end_date"]
        if pd.isna(typed) or pd.isna(r.p50) or pd.isna(r.p95):
            continue
        early, late = pd.Timestamp(r.p50), pd.Timestamp(r.p95)
        if typed < early or typed > late:
            items = nsay("{count} open item", "{count} open items", int(r.remaining))
            text = (say("its forecast end date ({typed}) is earlier than the date by which its {items} are only even "
                        "odds to be finished ({date}): revisit the date", typed=a_date(typed), items=items,
                        date=a_date(early)) if typed < early else
                    say("its forecast end date ({typed}) is later than the date by which its {items} are {likely} "
                        "likely to be finished ({date}): revisit the date, or add the work still to come to its "
                        "backlog", typed=a_date(typed), items=items, likely=a_percent(0.95), date=a_date(late)))
            dates.append({"kind": "forecast", "initiative_id": r.scope, "metric": "Forecast end date",
                         "value": float((typed - (early if typed < early else late)).days), "target": 0.0,
                         "threshold": 0.0, "severity": "low", "description": text,
                         "short": say("forecast end date too early for its pace") if typed < early
                         else say("forecast end date too late for its pace")})
    return low, dates


@in_source_language  # recorded as a result: the same in every language (i18n.py)
def forecast_exceptions(cycle: Cycle, forecasts: pd.DataFrame, *, on_time_probability: float = 0.5) -> pd.DataFrame:
    """The exceptions the Monte Carlo forecasts raise, in the register's columns.

    Two rules (the first a new kind, *forecast*, graded like a late forecast):

    * an initiative under way whose chance of finishing by its planned end
      (``p_on_time`` of :func:`pmo_lib.delivery_forecasts`) is below
      ``on_time_probability`` (``thresholds.on_time_probability``) is
      **medium** (recover), below half of it **high** (re-scope);
    * a hand-typed forecast end date that the simulation contradicts (before
      the 50% date, or after the 95% date) is **low** (continue, and revisit
      the date).

    The first rule's rows are also in :func:`exception_register` when it is
    given the forecasts, so that they count in each initiative's one
    recommendation; the second rule's flags stay here, for the owners.

    Returns
    -------
    DataFrame
        The columns of :func:`exception_register`, ``exception_id`` numbered
        F01, F02, ...; most severe first.
    """
    ini = cycle.tables["initiatives"].set_index("initiative_id")
    low, dates = _forecast_rows(cycle, forecasts, on_time_probability)
    rows = low + dates
    out = pd.DataFrame(rows, columns=["kind", "initiative_id", "metric", "value", "target", "threshold", "severity",
                                      "description", "short"])
    out["name"] = out["initiative_id"].map(ini["name"])
    out["owner"] = out["initiative_id"].map(ini["owner"])
    out["uncertain"] = False
    out["recommendation"] = [_suggested(k, s) for k, s in zip(out["kind"], out["severity"])]
    out = out.assign(_s=out["severity"].map(SEVERITY_RANK)).sort_values(["_s", "initiative_id"], kind="stable")
    out.insert(0, "exception_id", [f"F{i + 1:02d}" for i in range(len(out))])
    return out[REGISTER_COLUMNS].reset_index(drop=True)
