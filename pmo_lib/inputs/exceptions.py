"""Errors raised by the kit.

Every error a user can cause derives from :class:`PmoError`. The command line
turns a ``PmoError`` into a short message and a non-zero exit code; anything
else is a bug and keeps its traceback.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

PROBLEM_COLUMNS = ["file", "table", "row", "column", "value", "message"]


class PmoError(Exception):
    """Base class of every error the kit raises on purpose."""

    exit_code = 1


@dataclass
class Problem:
    """One thing wrong with the input, located as precisely as we can.

    ``row`` is the row number the user sees: the spreadsheet row, counting the
    header as row 1, or the line of a YAML file (pmo.yaml, the model, the
    catalogue, the playbook).
    """

    file: str
    table: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None

    def format(self) -> str:
        where = [self.file]
        if self.table and self.table not in self.file:
            where.append(f"table {self.table}")
        if self.row is not None:  # a YAML file's problems carry its line, a table's its spreadsheet row
            where.append(f"{'line' if self.file.endswith(('.yaml', '.yml')) else 'row'} {self.row}")
        if self.column:
            where.append(f"column {self.column!s}")
        text = ", ".join(where) + ": " + self.message
        if self.value is not None and not (isinstance(self.value, float) and pd.isna(self.value)):
            text += f" (got {self.value!r})"
        return text


class InputError(PmoError):
    """The workspace has one or more problems; all of them are listed.

    Attributes
    ----------
    problems : pandas.DataFrame
        Columns ``file, table, row, column, value, message``.
    """

    exit_code = 2

    def __init__(self, problems: list[Problem], *, workspace: Path | str | None = None) -> None:
        self.problem_list = list(problems)
        self.workspace = workspace
        self.problems = pd.DataFrame(
            [
                {"file": p.file, "table": p.table, "row": p.row, "column": p.column,
                 "value": p.value, "message": p.message}
                for p in self.problem_list
            ],
            columns=PROBLEM_COLUMNS,
        )
        super().__init__(self._summary())

    def __reduce__(self):
        # Dask and multiprocessing pickle errors; rebuild from the problems, not from the message text
        return (_rebuild_input_error, (type(self), self.problem_list, self.workspace))

    def _summary(self) -> str:
        n = len(self.problem_list)
        head = f"{n} problem{'s' if n != 1 else ''} in the workspace"
        if self.workspace is not None:
            head += f" {self.workspace}"
        return head + ":\n" + "\n".join(f"  - {p.format()}" for p in self.problem_list)


def _rebuild_input_error(cls: type[InputError], problems: list[Problem],
                         workspace: Path | str | None) -> InputError:
    return cls(problems, workspace=workspace)


class ConfigError(InputError):
    """``pmo.yaml`` or a YAML template (model, catalogue) is invalid."""


@dataclass
class NotebookFailure:
    """Where and how a notebook failed."""

    notebook: str
    cell: int | None
    ename: str
    evalue: str
    executed_path: Path | None = None
    source: str = ""

    def format(self) -> str:
        cell = f"cell {self.cell}" if self.cell is not None else "an unknown cell"
        if self.source:
            cell += f" ({self.source})"
        text = f"{self.notebook} failed in {cell}: {self.ename}: {self.evalue}"
        if self.executed_path is not None:
            text += f"\n    executed notebook kept at {self.executed_path}"
        return text


class NotebookError(PmoError):
    """One or more notebooks failed while a run went on with the others."""

    exit_code = 3

    def __init__(self, failures: list[NotebookFailure]) -> None:
        self.failures = list(failures)
        super().__init__("\n".join(f.format() for f in self.failures))

    def __reduce__(self):
        return (type(self), (self.failures,))


class RunLockedError(PmoError):
    """Another run is writing into the same output folder."""

    exit_code = 4


@dataclass
class _Collector:
    """Gathers problems so that they can be raised together."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, table: str, message: str, *, row: int | None = None,
            column: str | None = None, value: object = None) -> None:
        self.problems.append(Problem(file, table, message, row, column, value))

    def raise_if_any(self, *, workspace: Path | str | None = None, cls: type[InputError] = InputError) -> None:
        if self.problems:
            raise cls(self.problems, workspace=workspace)
