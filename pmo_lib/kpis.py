"""The KPI catalogue and the engine that computes it for a planning cycle.

The catalogue (``templates/kpi_catalog.yaml``) says what each KPI means, its
unit, direction and thresholds. This module holds one formula per KPI id.
Every formula takes the validated workspace tables and one cycle and returns
rows of ``scope, value, n, note`` (and ``margin`` where a KPI has one).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .config import Config, load_validated
from .exceptions import ConfigError, Problem
from .resources import TEMPLATES_DIR
from .tables import TABLES

UNITS = ("ratio", "share", "currency", "days", "count", "points")
KPI_COLUMNS = ["kpi_id", "name", "step", "scope", "value", "unit", "target", "status",
               "n", "margin", "note"]


class _KpiSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    step: int = Field(ge=1, le=4)
    definition: str
    formula: str
    unit: str
    direction: str
    target: float | None = None
    amber: float | None = None
    red: float | None = None
    scopes: list[str] = Field(min_length=1)
    needs: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> _KpiSpec:
        if self.unit not in UNITS:
            raise ValueError(f"unit {self.unit!r} is not one of {', '.join(UNITS)}")
        if self.direction not in ("higher", "lower"):
            raise ValueError(f"direction must be 'higher' or 'lower', got {self.direction!r}")
        bad = set(self.scopes) - {"portfolio", "initiative"}
        if bad:
            raise ValueError(f"scopes may be portfolio and initiative, got {sorted(bad)}")
        unknown = set(self.needs) - set(TABLES)
        if unknown:
            raise ValueError(f"needs unknown tables {sorted(unknown)}")
        if self.amber is not None and self.red is not None:
            if (self.direction == "higher" and self.red > self.amber) or (
                    self.direction == "lower" and self.red < self.amber):
                raise ValueError(f"red ({self.red}) must lie beyond amber ({self.amber}) "
                                 f"for a KPI where {self.direction} is better")
        return self


class _Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kpis: list[_KpiSpec] = Field(min_length=1)


@dataclass(frozen=True)
class KpiCatalog:
    """The validated KPI catalogue.

    Attributes
    ----------
    table : DataFrame
        One row per KPI: ``kpi_id, name, step, definition, formula, unit,
        direction, target, amber, red, scopes, needs``.
    """

    table: pd.DataFrame

    def spec(self, kpi_id: str) -> pd.Series:
        return self.table.set_index("kpi_id").loc[kpi_id]

    @property
    def ids(self) -> list[str]:
        return self.table["kpi_id"].tolist()

    @property
    def directions(self) -> dict[str, str]:
        """kpi_id to ``"higher"`` or ``"lower"`` (is better)."""
        return self.table.set_index("kpi_id")["direction"].to_dict()


def load_catalog(path: str | Path | None = None, *, config: Config | None = None) -> KpiCatalog:
    """Load the KPI catalogue and apply the workspace's overrides.

    Parameters
    ----------
    path : str or Path, optional
        Catalogue YAML; default ``templates/kpi_catalog.yaml``.
    config : Config, optional
        Its ``targets.kpis`` and ``thresholds.kpis`` override the catalogue.

    Raises
    ------
    ConfigError
        For unknown keys, bad values, duplicate ids, ids without a formula and
        overrides naming unknown KPIs.
    """
    path = Path(path) if path is not None else TEMPLATES_DIR / "kpi_catalog.yaml"
    raw, lines = load_validated(path, _Catalog, table="KPI catalogue")
    problems = []
    ids = [k.id for k in raw.kpis]
    for i, k in enumerate(raw.kpis):
        if ids.count(k.id) > 1:
            problems.append(Problem(str(path), "KPI catalogue", "duplicate KPI id",
                                    row=lines.get(("kpis", i)), column="id", value=k.id))
        if k.id not in FORMULAS:
            problems.append(Problem(str(path), "KPI catalogue",
                                    f"no formula is implemented for this KPI; known: {', '.join(FORMULAS)}",
                                    row=lines.get(("kpis", i)), column="id", value=k.id))
    table = pd.DataFrame([k.model_dump() for k in raw.kpis]).rename(columns={"id": "kpi_id"})
    if config is not None:
        for kpi_id, target in config.targets.kpis.items():
            if kpi_id not in ids:
                problems.append(Problem("pmo.yaml", "pmo.yaml", f"targets.kpis names an unknown KPI; known: {', '.join(ids)}",
                                        column=f"targets.kpis.{kpi_id}", value=kpi_id))
            else:
                table.loc[table["kpi_id"] == kpi_id, "target"] = target
        for kpi_id, thr in config.thresholds.kpis.items():
            if kpi_id not in ids:
                problems.append(Problem("pmo.yaml", "pmo.yaml", f"thresholds.kpis names an unknown KPI; known: {', '.join(ids)}",
                                        column=f"thresholds.kpis.{kpi_id}", value=kpi_id))
                continue
            for key in ("amber", "red"):
                if getattr(thr, key) is not None:
                    table.loc[table["kpi_id"] == kpi_id, key] = getattr(thr, key)
    if problems:
        raise ConfigError(problems)
    return KpiCatalog(table=table)


# --------------------------------------------------------------------------- status

def rag_status(values: pd.Series, direction: pd.Series, amber: pd.Series, red: pd.Series) -> pd.Series:
    """Red, amber or green for each value against its thresholds.

    Where higher is better a value below ``amber`` is amber and below ``red``
    is red; where lower is better, above. A missing value is ``n/a``; a KPI
    without thresholds is ``n/a`` too (it is reported, not judged).
    """
    higher = direction.eq("higher")
    below_red = np.where(higher, values < red, values > red)
    below_amber = np.where(higher, values < amber, values > amber)
    status = np.select([values.isna() | amber.isna() & red.isna(),
                        red.notna() & below_red, amber.notna() & below_amber],
                       ["n/a", "red", "amber"], default="green")
    return pd.Series(status, index=values.index)


# --------------------------------------------------------------------------- helpers

@dataclass(frozen=True)
class _Window:
    cycle: str
    previous: str | None
    start: pd.Timestamp
    end: pd.Timestamp


def _window(tables: dict[str, pd.DataFrame], cycle: str) -> _Window:
    cycles = tables["cycles"].reset_index(drop=True)
    i = int(cycles.index[cycles["cycle"] == cycle][0])
    return _Window(cycle, cycles["cycle"].iloc[i - 1] if i > 0 else None,
                   cycles["start_date"].iloc[i], cycles["end_date"].iloc[i])


def _row(scope: str, value: float, n: int, note: str = "", margin: float = np.nan) -> dict:
    if not np.isfinite(value):
        value = np.nan
    return {"scope": scope, "value": value, "n": int(n), "note": note if np.isnan(value) or note else "",
            "margin": margin}


def _na(reason: str, scope: str = "portfolio") -> list[dict]:
    return [{"scope": scope, "value": np.nan, "n": 0, "note": reason, "margin": np.nan}]


def _ratio(num: float, den: float) -> float:
    return num / den if den else np.nan


def cycle_spend(tables: dict[str, pd.DataFrame], cycle: str) -> pd.DataFrame:
    """Spend in one cycle per initiative, from cumulative actual cost.

    Returns
    -------
    DataFrame
        Columns ``initiative_id, goal_id, spend, budget``: ``spend`` is the
        cumulative AC at the cycle's end minus that at the previous cycle's end.
    """
    w = _window(tables, cycle)
    fin = tables["financials"]
    now = fin[fin["cycle"] == cycle].set_index("initiative_id")
    before = fin[fin["cycle"] == w.previous].set_index("initiative_id")["actual_cost"] if w.previous else None
    spend = now["actual_cost"] - (before.reindex(now.index).fillna(0) if before is not None else 0)
    out = pd.DataFrame({"spend": spend.clip(lower=0), "budget": now["budget"]}).reset_index()
    goals = tables["initiatives"].set_index("initiative_id")["goal_id"]
    out.insert(1, "goal_id", out["initiative_id"].map(goals))
    return out


# --------------------------------------------------------------------------- formulas

class _Cycle:
    """One cycle's inputs, with the derived tables several formulas share computed once."""

    def __init__(self, tables: dict[str, pd.DataFrame], cycle: str) -> None:
        self.tables = tables
        self.cycle = cycle

    @cached_property
    def window(self) -> _Window:
        return _window(self.tables, self.cycle)

    @cached_property
    def finished(self) -> pd.DataFrame:
        """Work items finished in the cycle."""
        items = self.tables["work_items"]
        return items[items["finished"].between(self.window.start, self.window.end)]

    @cached_property
    def type_shares(self) -> pd.Series:
        return self.finished["item_type"].value_counts(normalize=True)

    @cached_property
    def spend(self) -> pd.DataFrame:
        return cycle_spend(self.tables, self.cycle)


