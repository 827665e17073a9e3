"""The playbook: actions that lift each maturity dimension, and the roadmap built from them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import load_yaml, pydantic_problems
from .exceptions import ConfigError, Problem
from .maturity import MaturityModel
from .resources import TEMPLATES_DIR

ROADMAP_COLUMNS = ["rank", "dimension_id", "dimension", "to_level", "action", "owner_role", "effort",
                   "expected_kpi", "priority"]


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    action: str = Field(min_length=1)
    owner_role: str = Field(min_length=1)
    effort: Literal["S", "M", "L"]
    kpi: str


class _Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    efforts: dict[Literal["S", "M", "L"], float] = Field(default_factory=lambda: {"S": 1, "M": 2, "L": 3})
    actions: dict[str, dict[int, list[_Action]]]


@dataclass(frozen=True)
class Playbook:
    """The validated playbook.

    Attributes
    ----------
    actions : DataFrame
        Columns ``dimension_id, to_level, action, owner_role, effort,
        effort_weight, expected_kpi``.
    """

    actions: pd.DataFrame


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
    data, lines = load_yaml(path, table="playbook")
    try:
        raw = _Playbook.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(pydantic_problems(exc, file=str(path), table="playbook", lines=lines)) from None
    problems, rows = [], []
    dims = set(model.dimensions["dimension_id"])
    for dim, by_level in raw.actions.items():
        if not strict and dim not in dims:
            continue
        if dim not in dims:
            problems.append(Problem(str(path), "playbook", f"unknown dimension; the model has {', '.join(sorted(dims))}",
                                    row=lines.get(("actions", dim)), column="actions", value=dim))
        for level, actions in by_level.items():
            if not strict and (level not in model.levels or level == min(model.levels)):
                continue
            if level not in model.levels or level == min(model.levels):
                problems.append(Problem(str(path), "playbook", f"level must be one of {sorted(model.levels)[1:]}",
                                        row=lines.get(("actions", dim, level)), column=dim, value=level))
            for i, act in enumerate(actions):
                if kpi_ids is not None and act.kpi not in kpi_ids:
                    problems.append(Problem(str(path), "playbook", "KPI is not in the KPI catalogue",
                                            row=lines.get(("actions", dim, level, i)), column="kpi", value=act.kpi))
                rows.append({"dimension_id": dim, "to_level": level, "action": act.action,
                             "owner_role": act.owner_role, "effort": act.effort,
                             "effort_weight": float(raw.efforts.get(act.effort, 1)), "expected_kpi": act.kpi})
    if problems:
        raise ConfigError(problems)
    return Playbook(pd.DataFrame(rows, columns=["dimension_id", "to_level", "action", "owner_role", "effort",
                                                "effort_weight", "expected_kpi"]))


def build_roadmap(dimensions: pd.DataFrame, playbook: Playbook, model: MaturityModel, *,
                  max_actions: int | None = None) -> pd.DataFrame:
    """Rank the playbook's actions for the dimensions below target.

    For each dimension whose score is below target, the actions that lift it
    from its staged level to the next level are candidates: the next step,
    not the whole way. Priority = gap × dimension weight ÷ effort weight;
    ties keep the dimension's order in the model.

    Parameters
    ----------
    dimensions : DataFrame
        From :func:`pmo_lib.score_dimensions`.

    Returns
    -------
    DataFrame
        Columns ``rank, dimension_id, dimension, to_level, action, owner_role,
        effort, expected_kpi, priority``.
    """
    below = dimensions[dimensions["gap"] > 0]
    top = max(model.levels)
    frames = []
    for order, dim in enumerate(below.itertuples()):
        if dim.level >= top:
            continue
        acts = playbook.actions[(playbook.actions["dimension_id"] == dim.dimension_id) &
                                (playbook.actions["to_level"] == dim.level + 1)]
        frames.append(acts.assign(dimension=dim.dimension, priority=dim.gap * dim.weight / acts["effort_weight"],
                                  _order=order))
    if not frames:
        return pd.DataFrame(columns=ROADMAP_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["priority", "_order"], ascending=[False, True], kind="stable")
    if max_actions is not None:
        out = out.head(max_actions)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[ROADMAP_COLUMNS].reset_index(drop=True)


def workspace_playbook(workspace, *, kpi_ids: list[str] | None = None) -> Playbook:
    """The playbook a workspace uses: its own (``playbook`` in pmo.yaml) or the kit's.

    The kit's playbook is filtered to the workspace's maturity model; a
    workspace's own playbook must match its model exactly.
    """
    own = workspace.config.playbook
    path = workspace.path / own if own else None
    return load_playbook(workspace.model, kpi_ids=kpi_ids, path=path, strict=own is not None)
