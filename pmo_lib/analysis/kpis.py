"""The KPI engine: computes the catalogue's KPIs for a planning cycle.

The catalogue (``templates/kpi_catalog.yaml``, loaded by :mod:`pmo_lib.inputs.catalog`) says what each KPI means, its
unit, direction, target, tolerance and red threshold. This module holds one
formula per KPI id. Every formula takes one cycle (:class:`pmo_lib.Cycle`: its
dates, its previous cycle and the tables as known at its end) and returns rows
of ``scope, value, n, note`` (and ``margin``, ``ci_low, ci_high`` where a KPI
has an interval, and the bases a KPI can be rated against).

The status rule: **green** only when the target is met within the KPI's own
tolerance; **amber** when it is missed but the value is not beyond the red
threshold; **red** beyond it; **info** for a descriptive KPI (reported, never
rated); **n/a** when there is no data.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from ..inputs.catalog import FORMULA_BASES, KPI_COLUMNS, KpiCatalog
from ..inputs.config import DEFAULT_FLOW, Flow
from ..inputs.cycles import Cycle
from .schedule import earned_schedule


# --------------------------------------------------------------------------- status

def rag_status(values: pd.Series, direction: pd.Series, target: pd.Series, red: pd.Series, *,
               tolerance: pd.Series | float = 0.0, descriptive: pd.Series | bool = False) -> pd.Series:
    """Green, amber, red, info or n/a for each value against its target.

    - **green** only when the target is met within the tolerance: where higher
      is better ``value >= target - tolerance``, where lower is better
      ``value <= target + tolerance``;
    - **amber** when it misses that but is not beyond ``red`` (a value exactly
      at ``red`` is amber);
    - **red** beyond ``red``: ``value < red`` (higher is better) or
      ``value > red`` (lower is better);
    - **info** for a descriptive KPI with a value (reported, never rated);
    - **n/a** for a missing value, or a KPI without a target.

    ``values``, ``target`` and ``red`` are on the same scale: the KPI's rating
    basis (see ``rate_as`` in the catalogue).
    """
    values = values.astype(float)
    index = values.index
    target = pd.Series(target, index=index, dtype=float)
    red = pd.Series(red, index=index, dtype=float)
    tolerance = pd.Series(tolerance, index=index, dtype=float).fillna(0.0)
    descriptive = pd.Series(descriptive, index=index).fillna(False).astype(bool)
    higher = pd.Series(direction, index=index).eq("higher").to_numpy()
    edge = np.where(higher, target - tolerance, target + tolerance)
    met = np.where(higher, values >= edge, values <= edge)
    beyond_red = red.notna().to_numpy() & np.where(higher, values < red, values > red)
    status = np.select([values.isna().to_numpy(), descriptive.to_numpy(), target.isna().to_numpy(), met, beyond_red],
                       ["n/a", "info", "n/a", "green", "red"], default="amber")
    return pd.Series(status, index=index)


def wilson_interval(successes: float, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson 1927), without continuity correction.

    ``(p̂ + z²/2n ± z·sqrt(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n)``; it stays inside
    0–1 and behaves well for small n and for proportions near 0 or 1
    (Newcombe 1998, method 3). NaN for ``n == 0``.
    """
    if n <= 0:
        return np.nan, np.nan
    z = _z(confidence)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@lru_cache(maxsize=None)
