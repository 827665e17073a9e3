"""Which proposed initiatives to start next cycle, solved exactly: the selection within the proposal
budget, the teams' capacity and the goal guardrails, the greedy WSJF baseline it is compared with,
the efficient frontier over the budget, and named what-if scenarios side by side."""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..inputs import i18n
from ..inputs.config import Funding, Scenario
from .funding import NO_GOAL, _targets, reallocation_scenario

#: The objective's unit when every proposal has a cost of delay per week ...
UNIT_COST_OF_DELAY = "cost of delay per week"
#: ... and when not: SAFe's relative cost of delay.
UNIT_POINTS = "cost of delay points (business value + time criticality + risk reduction)"
SELECTION_COLUMNS = ["initiative_id", "selected", "requested_budget", "cost_of_delay", "binding"]
LOAD_COLUMNS = ["team", "capacity_days", "committed_days", "selected_days", "load_days", "utilisation"]
FRONTIER_COLUMNS = ["budget_share", "proposal_budget", "value", "greedy_value", "breach", "greedy_breach",
                    "selected_count"]
COMPARISON_COLUMNS = ["scenario", "total_budget", "reallocation_value", "selection_value", "value_unit",
                      "worst_goal_deviation", "goals_outside", "busiest_team", "busiest_utilisation", "selected",
                      "gainers", "losers", "infeasible"]
BUDGET_COLUMNS = ["scenario", "initiative_id", "name", "kind", "budget", "change"]
#: The texts recorded in a selection's ``binding`` and a scenario table's name (English in the results, said in the
#: report's language where shown: :func:`pmo_lib.inputs.i18n.say`).
BASE_CASE = i18n.say("Base case")
LOWER_VALUE = i18n.say("lower value than the chosen set")
SELECTED = i18n.say("selected")
MUST_FUND = i18n.say("must fund")
MUST_STOP = i18n.say("must stop")
_BREACH_EPS = 1e-7  # breaches within this share of the largest possible spend count as equal


@dataclass(frozen=True)
class Selection:
    """The proposals to start next cycle and what the choice achieves.

    Attributes
    ----------
    table : DataFrame
        Columns ``initiative_id, selected, requested_budget, cost_of_delay,
        binding``: ``cost_of_delay`` in ``unit``; ``binding`` says in words
        why a proposal is or is not selected (``selected``, ``must fund``,
        ``must stop``, the proposal budget, a named team's capacity, a named
        goal's guardrail, or ``lower value than the chosen set``).
    value : float
        The selected proposals' total cost of delay, in ``unit``.
    unit : str
        :data:`UNIT_COST_OF_DELAY` or :data:`UNIT_POINTS`.
    greedy_value : float
        What taking proposals in WSJF order delivers (:func:`greedy_selection`).
    breach : float
        Total amount (currency) by which goals end outside their guardrails;
        0 when every goal is within.
    budget_used, proposal_budget : float
        Requested budget of the selected proposals, and the budget for them.
    load : DataFrame
        Columns ``team, capacity_days, committed_days, selected_days,
        load_days, utilisation``; a team without capacity has NaN capacity
        and utilisation and is not constrained.
    greedy_breach : float
        The greedy order's breach of the goal guardrails (currency).
    greedy_selected : tuple of str
        The proposals the greedy order selects.
    infeasible : str or None
        Why no selection meets the rules, in words: the decisions fixed in
        advance alone break the budget or a team's capacity. The table then
        selects exactly the ``must fund`` proposals.
    method : str
        ``optimal`` or ``greedy in WSJF order``.
    """

    table: pd.DataFrame
    value: float
    unit: str
    greedy_value: float
    breach: float
    budget_used: float
    proposal_budget: float
    load: pd.DataFrame
    greedy_breach: float = 0.0
    greedy_selected: tuple[str, ...] = ()
    infeasible: str | None = None
    method: str = "optimal"

    @property
    def gain_over_greedy(self) -> float:
        """How much more value the selection delivers than the greedy WSJF order."""
        return self.value - self.greedy_value


@dataclass(frozen=True)
class ScenarioComparison:
    """The base case and each scenario of pmo.yaml side by side.

    Attributes
    ----------
    summary : DataFrame
        One row per scenario (the base case first), columns ``scenario,
        total_budget, reallocation_value, selection_value, value_unit,
        worst_goal_deviation, goals_outside, busiest_team,
        busiest_utilisation, selected, gainers, losers, infeasible``.
    budgets : DataFrame
        Long table, columns ``scenario, initiative_id, name, kind, budget,
        change``: every initiative's budget next cycle under each scenario
        (kind ``continuing`` or ``proposal``; a proposal's budget is its
        request when selected, else 0; change is against this cycle's budget).
    """

    summary: pd.DataFrame
    budgets: pd.DataFrame


