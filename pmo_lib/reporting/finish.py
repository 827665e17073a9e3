"""When a late initiative finishes, three ways side by side, so the pack tells one story about it.

The pack has three measures of an initiative's finish, each right for what it measures:

* the owner's **forecast end date** (typed in the initiatives table), which the exception
  register compares with the planned end ("forecast 181 days late");
* **earned schedule** (Lipke 2003): how far the work done lags the plan *today*
  (SV(t), in days) and the finish if the schedule performance so far continues (IEAC(t));
* the **Monte Carlo forecast** of the open work items: the chance that the items *already in
  the backlog* are done by the planned end, at the initiative's own recent pace.

They differ when the backlog holds only part of the work still to come: the items in it can
be done in time while the whole scope cannot. :func:`finish_views` puts the three side by
side for the initiatives where any of them says late, and says in a sentence why they differ.
"""
from __future__ import annotations

import pandas as pd

from ..inputs import i18n
from ..inputs.i18n import gettext, ngettext

#: The columns of :func:`finish_views`.
FINISH_COLUMNS = ["initiative_id", "name", "planned_end_date", "owner_end_date", "owner_days_late",
                  "behind_today_days", "pace_end_date", "pace_days_late", "open_items", "items_p85",
                  "p_on_time", "why"]


def _days(value: float) -> int | None:
    return None if pd.isna(value) else int(round(float(value)))


def finish_views(initiatives: pd.DataFrame, schedule: pd.DataFrame, forecasts: pd.DataFrame, *,
                 end: pd.Timestamp, slip_days: int = 30, on_time_probability: float = 0.5) -> pd.DataFrame:
    """The owner's forecast, earned schedule and the backlog forecast of each late initiative, side by side.

    Parameters
    ----------
    initiatives : DataFrame
        The cycle's initiatives table as known at its end (``initiative_id, name, status,
        planned_end_date, forecast_end_date``).
    schedule : DataFrame
        :func:`pmo_lib.earned_schedule` (``scope, sv_t, ieac_t_date``); may be empty.
    forecasts : DataFrame
        :func:`pmo_lib.delivery_forecasts`; its ``when`` rows (``remaining, p85, p_on_time``).
    end : Timestamp
        The cycle's end: an initiative whose planned end is before it with items open is late.
    slip_days : int
        The schedule tolerance (``thresholds.schedule_slip_days``): a finish later than the
        planned end by more than this counts as late, as in the exception register.
    on_time_probability : float
        The portfolio's threshold for the chance on time (``thresholds.on_time_probability``).

    Returns
    -------
    DataFrame
        Columns :data:`FINISH_COLUMNS`, one row per active or on-hold initiative that at least
        one measure calls late (owner's date or earned-schedule finish more than ``slip_days``
        after the planned end, or a chance on time below the threshold), the latest owner's
        date first. ``owner_days_late`` and ``pace_days_late`` are days after the planned end
        (negative: before it); ``behind_today_days`` is −SV(t), the days the work done lags
        the plan today; ``items_p85`` the date the open items are done, 85% likely;
        ``why`` a sentence in the report's language saying why the measures differ.
    """
    ini = initiatives[initiatives["status"].isin(["active", "on_hold"])].set_index("initiative_id")
    es = (schedule[schedule["scope"] != "portfolio"].set_index("scope") if len(schedule)
          else pd.DataFrame(columns=["sv_t", "ieac_t_date"]))
    when = forecasts[forecasts["kind"] == "when"].set_index("scope")
    rows = []
    for ident, r in ini.iterrows():
        planned = pd.Timestamp(r["planned_end_date"]) if pd.notna(r["planned_end_date"]) else None
        if planned is None:
            continue
        owner = pd.Timestamp(r["forecast_end_date"]) if pd.notna(r.get("forecast_end_date")) else None
        owner_late = (owner - planned).days if owner is not None else None
        pace = es["ieac_t_date"].get(ident) if ident in es.index else None
        pace = pd.Timestamp(pace) if pace is not None and pd.notna(pace) else None
        pace_late = (pace - planned).days if pace is not None else None
        behind = _days(-es["sv_t"].get(ident)) if ident in es.index and pd.notna(es["sv_t"].get(ident)) else None
        chance = float(when.at[ident, "p_on_time"]) if ident in when.index and pd.notna(when.at[ident, "p_on_time"]) \
            else None
        items = int(when.at[ident, "remaining"]) if ident in when.index and pd.notna(when.at[ident, "remaining"]) \
            else None
        p85 = pd.Timestamp(when.at[ident, "p85"]) if ident in when.index and pd.notna(when.at[ident, "p85"]) else None
        late = {"passed": planned < pd.Timestamp(end) and bool(items),
                "owner": owner_late is not None and owner_late > slip_days,
                "pace": pace_late is not None and pace_late > slip_days,
                "backlog": chance is not None and chance < on_time_probability}
        if not any(late.values()):
            continue
        rows.append({"initiative_id": ident, "name": r["name"], "planned_end_date": planned,
                     "owner_end_date": owner, "owner_days_late": owner_late, "behind_today_days": behind,
                     "pace_end_date": pace, "pace_days_late": pace_late, "open_items": items, "items_p85": p85,
                     "p_on_time": chance, "why": _why(late, chance=chance, items=items,
                                                      passed=planned < pd.Timestamp(end))})
    out = pd.DataFrame(rows, columns=FINISH_COLUMNS)
    if len(out):
        out = out.sort_values(["owner_days_late", "initiative_id"], ascending=[False, True], na_position="last",
                              kind="stable").reset_index(drop=True)
    return out