def _z(confidence: float) -> float:
    """The normal quantile of a two-sided ``confidence`` (1.96 for 0.95), looked up once per level."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


# --------------------------------------------------------------------------- helpers

def _row(scope: str, value: float, n: int, note: str = "", margin: float = np.nan, *,
         ci: tuple[float, float] = (np.nan, np.nan), bases: dict[str, float] | None = None) -> dict:
    if not np.isfinite(value):
        value = np.nan
    return {"scope": scope, "value": value, "n": int(n), "note": note if np.isnan(value) or note else "",
            "margin": margin, "ci_low": ci[0], "ci_high": ci[1], "bases": bases or {}}


def _na(reason: str, scope: str = "portfolio") -> list[dict]:
    return [_row(scope, np.nan, 0, reason)]


def _ratio(num: float, den: float) -> float:
    return num / den if den else np.nan


def flow_days(started: pd.Series, finished: pd.Series, *, inclusive: bool = False) -> pd.Series:
    """Flow time in days of items started and finished on the given dates.

    ``finished - started`` in whole days; with ``inclusive`` (pmo.yaml's
    ``flow.inclusive_days``) one day more, as ActionableAgile counts: an item
    started and finished on the same day took 1 day.
    """
    days = (finished - started).dt.days
    return days + 1 if inclusive else days


def flow_percentile(days: np.ndarray | pd.Series, q: float, *, method: str = "linear") -> float:
    """The ``q``-th percentile of flow times, read with NumPy's percentile ``method``.

    ``linear`` (the default) interpolates between observed values; ``lower`` gives
    the observed value at or below it, as 55 Degrees documents. NaN without data.
    """
    values = np.asarray(days, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return np.nan
    return float(np.percentile(values, q, method=method))  # type: ignore[call-overload]


def _date(when: pd.Timestamp) -> str:
    return f"{when.day} {when:%B %Y}"


def cycle_spend(cycle: Cycle) -> pd.DataFrame:
    """Spend in one cycle per initiative, from cumulative actual cost.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, goal_id, spend, budget``: ``spend`` is the
        cumulative AC at the cycle's end minus that at the previous cycle's end.
    """
    tables = cycle.tables
    now = cycle.rows("financials").set_index("initiative_id")
    before = cycle.previous.rows("financials").set_index("initiative_id")["actual_cost"] if cycle.previous else None
    spend = now["actual_cost"] - (before.reindex(now.index).fillna(0) if before is not None else 0)
    out = pd.DataFrame({"spend": spend.clip(lower=0), "budget": now["budget"]}).reset_index()
    goals = tables["initiatives"].set_index("initiative_id")["goal_id"]
    out.insert(1, "goal_id", out["initiative_id"].map(goals))
    return out


# --------------------------------------------------------------------------- formulas

class _Context:
    """One cycle's inputs, with the derived tables several formulas share computed once."""

    def __init__(self, cycle: Cycle, flow: Flow = DEFAULT_FLOW) -> None:
        self.window = cycle
        self.tables = cycle.tables
        self.cycle = cycle.name
        self.flow = flow

    @cached_property
    def finished(self) -> pd.DataFrame:
        """Work items finished in the cycle."""
        return self.window.rows("work_items")

    @cached_property
    def type_shares(self) -> pd.Series:
        return self.finished["item_type"].value_counts(normalize=True)

    @cached_property
    def spend(self) -> pd.DataFrame:
        return cycle_spend(self.window)

    @cached_property
    def schedule(self) -> pd.DataFrame:
        return earned_schedule(self.window)

    @cached_property
    def earned_value(self) -> dict | None:
        """The cycle's earned-value columns per initiative, shared by the six earned-value KPIs (None: no rows)."""
        fin = self.tables["financials"]
        rows = fin[fin["cycle"] == self.cycle].merge(self.tables["initiatives"][["initiative_id", "bac"]],
                                                     on="initiative_id")
        if rows.empty:
            return None
        per = rows.set_index("initiative_id").sort_index()
        ev, ac, pv, bac = per["earned_value"], per["actual_cost"], per["planned_value"], per["bac"]
        cpi = ev / ac.where(ac > 0)
        eac = bac / cpi.where(cpi > 0)
        return {"per": per, "ev": ev, "ac": ac, "pv": pv, "bac": bac, "cpi": cpi, "eac": eac}


Formula = Callable[[_Context, str], list[dict]]
#: kpi_id to its formula, bound to the id: called with the cycle's context only.
FORMULAS: dict[str, Callable[[_Context], list[dict]]] = {}
#: The rating bases (``rate_as``) each formula supplies besides the value itself.
BASES: dict[str, tuple[str, ...]] = {}