def _team(team: str, plain: str, named: str, **args) -> i18n.Text:
    """A sentence naming a team: ``plain`` says "the {team} team"; ``named``, for a name already ending in "team"
    (not doubled), "the {team}"."""
    return i18n.say(named if str(team).lower().endswith("team") else plain, team=str(team), **args)


@dataclass(frozen=True)
class _Problem:
    ids: list[str]
    budget: np.ndarray
    value: np.ndarray
    unit: str
    goal: np.ndarray
    fund: np.ndarray
    stop: np.ndarray
    limit: float
    teams: list[str]
    need: np.ndarray          # proposals x teams, days
    capacity: np.ndarray      # per team, NaN = unconstrained
    committed: np.ndarray     # per team, days
    base: pd.Series           # next cycle's budget per goal without proposals
    targets: pd.Series        # target share per goal (no-goal group 0)
    tolerance: float
    goal_names: Mapping[str, str]
    share: float = 1.0        # the share of its capacity a team may be loaded to (thresholds.max_utilisation)
    #: goal_breaches of the selections already measured, by the selection's bytes (the problem never changes)
    breaches: dict[tuple[str, bytes], pd.Series] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def usable(self) -> np.ndarray:
        """Days each team may be loaded with: its capacity times the load limit."""
        return self.capacity * self.share

    @property
    def room(self) -> np.ndarray:
        """Days each constrained team has left after continuing work, within its load limit (never below 0)."""
        return np.clip(self.usable - self.committed, 0, None)

    def team_limit(self, team: str) -> i18n.Text:
        """The constraint on a team, in words."""
        if self.share >= 1:
            return _team(team, i18n.N_("the capacity of the {team} team"), i18n.N_("the capacity of the {team}"))
        return _team(team, i18n.N_("the {team} team's load limit"), i18n.N_("the {team}'s load limit"))

    @property
    def scale(self) -> float:
        return max(float(self.base.sum() + self.budget.sum()), 1.0)


def objective_values(proposals: pd.DataFrame) -> tuple[pd.Series, str]:
    """Each proposal's cost of delay in the selection's one unit.

    ``cost_of_delay_per_week`` when every proposal has it, otherwise
    business_value + time_criticality + risk_reduction for all of them
    (a missing component counts 0).

    Returns
    -------
    tuple
        The values (indexed like ``proposals``) and their unit,
        :data:`UNIT_COST_OF_DELAY` or :data:`UNIT_POINTS`.
    """
    if "cost_of_delay_per_week" in proposals and len(proposals) and proposals["cost_of_delay_per_week"].notna().all():
        return proposals["cost_of_delay_per_week"].astype(float), UNIT_COST_OF_DELAY
    parts = [proposals[c].astype(float).fillna(0.0) if c in proposals else pd.Series(0.0, index=proposals.index)
             for c in ("business_value", "time_criticality", "risk_reduction")]
    return (parts[0] + parts[1] + parts[2]).astype(float), UNIT_POINTS


def budget_by_goal(scenario: pd.DataFrame, *, column: str = "scenario_budget") -> pd.Series:
    """Budget per goal of a reallocation scenario (the no-goal group under ``NO_GOAL``).

    The ``base_budget_by_goal`` of :func:`select_proposals`.
    """
    return scenario[column].astype(float).groupby(scenario["goal_id"].fillna(NO_GOAL)).sum()


def _per_team(values: pd.Series | pd.DataFrame | None, column: str) -> pd.Series:
    """A per-team Series from a Series (index team) or a table with ``team`` and a days column."""
    if values is None:
        return pd.Series(dtype=float)
    if isinstance(values, pd.DataFrame):
        days = column if column in values else [c for c in values.columns if c != "team"][0]
        return values.groupby("team")[days].sum().astype(float)
    return values.astype(float)


def _goals_of(proposals: pd.DataFrame) -> pd.Series:
    if "goal_id" not in proposals:
        return pd.Series(NO_GOAL, index=proposals.index, dtype=object)
    return proposals["goal_id"].astype(object).where(proposals["goal_id"].notna(), NO_GOAL)


def _flag(proposals: pd.DataFrame, column: str) -> np.ndarray:
    if column not in proposals:
        return np.zeros(len(proposals), dtype=bool)
    values = proposals[column]
    if values.dtype == object or pd.api.types.is_string_dtype(values):  # "true"/"false" text: "false" is not set
        return values.map(lambda v: str(v).strip().lower() in ("true", "1", "yes")
                          if isinstance(v, str) else bool(v) if pd.notna(v) else False).to_numpy(dtype=bool)
    return values.fillna(False).astype(bool).to_numpy()