def _why(late: dict[str, bool], *, chance: float | None, items: int | None, passed: bool) -> str:
    """Why the three measures agree or differ, in one sentence."""
    if passed and items:
        return ngettext("Its planned end has passed with {count} item still open, so it is late; earned schedule "
                        "reads only money, and when all the planned value is earned it sees no delay.",
                        "Its planned end has passed with {count} items still open, so it is late; earned schedule "
                        "reads only money, and when all the planned value is earned it sees no delay.",
                        items).format(count=i18n.number(items))
    who = (gettext("the owner's date and the pace so far") if late["owner"] and late["pace"] else
           gettext("the owner's date") if late["owner"] else gettext("the pace so far"))
    if late["backlog"]:
        if late["owner"] or late["pace"]:
            return gettext("According to {who}, it finishes late, and even the work already in the backlog is unlikely to be done "
                           "by the planned end.").format(who=who)
        return gettext("The owner's date and the pace so far stay within the schedule tolerance, but the work already "
                       "in the backlog is unlikely to be done by the planned end at the team's recent pace: re-plan the "
                       "open items.")
    if chance is not None and items:
        return ngettext("According to {who}, it finishes late, yet the {count} open item in the backlog can be done by the planned "
                        "end ({chance} likely): the backlog does not yet hold all the work still to come, so this "
                        "chance does not mean on time.",
                        "According to {who}, it finishes late, yet the {count} open items in the backlog can be done by the planned "
                        "end ({chance} likely): the backlog does not yet hold all the work still to come, so this "
                        "chance does not mean on time.",
                        items).format(who=who, count=i18n.number(items), chance=i18n.percent(chance))
    return gettext("According to {who}, it finishes after its planned end.").format(who=who)


def finish_views_table(views: pd.DataFrame, *, date=i18n.date) -> pd.DataFrame:
    """:func:`finish_views` as display strings for the report, columns named in the report's language.

    ``date`` formats a date (the notebook passes its board date form).
    """
    def when(day, late) -> str:
        if day is None or pd.isna(day):
            return "–"
        shift = ngettext("{count} day later", "{count} days later", abs(late)) if late > 0 else \
            ngettext("{count} day earlier", "{count} days earlier", abs(late)) if late < 0 else gettext("on the day")
        return gettext("{date} ({shift})").format(date=date(day), shift=shift.format(count=i18n.number(abs(late))))

    rows = []
    for r in views.itertuples(index=False):
        behind = ("–" if r.behind_today_days is None or pd.isna(r.behind_today_days) else
                  ngettext("{count} day behind", "{count} days behind", abs(r.behind_today_days)).format(
                      count=i18n.number(abs(r.behind_today_days))) if r.behind_today_days > 0 else
                  ngettext("{count} day ahead", "{count} days ahead", abs(r.behind_today_days)).format(
                      count=i18n.number(abs(r.behind_today_days))) if r.behind_today_days < 0 else gettext("on plan"))
        backlog = ("–" if r.open_items is None or pd.isna(r.open_items) or r.p_on_time is None
                   or pd.isna(r.p_on_time) else
                   ngettext("{count} open item, {chance} likely done by the planned end",
                            "{count} open items, {chance} likely done by the planned end", int(r.open_items)).format(
                       count=i18n.number(int(r.open_items)), chance=i18n.percent(r.p_on_time)))
        rows.append({gettext("Initiative"): f"{r.initiative_id} {r.name}",
                     gettext("Planned end"): date(r.planned_end_date),
                     gettext("Owner's forecast end (used for the exceptions)"): when(r.owner_end_date,
                                                                                  r.owner_days_late),
                     gettext("Earned schedule: behind plan today"): behind,
                     gettext("Earned schedule: finish at the pace so far"): when(r.pace_end_date, r.pace_days_late),
                     gettext("Backlog forecast (Monte Carlo): open items only"): backlog,
                     gettext("Why they differ"): r.why})
    return pd.DataFrame(rows)


def finish_views_intro() -> str:
    """The paragraph before :func:`finish_views_table`: what each of the three measures measures."""
    return gettext("**Three measures of when a late initiative finishes.** They measure different things, so they "
                   "can differ. The *owner's forecast end* is the owner's own date; the exceptions compare it with "
                   "the planned end. *Earned schedule* says how many days the work done lags the plan today, and "
                   "when the initiative finishes if that pace continues. The *backlog forecast* (Monte Carlo) covers "
                   "only the work items already in the backlog: a high chance there means those items can be done "
                   "in time, not that the whole initiative will be while the other two say late.")
