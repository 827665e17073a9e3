"""Adaptive funding: budget changes between cycles, a value score per initiative, and a
reallocation scenario for the next cycle that respects the goal guardrails (an exact linear
programme; the earlier greedy moves stay available to compare with)."""
from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from ..inputs import i18n
from ..inputs.config import Funding
from ..inputs.cycles import Cycle

FUNDING_COLUMNS = ["initiative_id", "name", "goal_id", "budget_previous", "budget", "value_score",
                   "scenario_budget", "change"]
NO_GOAL = "(no goal)"


def funding_changes(cycle: Cycle) -> pd.DataFrame:
    """Budget per initiative this cycle against the previous cycle.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, goal_id, previous_budget, budget,
        change``, largest absolute change first. For the first cycle every
        previous budget is 0.
    """
    now = cycle.rows("financials").set_index("initiative_id")["budget"]
    before = (cycle.previous.rows("financials").set_index("initiative_id")["budget"] if cycle.previous
              else pd.Series(dtype=float))
    ids = now.index.union(before.index)
    out = pd.DataFrame({"previous_budget": before.reindex(ids).fillna(0.0), "budget": now.reindex(ids).fillna(0.0)})
    out["change"] = out["budget"] - out["previous_budget"]
    ini = cycle.tables["initiatives"].set_index("initiative_id")
    out = out.join(ini[["name", "goal_id"]]).reset_index(names="initiative_id")
    out = out.reindex(out["change"].abs().sort_values(ascending=False, kind="stable").index)
    return out[["initiative_id", "name", "goal_id", "previous_budget", "budget", "change"]].reset_index(drop=True)


def value_scores(cycle: Cycle, kpis: pd.DataFrame, *, funding: Funding) -> pd.DataFrame:
    """A 0–100 value score per initiative from customer value, benefits, alignment and cost.

    Components, each scaled to 0–1: customer = (NPS + 100) / 200, or the CSAT
    share where there is no NPS; benefits = benefits realisation, capped at
    120% and divided by 1.2; alignment = 1 when linked to a strategic goal;
    cost = (CPI − 0.5) / 0.7 clipped to 0–1. The score is the weighted mean of
    the components an initiative has, times 100, with the weights of
    ``pmo.yaml`` (funding.value_weights).

    Parameters
    ----------
    cycle : Cycle
    kpis : DataFrame
        :func:`pmo_lib.compute_kpis` for the cycle.
    funding : Funding
        ``funding`` of pmo.yaml.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, customer, benefits, alignment, cost,
        value_score``, one row per initiative of the initiatives table.
    """
    per = kpis[kpis["scope"] != "portfolio"].pivot_table(index="scope", columns="kpi_id", values="value",
                                                         aggfunc="first")
    per = per.reindex(columns=["nps", "csat", "benefits_realization", "cpi"])
    ini = cycle.tables["initiatives"].set_index("initiative_id")
    out = pd.DataFrame(index=ini.index)
    nps = per["nps"].reindex(out.index)
    out["customer"] = ((nps + 100) / 200).fillna(per["csat"].reindex(out.index))
    out["benefits"] = per["benefits_realization"].reindex(out.index).clip(upper=1.2) / 1.2
    out["alignment"] = ini["goal_id"].notna().astype(float)
    out["cost"] = ((per["cpi"].reindex(out.index) - 0.5) / 0.7).clip(0, 1)
    weights = funding.value_weights.model_dump()
    w = pd.DataFrame({k: np.where(out[k].notna(), v, 0.0) for k, v in weights.items()}, index=out.index)
    total = w.sum(axis=1)
    score = (out[list(weights)].fillna(0) * w).sum(axis=1) / total.where(total > 0)
    out["value_score"] = 100 * score
    return out.reset_index(names="initiative_id")


def _goal_of(frame: pd.DataFrame) -> pd.Series:
    return frame["goal_id"].fillna(NO_GOAL)


def _deviation(budgets: pd.Series, goals: pd.Series, targets: pd.Series) -> pd.Series:
    """|share − target| per goal with a target (the no-goal group's target is 0)."""
    shares = budgets.groupby(goals).sum() / budgets.sum()
    return (shares.reindex(targets.index).fillna(0.0) - targets).abs()