Formula = Callable[[_Cycle, str], list[dict]]
FORMULAS: dict[str, Formula] = {}


def _formula(*ids: str):
    def register(func: Formula) -> Formula:
        for kpi_id in ids:
            FORMULAS[kpi_id] = lambda ctx, _f=func, _k=kpi_id: _f(ctx, _k)
        return func
    return register


@_formula("cpi", "spi", "cost_variance", "schedule_variance", "eac", "vac")
def _earned_value(ctx, kpi_id):
    tables, cycle = ctx.tables, ctx.cycle
    fin = tables["financials"]
    rows = fin[fin["cycle"] == cycle].merge(tables["initiatives"][["initiative_id", "bac"]], on="initiative_id")
    if rows.empty:
        return _na(f"no financials rows for cycle {cycle}")
    per = rows.set_index("initiative_id").sort_index()
    ev, ac, pv, bac = per["earned_value"], per["actual_cost"], per["planned_value"], per["bac"]
    cpi = ev / ac.where(ac > 0)
    eac = bac / cpi.where(cpi > 0)
    values = {"cpi": cpi, "spi": ev / pv.where(pv > 0), "cost_variance": ev - ac,
              "schedule_variance": ev - pv, "eac": eac, "vac": bac - eac}[kpi_id]
    portfolio = {
        "cpi": _ratio(ev.sum(), ac.sum()), "spi": _ratio(ev.sum(), pv.sum()),
        "cost_variance": ev.sum() - ac.sum(), "schedule_variance": ev.sum() - pv.sum(),
        "eac": eac.sum(min_count=1), "vac": (bac[eac.notna()] - eac.dropna()).sum(min_count=1),
    }[kpi_id]
    out = [_row("portfolio", portfolio, len(per))]
    for initiative, value in values.items():
        out.append(_row(initiative, value, 1, "" if pd.notna(value) else "no actual or planned cost yet"))
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
    tables, cycle, w = ctx.tables, ctx.cycle, ctx.window
    if w.previous is None:
        return _na("first cycle: there is no previous budget to compare with")
    fin = tables["financials"]
    now = fin[fin["cycle"] == cycle].groupby("initiative_id")["budget"].sum()
    before = fin[fin["cycle"] == w.previous].groupby("initiative_id")["budget"].sum()
    if now.sum() == 0 or before.sum() == 0:
        return _na("no budget in this or the previous cycle")
    ids = now.index.union(before.index)
    delta = (now.reindex(ids).fillna(0) / now.sum()) - (before.reindex(ids).fillna(0) / before.sum())
    return [_row("portfolio", 0.5 * delta.abs().sum(), len(ids))]


