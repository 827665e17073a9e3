"""Monte Carlo delivery forecasts and their ledger, checked against exact computations.

The exact check: the simulated "how many" count is a sum of W independent draws
from the empirical weekly distribution, so its exact distribution is the W-fold
convolution of that distribution with itself; and a "when" trial finishes
within t weeks exactly when the sum of its first t draws reaches R, so
P(T <= t) = P(S_t >= R) (e.g. Vacanti, *When Will It Be Done?*, 2015, ch. 9, and
any text on sums of i.i.d. discrete variables). The simulated shares are
binomial estimates of these probabilities: they must agree within 4 standard
errors, sqrt(p(1 - p) / trials).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_lib.analysis.forecast import (at_least, brier_score, calibration, delivery_forecasts, forecast_scores,
                                       forecast_seed, how_many_trials, weekly_throughput, within)
from pmo_lib.analysis.kpis import wilson_interval
from pmo_lib.inputs.config import Forecast
from pmo_lib.inputs.cycles import Cycle

END = pd.Timestamp("2026-06-30")
HISTORY = [0, 1, 1, 2, 3, 5, 0, 2, 4, 1, 3, 2, 6]  # items finished in week 1 (the last) .. week 13


def _tables(weekly: list[int], *, remaining: int = 20, planned: str = "2026-09-29",
            forecast_end: str | None = None, later: dict[str, int] | None = None) -> dict[str, pd.DataFrame]:
    """One initiative I1 whose items finished ``weekly[k - 1]`` in week k before 2026-06-30, and ``remaining`` open."""
    rows = []
    n = 0
    for k, count in enumerate(weekly, start=1):
        day = END - pd.Timedelta(days=7 * (k - 1))  # the last day of week k: inside (end - 7k, end - 7(k - 1)]
        for _ in range(count):
            n += 1
            rows.append({"item_id": f"W{n}", "initiative_id": "I1", "item_type": "feature",
                         "created": day - pd.Timedelta(days=30), "started": day - pd.Timedelta(days=5),
                         "finished": day})
    for i in range(remaining):
        n += 1
        rows.append({"item_id": f"W{n}", "initiative_id": "I1", "item_type": "feature",
                     "created": END - pd.Timedelta(days=3), "started": pd.NaT, "finished": pd.NaT})
    for date, count in (later or {}).items():  # items open at the cycle's end and finished after it
        for _ in range(count):
            n += 1
            rows.append({"item_id": f"W{n}", "initiative_id": "I1", "item_type": "feature",
                         "created": END - pd.Timedelta(days=2),
                         "started": pd.Timestamp(date) - pd.Timedelta(days=1), "finished": pd.Timestamp(date)})
    cycles = pd.DataFrame({"cycle": ["C1", "C2", "C3"],
                           "start_date": pd.to_datetime(["2026-04-01", "2026-07-01", "2026-10-01"]),
                           "end_date": pd.to_datetime(["2026-06-30", "2026-09-30", "2026-12-31"])})
    initiatives = pd.DataFrame({"initiative_id": ["I1"], "name": ["One"], "kind": ["project"], "goal_id": [None],
                                "owner": ["A"], "status": ["active"],
                                "start_date": pd.to_datetime(["2025-01-01"]),
                                "planned_end_date": pd.to_datetime([planned]),
                                "forecast_end_date": pd.to_datetime([forecast_end]),
                                "actual_end_date": pd.to_datetime([None]), "bac": [1.0]})
    items = pd.DataFrame(rows).astype({"created": "datetime64[ns]", "started": "datetime64[ns]",
                                       "finished": "datetime64[ns]"})
    return {"cycles": cycles, "initiatives": initiatives, "work_items": items}


def _exact_pmf(history: list[int], draws: int) -> np.ndarray:
    """The exact distribution of the sum of ``draws`` draws: the ``draws``-fold convolution of the weekly one."""
    single = np.bincount(history) / len(history)
    pmf = np.array([1.0])
    for _ in range(draws):
        pmf = np.convolve(pmf, single)
    return pmf


def _tail(pmf: np.ndarray, x: float) -> float:
    """P(S >= x)."""
    return float(pmf[int(max(x, 0)):].sum())


SETTINGS = Forecast(trials=20_000)


def test_weekly_throughput_uses_half_open_whole_weeks():
    finished = pd.Series(pd.to_datetime(["2026-06-30", "2026-06-24", "2026-06-23", "2026-06-22", "2026-04-01",
                                         "2026-03-31", "2026-07-01"]))
    # week 1 is (06-23, 06-30]: 06-30 and 06-24; week 2 (06-16, 06-23]: 06-23 and 06-22;
    # 13 weeks reach back to (03-31, ...]: 04-01 is in week 13, 03-31 is outside; 07-01 is after the end
    counts = weekly_throughput(finished, END, 13)
    assert counts.tolist() == [2, 2] + [0] * 10 + [1]


def test_how_many_matches_the_w_fold_convolution():
    cycle = Cycle.of(_tables(HISTORY), "C1")
    fc = delivery_forecasts(cycle, "Acme", settings=SETTINGS).set_index(["scope", "kind"])
    row = fc.loc[("portfolio", "how_many")]
    assert row["horizon_weeks"] == 13 and row["history_weeks"] == 13 and row["trials"] == 20_000
    pmf = _exact_pmf(HISTORY, 13)
    for q in (0.5, 0.85, 0.95):
        x = float(row[f"p{int(q * 100)}"])
        se = 4 * np.sqrt(q * (1 - q) / SETTINGS.trials)
        # x is the largest count reached by a share q of the trials: exactly, at least q - se reach x ...
        assert _tail(pmf, x) >= q - se
        # ... and fewer than q + se reach x + 1
        assert _tail(pmf, x + 1) <= q + se
    # the trials themselves: their mean is W times the weekly mean
    trials = how_many_trials(cycle, "Acme", settings=SETTINGS)
    assert trials.mean() == pytest.approx(13 * np.mean(HISTORY), rel=0.01)


@pytest.mark.parametrize("weeks_to_plan", [4, 7, 10])
def test_when_matches_the_probability_that_t_draws_reach_r(weeks_to_plan):
    remaining = 20
    planned = END + pd.Timedelta(days=7 * weeks_to_plan)
    cycle = Cycle.of(_tables(HISTORY, remaining=remaining, planned=f"{planned:%Y-%m-%d}"), "C1")
    row = delivery_forecasts(cycle, "Acme", settings=SETTINGS).set_index(["scope", "kind"]).loc[("I1", "when")]
    assert row["remaining"] == remaining
    exact = _tail(_exact_pmf(HISTORY, weeks_to_plan), remaining)  # P(T <= t) = P(S_t >= R)
    assert row["p_on_time"] == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / SETTINGS.trials) + 1e-9)
    for q in (0.5, 0.85, 0.95):
        weeks = (pd.Timestamp(row[f"p{int(q * 100)}"]) - END).days // 7
        se = 4 * np.sqrt(q * (1 - q) / SETTINGS.trials)
        assert _tail(_exact_pmf(HISTORY, weeks), remaining) >= q - se  # finished by then in a share q
        assert _tail(_exact_pmf(HISTORY, weeks - 1), remaining) <= q + se  # a week earlier, not


def test_levels_on_a_hand_example():
    samples = np.array([1, 2, 2, 3, 4, 5, 6, 7, 8, 9])
    assert at_least(samples, 0.5) == 5  # 5 of 10 reach 5, only 4 reach 6
    assert at_least(samples, 0.85) == 2  # 9 of 10 reach 2, 7 reach 3
    assert within(samples, 0.5) == 4 and within(samples, 0.85) == 8 and within(samples, 0.95) == 9


def test_a_rerun_is_identical_and_the_seed_is_stable():
    first = delivery_forecasts(Cycle.of(_tables(HISTORY), "C1"), "Acme", settings=SETTINGS)
    again = delivery_forecasts(Cycle.of(_tables(HISTORY), "C1"), "Acme", settings=SETTINGS)
    pd.testing.assert_frame_equal(first, again)
    # sha256, not hash(): the same in every process and Python version
    assert forecast_seed("Acme", "C1", "portfolio") == int.from_bytes(
        __import__("hashlib").sha256(b"Acme|C1|portfolio").digest()[:8], "big")
    a = how_many_trials(Cycle.of(_tables(HISTORY), "C1"), "Acme", settings=SETTINGS)
    b = how_many_trials(Cycle.of(_tables(HISTORY), "C1"), "Other", settings=SETTINGS)
    assert not np.array_equal(a, b)


def test_too_little_history_gives_no_forecast_and_says_why():
    cycle = Cycle.of(_tables([1, 0, 2] + [0] * 10), "C1")  # 3 items in 13 weeks, 5 needed
    fc = delivery_forecasts(cycle, "Acme", settings=SETTINGS)
    assert fc[["p50", "p85", "p95", "p_on_time"]].isna().all().all()
    assert fc["note"].str.contains("too little history: 3 items finished in the last 13 weeks, 5 needed").all()
    assert set(fc["kind"]) == {"how_many", "when"}


def test_the_horizon_is_the_next_cycles_length_or_the_cadence():
    tables = _tables(HISTORY)
    assert delivery_forecasts(Cycle.of(tables, "C1"), "Acme", settings=SETTINGS)["horizon_weeks"].iloc[0] == 13
    # the last cycle has no successor listed: cadence.cycle_weeks
    fc = delivery_forecasts(Cycle.of(tables, "C3"), "Acme", settings=SETTINGS, cycle_weeks=6)
    assert fc["horizon_weeks"].iloc[0] == 6


def test_the_ledger_scores_earlier_forecasts_once_their_outcome_is_known():
    # 7 items open at C1's end: 3 finished on 2026-07-10 and 4 on 2026-08-20
    tables = _tables(HISTORY, remaining=0, later={"2026-07-10": 3, "2026-08-20": 4})
    c1 = delivery_forecasts(Cycle.of(tables, "C1"), "Acme", settings=SETTINGS).set_index(["scope", "kind"])
    scores = forecast_scores(Cycle.of(tables, "C2"), "Acme", settings=SETTINGS)
    # the C1 horizon (13 weeks, to 2026-09-29) ended before C2's end (2026-09-30): scored
    how = scores[(scores["scope"] == "portfolio") & (scores["kind"] == "how_many")].iloc[0]
    assert how["made_in_cycle"] == "C1" and how["actual"] == 7
    assert how["forecast"] == c1.loc[("portfolio", "how_many"), "p85"]
    assert how["hit"] == (7 >= c1.loc[("portfolio", "how_many"), "p85"])
    when = scores[scores["kind"] == "when"].iloc[0]
    assert c1.loc[("I1", "when"), "remaining"] == 7
    # the 7 open items were all finished on 2026-08-20 (the seventh finished after the end); planned 2026-09-29
    assert when["actual"] == "2026-08-20" and when["outcome"] == "on time"
    assert when["hit"] == (pd.Timestamp("2026-08-20") <= pd.Timestamp(c1.loc[("I1", "when"), "p85"]))
    assert when["p_on_time"] == c1.loc[("I1", "when"), "p_on_time"]
    # the forecasts recomputed in C2's run are those C1's own run made
    assert forecast_scores(Cycle.of(tables, "C1"), "Acme", settings=SETTINGS).empty


def test_over_confident_forecasts_widen_the_next_window():
    # a long quiet history, then a busy last quarter: forecasts from the busy weeks promise far too much
    weekly = [6] * 13 + [0] * 26
    tables = _tables(weekly, remaining=3)
    tables["cycles"] = pd.DataFrame({"cycle": [f"C{i}" for i in range(1, 6)],
                                     "start_date": pd.to_datetime(["2026-04-01", "2026-07-01", "2026-10-01",
                                                                   "2027-01-01", "2027-04-01"]),
                                     "end_date": pd.to_datetime(["2026-06-30", "2026-09-30", "2026-12-31",
                                                                 "2027-03-31", "2027-06-30"])})
    # afterwards the team finishes 1 item a week for a year
    extra = pd.DataFrame({"item_id": [f"X{i}" for i in range(52)], "initiative_id": "I1", "item_type": "feature",
                          "created": END, "started": END,
                          "finished": [END + pd.Timedelta(days=7 * (i + 1)) for i in range(52)]})
    tables["work_items"] = pd.concat([tables["work_items"], extra], ignore_index=True)
    settings = Forecast(trials=2_000, min_items=1)
    scores = forecast_scores(Cycle.of(tables, "C5"), "Acme", settings=settings)
    verdict = calibration(scores)
    assert verdict["verdict"] == "over-confident" and verdict["ci_high"] < 0.85
    last = delivery_forecasts(Cycle.of(tables, "C5"), "Acme", settings=settings)
    assert (last["history_weeks"] == 26).all()  # twice 13 weeks, within the history available


def test_wilson_interval_matches_scipy():
    from scipy.stats import binomtest

    for k, n in ((17, 20), (0, 8), (85, 100), (250, 250)):
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson_interval(k, n) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_brier_score_by_hand():
    # (0.9 - 1)^2 + (0.2 - 0)^2 + (0.5 - 0)^2 = 0.01 + 0.04 + 0.25 = 0.30, over 3
    assert brier_score([0.9, 0.2, 0.5], [1, 0, 0]) == pytest.approx(0.10)
    assert np.isnan(brier_score([], []))


@pytest.mark.parametrize("hits, n, verdict", [(10, 20, "over-confident"), (17, 20, "well calibrated"),
                                              (100, 100, "under-confident")])
def test_calibration_verdict_rule(hits, n, verdict):
    scores = pd.DataFrame({"hit": [True] * hits + [False] * (n - hits), "p_on_time": np.nan, "outcome": None})
    result = calibration(scores)
    assert result["verdict"] == verdict and result["n"] == n
    assert result["hit_rate"] == pytest.approx(hits / n)