def reallocation_scenario(changes: pd.DataFrame, scores: pd.DataFrame, goals: pd.DataFrame, *,
                          funding: Funding, tolerance: float, ended: Collection[str] = (),
                          protected: Collection[str] = (), no_gain: Collection[str] = ()) -> pd.DataFrame:
    """The next cycle's budgets that follow value best within the funding rules, solved exactly.

    A linear programme (``scipy.optimize.linprog``, HiGHS) moves budget
    between initiatives to maximise the value-weighted budget, the sum of
    value score times scenario budget, subject to the rules of the earlier
    greedy scenario (:func:`greedy_reallocation`):

    - the total budget is unchanged and no budget goes below zero;
    - at most ``max_shift`` of the total moves (the sum of all gains);
    - an initiative loses at most ``max_cut`` of its budget, and gains at
      most ``max_cut`` of its own budget;
    - no goal is pushed outside its guardrail: its share ends within
      ``tolerance`` of its target, or, when it is already further away, no
      further away than now (the no-goal group's target is 0);
    - only initiatives linked to a strategic goal gain; initiatives without
      a value score keep their budget.

    The scenario is for the next cycle, so initiatives in ``ended`` take no
    part: they get no future budget, and their budget is neither moved nor
    counted. Initiatives in ``protected`` (those the board is asked to
    recover) lose nothing; initiatives in ``no_gain`` (those the board is
    asked to recover, re-scope or stop) gain nothing, so money never flows to
    work the board is asked to rethink.

    Among optima the one that moves the least money wins, then the one that
    moves it to and from initiatives earlier in the table's order (highest
    value first, then by id), so results are reproducible. Changes are whole
    cents that sum to exactly zero; rounding only ever shrinks a move, so
    every rule above still holds after it.

    Parameters
    ----------
    changes : DataFrame
        From :func:`funding_changes`.
    scores : DataFrame
        From :func:`value_scores`.
    goals : DataFrame
        The goals table (``goal_id, target_share``); may be empty.
    funding : Funding
        ``funding`` of pmo.yaml (``max_shift``, ``max_cut``).
    tolerance : float
        ``thresholds.goal_mix_tolerance``: the allowed |share − target share|.
    ended : collection of str
        Initiatives that have ended by the cycle's end.
    protected : collection of str
        Initiatives that may not lose budget.
    no_gain : collection of str
        Initiatives that may not gain budget.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, goal_id, budget_previous, budget,
        value_score, scenario_budget, change``, highest value first.
    """
    out = _scenario_frame(changes, scores, ended)
    budget = out["budget"].astype(float).to_numpy()
    total = float(budget.sum())
    cents = np.zeros(len(out), dtype=np.int64)
    if len(out) and total > 0:
        cents = _optimal_moves(out, budget, total, _targets(goals), funding=funding, tolerance=tolerance,
                               protected=set(protected), no_gain=set(no_gain))
    out["change"] = cents / 100.0
    out["scenario_budget"] = out["budget"].astype(float) + out["change"]
    return out[FUNDING_COLUMNS]


def _scenario_frame(changes: pd.DataFrame, scores: pd.DataFrame, ended: Collection[str]) -> pd.DataFrame:
    changes = changes[~changes["initiative_id"].isin(set(ended))]
    out = changes.rename(columns={"previous_budget": "budget_previous"}).merge(
        scores[["initiative_id", "value_score"]], on="initiative_id", how="left")
    return out.sort_values(["value_score", "initiative_id"], ascending=[False, True], na_position="last",
                           kind="stable").reset_index(drop=True)


def _targets(goals: pd.DataFrame) -> pd.Series:
    """Target share per goal with one, plus the no-goal group's target 0 when there are any."""
    if not len(goals) or "target_share" not in goals:
        return pd.Series(dtype=float)
    targets = goals.dropna(subset=["target_share"]).set_index("goal_id")["target_share"].astype(float)
    if len(targets):
        targets.loc[NO_GOAL] = 0.0
    return targets