@_formula("on_time_delivery")
def _on_time(ctx, kpi_id):
    w = ctx.window
    ini = ctx.tables["initiatives"]
    closed = ini[ini["actual_end_date"].between(w.start, w.end)]
    if closed.empty:
        return _na("no initiative finished in this cycle")
    on_time = (closed["actual_end_date"] <= closed["planned_end_date"]).sum()
    return [_row("portfolio", on_time / len(closed), len(closed))]


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
            return _row(scope, value, n, margin=margin)
        return _row(scope, (answers >= 4).mean(), len(answers))

    out = [one("portfolio", rows[kpi_id])]
    out += [one(i, g[kpi_id]) for i, g in rows.groupby("initiative_id", sort=True)]
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
    days = (done["finished"] - done["started"]).dt.days.to_numpy(dtype=float)
    q = 50 if kpi_id.endswith("p50") else 85
    return [_row("portfolio", float(np.percentile(days, q)), len(days))]


@_formula("wip")
def _wip(ctx, kpi_id):
    items = ctx.tables["work_items"]
    if items.empty:
        return _na("no work items")
    end = ctx.window.end
    open_ = (items["started"] <= end) & (items["finished"].isna() | (items["finished"] > end))
    return [_row("portfolio", float(open_.sum()), int(open_.sum()))]


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


# --------------------------------------------------------------------------- engine

def compute_kpis(tables: dict[str, pd.DataFrame], cycle: str, catalog: KpiCatalog, *,
                 present: set[str] | None = None) -> pd.DataFrame:
    """Compute every KPI of the catalogue for one cycle.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The workspace's validated tables.
    cycle : str
    catalog : KpiCatalog
    present : set of str, optional
        Tables the workspace provides; a KPI needing a missing one is n/a with
        the reason. Default: every non-empty table.

    Returns
    -------
    DataFrame
        Columns ``kpi_id, name, step, scope, value, unit, target, status, n,
        margin, note``. ``scope`` is ``portfolio`` or an initiative_id.
    """
    present = present if present is not None else {k for k, v in tables.items() if not v.empty}
    ctx = _Cycle(tables, cycle)
    frames = []
    for spec in catalog.table.itertuples(index=False):
        missing = [t for t in spec.needs if t not in present]
        if missing:
            rows = _na(f"the workspace has no {', '.join(missing)} table")
        else:
            rows = FORMULAS[spec.kpi_id](ctx)
        frame = pd.DataFrame(rows)
        if "initiative" not in spec.scopes:
            frame = frame[frame["scope"] == "portfolio"]
        frame = frame.assign(kpi_id=spec.kpi_id, name=spec.name, step=spec.step, unit=spec.unit,
                             target=spec.target, _dir=spec.direction, _amber=spec.amber, _red=spec.red)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["target"] = out["target"].astype(float)
    out["status"] = rag_status(out["value"].astype(float), out["_dir"], out["_amber"].astype(float),
                               out["_red"].astype(float))
    out.loc[out["value"].isna(), "status"] = "n/a"
    return out[KPI_COLUMNS].reset_index(drop=True)


def kpi_history(tables: dict[str, pd.DataFrame], catalog: KpiCatalog, *,
                present: set[str] | None = None, scope: str = "portfolio") -> pd.DataFrame:
    """Compute the KPIs for every cycle.

    Returns
    -------
    DataFrame
        The columns of :func:`compute_kpis` plus ``cycle``, for one scope.
    """
    frames = []
    for cycle in tables["cycles"]["cycle"]:
        frame = compute_kpis(tables, cycle, catalog, present=present)
        frames.append(frame[frame["scope"] == scope].assign(cycle=cycle))
    return pd.concat(frames, ignore_index=True)