def _formula(*ids: str, bases: tuple[str, ...] = ()):
    def register(func: Formula) -> Formula:
        for kpi_id in ids:
            if FORMULA_BASES.get(kpi_id) != bases:
                raise AssertionError(f"{kpi_id}: list it in pmo_lib.inputs.catalog.FORMULA_BASES with bases {bases}")
            def bound(ctx: _Context, _f: Formula = func, _k: str = kpi_id) -> list[dict]:
                return _f(ctx, _k)
            FORMULAS[kpi_id] = bound
            BASES[kpi_id] = bases
        return func
    return register


@_formula("cpi", "spi", "cost_variance", "schedule_variance", "eac", "vac",
          bases=("share_of_ac", "share_of_pv", "share_of_bac"))
def _earned_value(ctx, kpi_id):
    shared = ctx.earned_value  # merged and divided once per cycle, not once per KPI
    if shared is None:
        return _na(f"no financials rows for cycle {ctx.cycle}")
    per, ev, ac, pv, bac, cpi, eac = (shared[k] for k in ("per", "ev", "ac", "pv", "bac", "cpi", "eac"))
    values = {"cpi": lambda: cpi, "spi": lambda: ev / pv.where(pv > 0), "cost_variance": lambda: ev - ac,
              "schedule_variance": lambda: ev - pv, "eac": lambda: eac, "vac": lambda: bac - eac}[kpi_id]()
    portfolio = {
        "cpi": _ratio(ev.sum(), ac.sum()), "spi": _ratio(ev.sum(), pv.sum()),
        "cost_variance": ev.sum() - ac.sum(), "schedule_variance": ev.sum() - pv.sum(),
        "eac": eac.sum(min_count=1), "vac": (bac[eac.notna()] - eac.dropna()).sum(min_count=1),
    }[kpi_id]
    # EAC and VAC are rated against the budget of the initiatives that have an EAC.
    portfolio_bases = {"share_of_ac": ac.sum(), "share_of_pv": pv.sum(),
                       "share_of_bac": bac[eac.notna()].sum() if eac.notna().any() else np.nan}
    out = [_row("portfolio", portfolio, len(per), bases=portfolio_bases)]
    for initiative, value, a, p, b in zip(values.index, values.to_numpy(), ac.to_numpy(), pv.to_numpy(),
                                          bac.to_numpy()):
        bases = {"share_of_ac": a, "share_of_pv": p, "share_of_bac": b}
        out.append(_row(initiative, value, 1, "" if pd.notna(value) else "no actual or planned cost yet",
                        bases=bases))
    return out


@_formula("strategic_alignment")
def _alignment(ctx, kpi_id):
    spend = ctx.spend
    if spend.empty or spend["spend"].sum() == 0:
        return _na(f"no spend recorded for cycle {ctx.cycle}")
    aligned = spend.loc[spend["goal_id"].notna(), "spend"].sum()
    return [_row("portfolio", aligned / spend["spend"].sum(), len(spend))]


@_formula("goal_mix_deviation")
def _goal_mix(ctx, kpi_id):
    goals = ctx.tables["goals"]
    if goals.empty or goals["target_share"].isna().all():
        return _na("no goal has a target_share")
    spend = ctx.spend
    total = spend["spend"].sum()
    if total == 0:
        return _na(f"no spend recorded for cycle {ctx.cycle}")
    share = spend.groupby("goal_id")["spend"].sum() / total
    targeted = goals.dropna(subset=["target_share"]).set_index("goal_id")["target_share"]
    gap = (share.reindex(targeted.index).fillna(0) - targeted).abs()
    return [_row("portfolio", gap.max(), len(targeted), f"largest gap: goal {gap.idxmax()}")]