def _problem(proposals: pd.DataFrame, *, proposal_budget: float, capacity, committed, demand,
             base_budget_by_goal, goals, tolerance, goal_names, max_utilisation: float = 1.0) -> _Problem:
    proposals = proposals.reset_index(drop=True)
    value, unit = objective_values(proposals)
    cap, com = _per_team(capacity, "capacity_days"), _per_team(committed, "committed_days")
    ids = proposals["initiative_id"].astype(str).tolist()
    mine = demand[demand["initiative_id"].astype(str).isin(ids)] if demand is not None else None
    if mine is not None and len(mine):
        need = mine.assign(initiative_id=mine["initiative_id"].astype(str)).pivot_table(
            index="initiative_id", columns="team", values="demand_days", aggfunc="sum")
    else:
        need = pd.DataFrame(index=ids)
    teams = sorted(set(cap.index) | set(com.index) | set(need.columns), key=str)
    need = need.reindex(index=ids, columns=teams).fillna(0.0)
    targets = _targets(goals) if goals is not None else pd.Series(dtype=float)
    names = dict(goal_names or {})
    if goals is not None and len(goals) and "goal" in goals:
        names = {**dict(zip(goals["goal_id"], goals["goal"])), **names}
    base = base_budget_by_goal if base_budget_by_goal is not None else pd.Series(dtype=float)
    goal_of = _goals_of(proposals)
    return _Problem(ids=ids, budget=proposals["requested_budget"].astype(float).fillna(0.0).to_numpy(),
                    value=value.to_numpy(), unit=unit, goal=goal_of.astype(object).to_numpy(),
                    fund=_flag(proposals, "must_fund"), stop=_flag(proposals, "must_stop"),
                    limit=float(proposal_budget), teams=teams, need=need.to_numpy(dtype=float),
                    capacity=cap.reindex(teams).to_numpy(dtype=float),
                    committed=com.reindex(teams).fillna(0.0).to_numpy(dtype=float),
                    base=base.astype(float), targets=targets, tolerance=float(tolerance), goal_names=names,
                    share=float(max_utilisation))


def _goal_label(p: _Problem, goal: object) -> i18n.Text:
    if goal == NO_GOAL:
        return i18n.say("work linked to no goal")
    return i18n.say("'{goal}'", goal=str(p.goal_names.get(str(goal), goal)))


def _and(parts: Sequence[object]) -> object:
    """Parts said as "a and b and c" (each pair a message, so a language words its own "and")."""
    said = parts[0]
    for part in parts[1:]:
        said = i18n.say("{first} and {second}", first=said, second=part)
    return said


def goal_breaches(p: _Problem, x: np.ndarray) -> pd.Series:
    """Per goal with a target: how far (currency) its budget lies outside target ± tolerance of the total."""
    x = np.asarray(x)
    key = (x.dtype.str, x.tobytes())
    known = p.breaches.get(key)  # the reasons of a selection weigh each proposal against the same selection
    if known is None:
        added = pd.Series(p.budget * x).groupby(p.goal).sum()
        spend = p.base.add(added, fill_value=0.0)
        total = float(spend.sum())
        amount = spend.reindex(p.targets.index).fillna(0.0)
        known = p.breaches[key] = ((amount - p.targets * total).abs() - p.tolerance * total).clip(lower=0.0)
    return known.copy()


def _fixed_problem(p: _Problem) -> tuple[i18n.Text, i18n.Text] | None:
    """Why the decisions fixed in advance cannot all hold, in words, and the same as the reason a proposal is not
    considered; None when they can."""
    both = [i for i, f, s in zip(p.ids, p.fund, p.stop) if f and s]
    if both:
        said = i18n.nsay("{ids} is marked both must fund and must stop.", "{ids} are marked both must fund and must stop.",
                         len(both), ids=", ".join(both))
        return said, i18n.say("not considered: {reason}", reason=said)
    funded = [i for i, f in zip(p.ids, p.fund) if f]
    reasons = []
    need = float(p.budget[p.fund].sum())
    if need > p.limit + 1e-9:
        reasons.append(i18n.say("the proposals marked must fund ({ids}) request {need} together, more than the proposal "
                                "budget of {limit}", ids=", ".join(funded), need=i18n.a_number(need),
                                limit=i18n.a_number(p.limit)))
    for k, team in enumerate(p.teams):
        days = float(p.need[p.fund, k].sum())
        if np.isfinite(p.capacity[k]) and days > p.room[k] + 1e-9:
            numbers = dict(days=i18n.a_number(days), left=i18n.a_number(p.room[k]))
            if p.share >= 1:
                reasons.append(_team(team, i18n.N_("they need {days} days of the {team} team, which has {left} days left "
                                                   "after continuing work"),
                                     i18n.N_("they need {days} days of the {team}, which has {left} days left after "
                                             "continuing work"), **numbers))
            else:
                reasons.append(_team(team, i18n.N_("they need {days} days of the {team} team, which has {left} days left "
                                                   "after continuing work within its {share} load limit"),
                                     i18n.N_("they need {days} days of the {team}, which has {left} days left after "
                                             "continuing work within its {share} load limit"),
                                     share=i18n.a_percent(p.share), **numbers))
    if not reasons:
        return None
    listed = _listed(reasons)
    return (i18n.say("No selection meets the rules: {reasons}.", reasons=listed),
            i18n.say("not considered: no selection meets the rules: {reasons}.", reasons=listed))


