"""The roadmap: the playbook's actions ranked for the dimensions below target, and spread over the next cycles."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.cycles import Cycle
from ..inputs.model import MaturityModel
from ..inputs.playbook import EFFORTS, Playbook

ROADMAP_COLUMNS = ["rank", "dimension_id", "dimension", "to_level", "action", "owner_role", "effort",
                   "expected_kpi", "priority"]


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


def roadmap_by_cycle(roadmap: pd.DataFrame, *, cycles: int = 3, capacity: float = 6.0,
                     efforts: dict[str, float] | None = None) -> pd.DataFrame:
    """Spread the ranked roadmap over the next cycles by effort.

    Actions are taken in rank order; each cycle takes actions until their
    effort weights (``efforts``, the playbook's; default S 1, M 2, L 3) reach
    ``capacity``. What does not fit in ``cycles`` cycles is left for later.

    Returns
    -------
    DataFrame
        The roadmap's columns plus ``cycle_offset`` (1 = the next cycle).
    """
    weights = efforts or EFFORTS
    offset, used, out = 1, 0.0, []
    for row in roadmap.itertuples(index=False):
        need = weights.get(row.effort, 1.0)
        if used + need > capacity:
            offset, used = offset + 1, 0.0
        if offset > cycles:
            break
        used += need
        out.append({**row._asdict(), "cycle_offset": offset})
    return pd.DataFrame(out, columns=list(roadmap.columns) + ["cycle_offset"])


def next_cycles(cycle: Cycle, *, weeks: int, count: int = 3) -> pd.DataFrame:
    """Dates of the cycles after ``cycle``, ``weeks`` long each.

    The roadmap is planned from the reported cycle's end, as it was at that
    time: for the latest cycle that is the last cycle the workspace lists; an
    earlier cycle's playbook does not change when later cycles are added (so
    ``pmo run`` can keep its pack, see :mod:`pmo_lib.running.fingerprint`).

    Returns
    -------
    DataFrame
        Columns ``cycle_offset, label, start_date, end_date``.
    """
    end = cycle.end
    rows = []
    for k in range(1, count + 1):
        start = end + pd.Timedelta(days=1)
        end = start + pd.Timedelta(weeks=weeks) - pd.Timedelta(days=1)
        rows.append({"cycle_offset": k, "label": f"Next cycle {k}", "start_date": start, "end_date": end})
    return pd.DataFrame(rows)
