"""The KPI catalogue: what each KPI means, its unit, direction, target, tolerance and red
threshold, loaded and checked from YAML with the overrides of pmo.yaml.

The engine that computes the KPIs for a cycle is :mod:`pmo_lib.analysis.kpis`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .config import DEFAULT_FLOW, Config, Flow, load_validated
from .exceptions import ConfigError, Problem
from .resources import TEMPLATES_DIR
from .tables import TABLES

UNITS = ("ratio", "share", "currency", "days", "count", "points")
DIRECTIONS = ("higher", "lower", "none")
STATUSES = ("green", "amber", "red", "info", "n/a")
KPI_COLUMNS = ["kpi_id", "name", "step", "scope", "value", "unit", "target", "status",
               "n", "margin", "note", "uncertain", "ci_low", "ci_high", "rated_value", "rate_as", "tolerance", "red",
               "direction", "ceiling"]

#: What a KPI's target and thresholds may be compared with, and the units it applies to.
RATING_BASES: dict[str, tuple[str, ...]] = {
    "value": UNITS,
    "share_of_ac": ("currency",),
    "share_of_pv": ("currency",),
    "share_of_bac": ("currency",),
    "share_of_throughput": ("count",),
    "share_of_planned_duration": ("days",),
}
#: The natural range of each unit; control limits are clipped to it (None = open).
NATURAL_RANGE: dict[str, tuple[float | None, float | None]] = {
    "share": (0.0, 1.0), "ratio": (0.0, None), "days": (0.0, None), "count": (0.0, None),
    "points": (-100.0, 100.0), "currency": (None, None),
}
#: What ``n`` counts for the KPIs with an interval: (one, many).
COUNT_NOUNS: dict[str, tuple[str, str]] = {
    "nps": ("answer", "answers"), "csat": ("answer", "answers"),
    "on_time_delivery": ("closed initiative", "closed initiatives"),
}


#: The KPIs the engine (:mod:`pmo_lib.analysis.kpis`) computes, in its order, each with the
#: rating bases (``rate_as``) its formula supplies besides the value itself. The catalogue is
#: checked against it when it loads; the engine registers exactly these formulas (it checks
#: itself against this list when imported).
FORMULA_BASES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("cpi", "spi", "cost_variance", "schedule_variance", "eac", "vac"),
                    ("share_of_ac", "share_of_pv", "share_of_bac")),
    **dict.fromkeys(("strategic_alignment", "goal_mix_deviation", "budget_reallocation", "on_time_delivery",
                     "nps", "csat", "benefits_realization", "throughput", "flow_time_p50", "flow_time_p85"), ()),
    "wip": ("share_of_throughput",),
    **dict.fromkeys(("flow_distribution_feature", "flow_distribution_defect", "flow_distribution_risk",
                     "flow_distribution_debt", "open_high_risks"), ()),
    **dict.fromkeys(("spi_t", "sv_t", "ieac_t"), ("share_of_planned_duration",)),
}


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
    tolerance: float = Field(0.0, ge=0)
    red: float | None = None
    descriptive: bool = False
    rate_as: str = "value"
    bounds: tuple[float | None, float | None] | None = None
    scopes: list[str] = Field(min_length=1)
    needs: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> _KpiSpec:
        if self.unit not in UNITS:
            raise ValueError(f"unit {self.unit!r} is not one of {', '.join(UNITS)}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'higher', 'lower' or 'none', got {self.direction!r}")
        bad = set(self.scopes) - {"portfolio", "initiative"}
        if bad:
            raise ValueError(f"scopes may be portfolio and initiative, got {sorted(bad)}")
        unknown = set(self.needs) - set(TABLES)
        if unknown:
            raise ValueError(f"needs unknown tables {sorted(unknown)}")
        if self.rate_as not in RATING_BASES:
            raise ValueError(f"rate_as {self.rate_as!r} is not one of {', '.join(RATING_BASES)}")
        if self.unit not in RATING_BASES[self.rate_as]:
            raise ValueError(f"rate_as {self.rate_as!r} applies to a KPI in {', '.join(RATING_BASES[self.rate_as])}, "
                             f"not {self.unit}")
        if self.bounds is not None:
            low, high = self.bounds
            if low is not None and high is not None and low >= high:
                raise ValueError(f"bounds must be [low, high] with low < high, got {list(self.bounds)}")
        problem = rating_problem(self.direction, self.target, self.tolerance, self.red, self.descriptive)
        if problem:
            raise ValueError(problem)
        return self


def rating_problem(direction: str, target: float | None, tolerance: float | None, red: float | None,
                   descriptive: bool) -> str:
    """Why a KPI's rating rule is inconsistent, or ``""`` when it is sound."""
    if descriptive:
        if target is not None and not pd.isna(target) or red is not None and not pd.isna(red) or tolerance:
            return "a descriptive KPI is shown for information only: it takes no target, tolerance or red threshold"
        return ""
    if direction == "none":
        return "direction 'none' is allowed only for a descriptive KPI (descriptive: true)"
    if target is None or pd.isna(target):
        return "a KPI that is not descriptive needs a target (or declare it descriptive: true)"
    if red is not None and not pd.isna(red):
        edge = green_edge(direction, target, tolerance or 0.0)
        if (direction == "higher" and red > edge) or (direction == "lower" and red < edge):
            return (f"red ({red:g}) must not lie inside the green band (target {target:g}, tolerance "
                    f"{tolerance or 0:g}) for a KPI where {direction} is better")
    return ""


