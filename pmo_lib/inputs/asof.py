"""Each cycle as it stood then: the workspace's tables as known at a cycle's end.

The ``initiatives`` table holds what is known today: the current status, the
latest forecast and the actual end date. A report for an earlier cycle must not
use that hindsight. :attr:`pmo_lib.Cycle.tables` (and :func:`tables_as_of`) rebuilds what was known at the cycle's
end:

* rows of cycle-keyed tables (financials, feedback, benefits, decisions,
  actions, assessment, initiative_status) that belong to later cycles are left
  out;
* each initiative's status and forecast end date come from its
  ``initiative_status`` row for the cycle, when there is one;
* otherwise dates still count: an initiative whose ``actual_end_date`` falls
  after the cycle's end was not yet closed then (its status becomes active and
  its forecast is unknown), and one that starts after the cycle's end was still
  proposed;
* an ``actual_end_date`` after the cycle's end is not yet known.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .cycles import Cycle

CYCLE_KEYED = ("financials", "feedback", "benefits", "decisions", "actions", "assessment", "initiative_status")
ENDED = ("closed", "cancelled")


def initiatives_as_of(tables: Mapping[str, pd.DataFrame], cycle: str) -> pd.DataFrame:
    """The initiatives table as known at the end of ``cycle``.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The workspace's validated tables; ``initiative_status`` may be empty.
    cycle : str

    Returns
    -------
    DataFrame
        The columns of ``initiatives`` plus ``status_source``: ``recorded``
        where the status comes from ``initiative_status``, ``dates`` where the
        dates changed it, ``current`` where today's status stands.
    """
    from .cycles import Cycle

    return _initiatives(tables, Cycle.of(tables, cycle))


def tables_as_of(tables: Mapping[str, pd.DataFrame], cycle: str) -> dict[str, pd.DataFrame]:
    """Every table as known at the end of ``cycle``: :attr:`pmo_lib.Cycle.tables` of ``Cycle.of(tables, cycle)``.

    Returns
    -------
    dict of str to DataFrame
        A new mapping; the input tables are not changed.
    """
    from .cycles import Cycle

    return dict(Cycle.of(tables, cycle).tables)


def known_at(tables: Mapping[str, pd.DataFrame], cycle: Cycle) -> dict[str, pd.DataFrame]:
    """Every table as known at the end of ``cycle``.

    The ``cycles`` table is kept whole, so that the next cycle's length and
    name stay known; every analysis selects its own cycle's rows.

    Returns
    -------
    dict of str to DataFrame
        A new mapping; the input tables are not changed.
    """
    order = {c: i for i, c in enumerate(cycle.history_names)}
    limit = len(order) - 1
    out = dict(tables)
    for name in CYCLE_KEYED:
        frame = tables.get(name)
        if frame is not None and len(frame) and "cycle" in frame:
            out[name] = frame[frame["cycle"].map(order).fillna(np.inf) <= limit]
    out["initiatives"] = _initiatives(tables, cycle)
    return out


def _initiatives(tables: Mapping[str, pd.DataFrame], cycle: Cycle) -> pd.DataFrame:
    end = cycle.end
    ini = tables["initiatives"].copy()
    ini["status_source"] = "current"
    not_yet_ended = ini["actual_end_date"].notna() & (ini["actual_end_date"] > end)
    reopened = not_yet_ended & ini["status"].isin(ENDED)
    ini.loc[reopened, "status"] = "active"
    ini.loc[reopened, "forecast_end_date"] = pd.NaT
    ini.loc[not_yet_ended, "actual_end_date"] = pd.NaT
    not_started = ini["start_date"] > end
    ini.loc[not_started, "status"] = "proposed"
    ini.loc[not_started, "forecast_end_date"] = pd.NaT  # today's forecast was not known before the work started
    ini.loc[reopened | not_started, "status_source"] = "dates"

    history = tables.get("initiative_status")
    if history is not None and len(history):
        known = history[history["cycle"] == cycle.name].set_index("initiative_id")
        hit = ini["initiative_id"].isin(known.index)
        ids = ini.loc[hit, "initiative_id"]
        ini.loc[hit, "status"] = ids.map(known["status"]).to_numpy()
        ini.loc[hit, "forecast_end_date"] = ids.map(known["forecast_end_date"]).to_numpy()
        ini.loc[hit, "status_source"] = "recorded"
        # a recorded status that is not closed means the initiative had not ended then
        still_open = hit & ~ini["status"].isin(ENDED)
        ini.loc[still_open, "actual_end_date"] = pd.NaT
    ini["forecast_end_date"] = pd.to_datetime(ini["forecast_end_date"])
    return ini