@_formula("budget_reallocation")
def _reallocation(ctx, kpi_id):
    w = ctx.window
    if w.previous is None:
        return _na("first cycle: there is no previous budget to compare with")
    now = w.rows("financials").groupby("initiative_id")["budget"].sum()
    before = w.previous.rows("financials").groupby("initiative_id")["budget"].sum()
    # A reallocation moves money between initiatives funded in both cycles: the budget an initiative no longer
    # gets because it ended, and the budget of one that starts, are not moved by the board's funding rules
    ids = now.index.intersection(before.index)
    ids = ids[(now.reindex(ids) > 0).to_numpy() & (before.reindex(ids) > 0).to_numpy()]
    if not len(ids):
        return _na("no initiative has budget in this and the previous cycle")
    now, before = now.reindex(ids), before.reindex(ids)
    delta = now / now.sum() - before / before.sum()
    return [_row("portfolio", 0.5 * delta.abs().sum(), len(ids))]


@_formula("on_time_delivery")
def _on_time(ctx, kpi_id):
    w = ctx.window
    ini = ctx.tables["initiatives"]
    closed = ini[ini["actual_end_date"].between(w.start, w.end)]
    if closed.empty:
        return _na("no initiative finished in this cycle")
    on_time = (closed["actual_end_date"] <= closed["planned_end_date"]).sum()
    return [_row("portfolio", on_time / len(closed), len(closed), ci=wilson_interval(on_time, len(closed)))]


def nps_score(scores: pd.Series) -> tuple[float, float, int]:
    """Net promoter score and its 95% margin of error.

    Returns
    -------
    tuple
        ``(nps, margin, n)``: NPS in points (-100 to 100) and the margin
        1.96 · 100 · sqrt((pP + pD - (pP - pD)²) / n).
    """
    scores = scores.dropna()
    n = len(scores)
    if n == 0:
        return np.nan, np.nan, 0
    p_p = (scores >= 9).mean()
    p_d = (scores <= 6).mean()
    var = p_p + p_d - (p_p - p_d) ** 2
    return 100 * (p_p - p_d), 1.96 * 100 * np.sqrt(var / n), n


@_formula("nps", "csat")
def _customer(ctx, kpi_id):
    cycle = ctx.cycle
    fb = ctx.tables["feedback"]
    rows = fb[(fb["cycle"] == cycle) & fb[kpi_id].notna()]
    if rows.empty:
        return _na(f"no {kpi_id.upper()} answers for cycle {cycle}")

    def one(scope, answers):
        if kpi_id == "nps":
            value, margin, n = nps_score(answers)
            return _row(scope, value, n, margin=margin, ci=(max(value - margin, -100.0), min(value + margin, 100.0)))
        return _row(scope, (answers >= 4).mean(), len(answers), ci=wilson_interval((answers >= 4).sum(), len(answers)))

    out = [one("portfolio", rows[kpi_id])]
    out += [one(i, g) for i, g in rows[kpi_id].groupby(rows["initiative_id"], sort=True)]  # the column alone
    return out


@_formula("benefits_realization")
def _benefits(ctx, kpi_id):
    cycle = ctx.cycle
    ben = ctx.tables["benefits"]
    rows = ben[ben["cycle"] == cycle]
    if rows.empty:
        return _na(f"no benefits rows for cycle {cycle}")
    out = [_row("portfolio", _ratio(rows["realized_benefit"].sum(), rows["planned_benefit"].sum()), len(rows))]
    for i, g in rows.groupby("initiative_id", sort=True):
        value = _ratio(g["realized_benefit"].sum(), g["planned_benefit"].sum())
        out.append(_row(i, value, len(g), "" if pd.notna(value) else "no benefit planned"))
    return out


@_formula("throughput")
def _throughput(ctx, kpi_id):
    if ctx.tables["work_items"].empty:
        return _na("no work items")
    return [_row("portfolio", float(len(ctx.finished)), len(ctx.finished))]


