"""Errors raised by the kit, and the exit codes of the ``pmo`` command.

Every error a user can cause derives from :class:`PmoError`. The command line
turns a ``PmoError`` into a short message and the exit code of its class;
anything else is a bug and keeps its traceback. The exit codes are defined
here, on the classes, and nowhere else:

=== ==================== ============================================================
0   :data:`EXIT_OK`      every report of every cycle was produced
1   :class:`PmoError`    another error the kit reports (bad option, unknown cycle)
2   :class:`InputError`  the workspace has input problems; nothing ran
3   :class:`NotebookError` at least one notebook failed; the other reports were produced
4   :class:`RunLockedError` another run holds the lock on the output folder
130 :class:`RunInterrupted` interrupted (Ctrl-C); finished cycles are kept, the rest untouched
=== ==================== ============================================================

Every error survives pickling: they cross process and Dask boundaries.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas loads in the methods that use it: the pmo command's start does not wait for it
    import pandas as pd

PROBLEM_COLUMNS = ["file", "table", "row", "column", "value", "message"]
EXIT_OK = 0  # success is no error; every other exit code is an error class's ``exit_code``


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
        import pandas as pd

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
        import pandas as pd

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


@dataclass(frozen=True)
class Failure:
    """Where and how a notebook failed: the one shape of a failure, in the manifest, the report and the message.

    ``cell`` counts the notebook's own cells from 1, as the analyst sees the
    notebook; timeouts and dead kernels name the cell that was running, and a
    task lost with its worker names none. ``source`` is the cell's first line.
    ``executed_path`` is where the executed notebook was kept once the pack was
    published; the manifest does not record it (it names the notebook only).
    """

    notebook: str
    cell: int | None
    ename: str
    evalue: str
    source: str = ""
    executed_path: Path | None = None

    def format(self) -> str:
        cell = f"cell {self.cell}" if self.cell is not None else "an unknown cell"
        if self.source:
            cell += f" ({self.source})"
        text = f"{self.notebook} failed in {cell}: {self.ename}: {self.evalue}"
        if self.executed_path is not None:
            text += f"\n    executed notebook kept at {self.executed_path}"
        return text

    def to_json(self) -> dict[str, Any]:
        """The manifest's ``error`` object (its keys and their order as ever)."""
        return {"cell": self.cell, "source": self.source, "ename": self.ename, "evalue": self.evalue,
                "executed_notebook": self.notebook}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, notebook: str = "") -> Failure:
        """Read a manifest's ``error`` object; ``notebook`` names the notebook when the object does not."""
        cell = data.get("cell")
        return cls(notebook=str(data.get("executed_notebook") or notebook), cell=None if cell is None else int(cell),
                   ename=str(data.get("ename", "")), evalue=str(data.get("evalue", "")),
                   source=str(data.get("source") or ""))


class NotebookError(PmoError):
    """One or more notebooks failed while a run went on with the others.

    A run does not raise it: the run finishes the other reports, and the command
    line prints it and exits with its code.
    """

    exit_code = 3

    def __init__(self, failures: list[Failure]) -> None:
        self.failures = list(failures)
        super().__init__("\n".join(f.format() for f in self.failures))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.failures,))


class RunLockedError(PmoError):
    """Another run is writing into the same output folder."""

    exit_code = 4


class RunInterrupted(PmoError):
    """The run was interrupted (Ctrl-C, or SIGTERM from a scheduler stopping the job)."""

    exit_code = 130

    def __init__(self, message: str = "interrupted: finished cycles were kept; nothing half-written was published"
                 ) -> None:
        super().__init__(message)


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
