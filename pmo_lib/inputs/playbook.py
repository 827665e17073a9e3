"""The playbook: actions that lift each maturity dimension, its cadence, RACI and glossary.

The roadmap built from it is :mod:`pmo_lib.analysis.roadmap`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .config import CadenceEvent, Config, load_validated
from .exceptions import ConfigError, Problem
from .model import MaturityModel
from .resources import TEMPLATES_DIR

class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    action: str = Field(min_length=1)
    owner_role: str = Field(min_length=1)
    effort: Literal["S", "M", "L"]
    kpi: str


Effort = Literal["S", "M", "L"]
EFFORTS: dict[Effort, float] = {"S": 1.0, "M": 2.0, "L": 3.0}  # default weight of each effort size


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    purpose: str
    practices: list[str] = Field(min_length=1)


class _Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    decision: str
    raci: dict[str, Literal["R", "A", "C", "I"]]


class _Rights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    roles: list[str] = Field(min_length=1)
    decisions: list[_Decision] = Field(min_length=1)


class _Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    efforts: dict[Effort, float] = Field(default_factory=lambda: dict(EFFORTS))
    steps: dict[int, _Step] = Field(default_factory=dict)
    cadence: list[CadenceEvent] = Field(default_factory=list)
    decision_rights: _Rights | None = None
    glossary: dict[str, str] = Field(default_factory=dict)
    actions: dict[str, dict[int, list[_Action]]]


@dataclass(frozen=True)
class Playbook:
    """The validated playbook.

    Attributes
    ----------
    actions : DataFrame
        Columns ``dimension_id, to_level, action, owner_role, effort,
        effort_weight, expected_kpi``.
    steps : DataFrame
        Columns ``step, purpose, practices`` (practices a list).
    cadence : list of CadenceEvent
    raci : DataFrame
        One row per decision, one column per role, cells R, A, C, I or empty.
    glossary : dict of str to str
    efforts : dict of str to float
        Weight of each effort size (S, M, L).
    """

    actions: pd.DataFrame
    steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    cadence: list = field(default_factory=list)
    raci: pd.DataFrame = field(default_factory=pd.DataFrame)
    glossary: dict = field(default_factory=dict)
    efforts: dict = field(default_factory=lambda: dict(EFFORTS))


def load_playbook(model: MaturityModel, *, kpi_ids: list[str] | None = None,
                  path: str | Path | None = None, strict: bool = True) -> Playbook:
    """Load the playbook YAML and check it against the model and the KPI catalogue.

    With ``strict=False`` (the kit's own playbook used with a custom model),
    actions for dimensions or levels the model lacks are left out instead of
    being errors.

    Raises
    ------
    ConfigError
        For unknown keys, dimensions or levels the model lacks, and KPIs the
        catalogue lacks, with the line of each.
    """
    path = Path(path) if path is not None else TEMPLATES_DIR / "playbook.yaml"
    raw, lines = load_validated(path, _Playbook, table="playbook")
    efforts = {**EFFORTS, **raw.efforts}
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    dims = set(model.dimensions["dimension_id"])

    def line(*key: object) -> int | None:
        # YAML mapping keys are text: level 2 is the key "2"
        return lines.get(key, lines.get(tuple(str(k) if isinstance(k, int) and j == 2 else k
                                              for j, k in enumerate(key))))
    for dim, by_level in raw.actions.items():
        if not strict and dim not in dims:
            continue
        if dim not in dims:
            close = difflib.get_close_matches(dim, sorted(dims), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"the model has {', '.join(sorted(dims))}"
            problems.append(Problem(str(path), "playbook", f"unknown dimension; {hint}",
                                    row=line("actions", dim), column="actions", value=dim))
        for level, actions in by_level.items():
            if not strict and (level not in model.levels or level == min(model.levels)):
                continue
            if level not in model.levels or level == min(model.levels):
                problems.append(Problem(str(path), "playbook", f"level must be one of {sorted(model.levels)[1:]}",
                                        row=line("actions", dim, level), column=dim, value=level))
            for i, act in enumerate(actions):
                if kpi_ids is not None and act.kpi not in kpi_ids:
                    close = difflib.get_close_matches(act.kpi, list(kpi_ids), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    problems.append(Problem(str(path), "playbook", f"KPI is not in the KPI catalogue{hint}",
                                            row=line("actions", dim, level, i), column="kpi", value=act.kpi))
                rows.append({"dimension_id": dim, "to_level": level, "action": act.action,
                             "owner_role": act.owner_role, "effort": act.effort,
                             "effort_weight": float(efforts[act.effort]), "expected_kpi": act.kpi})
    raci = pd.DataFrame()
    if raw.decision_rights is not None:
        roles = raw.decision_rights.roles
        for i, d in enumerate(raw.decision_rights.decisions):
            where: dict[str, Any] = {"row": lines.get(("decision_rights", "decisions", i)), "column": "raci"}
            unknown = sorted(set(d.raci) - set(roles))
            if unknown:
                problems.append(Problem(str(path), "playbook", f"RACI names roles not in decision_rights.roles: "
                                        f"{', '.join(unknown)}", value=d.decision, **where))
            if list(d.raci.values()).count("A") != 1:
                problems.append(Problem(str(path), "playbook", "each decision needs exactly one A (accountable)",
                                        value=d.decision, **where))
        raci = pd.DataFrame([{"decision": d.decision, **{r: d.raci.get(r, "") for r in roles}}
                             for d in raw.decision_rights.decisions])
    if problems:
        raise ConfigError(problems)
    steps = pd.DataFrame([{"step": k, "purpose": v.purpose, "practices": list(v.practices)}
                          for k, v in sorted(raw.steps.items())], columns=["step", "purpose", "practices"])
    return Playbook(pd.DataFrame(rows, columns=["dimension_id", "to_level", "action", "owner_role", "effort",
                                                "effort_weight", "expected_kpi"]),
                    steps=steps, cadence=list(raw.cadence), raci=raci, glossary=dict(raw.glossary),
                    efforts=efforts)


def workspace_playbook(workspace, *, kpi_ids: list[str] | None = None) -> Playbook:
    """The playbook a workspace uses: its own (``playbook`` in pmo.yaml) or the kit's.

    The kit's playbook is filtered to the workspace's maturity model; a
    workspace's own playbook must match its model exactly.
    """
    own = workspace.config.playbook
    path = workspace.path / own if own else None
    return load_playbook(workspace.model, kpi_ids=kpi_ids, path=path, strict=own is not None)


def cadence_events(workspace, playbook: Playbook) -> list[CadenceEvent]:
    """The planning cycle's events: those of pmo.yaml (cadence.events, checked when it is loaded) or the playbook's.

    Raises
    ------
    ConfigError
        When the playbook's events do not fit a cycle as short as pmo.yaml's ``cadence.cycle_weeks``.
    """
    cadence = workspace.config.cadence
    if cadence.events is not None:
        return sorted(cadence.events, key=lambda e: e.week)
    problems = cadence_problems(workspace.config, playbook, file=str(workspace.path / "pmo.yaml"))
    if problems:
        raise ConfigError(problems)
    return sorted(playbook.cadence, key=lambda e: e.week)


def cadence_problems(config: Config, playbook: Playbook, *, file: str = "pmo.yaml",
                     lines: dict[tuple, int] | None = None) -> list[Problem]:
    """The playbook's events that do not fit a cycle as short as pmo.yaml's ``cadence.cycle_weeks``.

    None when pmo.yaml lists its own ``cadence.events`` (checked when it is loaded).
    """
    cadence = config.cadence
    if cadence.events is not None:
        return []
    lines = lines or {}
    row = lines.get(("cadence", "cycle_weeks"), lines.get(("cadence",)))
    return [Problem(file, "pmo.yaml", f"the playbook's event '{e.name}' is in week {e.week}, beyond the "
                    f"{cadence.cycle_weeks}-week cycle; list this cycle's events under cadence.events",
                    row=row, column="cadence.cycle_weeks", value=cadence.cycle_weeks)
            for e in playbook.cadence if e.week > cadence.cycle_weeks]