@_formula("flow_time_p50", "flow_time_p85")
def _flow_time(ctx, kpi_id):
    done = ctx.finished.dropna(subset=["started"])
    if done.empty:
        return _na("no work item finished in this cycle")
    days = flow_days(done["started"], done["finished"], inclusive=ctx.flow.inclusive_days).to_numpy(dtype=float)
    q = 50 if kpi_id.endswith("p50") else 85
    return [_row("portfolio", flow_percentile(days, q, method=ctx.flow.percentile_method), len(days))]


@_formula("wip", bases=("share_of_throughput",))
def _wip(ctx, kpi_id):
    items = ctx.tables["work_items"]
    if items.empty:
        return _na("no work items")
    end = ctx.window.end
    open_ = (items["started"] <= end) & (items["finished"].isna() | (items["finished"] > end))
    return [_row("portfolio", float(open_.sum()), int(open_.sum()),
                 bases={"share_of_throughput": float(len(ctx.finished))})]


@_formula("flow_distribution_feature", "flow_distribution_defect", "flow_distribution_risk",
          "flow_distribution_debt")
def _distribution(ctx, kpi_id):
    if ctx.finished.empty:
        return _na("no work item finished in this cycle")
    kind = kpi_id.rsplit("_", 1)[1]
    return [_row("portfolio", float(ctx.type_shares.get(kind, 0.0)), len(ctx.finished))]


@_formula("open_high_risks")
def _risks(ctx, kpi_id):
    raid = ctx.tables["raid"]
    if raid.empty:
        return _na("no RAID log")
    end = ctx.window.end
    open_at_end = (raid["raised_date"] <= end) & (
        raid["closed_date"].isna() & raid["status"].eq("open") | (raid["closed_date"] > end))
    hit = open_at_end & raid["kind"].isin(["risk", "issue"]) & raid["severity"].isin(["high", "critical"])
    return [_row("portfolio", float(hit.sum()), int(hit.sum()))]


@_formula("spi_t", "sv_t", "ieac_t", bases=("share_of_planned_duration",))
def _earned_schedule(ctx, kpi_id):
    es = ctx.schedule
    if es.empty:
        return _na(f"no financials rows for cycle {ctx.cycle}")
    column = {"spi_t": "spi_t", "sv_t": "sv_t", "ieac_t": "ieac_t_days"}[kpi_id]
    out = []
    for r in es.itertuples(index=False):
        value = float(getattr(r, column))
        note = r.note
        if kpi_id == "ieac_t" and pd.notna(r.ieac_t_date):
            note = f"forecast finish {_date(r.ieac_t_date)}, planned {_date(r.planned_end_date)}"
        out.append(_row(r.scope, value, 1 if r.scope != "portfolio" else len(es) - 1, note,
                        bases={"share_of_planned_duration": float(r.pd_days)}))
    return out


# --------------------------------------------------------------------------- engine

if list(FORMULAS) != list(FORMULA_BASES):  # the catalogue check and the engine must agree, in the same order
    raise AssertionError(f"formulas {list(FORMULAS)} differ from pmo_lib.inputs.catalog.FORMULA_BASES")


