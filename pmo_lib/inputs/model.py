"""The maturity model: its scale, dimensions and items, loaded and checked from YAML.

How an assessment is scored against it is :mod:`pmo_lib.analysis.maturity`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .config import load_validated
from .exceptions import ConfigError, Problem


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Scale(_Strict):
    min: int = 1
    max: int = 5
    labels: dict[int, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ordered(self) -> _Scale:
        if self.max <= self.min:
            raise ValueError(f"scale max ({self.max}) must be above min ({self.min})")
        bad = [k for k in self.labels if not self.min <= k <= self.max]
        if bad:
            raise ValueError(f"labels {bad} lie outside the scale {self.min}-{self.max}")
        return self


class _Dimension(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    step: int = Field(ge=0, le=4)
    weight: float = Field(1.0, gt=0)
    levels: dict[int, str]


class _Item(_Strict):
    id: str
    dimension: str
    level: int = Field(ge=1)
    weight: float = Field(1.0, gt=0)
    text: str = Field(min_length=1)
    reverse: bool = Field(False, strict=True,
                          description="true when agreeing means less maturity: answers are scored min + max - answer")


class _Model(_Strict):
    name: str
    version: str = "1"
    scale: _Scale = _Scale()
    largely_implemented: float = Field(0.7, gt=0, le=1)
    levels: dict[int, str]
    steps: dict[int, str] = Field(default_factory=dict)
    dimensions: list[_Dimension] = Field(min_length=1)
    items: list[_Item] = Field(min_length=1)


@dataclass(frozen=True)
class MaturityModel:
    """A validated maturity model.

    Attributes
    ----------
    name : str
    levels : dict of int to str
        Level number to level name, e.g. ``{1: "Initial", ...}``.
    steps : dict of int to str
        Step number to its name; 0 means "across all steps".
    dimensions : DataFrame
        Columns ``dimension_id, dimension, step, weight`` and one column
        ``level_<n>`` per level describing it.
    items : DataFrame
        Columns ``item_id, dimension_id, level, weight, text, reverse``; ``reverse``
        is True for a reverse-keyed item (agreeing means less maturity).
    scale_min, scale_max : int
    scale_labels : dict of int to str
    largely_implemented : float
        Share of the way up the scale an item's mean must reach to count.
    """

    name: str
    levels: dict[int, str]
    steps: dict[int, str]
    dimensions: pd.DataFrame
    items: pd.DataFrame
    scale_min: int
    scale_max: int
    scale_labels: dict[int, str]
    largely_implemented: float

    @property
    def threshold(self) -> float:
        """The mean answer at which an item counts as largely implemented."""
        return self.scale_min + self.largely_implemented * (self.scale_max - self.scale_min)

    def level_name(self, level: float) -> str:
        """The name of a level; a whole number given as a float (from a table) reads the same."""
        return self.levels.get(int(level), str(level))


def _dimension_hint(name: str, dims: list[str]) -> str:
    close = difflib.get_close_matches(str(name), dims, n=1)
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(dims)}"


def load_model(path: str | Path) -> MaturityModel:
    """Load and validate a maturity model YAML file.

    Raises
    ------
    ConfigError
        Listing every bad key, value and reference (unknown dimension, level
        outside the model, duplicate ids) with its line.
    """
    path = Path(path)
    label = str(path)
    raw, lines = load_validated(path, _Model, table="maturity model")
    problems = []
    top = max(raw.levels)
    dims = [d.id for d in raw.dimensions]
    for i, dim in enumerate(raw.dimensions):
        if dims.count(dim.id) > 1:
            problems.append(Problem(label, "maturity model", "duplicate dimension id",
                                    row=lines.get(("dimensions", i)), column="id", value=dim.id))
        missing = sorted(set(raw.levels) - set(dim.levels))
        if missing:
            problems.append(Problem(label, "maturity model", f"dimension has no description for levels {missing}",
                                    row=lines.get(("dimensions", i)), column="levels", value=dim.id))
    ids = [it.id for it in raw.items]
    for i, item in enumerate(raw.items):
        where = {"row": lines.get(("items", i))}
        if item.dimension not in dims:
            problems.append(Problem(label, "maturity model",
                                    f"item {item.id} points to unknown dimension; {_dimension_hint(item.dimension, dims)}",
                                    column="dimension", value=item.dimension, **where))
        if item.level > top:
            problems.append(Problem(label, "maturity model", f"item {item.id} evidences a level above {top}",
                                    column="level", value=item.level, **where))
        if ids.count(item.id) > 1:
            problems.append(Problem(label, "maturity model", "duplicate item id", column="id",
                                    value=item.id, **where))
    for i, dim_id in enumerate(dims):
        if dim_id not in {it.dimension for it in raw.items}:
            problems.append(Problem(label, "maturity model", "dimension has no questionnaire items",
                                    row=lines.get(("dimensions", i)), column="dimensions", value=dim_id))
    if problems:
        raise ConfigError(problems)
    dimensions = pd.DataFrame([
        {"dimension_id": d.id, "dimension": d.name, "step": d.step, "weight": d.weight,
         **{f"level_{k}": d.levels[k] for k in sorted(raw.levels)}}
        for d in raw.dimensions
    ])
    items = pd.DataFrame([
        {"item_id": it.id, "dimension_id": it.dimension, "level": it.level, "weight": it.weight, "text": it.text,
         "reverse": it.reverse}
        for it in raw.items
    ])
    return MaturityModel(name=raw.name, levels=dict(sorted(raw.levels.items())), steps=dict(raw.steps),
                         dimensions=dimensions, items=items, scale_min=raw.scale.min,
                         scale_max=raw.scale.max, scale_labels=dict(raw.scale.labels),
                         largely_implemented=raw.largely_implemented)
