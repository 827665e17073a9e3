"""Errors cross process boundaries: Dask and multiprocessing pickle them (as papermill's tests check)."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from pmo_lib.inputs.collect import ReturnedError
from pmo_lib.inputs.exceptions import (ConfigError, InputError, NotebookError, NotebookFailure, PmoError, Problem,
                                       RunLockedError)

PROBLEMS = [Problem("data/cycles.csv", "cycles", "expected an ISO date YYYY-MM-DD", row=3, column="end_date",
                    value="30/09/2026"),
            Problem("pmo.yaml", "pmo.yaml", "targets.kpis names an unknown KPI", row=8, column="targets.kpis.cpii")]


@pytest.mark.parametrize("error", [
    PmoError("cycle 'X' is not in the cycles table"),
    InputError(PROBLEMS, workspace=Path("/tmp/acme")),
    ConfigError(PROBLEMS[1:]),
    ReturnedError(PROBLEMS[:1], workspace="returned"),
    NotebookError([NotebookFailure("02_kpi_analysis.ipynb", 7, "ValueError", "bad", Path("/tmp/x.ipynb"), "x = 1")]),
    RunLockedError("another run holds the lock on reports/acme"),
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