def green_edge(direction: str, target: float, tolerance: float) -> float:
    """The last value that is still green: target - tolerance (higher is better) or target + tolerance."""
    return target - tolerance if direction == "higher" else target + tolerance


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
        direction, target, tolerance, red, descriptive, rate_as, bounds,
        scopes, needs, amber``. ``amber`` is derived, kept for compatibility:
        the green edge (target - tolerance where higher is better, target +
        tolerance where lower), beyond which the KPI is amber; NaN for a
        descriptive KPI. ``bounds`` is the natural range (low, high), from the
        catalogue or the unit's default.
    flow : Flow
        The workspace's flow conventions (``flow`` in pmo.yaml): how the
        flow-time KPIs count days and read percentiles.
    """

    table: pd.DataFrame
    #: How flow times are counted and read (pmo.yaml's ``flow``), for the flow-time KPIs.
    flow: Flow = DEFAULT_FLOW
    #: The share of the budget the funding rules let move between cycles without the board (pmo.yaml's
    #: ``funding.max_shift``): budget reallocation above it is never on track. None: no ceiling.
    max_shift: float | None = None

    def spec(self, kpi_id: str) -> pd.Series:
        return self.table.set_index("kpi_id").loc[kpi_id]

    @property
    def ids(self) -> list[str]:
        return self.table["kpi_id"].tolist()

    @property
    def directions(self) -> dict[str, str]:
        """kpi_id to ``"higher"``, ``"lower"`` (is better) or ``"none"`` (descriptive)."""
        return self.table.set_index("kpi_id")["direction"].to_dict()

    @property
    def bounds(self) -> dict[str, tuple[float | None, float | None]]:
        """kpi_id to its natural range (low, high); None is open."""
        if "bounds" in self.table:
            return self.table.set_index("kpi_id")["bounds"].to_dict()
        if "unit" in self.table:
            return {k: NATURAL_RANGE.get(u, (None, None)) for k, u in zip(self.table["kpi_id"], self.table["unit"])}
        return {}


def load_catalog(path: str | Path | None = None, *, config: Config | None = None,
                 config_file: str = "pmo.yaml", config_lines: dict[tuple, int] | None = None) -> KpiCatalog:
    """Load the KPI catalogue and apply the workspace's overrides.

    Parameters
    ----------
    path : str or Path, optional
        Catalogue YAML; default ``templates/kpi_catalog.yaml``.
    config : Config, optional
        Its ``targets.kpis`` and ``thresholds.kpis`` override the catalogue.
        ``thresholds.kpis.<id>.amber`` is the older way of saying where amber
        begins; it becomes the tolerance ``|target - amber|``. The goal mix
        deviation takes ``thresholds.goal_mix_tolerance`` as its tolerance, so
        that the KPI and the spend guardrail agree.
    config_file, config_lines : optional
        Where ``config`` was read from and the line of each of its keys (see
        :func:`pmo_lib.inputs.config.load_yaml`), so that a problem with an override
        names its file and line.

    Raises
    ------
    ConfigError
        For unknown keys, bad values, duplicate ids, ids without a formula,
        overrides naming unknown KPIs and overrides that make a rating rule
        inconsistent.
    """
    path = Path(path) if path is not None else TEMPLATES_DIR / "kpi_catalog.yaml"
    raw, lines = load_validated(path, _Catalog, table="KPI catalogue")
    problems = []
    ids = [k.id for k in raw.kpis]
    for i, k in enumerate(raw.kpis):
        if ids.count(k.id) > 1:
            problems.append(Problem(str(path), "KPI catalogue", "duplicate KPI id",
                                    row=lines.get(("kpis", i)), column="id", value=k.id))
        if k.id not in FORMULA_BASES:
            problems.append(Problem(str(path), "KPI catalogue",
                                    f"no formula is implemented for this KPI; known: {', '.join(FORMULA_BASES)}",
                                    row=lines.get(("kpis", i)), column="id", value=k.id))
        elif k.rate_as != "value" and k.rate_as not in FORMULA_BASES.get(k.id, ()):
            known = ", ".join(["value", *FORMULA_BASES.get(k.id, ())])
            problems.append(Problem(str(path), "KPI catalogue", f"this KPI cannot be rated as {k.rate_as}; it can be "
                                    f"rated as: {known}", row=lines.get(("kpis", i)), column="rate_as", value=k.rate_as))
    table = pd.DataFrame([k.model_dump() for k in raw.kpis]).rename(columns={"id": "kpi_id"})
    table["target"] = table["target"].astype(float)
    table["red"] = table["red"].astype(float)
    table["tolerance"] = table["tolerance"].astype(float)
    table["bounds"] = [tuple(b) if b is not None else NATURAL_RANGE[u] for b, u in zip(table["bounds"], table["unit"])]
    if config is not None:
        problems += _apply_overrides(table, config, ids, file=config_file, lines=config_lines or {})
    if problems:
        raise ConfigError(problems)
    table["amber"] = [np.nan if d else green_edge(r, t, tol) for d, r, t, tol in
                      zip(table["descriptive"], table["direction"], table["target"], table["tolerance"])]
    return KpiCatalog(table=table, flow=config.flow if config is not None else DEFAULT_FLOW,
                      max_shift=config.funding.max_shift if config is not None else None)


def unknown_kpi_hint(kpi_id: str, ids: list[str]) -> str:
    """``did you mean 'cpi'?`` for a misspelt KPI id, else the list of known ids."""
    close = difflib.get_close_matches(str(kpi_id), ids, n=1)
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(ids)}"


def _apply_overrides(table: pd.DataFrame, config: Config, ids: list[str], *, file: str = "pmo.yaml",
                     lines: dict[tuple, int] | None = None) -> list[Problem]:
    """Apply pmo.yaml's targets and thresholds to the catalogue table in place; return the problems."""
    problems = []
    lines = lines or {}

    def problem(key: str, message: str, value: object) -> None:
        # key is section.kpis.<kpi_id>[.field]; a KPI id has no dot (see _KpiSpec.id), but a typo may
        section, kpis, rest = key.split(".", 2)
        kpi_id = next((k for k in (*config.targets.kpis, *config.thresholds.kpis)
                       if rest == k or rest.startswith(f"{k}.")), rest)
        tail = rest[len(kpi_id) + 1:]
        path = (section, kpis, kpi_id) + ((tail,) if tail else ())
        row = next((lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in lines), None)
        problems.append(Problem(file, "pmo.yaml", message, row=row, column=key, value=value))

    def unknown(section: str, kpi_id: str) -> str:
        return f"{section} names an unknown KPI; {unknown_kpi_hint(kpi_id, ids)}"

    at = table.set_index("kpi_id", drop=False).index
    if "goal_mix_deviation" in ids:
        table.loc[at == "goal_mix_deviation", "tolerance"] = config.thresholds.goal_mix_tolerance
    touched = set()
    for kpi_id, target in config.targets.kpis.items():
        if kpi_id not in ids:
            problem(f"targets.kpis.{kpi_id}", unknown("targets.kpis", kpi_id), kpi_id)
            continue
        table.loc[at == kpi_id, "target"] = target
        touched.add(kpi_id)
    for kpi_id, thr in config.thresholds.kpis.items():
        key = f"thresholds.kpis.{kpi_id}"
        if kpi_id not in ids:
            problem(key, unknown("thresholds.kpis", kpi_id), kpi_id)
            continue
        touched.add(kpi_id)
        if thr.red is not None:
            table.loc[at == kpi_id, "red"] = thr.red
        if thr.tolerance is not None and thr.amber is not None:
            problem(key, "give tolerance or amber, not both: amber is the older way of saying where the tolerance ends",
                    kpi_id)
        elif thr.tolerance is not None:
            table.loc[at == kpi_id, "tolerance"] = thr.tolerance
        elif thr.amber is not None:
            spec = table[at == kpi_id].iloc[0]
            gap = (spec["target"] - thr.amber) * (1 if spec["direction"] == "higher" else -1)
            if pd.isna(gap) or gap < 0:
                problem(f"{key}.amber", f"amber ({thr.amber:g}) must lie on the worse side of the target "
                        f"({spec['target']:g}) for a KPI where {spec['direction']} is better; "
                        "better: set tolerance, the distance from the target that still counts as met", thr.amber)
            else:
                table.loc[at == kpi_id, "tolerance"] = gap
    for kpi_id in sorted(touched):
        spec = table[at == kpi_id].iloc[0]
        reason = rating_problem(spec["direction"], spec["target"], spec["tolerance"], spec["red"], spec["descriptive"])
        if reason:
            problem(f"thresholds.kpis.{kpi_id}", f"{kpi_id}: {reason}", kpi_id)
    return problems
