"""The planning cycle as one object: its dates, its neighbours, its rows and the tables as known at its end.

Analysis functions take a :class:`Cycle` instead of a workspace's tables and a
cycle name. ``ws.cycle("2026-Q3")`` gives one; ``ws.cycle(None)`` the latest.

Cycle order is decided here and nowhere else: by ``start_date``, ties kept in
file order (:func:`ordered`).

Which rows of a table fall in a cycle (:meth:`Cycle.rows`) depends on the table:

=========================================  =============================================================
table                                      a row is in the cycle when
=========================================  =============================================================
cycles                                     its ``cycle`` is the cycle's name (the cycle's own row)
financials, feedback, benefits, decisions,  its ``cycle`` column names the cycle
actions, assessment, initiative_status,
capacity, demand
work_items                                 it was ``finished`` from ``start`` to ``end`` (both included)
raid                                       it was raised (``raised_date``) from ``start`` to ``end``
initiatives                                it was under way at some time in the cycle: ``start_date`` on
                                           or before ``end``, and no ``actual_end_date`` or one on or
                                           after ``start``
goals                                      never: a goal belongs to no one cycle (an error)
=========================================  =============================================================

Rows are taken from :attr:`Cycle.tables`, the tables as known at the cycle's end. ``capacity`` and
``demand`` are plans, made before the cycles they describe: their rows for later cycles stay known.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import pandas as pd

from .exceptions import PmoError

#: Tables whose ``cycle`` column places each row in a cycle.
CYCLE_COLUMN_TABLES = ("cycles", "financials", "feedback", "benefits", "decisions", "actions", "assessment",
                       "initiative_status", "capacity", "demand")
#: Tables whose rows fall in a cycle by one date between the cycle's start and end.
DATE_COLUMN_TABLES = {"work_items": "finished", "raid": "raised_date"}


def ordered(cycles: pd.DataFrame) -> pd.DataFrame:
    """The cycles table in cycle order: by ``start_date``, ties in file order.

    This is the one place that decides the order of the cycles; the workspace
    loader stores the table in this order and every :class:`Cycle` follows it.
    """
    return cycles.sort_values("start_date", kind="stable")


@dataclass(frozen=True, eq=False, repr=False)
class Cycle:
    """One planning cycle of a workspace: what an analysis of that cycle needs.

    Make one with :meth:`pmo_lib.Workspace.cycle` (or :meth:`Cycle.of` from a
    mapping of tables). A cycle is immutable; it compares by identity, and
    ``str(cycle)`` is its name, so it reads as the name in text.

    Attributes
    ----------
    name : str
        The cycle's name, e.g. ``2026-Q3``.
    start, end : Timestamp
        Its first and last day.
    previous : Cycle or None
        The cycle before it, ``None`` for the first cycle.
    next_name : str or None
        The name of the cycle after it in the cycles table, ``None`` for the
        last one (a cycle knows the name of its successor, nothing of its data).
    present : frozenset of str
        The tables the workspace provides (empty tables stand for the others).
    """

    name: str
    start: pd.Timestamp
    end: pd.Timestamp
    previous: Cycle | None
    next_name: str | None
    present: frozenset[str]
    _source: dict[str, pd.DataFrame] = field(repr=False)

    # ----------------------------------------------------------------- building

    @classmethod
    def of(cls, tables: Mapping[str, pd.DataFrame], name: str | None = None, *,
           present: set[str] | frozenset[str] | None = None) -> Cycle:
        """The cycle ``name`` of ``tables`` (the latest when ``None``).

        Parameters
        ----------
        tables : mapping of str to DataFrame
            Validated tables, with at least ``cycles``; the others are read
            as the analyses need them.
        name : str, optional
        present : set of str, optional
            The tables the workspace provides. Default: every non-empty table.

        Raises
        ------
        PmoError
            When ``name`` is not in the cycles table; the message lists the known cycles.
        """
        chain = cycle_chain(tables, present=present)
        if name is None:
            return chain[-1]
        for cycle in chain:
            if cycle.name == name:
                return cycle
        known = ", ".join(c.name for c in chain)
        raise PmoError(f"cycle {name!r} is not in the cycles table; known cycles: {known}")

    # ----------------------------------------------------------------- neighbours

    @property
    def history(self) -> tuple[Cycle, ...]:
        """The cycles up to and including this one, first to last (ordered by start)."""
        out: list[Cycle] = []
        cycle: Cycle | None = self
        while cycle is not None:
            out.append(cycle)
            cycle = cycle.previous
        return tuple(reversed(out))

    @property
    def history_names(self) -> list[str]:
        """The names of :attr:`history`, first to last."""
        return [c.name for c in self.history]

    # ----------------------------------------------------------------- data

    @cached_property
    def _known(self) -> dict[str, pd.DataFrame]:
        from .asof import known_at
        return known_at(self._source, self)

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]:
        """Every table as known at the cycle's end (read-only mapping).

        Rows of later cycles are left out and each initiative has its status
        and forecast of that time (:mod:`pmo_lib.inputs.asof`). The ``cycles``
        table stays whole, so the next cycle's name and length stay known.
        """
        return MappingProxyType(self._known)

    def rows(self, table: str) -> pd.DataFrame:
        """The rows of ``table`` that fall in this cycle, as known at its end.

        Which column decides is listed in :mod:`pmo_lib.inputs.cycles`: the
        ``cycle`` column for cycle-keyed tables, ``finished`` for work items,
        ``raised_date`` for RAID items, the start and actual end dates for
        initiatives.

        Raises
        ------
        PmoError
            For ``goals`` (a goal belongs to no one cycle) or an unknown table.
        """
        tables = self._known
        if table not in tables:
            raise PmoError(f"unknown table {table!r}; known tables: {', '.join(tables)}")
        frame = tables[table]
        if table in CYCLE_COLUMN_TABLES:
            return frame[frame["cycle"] == self.name]
        if table in DATE_COLUMN_TABLES:
            return frame[frame[DATE_COLUMN_TABLES[table]].between(self.start, self.end)]
        if table == "initiatives":
            ended = frame["actual_end_date"]
            return frame[(frame["start_date"] <= self.end) & (ended.isna() | (ended >= self.start))]
        raise PmoError(f"the {table} table has no cycle or date that places a row in a cycle")

    def has(self, table: str) -> bool:
        """Whether the workspace provides a non-empty ``table``."""
        return table in self.present

    # ----------------------------------------------------------------- text

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Cycle({self.name!r}, {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d})"


def cycle_chain(tables: Mapping[str, pd.DataFrame], *,
                present: set[str] | frozenset[str] | None = None) -> list[Cycle]:
    """Every cycle of ``tables``, first to last, each linked to the one before it.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Validated tables, with at least ``cycles``.
    present : set of str, optional
        The tables the workspace provides. Default: every non-empty table.
    """
    source = dict(tables)
    known = frozenset(present if present is not None else {k for k, v in source.items() if not v.empty})
    frame = ordered(source["cycles"])
    names = frame["cycle"].tolist()
    chain: list[Cycle] = []
    previous: Cycle | None = None
    for i, (name, start, end) in enumerate(zip(names, frame["start_date"], frame["end_date"])):
        previous = Cycle(name=name, start=pd.Timestamp(start), end=pd.Timestamp(end), previous=previous,
                         next_name=names[i + 1] if i + 1 < len(names) else None, present=known, _source=source)
        chain.append(previous)
    return chain