def _solve(p: _Problem) -> np.ndarray:
    """Minimise the goals' total breach, then maximise value within it: the binary choice per proposal."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, targets = len(p.ids), p.targets
    g = len(targets)
    scale = p.scale
    lower = np.where(p.fund, 1.0, 0.0)
    upper = np.where(p.stop, 0.0, 1.0)
    rows, lo, hi = [], [], []
    rows.append(np.concatenate([p.budget / scale, np.zeros(g)]))
    lo.append(-np.inf)
    hi.append(p.limit / scale + 1e-12)
    for k in range(len(p.teams)):
        if np.isfinite(p.capacity[k]) and p.need[:, k].any():
            rows.append(np.concatenate([p.need[:, k], np.zeros(g)]))
            lo.append(-np.inf)
            hi.append(p.room[k] + 1e-9)
    base_total = float(p.base.sum())
    for j, (goal, t) in enumerate(targets.items()):
        member = (p.goal == goal).astype(float)
        base_g = float(p.base.get(goal, 0.0))
        slack = np.zeros(g)
        slack[j] = -1.0
        # G − t·T ≤ tol·T + s  and  t·T − G ≤ tol·T + s, with G and T linear in x
        rows.append(np.concatenate([(member - t - p.tolerance) * p.budget / scale, slack]))
        lo.append(-np.inf)
        hi.append((-base_g + (t + p.tolerance) * base_total) / scale)
        rows.append(np.concatenate([(-member + t - p.tolerance) * p.budget / scale, slack]))
        lo.append(-np.inf)
        hi.append((base_g - (t - p.tolerance) * base_total) / scale)
    a = np.array(rows)
    integrality = np.concatenate([np.ones(n), np.zeros(g)])
    bounds = Bounds(np.concatenate([lower, np.zeros(g)]), np.concatenate([upper, np.full(g, np.inf)]))
    options = {"mip_rel_gap": 1e-9}
    constraints = [LinearConstraint(a, lo, hi)]
    if g:
        first = milp(np.concatenate([np.zeros(n), np.ones(g)]), integrality=integrality, bounds=bounds,
                     constraints=constraints, options=options)
        if first.status != 0:
            raise RuntimeError(f"the selection could not be solved: {first.message}")
        least = np.round(first.x[:n]).astype(bool)
        # hold the breach at its minimum, measured exactly on the chosen set (the solver's own figure
        # carries its tolerances, which could make the second stage infeasible)
        breach = max(float(first.fun), _breach(p, least) / scale)
        cap_row = np.concatenate([np.zeros(n), np.ones(g)])
        constraints.append(LinearConstraint(cap_row[None, :], -np.inf, breach + 10 * _BREACH_EPS))
    peak = max(float(np.abs(p.value).max()) if n else 1.0, 1e-12)
    result = milp(np.concatenate([-p.value / peak, np.zeros(g)]), integrality=integrality, bounds=bounds,
                  constraints=constraints, options=options)
    if result.status != 0:
        if g:  # numerically the least-breach set itself is always an answer
            return least
        raise RuntimeError(f"the selection could not be solved: {result.message}")
    return np.round(result.x[:n]).astype(bool)


def _load(p: _Problem, x: np.ndarray) -> pd.DataFrame:
    chosen = p.need[x].sum(axis=0) if len(p.teams) else np.zeros(0)
    out = pd.DataFrame({"team": p.teams, "capacity_days": p.capacity, "committed_days": p.committed,
                        "selected_days": chosen})
    out["load_days"] = out["committed_days"] + out["selected_days"]
    out["utilisation"] = out["load_days"] / out["capacity_days"].where(out["capacity_days"] > 0)
    return out[LOAD_COLUMNS]


def _blockers(p: _Problem, x: np.ndarray, i: int, *, guardrails: bool) -> list[i18n.Text]:
    """The constraints that adding proposal i alone to selection x would break, in words."""
    if p.stop[i]:
        return [MUST_STOP]
    out: list[i18n.Text] = []
    left = p.limit - float(p.budget[x].sum())
    if p.budget[i] > left + 1e-9:
        out.append(i18n.say("the proposal budget (requests {requested}; {left} left)",
                            requested=i18n.a_number(p.budget[i]), left=i18n.a_number(max(left, 0))))
    load = p.committed + (p.need[x].sum(axis=0) if len(p.teams) else 0)
    for k, team in enumerate(p.teams):
        if np.isfinite(p.capacity[k]) and p.need[i, k] > 0 and load[k] + p.need[i, k] > p.usable[k] + 1e-9:
            free = max(p.usable[k] - load[k], 0.0)
            out.append(i18n.nsay("{limit} (needs {days} day; {left} left)", "{limit} (needs {days} days; {left} left)",
                                 round(p.need[i, k]), limit=p.team_limit(team), days=i18n.a_number(p.need[i, k]),
                                 left=i18n.a_number(free)))
    if guardrails and len(p.targets):
        trial = x.copy()
        trial[i] = True
        before, after = goal_breaches(p, x), goal_breaches(p, trial)
        worse = [goal for goal in p.targets.index if after[goal] > before[goal] + _BREACH_EPS * p.scale]
        if after.sum() > before.sum() + _BREACH_EPS * p.scale:
            out.append(i18n.say("the goal-mix guardrail of {goals}", goals=_and([_goal_label(p, goal) for goal in worse])))
    return out


def _selection(p: _Problem, x: np.ndarray, *, method: str, greedy: np.ndarray, infeasible: str | None,
               reasons: Sequence[str] | None = None) -> Selection:
    if reasons is None:
        reasons = []
        for i in range(len(p.ids)):
            if x[i]:
                reasons.append(MUST_FUND if p.fund[i] else SELECTED)
            else:
                reasons.append(_listed(_blockers(p, x, i, guardrails=True)) or LOWER_VALUE)
    table = pd.DataFrame({"initiative_id": p.ids, "selected": x.astype(bool), "requested_budget": p.budget,
                          "cost_of_delay": p.value, "binding": reasons})
    return Selection(table=table[SELECTION_COLUMNS], value=float(p.value[x].sum()), unit=p.unit,
                     greedy_value=float(p.value[greedy].sum()), breach=_breach(p, x),
                     budget_used=float(p.budget[x].sum()), proposal_budget=p.limit, load=_load(p, x),
                     greedy_breach=_breach(p, greedy), greedy_selected=tuple(np.array(p.ids, dtype=object)[greedy]),
                     infeasible=infeasible, method=method)


def _breach(p: _Problem, x: np.ndarray) -> float:
    return float(goal_breaches(p, x).sum()) if len(p.targets) else 0.0


def _wsjf_order(proposals: pd.DataFrame) -> list[int]:
    frame = proposals.reset_index(drop=True)
    if "wsjf" in frame:
        wsjf = frame["wsjf"].astype(float)
    else:
        parts = sum(frame[c].astype(float).fillna(0.0) if c in frame else 0.0
                    for c in ("business_value", "time_criticality", "risk_reduction"))
        size = frame["job_size"].astype(float) if "job_size" in frame else pd.Series(np.nan, index=frame.index)
        wsjf = parts / size.where(size > 0)
    order = pd.DataFrame({"wsjf": wsjf, "id": frame["initiative_id"].astype(str)})
    return order.sort_values(["wsjf", "id"], ascending=[False, True], na_position="last", kind="stable").index.tolist()


def _listed(reasons: list[i18n.Text]) -> str:
    """The reasons one after the other ("a; b"; each pair a message, so French can space its semicolon); "" for none."""
    if not reasons:
        return ""
    said = reasons[0]
    for reason in reasons[1:]:
        said = i18n.say("{first}; {second}", first=said, second=reason)
    return said


def _greedy(p: _Problem, order: list[int], *, guardrails: bool = False) -> tuple[np.ndarray, list[str]]:
    x = p.fund & ~p.stop
    reasons: list[str] = [MUST_FUND if f else "" for f in x]
    for i in order:
        if x[i]:
            continue
        blocked = _blockers(p, x, i, guardrails=guardrails)
        if blocked:
            reasons[i] = _listed(blocked)
        else:
            x = x.copy()
            x[i] = True
            reasons[i] = SELECTED
    return x, reasons


def select_proposals(proposals: pd.DataFrame, *, proposal_budget: float,
                     capacity: pd.Series | pd.DataFrame | None = None,
                     committed: pd.Series | pd.DataFrame | None = None, demand: pd.DataFrame | None = None,
                     base_budget_by_goal: pd.Series | None = None, goals: pd.DataFrame | None = None,
                     tolerance: float = 0.05, goal_names: Mapping[str, str] | None = None,
                     max_utilisation: float = 1.0) -> Selection:
    """The proposed initiatives to start next cycle, chosen exactly as a mixed-integer programme.

    One yes/no decision per proposal, solved with ``scipy.optimize.milp``
    (HiGHS). It maximises the selected proposals' total cost of delay
    (:func:`objective_values`: ``cost_of_delay_per_week`` when every proposal
    has it, otherwise business value + time criticality + risk reduction),
    subject to:

    - the requested budgets of the selected proposals fit ``proposal_budget``;
    - every team with a capacity keeps its committed days plus the selected
      proposals' demand within its capacity (a team already over capacity
      with continuing work takes no proposal that needs it); teams without a
      capacity are not constrained, but listed in the load;
    - every goal with a target share keeps its share of next cycle's budget
      (``base_budget_by_goal`` plus the selected proposals) within target ±
      ``tolerance``, where that is possible. With the total T linear in the
      choice, |G − t·T| ≤ tolerance·T + s is linear; the programme first
      minimises the total breach Σ s, then, with the breach held at that
      minimum, maximises the value (0 breach when every goal can be within);
    - proposals with ``must_fund`` are selected and those with ``must_stop``
      are not.

    Parameters
    ----------
    proposals : DataFrame
        One row per proposal: ``initiative_id, requested_budget`` and
        optionally ``goal_id, cost_of_delay_per_week, business_value,
        time_criticality, risk_reduction, job_size, must_fund, must_stop``
        (and ``wsjf``, used for the greedy order when present).
    proposal_budget : float
        Budget for starting proposals next cycle (currency).
    capacity : Series or DataFrame, optional
        Capacity per team next cycle in days: a Series indexed by team, or a
        table with ``team, capacity_days``.
    max_utilisation : float
        The share of its capacity a team may be loaded to (default 1: all of
        it). The governance report passes ``thresholds.max_utilisation``, so
        the selection never plans the overload the capacity rule warns about.
    committed : Series or DataFrame, optional
        Days per team already committed to continuing initiatives (Series by
        team, or ``team, committed_days``).
    demand : DataFrame, optional
        ``initiative_id, team, demand_days``; rows of other initiatives are ignored.
    base_budget_by_goal : Series, optional
        Next cycle's budget per goal without the proposals, e.g.
        :func:`budget_by_goal` of the reallocation scenario.
    goals : DataFrame, optional
        The goals table (``goal_id, goal, target_share``); the guardrails
        apply to goals with a target, the no-goal group's target being 0.
    tolerance : float
        ``thresholds.goal_mix_tolerance``.
    goal_names : mapping, optional
        Goal names for the reasons, when ``goals`` has no ``goal`` column.

    Returns
    -------
    Selection
        The table (``initiative_id, selected, requested_budget,
        cost_of_delay, binding``) and the summary: value and unit, the
        greedy WSJF value, breach, budget used, load per team, and, when the
        fixed decisions alone break the budget or a team's capacity, why.
    """
    p = _problem(proposals, proposal_budget=proposal_budget, capacity=capacity, committed=committed, demand=demand,
                 base_budget_by_goal=base_budget_by_goal, goals=goals, tolerance=tolerance, goal_names=goal_names,
                 max_utilisation=max_utilisation)
    greedy_x, _ = _greedy(p, _wsjf_order(proposals))
    problem = _fixed_problem(p)
    if problem is not None:
        x = p.fund & ~p.stop
        said, not_considered = problem
        reasons = [MUST_FUND if f else (MUST_STOP if s else not_considered) for f, s in zip(x, p.stop)]
        return _selection(p, x, method="optimal", greedy=greedy_x, infeasible=said, reasons=reasons)
    x = _solve(p) if len(p.ids) else np.zeros(0, dtype=bool)
    return _selection(p, x, method="optimal", greedy=greedy_x, infeasible=None)


def greedy_selection(proposals: pd.DataFrame, *, proposal_budget: float,
                     capacity: pd.Series | pd.DataFrame | None = None,
                     committed: pd.Series | pd.DataFrame | None = None, demand: pd.DataFrame | None = None,
                     base_budget_by_goal: pd.Series | None = None, goals: pd.DataFrame | None = None,
                     tolerance: float = 0.05, goal_names: Mapping[str, str] | None = None,
                     guardrails: bool = False, max_utilisation: float = 1.0) -> Selection:
    """Proposals taken in WSJF order while the budget and the teams' capacity allow: the baseline.

    ``must_fund`` proposals are taken first and ``must_stop`` ones never;
    then each proposal in descending WSJF (the ``wsjf`` column when given,
    else (business value + time criticality + risk reduction) / job size;
    ties by id, missing WSJF last) is taken when it fits the budget left and
    every constrained team's capacity left. The goal guardrails are not
    checked (the breach says how far the result ends outside them) unless
    ``guardrails`` is true: then a proposal is also skipped when it would
    increase the goals' total breach.

    Parameters and returns as :func:`select_proposals`; ``binding`` gives
    the constraint that stopped a proposal when its turn came.
    """
    p = _problem(proposals, proposal_budget=proposal_budget, capacity=capacity, committed=committed, demand=demand,
                 base_budget_by_goal=base_budget_by_goal, goals=goals, tolerance=tolerance, goal_names=goal_names,
                 max_utilisation=max_utilisation)
    x, reasons = _greedy(p, _wsjf_order(proposals), guardrails=guardrails)
    problem = _fixed_problem(p)
    return _selection(p, x, method="greedy in WSJF order", greedy=x, infeasible=problem[0] if problem else None,
                      reasons=reasons)


def efficient_frontier(proposals: pd.DataFrame, *, proposal_budget: float,
                       shares: Sequence[float] = (0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2),
                       **options) -> pd.DataFrame:
    """The best attainable selection value at each share of the proposal budget, and the greedy value.

    Each point is solved exactly with :func:`select_proposals`; the greedy
    value is :func:`greedy_selection` at the same budget.

    Parameters
    ----------
    proposals, proposal_budget
        As :func:`select_proposals`.
    shares : sequence of float
        Shares of ``proposal_budget``; 80% to 120% in steps of 5% by default.
    **options
        The other keyword arguments of :func:`select_proposals`.

    Returns
    -------
    DataFrame
        Columns ``budget_share, proposal_budget, value, greedy_value, breach,
        greedy_breach, selected_count`` (breaches in the currency); ``attrs["unit"]`` holds the value's unit. The greedy
        value ignores the goal guardrails, as :func:`greedy_selection` does
        by default.
    """
    rows, unit = [], objective_values(proposals)[1]
    for share in shares:
        best = select_proposals(proposals, proposal_budget=proposal_budget * share, **options)
        rows.append({"budget_share": float(share), "proposal_budget": proposal_budget * share, "value": best.value,
                     "greedy_value": best.greedy_value, "breach": best.breach, "greedy_breach": best.greedy_breach,
                     "selected_count": int(best.table["selected"].sum())})
    out = pd.DataFrame(rows, columns=FRONTIER_COLUMNS)
    out.attrs["unit"] = unit
    return out


def _mix(spend: pd.Series, targets: pd.Series, tolerance: float, names: Mapping[str, str]) -> tuple[float, list[str]]:
    total = float(spend.sum())
    if not len(targets) or total <= 0:
        return float("nan"), []
    dev = (spend.reindex(targets.index).fillna(0.0) / total - targets).abs()
    return float(dev.max()), [i18n.say("no goal") if g == NO_GOAL else str(names.get(str(g), g))
                              for g in dev.index[dev > tolerance + 1e-12]]


def _names(frame: pd.DataFrame, ids: Collection[str]) -> str:
    names = frame.set_index("initiative_id")["name"] if "name" in frame else pd.Series(dtype=object)
    return ", ".join(str(names.get(i, i)) for i in ids)


def compare_scenarios(scenarios: Sequence[Scenario], *, changes: pd.DataFrame, scores: pd.DataFrame,
                      goals: pd.DataFrame, funding: Funding, tolerance: float, ended: Collection[str] = (),
                      protected: Collection[str] = (), no_gain: Collection[str] = (),
                      proposals: pd.DataFrame | None = None, proposal_budget: float = 0.0,
                      capacity: pd.Series | pd.DataFrame | None = None,
                      committed: pd.Series | pd.DataFrame | None = None, demand: pd.DataFrame | None = None,
                      top: int = 3, max_utilisation: float = 1.0) -> ScenarioComparison:
    """The base case and each what-if through both optimisations, side by side.

    Per scenario (:class:`pmo_lib.inputs.config.Scenario`): this cycle's
    budgets and the proposal budget are scaled by 1 + ``budget_change``;
    ``max_cut``, ``max_shift`` and ``proposal_budget`` replace the
    settings; continuing initiatives in ``fund`` lose nothing and proposals
    in it are selected; continuing initiatives in ``stop`` get no budget,
    which is added to the proposal budget, and their days in ``demand`` are
    taken off ``committed``; proposals in ``stop`` are not selected. Then
    :func:`pmo_lib.reallocation_scenario` gives the continuing budgets and
    :func:`select_proposals`, on top of them, the proposals.

    Parameters
    ----------
    scenarios : sequence of Scenario
        ``config.scenarios``.
    changes, scores, goals, funding, tolerance, ended, protected, no_gain
        As :func:`pmo_lib.reallocation_scenario`; rows of ``changes`` that
        are proposals take no part in the reallocation.
    proposals, proposal_budget, capacity, committed, demand
        As :func:`select_proposals`; without proposals no proposal is selected.
    top : int
        How many gainers and losers to name.

    Returns
    -------
    ScenarioComparison
        ``summary`` (one row per scenario, the base case first: total
        budget, reallocation value Σ value score × budget, selection value
        and unit, worst goal deviation and the goals outside, the most
        loaded team and its utilisation, the selected proposals, the biggest
        gainers and losers by name (change against this cycle's budget, moves
        no larger than ``funding.smallest_move`` left out), and why no selection meets the rules
        where none does) and ``budgets`` (the long table of budgets).
    """
    proposals = proposals if proposals is not None else pd.DataFrame(
        {"initiative_id": pd.Series(dtype=str), "requested_budget": pd.Series(dtype=float)})
    changes = changes[~changes["initiative_id"].isin(set(proposals["initiative_id"]))]  # proposals are not continuing
    targets = _targets(goals)
    goal_names = dict(zip(goals["goal_id"], goals["goal"])) if len(goals) and "goal" in goals else {}
    rows, budgets = [], []
    for named, scenario in [(BASE_CASE, Scenario(name=BASE_CASE)), *((s.name, s) for s in scenarios)]:
        factor = 1.0 + scenario.budget_change
        rules = funding.model_copy(update={k: v for k, v in (("max_cut", scenario.max_cut),
                                                             ("max_shift", scenario.max_shift)) if v is not None})
        live = changes[~changes["initiative_id"].isin(set(ended))]
        stopped = set(scenario.stop) & set(live["initiative_id"])
        scaled = changes.assign(budget=changes["budget"].astype(float) * factor)
        freed = float(scaled.loc[scaled["initiative_id"].isin(stopped), "budget"].sum())
        realloc = reallocation_scenario(scaled, scores, goals, funding=rules, tolerance=tolerance,
                                        ended=set(ended) | stopped, protected=set(protected) | set(scenario.fund),
                                        no_gain=no_gain)
        limit = scenario.proposal_budget if scenario.proposal_budget is not None else proposal_budget * factor
        chosen = proposals.assign(
            must_fund=_flag(proposals, "must_fund") | proposals["initiative_id"].isin(scenario.fund).to_numpy(),
            must_stop=_flag(proposals, "must_stop") | proposals["initiative_id"].isin(scenario.stop).to_numpy())
        busy = _per_team(committed, "committed_days")
        if demand is not None and stopped:
            gone = demand[demand["initiative_id"].isin(stopped)].groupby("team")["demand_days"].sum()
            busy = busy.sub(gone, fill_value=0.0).clip(lower=0.0)
        pick = select_proposals(chosen, proposal_budget=limit + freed, capacity=capacity, committed=busy,
                                demand=demand, base_budget_by_goal=budget_by_goal(realloc), goals=goals,
                                tolerance=tolerance, max_utilisation=max_utilisation)
        taken = pick.table.loc[pick.table["selected"], "initiative_id"].tolist()
        started = chosen[chosen["initiative_id"].isin(taken)]
        spend = budget_by_goal(realloc).add(started["requested_budget"].astype(float).groupby(_goals_of(started)).sum(),
                                            fill_value=0.0)
        worst, outside = _mix(spend, targets, tolerance, goal_names)
        now = changes.set_index("initiative_id")["budget"].astype(float)
        cont = pd.concat([realloc[["initiative_id", "name", "scenario_budget"]],
                          changes.loc[changes["initiative_id"].isin(stopped), ["initiative_id", "name"]]
                          .assign(scenario_budget=0.0)], ignore_index=True)
        cont["change"] = cont["scenario_budget"] - cont["initiative_id"].map(now)
        cont = cont.assign(scenario=named, kind="continuing").rename(columns={"scenario_budget": "budget"})
        props = pick.table.assign(scenario=named, kind="proposal",
                                  name=pick.table["initiative_id"].map(
                                      proposals.set_index("initiative_id")["name"]) if "name" in proposals else
                                  pick.table["initiative_id"],
                                  budget=np.where(pick.table["selected"], pick.table["requested_budget"], 0.0))
        props["change"] = props["budget"]
        budgets.append(pd.concat([cont[BUDGET_COLUMNS], props[BUDGET_COLUMNS]], ignore_index=True))
        moves = cont[cont["change"].abs() > funding.smallest_move]
        gainers = moves[moves["change"] > 0].nlargest(top, "change")
        losers = moves[moves["change"] < 0].nsmallest(top, "change")
        load = pick.load.dropna(subset=["utilisation"])
        busiest = load.loc[load["utilisation"].idxmax()] if len(load) else None
        value = float((realloc["value_score"].fillna(0.0) * realloc["scenario_budget"]).sum())
        rows.append({"scenario": named,
                     "total_budget": float(realloc["scenario_budget"].sum()) + pick.budget_used,
                     "reallocation_value": value, "selection_value": pick.value, "value_unit": pick.unit,
                     "worst_goal_deviation": worst, "goals_outside": i18n.join_texts(", ", outside),
                     "busiest_team": None if busiest is None else busiest["team"],
                     "busiest_utilisation": float("nan") if busiest is None else float(busiest["utilisation"]),
                     "selected": _names(proposals, taken), "gainers": ", ".join(gainers["name"].astype(str)),
                     "losers": ", ".join(losers["name"].astype(str)), "infeasible": pick.infeasible})
    return ScenarioComparison(summary=pd.DataFrame(rows, columns=COMPARISON_COLUMNS),
                              budgets=pd.concat(budgets, ignore_index=True))
