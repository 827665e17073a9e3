"""Errors cross process boundaries: Dask and multiprocessing pickle them (as papermill's tests check)."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from pmo_lib.inputs.collect import ReturnedError
from pmo_lib.inputs.exceptions import (EXIT_OK, ConfigError, Failure, InputError, NotebookError, PmoError, Problem,
                                       RunInterrupted, RunLockedError)

PROBLEMS = [Problem("data/cycles.csv", "cycles", "expected an ISO date YYYY-MM-DD", row=3, column="end_date",
                    value="30/09/2026"),
            Problem("pmo.yaml", "pmo.yaml", "targets.kpis names an unknown KPI", row=8, column="targets.kpis.cpii")]


@pytest.mark.parametrize("error", [
    PmoError("cycle 'X' is not in the cycles table"),
    InputError(PROBLEMS, workspace=Path("/tmp/acme")),
    ConfigError(PROBLEMS[1:]),
    ReturnedError(PROBLEMS[:1], workspace="returned"),
    NotebookError([Failure("02_kpi_analysis.ipynb", 7, "ValueError", "bad", "x = 1", Path("/tmp/x.ipynb")),
                   Failure("00_playbook.ipynb", None, "KilledWorker", "gave up")]),
    RunLockedError("another run holds the lock on reports/acme"),
    RunInterrupted(),
], ids=lambda e: type(e).__name__)
def test_every_kit_error_survives_a_pickle_round_trip(error):
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.exit_code == error.exit_code
    if isinstance(error, InputError):
        assert again.problems.equals(error.problems) and again.workspace == error.workspace
    if isinstance(error, NotebookError):
        assert again.failures == error.failures


def test_exit_codes_are_those_of_the_error_classes():
    assert EXIT_OK == 0
    assert [cls.exit_code for cls in (PmoError, InputError, ConfigError, ReturnedError, NotebookError, RunLockedError,
                                      RunInterrupted)] == [1, 2, 2, 2, 3, 4, 130]


def test_a_failure_reads_as_the_user_sees_it_and_as_the_manifest_records_it():
    failure = Failure("02_kpi_analysis.ipynb", 5, "ValueError", "broken", "raise ValueError('broken')",
                      Path("/out/c3/02_kpi_analysis.ipynb"))
    assert failure.format() == ("02_kpi_analysis.ipynb failed in cell 5 (raise ValueError('broken')): ValueError: "
                                "broken\n    executed notebook kept at /out/c3/02_kpi_analysis.ipynb")
    assert Failure("x.ipynb", None, "DeadKernelError", "").format() == "x.ipynb failed in an unknown cell: DeadKernelError: "
    recorded = failure.to_json()
    assert list(recorded) == ["cell", "source", "ename", "evalue", "executed_notebook"]  # the manifest's keys, in order
    assert recorded["executed_notebook"] == "02_kpi_analysis.ipynb"
    # the manifest does not record where the pack went: the path comes back empty
    assert Failure.from_json(recorded) == Failure("02_kpi_analysis.ipynb", 5, "ValueError", "broken",
                                                  "raise ValueError('broken')")
