"""Probabilistic delivery forecasts (Monte Carlo on the team's own throughput) and the ledger that scores them.

The method is fixed so that every number can be checked exactly:

* **Throughput history.** The items finished in each of the last ``history_weeks``
  whole weeks ending on the cycle's end: week k covers the days
  (end − 7k, end − 7(k − 1)]. For the portfolio, and for each initiative from
  its own items. Only what was known at the cycle's end counts: an item
  finished later is open then, one created later does not exist yet.
* **Trials.** Each of ``trials`` simulated futures draws weekly throughputs
  with replacement from that history. The generator is seeded with the first
  eight bytes of ``sha256(workspace | cycle | scope)``, so a rerun is identical
  (Python's ``hash()`` changes between processes and is not used).
* **How many.** Over W = the next cycle's length in whole weeks (the
  ``cycles`` table, or ``cadence.cycle_weeks`` when the next cycle is not yet
  listed) a trial's result is the sum of W draws. The "at least" level q is
  the largest count that a share q of the trials reach or exceed.
* **When.** R = the initiative's items created and not finished by the
  cycle's end. A trial's result is the number of weeks until its running sum
  reaches R; the q date is the end of the first week by which a share q of the
  trials have finished, and ``p_on_time`` the share of trials finishing by the
  initiative's ``planned_end_date``.
* **Too little history.** Fewer than ``min_items`` items finished in the
  window give no forecast; ``note`` says why.

The ledger
----------
Each cycle's forecasts are seeded and depend only on the data as known at
that cycle's end. A later run therefore recomputes an earlier cycle's
forecasts from that cycle's as-of data (:attr:`pmo_lib.Cycle.tables` and the
work items' dates) and gets exactly the numbers that cycle's own run recorded,
without reading another cycle's results. (Work items typed in later with
earlier dates would change the recomputation; the tables are meant to be
append-only records.)

A forecast is scored when a later cycle's data shows its outcome
(:func:`forecast_scores`): a "how many" forecast when its W weeks have passed
(hit: at least the 85% level finished), a "when" forecast when R items have
been finished after it (the R-th item's finish date is the actual) (hit: by the 85% date; on time: by the planned end) or when
its 85% date or planned end has passed without that.

Widening rule: when the 85% forecasts scored by a cycle's end hit clearly less
than 85% of the time (the upper end of the 95% Wilson interval of the hit rate
is below 0.85), that cycle's forecasts use twice ``history_weeks``, but no
more whole weeks than the work items' history holds. A longer window takes
in more of the team's variation, and so wider forecasts.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..inputs.config import DEFAULT_FORECAST, Forecast
from ..inputs.cycles import Cycle
from .kpis import wilson_interval

LEVELS = (0.5, 0.85, 0.95)
#: The level whose forecasts the ledger scores.
SCORED_LEVEL = 0.85
#: Weeks a "when" trial may run before it counts as not finishing (20 years).
MAX_WEEKS = 1040
LIVE = ("active", "on_hold")

FORECAST_COLUMNS = ["scope", "kind", "horizon_weeks", "remaining", "history_weeks", "trials", "p50", "p85", "p95",
                    "p_on_time", "note"]
SCORE_COLUMNS = ["made_in_cycle", "scope", "kind", "forecast", "actual", "hit", "p_on_time", "outcome"]


# --------------------------------------------------------------------------- building blocks

def forecast_seed(workspace: str, cycle: str, scope: str) -> int:
    """The seed of one forecast's generator: the first 8 bytes of sha256 of ``workspace|cycle|scope``."""
    digest = hashlib.sha256(f"{workspace}|{cycle}|{scope}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _known_items(cycle: Cycle) -> pd.DataFrame:
    """The work items as known at the cycle's end: created by then, finished only if by then."""
    items = cycle.tables["work_items"]
    end = cycle.end
    items = items[items["created"] <= end]
    return items.assign(finished=items["finished"].where(items["finished"] <= end))


def weekly_throughput(finished: pd.Series, end: pd.Timestamp, weeks: int) -> np.ndarray:
    """Items finished in each of the ``weeks`` whole weeks ending on ``end``.

    Element k − 1 counts week k, the days (end − 7k, end − 7(k − 1)].
    """
    dates = pd.to_datetime(finished.dropna()).to_numpy(dtype="datetime64[ns]")
    days = (np.datetime64(pd.Timestamp(end).to_datetime64(), "ns") - dates) // np.timedelta64(1, "D")  # floor, as .dt.days
    days = days[(days >= 0) & (days < 7 * weeks)]
    return np.bincount(days // 7, minlength=weeks)[:weeks]


def horizon_weeks(cycle: Cycle, cycle_weeks: int = 13) -> int:
    """W: the next cycle's length in whole weeks, or ``cycle_weeks`` when it is not yet listed."""
    if cycle.next_name is None:
        return int(cycle_weeks)
    cycles = cycle.tables["cycles"].set_index("cycle")
    nxt = cycles.loc[cycle.next_name]
    return max(1, ((pd.Timestamp(nxt["end_date"]) - pd.Timestamp(nxt["start_date"])).days + 1) // 7)


def simulate_how_many(history: np.ndarray, weeks: int, trials: int, rng: np.random.Generator) -> np.ndarray:
    """Items finished in ``weeks`` weeks in each trial: the sum of ``weeks`` draws from ``history``."""
    draws = rng.integers(0, len(history), size=(trials, weeks))
    return np.asarray(history)[draws].sum(axis=1)


def simulate_weeks_to_finish(history: np.ndarray, remaining: int, trials: int, rng: np.random.Generator, *,
                             max_weeks: int = MAX_WEEKS) -> np.ndarray:
    """Weeks until the running sum of draws reaches ``remaining``, per trial (``inf`` beyond ``max_weeks``)."""
    history = np.asarray(history)
    out = np.full(trials, np.inf)
    if remaining <= 0:
        return np.zeros(trials)
    # The same draws, in the same order, as a plain loop over blocks of 52 weeks; the sums run in 32-bit
    # integers when no block can overflow them (throughput is never negative, so a running sum only grows:
    # a trial has finished by a block's last week exactly when its last sum reaches ``remaining``, and the
    # week it finished is one more than the number of its sums still short of ``remaining``).
    small = bool(len(history)) and history.min() >= 0 and int(history.max()) * (max_weeks + 1) + remaining < 2 ** 31
    kind = np.int32 if small else np.int64
    weekly = history.astype(kind)
    total = np.zeros(trials, dtype=kind)
    open_ = np.arange(trials)
    week = 0
    block = 52
    while len(open_) and week < max_weeks:
        n = min(block, max_weeks - week)
        sums = np.take(weekly, rng.integers(0, len(history), size=(len(open_), n)))
        np.cumsum(sums, axis=1, dtype=kind, out=sums)
        sums += total[open_, None]
        if small:
            done = sums[:, -1] >= remaining
            short = (sums < remaining).sum(axis=1)[done]
        else:  # a throughput below zero: the first week that reaches ``remaining``, wherever it is
            reached = sums >= remaining
            done = np.asarray(reached.any(axis=1))
            short = reached[done].argmax(axis=1)
        out[open_[done]] = week + short + 1
        total[open_] = sums[:, -1]
        open_ = open_[~done]
        week += n
    return out


def at_least(samples: np.ndarray, level: float) -> float:
    """The largest count that a share ``level`` of the samples reach or exceed."""
    return _at_least_sorted(np.sort(np.asarray(samples)), level)


def _at_least_sorted(s: np.ndarray, level: float) -> float:
    k = int(np.floor((1 - level) * len(s) + 1e-9))
    return float(s[min(k, len(s) - 1)])


def within(samples: np.ndarray, level: float) -> float:
    """The smallest number of weeks within which a share ``level`` of the trials have finished (``inf`` if never)."""
    return _within_sorted(np.sort(np.asarray(samples, dtype=float)), level)


def _within_sorted(s: np.ndarray, level: float) -> float:
    k = int(np.ceil(level * len(s) - 1e-9)) - 1
    return float(s[max(k, 0)])


# --------------------------------------------------------------------------- one cycle

@dataclass(frozen=True)
class _Made:
    """The forecasts of one cycle and the window they used."""

    cycle: Cycle
    history_weeks: int
    table: pd.DataFrame


def _available_weeks(items: pd.DataFrame, end: pd.Timestamp) -> int:
    first = items["created"].min()
    return 0 if pd.isna(first) else int((end - first).days // 7)


def _forecast_cycle(cycle: Cycle, workspace: str, settings: Forecast, cycle_weeks: int,
                    history_weeks: int) -> pd.DataFrame:
    items = _known_items(cycle)
    end = cycle.end
    w = horizon_weeks(cycle, cycle_weeks)
    ini = cycle.tables["initiatives"]
    live = ini[ini["status"].isin(LIVE) & (ini["start_date"] <= end)].sort_values("initiative_id")
    rows: list[dict] = []
    scopes: list[tuple[str, pd.DataFrame, pd.Timestamp | None]] = [("portfolio", items, None)]
    by_initiative = dict(tuple(items.groupby("initiative_id", sort=False)))  # each initiative's items, found once
    scopes += [(r.initiative_id, by_initiative.get(r.initiative_id, items.iloc[0:0]), r.planned_end_date)
               for r in live.itertuples(index=False)]
    for scope, own, planned in scopes:
        history = weekly_throughput(own["finished"], end, history_weeks)
        remaining = int((own["finished"].isna()).sum())
        base = {"scope": scope, "history_weeks": history_weeks, "trials": settings.trials}
        kinds = ["how_many"] + ([] if scope == "portfolio" else ["when"])
        if history.sum() < settings.min_items:
            note = (f"too little history: {int(history.sum())} item{'s' if history.sum() != 1 else ''} finished in "
                    f"the last {history_weeks} weeks, {settings.min_items} needed")
            for kind in kinds:
                rows.append({**base, "kind": kind, "horizon_weeks": w if kind == "how_many" else np.nan,
                             "remaining": remaining if kind == "when" else np.nan, "note": note})
            continue
        rng = np.random.default_rng(forecast_seed(workspace, cycle.name, scope))
        counts = np.sort(simulate_how_many(history, w, settings.trials, rng))
        rows.append({**base, "kind": "how_many", "horizon_weeks": w, "remaining": np.nan,
                     **{f"p{int(q * 100)}": int(_at_least_sorted(counts, q)) for q in LEVELS}, "note": ""})
        if "when" not in kinds:
            continue
        if remaining == 0:
            rows.append({**base, "kind": "when", "remaining": 0, "note": "no open items"})
            continue
        weeks = simulate_weeks_to_finish(history, remaining, settings.trials, rng)
        ordered = np.sort(weeks)
        dates = {}
        for q in LEVELS:
            t = _within_sorted(ordered, q)
            dates[f"p{int(q * 100)}"] = (end + pd.Timedelta(days=7 * int(t))).strftime("%Y-%m-%d") \
                if np.isfinite(t) else None
        by = np.floor((planned - end).days / 7) if pd.notna(planned) else np.nan
        p_on_time = float(np.mean(weeks <= by)) if np.isfinite(by) else np.nan
        note = "" if all(dates.values()) else "some trials do not finish within 20 years"
        rows.append({**base, "kind": "when", "horizon_weeks": np.nan, "remaining": remaining, **dates,
                     "p_on_time": p_on_time, "note": note})
    out = pd.DataFrame(rows).reindex(columns=FORECAST_COLUMNS)
    return out.astype({"horizon_weeks": "Int64", "remaining": "Int64", "history_weeks": int, "trials": int})


@lru_cache(maxsize=8)  # the KPI report asks for the forecasts and the scores of one cycle: simulate once
def _ledger(cycle: Cycle, workspace: str, settings: Forecast, cycle_weeks: int) -> tuple[_Made, ...]:
    """The forecasts of every cycle up to ``cycle``, each with the window the widening rule gave it."""
    made: list[_Made] = []
    for c in cycle.history:
        scores = _score(made, c)
        window = settings.history_weeks
        if _verdict(scores)[0] == "over-confident":
            window = max(window, min(2 * settings.history_weeks, _available_weeks(_known_items(c), c.end)))
        made.append(_Made(c, window, _forecast_cycle(c, workspace, settings, cycle_weeks, window)))
    return tuple(made)


def delivery_forecasts(cycle: Cycle, workspace: str, *, settings: Forecast = DEFAULT_FORECAST,
                       cycle_weeks: int = 13) -> pd.DataFrame:
    """Monte Carlo forecasts of the cycle: how many items next cycle, and when each initiative finishes.

    Parameters
    ----------
    cycle : Cycle
    workspace : str
        The workspace's name (its organisation); it seeds the generator.
    settings : Forecast
        ``pmo.yaml``'s ``forecast`` section.
    cycle_weeks : int
        ``cadence.cycle_weeks``: the horizon when the next cycle is not listed.

    Returns
    -------
    DataFrame
        Columns ``scope, kind, horizon_weeks, remaining, history_weeks, trials,
        p50, p85, p95, p_on_time, note``. ``how_many`` rows (the portfolio and
        each initiative under way) give counts that 50%, 85% and 95% of the
        trials reach or exceed; ``when`` rows (each initiative) give finish
        dates (YYYY-MM-DD) and ``p_on_time``. A forecast without enough history
        has empty numbers and the reason in ``note``. ``history_weeks`` is the
        window used: twice the setting after over-confident forecasts.
    """
    return _ledger(cycle, workspace, settings, cycle_weeks)[-1].table.copy()


def how_many_trials(cycle: Cycle, workspace: str, scope: str = "portfolio", *,
                    settings: Forecast = DEFAULT_FORECAST, cycle_weeks: int = 13) -> np.ndarray:
    """The simulated counts behind a "how many" forecast (the same seed, so the same trials); empty without one."""
    row = delivery_forecasts(cycle, workspace, settings=settings, cycle_weeks=cycle_weeks)
    row = row[(row["scope"] == scope) & (row["kind"] == "how_many")]
    if row.empty or pd.isna(row["p50"].iloc[0]):
        return np.array([], dtype=int)
    items = _known_items(cycle)
    own = items if scope == "portfolio" else items[items["initiative_id"] == scope]
    history = weekly_throughput(own["finished"], cycle.end, int(row["history_weeks"].iloc[0]))
    rng = np.random.default_rng(forecast_seed(workspace, cycle.name, scope))
    return simulate_how_many(history, int(row["horizon_weeks"].iloc[0]), settings.trials, rng)


# --------------------------------------------------------------------------- the ledger

def _finish_dates(items: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The finish dates of the portfolio's and of each initiative's finished items, sorted (datetime64[ns])."""
    done = items.dropna(subset=["finished"])
    each = {initiative: np.sort(dates.to_numpy(dtype="datetime64[ns]"))
            for initiative, dates in done.groupby("initiative_id", sort=False)["finished"]}
    return np.sort(done["finished"].to_numpy(dtype="datetime64[ns]")), each


def _score(made: list[_Made], now: Cycle) -> pd.DataFrame:
    portfolio, each = _finish_dates(_known_items(now))  # each scope's items, found once for every forecast scored
    none = np.array([], dtype="datetime64[ns]")
    rows: list[dict] = []
    for m in made:
        end = m.cycle.end
        planned_ends = m.cycle.tables["initiatives"].set_index("initiative_id")["planned_end_date"]
        for r in m.table.itertuples(index=False):
            if pd.isna(r.p85):
                continue
            dates = portfolio if r.scope == "portfolio" else each.get(r.scope, none)
            after = dates[np.searchsorted(dates, end.to_datetime64(), side="right"):]  # finished after the forecast
            if r.kind == "how_many":
                until = end + pd.Timedelta(days=7 * int(r.horizon_weeks))
                if until > now.end:
                    continue
                actual = int(np.searchsorted(after, until.to_datetime64(), side="right"))
                rows.append({"made_in_cycle": m.cycle.name, "scope": r.scope, "kind": r.kind, "forecast": r.p85,
                             "actual": actual, "hit": actual >= float(r.p85), "p_on_time": np.nan, "outcome": None})
                continue
            remaining = int(r.remaining)
            finished = pd.Timestamp(after[remaining - 1]) if len(after) >= remaining else pd.NaT
            p85 = pd.Timestamp(r.p85)
            planned = planned_ends.loc[r.scope]
            hit = (finished <= p85) if pd.notna(finished) else (False if p85 < now.end else None)
            on_time = (finished <= planned) if pd.notna(finished) else (False if planned < now.end else None)
            if hit is None and on_time is None:
                continue
            rows.append({"made_in_cycle": m.cycle.name, "scope": r.scope, "kind": r.kind, "forecast": r.p85,
                         "actual": f"{finished:%Y-%m-%d}" if pd.notna(finished) else None,
                         "hit": hit, "p_on_time": r.p_on_time,
                         "outcome": None if on_time is None else "on time" if on_time else "late"})
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def forecast_scores(cycle: Cycle, workspace: str, *, settings: Forecast = DEFAULT_FORECAST,
                    cycle_weeks: int = 13) -> pd.DataFrame:
    """The earlier cycles' forecasts whose outcome the data known at this cycle's end shows, each scored.

    Returns
    -------
    DataFrame
        Columns ``made_in_cycle, scope, kind, forecast, actual, hit,
        p_on_time, outcome``: ``forecast`` is the 85% level (a count, or a date
        for ``when``), ``actual`` what happened (the count finished in the
        horizon, or the date by which as many items as were open, R, had been
        finished after the forecast, the quantity the simulation forecasts;
        empty when not yet), ``hit`` whether the 85% forecast came true (empty when not
        yet known), ``outcome`` on time or late for a ``when`` forecast.
    """
    made = _ledger(cycle, workspace, settings, cycle_weeks)
    return _score(list(made[:-1]), cycle)


def brier_score(p: np.ndarray | pd.Series, outcome: np.ndarray | pd.Series) -> float:
    """Mean squared difference between forecast probabilities and 0/1 outcomes (Brier 1950); NaN when empty."""
    p, o = np.asarray(p, dtype=float), np.asarray(outcome, dtype=float)
    return float(np.mean((p - o) ** 2)) if len(p) else np.nan


def _verdict(scores: pd.DataFrame, level: float = SCORED_LEVEL) -> tuple[str, float, float, float, int]:
    known = scores["hit"].dropna()
    n = len(known)
    if n == 0:
        return "no scored forecasts yet", np.nan, np.nan, np.nan, 0
    hits = float(known.astype(bool).sum())
    low, high = wilson_interval(hits, n)
    rate = hits / n
    word = "over-confident" if high < level else "under-confident" if low > level else "well calibrated"
    return word, rate, low, high, n


def calibration(scores: pd.DataFrame, *, level: float = SCORED_LEVEL) -> dict[str, object]:
    """How well the scored forecasts came true: hit rate, its interval, Brier score and a verdict.

    The rule: *over-confident* when the upper end of the 95% Wilson interval
    of the hit rate (Wilson 1927; Newcombe 1998) is below the 85% the
    forecasts promise, *under-confident* when its lower end is above it, *well
    calibrated* otherwise. The Brier score (Brier 1950) is the mean of
    (p_on_time − on time)², on time counted 1 and late 0: 0 is perfect, 0.25
    is what always saying 50% scores.

    Returns
    -------
    dict
        ``verdict, hit_rate, ci_low, ci_high, n, brier, n_brier``.
    """
    word, rate, low, high, n = _verdict(scores, level)
    judged = scores.dropna(subset=["p_on_time", "outcome"])
    return {"verdict": word, "hit_rate": rate, "ci_low": low, "ci_high": high, "n": n,
            "brier": brier_score(judged["p_on_time"], judged["outcome"] == "on time"), "n_brier": len(judged)}