def compute_kpis(cycle: Cycle, catalog: KpiCatalog, *, flow: Flow | None = None) -> pd.DataFrame:
    """Compute every KPI of the catalogue for one cycle and rate it.

    Parameters
    ----------
    cycle : Cycle
        The cycle; its tables are read as known at its end. A KPI needing a
        table the workspace does not provide (``cycle.present``) is n/a with
        the reason.
    catalog : KpiCatalog
    flow : Flow, optional
        How flow times are counted and read; default the catalogue's
        (pmo.yaml's ``flow``, the defaults without a workspace).

    Returns
    -------
    DataFrame
        Columns ``kpi_id, name, step, scope, value, unit, target, status, n,
        margin, note, uncertain, ci_low, ci_high, rated_value, rate_as,
        tolerance, red, direction``. ``scope`` is ``portfolio`` or an
        initiative_id. ``status`` is green, amber, red, info (descriptive) or
        n/a (no data; ``note`` says why). ``rated_value`` is what the status
        compares with ``target`` and ``red``: the value itself, or for a KPI
        rated as a share (``rate_as``) the value divided by its basis.
        ``ci_low, ci_high`` is the 95% interval where the KPI has one (NPS:
        value ± margin; CSAT and on-time delivery: Wilson score interval);
        ``uncertain`` is true when that interval reaches the green edge
        (target ∓ tolerance), so the status could be the other side of it.
    """
    present = cycle.present
    ctx = _Context(cycle, flow if flow is not None else getattr(catalog, "flow", DEFAULT_FLOW))
    max_shift = getattr(catalog, "max_shift", None)
    records: list[dict] = []  # every KPI's rows, as one table at the end (not a DataFrame per KPI)
    for spec in catalog.table.itertuples(index=False):
        missing = [t for t in spec.needs if t not in present]
        if missing:
            rows = _na(f"the workspace has no {', '.join(missing)} table")
        else:
            rows = FORMULAS[spec.kpi_id](ctx)
        if "initiative" not in spec.scopes:
            rows = [r for r in rows if r["scope"] == "portfolio"]
        rate_as = getattr(spec, "rate_as", "value")
        fields = dict(kpi_id=spec.kpi_id, name=spec.name, step=spec.step, unit=spec.unit, target=spec.target,
                      rate_as=rate_as, tolerance=getattr(spec, "tolerance", 0.0), red=spec.red,
                      direction=spec.direction, descriptive=bool(getattr(spec, "descriptive", False)),
                      ceiling=max_shift if spec.kpi_id == "budget_reallocation" and max_shift is not None else np.nan)
        for r in rows:
            value = float(r["value"])
            if rate_as == "value":
                rated = value
            else:  # the value as a share of its basis; no basis (missing or not above zero) rates nothing
                basis = float(r["bases"].get(rate_as, np.nan))
                rated = value / basis if basis > 0 else np.nan
            records.append({**{k: v for k, v in r.items() if k != "bases"}, **fields, "rated_value": rated})
    out = pd.DataFrame.from_records(records)
    for column in ("target", "tolerance", "red", "rated_value", "ci_low", "ci_high", "margin", "ceiling"):
        out[column] = out[column].astype(float)
    out["status"] = rag_status(out["rated_value"], out["direction"], out["target"], out["red"],
                               tolerance=out["tolerance"], descriptive=out["descriptive"])
    no_basis = out["value"].notna() & out["rated_value"].isna() & out["rate_as"].ne("value")
    out.loc[no_basis, "note"] = "no basis to rate it against (the basis is zero or missing)"
    out.loc[out["value"].isna() | no_basis, "status"] = "n/a"
    # above its ceiling (budget moved beyond what the funding rules allow without the board) a KPI is never on track
    over = out["ceiling"].notna() & (out["rated_value"] > out["ceiling"]) & out["status"].eq("green")
    out.loc[over, "status"] = "amber"
    out.loc[over, "note"] = "above the share the funding rules let move without the board"
    edge = np.where(out["direction"].eq("higher"), out["target"] - out["tolerance"], out["target"] + out["tolerance"])
    out["uncertain"] = (out["status"].isin(["green", "amber", "red"]) & (out["ci_low"] <= edge)
                        & (edge <= out["ci_high"])).astype(bool)
    return out[KPI_COLUMNS].reset_index(drop=True)


def kpi_history(cycle: Cycle, catalog: KpiCatalog, *, scope: str = "portfolio") -> pd.DataFrame:
    """Compute the KPIs for every cycle up to and including ``cycle``.

    Each cycle's KPIs are computed as known at that cycle's end
    (:attr:`pmo_lib.Cycle.history`); later cycles are left out.

    Returns
    -------
    DataFrame
        The columns of :func:`compute_kpis` plus ``cycle``, for one scope, in cycle order.
    """
    frames = []
    for past in cycle.history:
        frame = compute_kpis(past, catalog)
        frames.append(frame[frame["scope"] == scope].assign(cycle=past.name))
    return pd.concat(frames, ignore_index=True)
