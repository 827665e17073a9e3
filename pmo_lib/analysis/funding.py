"""Adaptive funding: budget changes between cycles, a value score per initiative, and a
reallocation scenario for the next cycle that respects the goal guardrails."""
from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

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
                          protected: Collection[str] = ()) -> pd.DataFrame:
    """Move up to ``max_shift`` of the budget from the lowest-value initiatives to the highest.

    The scenario is for the next cycle, so initiatives in ``ended`` (closed or
    cancelled by the cycle's end) take no part: they get no future budget, and
    their budget is neither moved nor counted. Initiatives in ``protected``
    (those the board is asked to recover) give no budget away: a recovery is
    not starved while it runs.

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

    Returns
    -------
    DataFrame
        Columns ``initiative_id, name, goal_id, budget_previous, budget,
        value_score, scenario_budget, change``, highest value first.
    """
    changes = changes[~changes["initiative_id"].isin(set(ended))]
    out = changes.rename(columns={"previous_budget": "budget_previous"}).merge(
        scores[["initiative_id", "value_score"]], on="initiative_id", how="left")
    out = out.sort_values(["value_score", "initiative_id"], ascending=[False, True], na_position="last",
                          kind="stable").reset_index(drop=True)
    budget = out["budget"].astype(float).copy()
    goal_of = _goal_of(out)
    targets = goals.dropna(subset=["target_share"]).set_index("goal_id")["target_share"].astype(float)
    if len(targets):
        targets.loc[NO_GOAL] = 0.0
    funded = out.index[(budget > 0) & out["value_score"].notna()]
    half = len(funded) // 2
    recipients = [i for i in funded[:half] if out.at[i, "goal_id"] is not None and pd.notna(out.at[i, "goal_id"])]
    donors = [d for d in funded[half:][::-1] if out.at[d, "initiative_id"] not in set(protected)]
    pool = funding.max_shift * budget.sum()
    room = {r: funding.max_cut * out.at[r, "budget"] for r in recipients}
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
                if not len(targets) or _within_guardrails(budget, trial, goal_of, targets, tolerance):
                    budget, pool, available = trial, pool - chunk, available - chunk
                    room[r] -= chunk
                    break
                chunk /= 2
    out["scenario_budget"] = budget
    out["change"] = out["scenario_budget"] - out["budget"]
    return out[FUNDING_COLUMNS]


def _within_guardrails(before: pd.Series, after: pd.Series, goals: pd.Series, targets: pd.Series,
                       tolerance: float) -> bool:
    dev_before, dev_after = _deviation(before, goals, targets), _deviation(after, goals, targets)
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
    return out