def reallocation_bounds(out: pd.DataFrame, *, funding: Funding, protected: Collection[str] = (),
                        no_gain: Collection[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Largest gain and largest cut per row of a scenario frame, in the currency.

    A row gains only when it has a value score, a strategic goal and is not
    in ``no_gain``; it loses only when it has a value score and is not in
    ``protected``. Either way by at most ``max_cut`` of its budget.
    """
    budget = out["budget"].astype(float).clip(lower=0).to_numpy()
    scored = out["value_score"].notna().to_numpy()
    aligned = out["goal_id"].notna().to_numpy()
    ids = out["initiative_id"]
    gain = np.where(scored & aligned & ~ids.isin(set(no_gain)).to_numpy(), funding.max_cut * budget, 0.0)
    cut = np.where(scored & ~ids.isin(set(protected)).to_numpy(), funding.max_cut * budget, 0.0)
    return gain, cut


def guardrail_bounds(out: pd.DataFrame, targets: pd.Series, *, tolerance: float) -> pd.DataFrame:
    """How far each goal's budget may move, in the currency, without breaking its guardrail.

    With the total fixed at T, a goal with budget B and target share t may
    end anywhere in ``t·T ± max(tolerance, |B/T − t|)·T``: within the
    tolerance, or, when already outside, no further from its target.

    Returns
    -------
    DataFrame
        Index goal_id (``NO_GOAL`` for initiatives without one), columns
        ``lower, upper``: the smallest and largest change of the goal's budget
        (lower ≤ 0 ≤ upper).
    """
    budget = out["budget"].astype(float)
    total = float(budget.sum())
    now = budget.groupby(_goal_of(out)).sum().reindex(targets.index).fillna(0.0)
    allowed = np.maximum(tolerance, (now / total - targets).abs())
    upper = ((targets + allowed) * total - now).clip(lower=0.0)
    lower = ((targets - allowed) * total - now).clip(upper=0.0)
    return pd.DataFrame({"lower": lower, "upper": upper})


def _optimal_moves(out: pd.DataFrame, budget: np.ndarray, total: float, targets: pd.Series, *, funding: Funding,
                   tolerance: float, protected: set[str], no_gain: set[str]) -> np.ndarray:
    """Solve the reallocation LP; return each row's change in whole cents."""
    from scipy.optimize import linprog

    n = len(out)
    gain_cap, cut_cap = reallocation_bounds(out, funding=funding, protected=protected, no_gain=no_gain)
    value = out["value_score"].fillna(0.0).to_numpy(dtype=float)
    # variables: gains p (n), then cuts m (n), both as shares of the total so the rows are of order 1
    bounds = [(0.0, g / total) for g in gain_cap] + [(0.0, c / total) for c in cut_cap]
    if not any(hi > 0 for _, hi in bounds[:n]) or not any(hi > 0 for _, hi in bounds[n:]):
        return np.zeros(n, dtype=np.int64)
    a_eq = np.concatenate([np.ones(n), -np.ones(n)])[None, :]
    rows, upper = [np.concatenate([np.ones(n), np.zeros(n)])], [funding.max_shift]
    goal_of = _goal_of(out).to_numpy()
    limits = guardrail_bounds(out, targets, tolerance=tolerance) if len(targets) else None
    if limits is not None:
        for goal, (lo, hi) in limits.iterrows():
            member = (goal_of == goal).astype(float)
            if member.any():
                rows += [np.concatenate([member, -member]), -np.concatenate([member, -member])]
                upper += [hi / total, -lo / total]
    objective = np.concatenate([-value, value]) / 100.0
    first = linprog(objective, A_ub=np.array(rows), b_ub=upper, A_eq=a_eq, b_eq=[0.0], bounds=bounds,
                    method="highs")
    if first.status != 0:  # zero moves are always feasible; a failure here is numerical
        return np.zeros(n, dtype=np.int64)
    # among optima: move the least, and prefer rows earlier in the table
    weight = 1.0 + np.arange(n) / (10.0 * n)
    second = linprog(np.concatenate([weight, weight]), A_ub=np.array(rows + [objective]),
                     b_ub=upper + [first.fun + 1e-9 * max(1.0, abs(first.fun))], A_eq=a_eq, b_eq=[0.0],
                     bounds=bounds, method="highs")
    x = second.x if second.status == 0 else first.x
    moves = (x[:n] - x[n:]) * total
    groups = pd.Series(goal_of)
    shift = funding.max_shift * total
    for attempt in range(8):
        cents = _to_cents(moves, gain_cap, cut_cap, groups, limits)
        if cents.clip(min=0).sum() <= np.floor(shift * 100 + 1e-7):
            return cents
        moves = moves * (1 - 1e-6 * 4 ** attempt)  # shrinking every move keeps every rule; try again
    return np.zeros(n, dtype=np.int64)


def _towards_zero(cents: np.ndarray) -> np.ndarray:
    """Whole cents towards zero, except that within a thousandth of a cent is solver noise (39.9999995 is 40)."""
    near = np.round(cents)
    return np.where(np.abs(cents - near) < 1e-3, near, np.trunc(cents)).astype(np.int64)


def _to_cents(moves: np.ndarray, gain_cap: np.ndarray, cut_cap: np.ndarray, groups: pd.Series,
              limits: pd.DataFrame | None) -> np.ndarray:
    """Whole-cent changes summing to exactly 0, each one no larger than the move it rounds.

    Every rule of the scenario allows no move at all, and each is about a
    row's move, a goal's net move or the sum of gains, so shrinking moves
    towards zero keeps them: each row is truncated towards zero, each goal's
    net move is truncated towards zero and clamped to its guardrail, the
    goals' nets are shrunk until they sum to zero, and each goal's rows are
    shrunk until they sum to its net.
    """
    exact = np.clip(moves * 100, -np.floor(cut_cap * 100 + 1e-7), np.floor(gain_cap * 100 + 1e-7))
    cents = _towards_zero(exact)
    net: dict[object, int] = {}
    for goal, idx in groups.groupby(groups, sort=True).groups.items():
        members = np.asarray(list(idx))
        want = int(_towards_zero(np.array([exact[members].sum()]))[0])
        if limits is not None and goal in limits.index:
            # a bound of 4,999.9999999999 cents is 5,000 computed with float noise
            want = min(max(want, int(np.ceil(limits.at[goal, "lower"] * 100 - 1e-7))),
                       int(np.floor(limits.at[goal, "upper"] * 100 + 1e-7)))
        rows = cents[members]
        want = min(max(want, -int(-rows[rows < 0].sum())), int(rows[rows > 0].sum()))
        net[goal] = want
    excess = sum(net.values())
    for goal in sorted(net, key=lambda g: (-abs(net[g]), str(g))):  # shrink the largest nets first
        if excess == 0:
            break
        if excess * net[goal] > 0:
            take = min(abs(excess), abs(net[goal])) * int(np.sign(excess))
            net[goal] -= take
            excess -= take
    for goal, idx in groups.groupby(groups, sort=True).groups.items():
        rows_of_goal = list(idx)
        gap = int(cents[rows_of_goal].sum()) - net[goal]
        # too much: shrink gains, lowest in the table first; too little: shrink cuts, earliest first
        order = rows_of_goal[::-1] if gap > 0 else rows_of_goal
        for i in order:
            if gap == 0:
                break
            if gap > 0 and cents[i] > 0:
                take = min(gap, int(cents[i]))
                cents[i] -= take
                gap -= take
            elif gap < 0 and cents[i] < 0:
                take = min(-gap, int(-cents[i]))
                cents[i] += take
                gap += take
    return cents

def greedy_reallocation(changes: pd.DataFrame, scores: pd.DataFrame, goals: pd.DataFrame, *,
                        funding: Funding, tolerance: float, ended: Collection[str] = (),
                        protected: Collection[str] = (), no_gain: Collection[str] = ()) -> pd.DataFrame:
    """The earlier greedy reallocation scenario, kept to show how the optimum differs.

    The scenario is for the next cycle, so initiatives in ``ended`` (closed or
    cancelled by the cycle's end) take no part: they get no future budget, and
    their budget is neither moved nor counted. Initiatives in ``protected``
    (those the board is asked to recover) give no budget away: a recovery is
    not starved while it runs. Initiatives in ``no_gain`` receive nothing.

    Money moves from the bottom half of funded initiatives by value score
    (lowest first, at most ``max_cut`` of each one's budget) to the top half
    of those linked to a strategic goal (highest first, each gaining at most
    ``max_cut`` of its own budget). A move is kept only
    if no goal ends outside its guardrail (|share − target share| ≤
    ``tolerance``) unless it was already outside and moves no further away;
    a move that fails is halved up to four times, then skipped. The total
    budget never changes and no budget goes below zero.

    Parameters
    ----------
    changes : DataFrame
        From :func:`funding_changes`.
    scores : DataFrame
        From :func:`value_scores`.
    goals : DataFrame
        The goals table (``goal_id, target_share``); may be empty.
    ended : collection of str
        Initiatives that have ended by the cycle's end.
    protected : collection of str
        Initiatives that may not lose budget.
    no_gain : collection of str
        Initiatives that may not gain budget.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, goal_id, budget_previous, budget,
        value_score, scenario_budget, change``, highest value first.
    """
    out = _scenario_frame(changes, scores, ended)
    budget = out["budget"].astype(float).copy()
    goal_of = _goal_of(out)
    targets = _targets(goals)
    funded = out.index[(budget > 0) & out["value_score"].notna()]
    half = len(funded) // 2
    recipients = [i for i in funded[:half] if out.at[i, "goal_id"] is not None and pd.notna(out.at[i, "goal_id"])
                  and out.at[i, "initiative_id"] not in set(no_gain)]
    donors = [d for d in funded[half:][::-1] if out.at[d, "initiative_id"] not in set(protected)]
    pool = funding.max_shift * budget.sum()
    room = {r: funding.max_cut * out.at[r, "budget"] for r in recipients}
    now = _deviation(budget, goal_of, targets) if len(targets) else None  # of ``budget``: kept until a move
    for d in donors:
        available = funding.max_cut * out.at[d, "budget"]
        for r in recipients:
            if pool <= 0 or available <= 0:
                break
            chunk = min(pool, available, room[r])
            for _ in range(5):
                if chunk <= 0:
                    break
                trial = budget.copy()
                trial[d] -= chunk
                trial[r] += chunk
                after = _deviation(trial, goal_of, targets) if now is not None else None
                if now is None or _deviations_within(now, after, tolerance):
                    budget, pool, available, now = trial, pool - chunk, available - chunk, after
                    room[r] -= chunk
                    break
                chunk /= 2
    out["scenario_budget"] = budget
    out["change"] = out["scenario_budget"] - out["budget"]
    return out[FUNDING_COLUMNS]


def _deviations_within(dev_before: pd.Series, dev_after: pd.Series, tolerance: float) -> bool:
    """Every goal ends within its guardrail, or no further from its target than before."""
    return bool(((dev_after <= tolerance + 1e-12) | (dev_after <= dev_before + 1e-12)).all())


def scenario_goal_mix(scenario: pd.DataFrame, goals: pd.DataFrame, *, tolerance: float) -> pd.DataFrame:
    """Each goal's share of the budget now and under the scenario.

    Returns
    -------
    DataFrame
        Columns ``goal_id, share_now, share_scenario, target_share, within_now,
        within_scenario``.
    """
    g = _goal_of(scenario)
    now = scenario["budget"].groupby(g).sum() / scenario["budget"].sum()
    then = scenario["scenario_budget"].groupby(g).sum() / scenario["scenario_budget"].sum()
    targets = goals.set_index("goal_id")["target_share"] if len(goals) else pd.Series(dtype=float)
    ids = list(goals["goal_id"]) + [NO_GOAL] if len(goals) else list(now.index)
    out = pd.DataFrame({"goal_id": ids})
    out["share_now"] = out["goal_id"].map(now).fillna(0.0)
    out["share_scenario"] = out["goal_id"].map(then).fillna(0.0)
    out["target_share"] = out["goal_id"].map(targets).astype(float)
    if len(goals):
        out.loc[out["goal_id"] == NO_GOAL, "target_share"] = 0.0
    for col in ("now", "scenario"):
        dev = (out[f"share_{col}"] - out["target_share"]).abs()
        out[f"within_{col}"] = np.where(out["target_share"].isna(), True, dev <= tolerance + 1e-12)
    no_goal = i18n.say("(no goal)")  # shown in the report's language
    out["goal_id"] = pd.Series([no_goal if g == NO_GOAL else g for g in out["goal_id"]], index=out.index, dtype=object)
    return out
