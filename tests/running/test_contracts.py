"""The run's contracts: frozen, pickled across processes, the manifest's JSON kept, backends held to the protocol."""
from __future__ import annotations

import copy
import dataclasses
import json
import multiprocessing as mp
import pickle
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from pmo_lib.running.contracts import Backend, Failure, Manifest, Outcome, Status, Task, TaskResult
from pmo_lib.running.scheduling import InProcess, Processes

REPO = Path(__file__).resolve().parents[2]

FAILURE = Failure("02_kpi_analysis.ipynb", 5, "ValueError", "broken on purpose", "raise ValueError('broken')")
OK = Outcome("maturity", "01_maturity_assessment.ipynb", Status.OK, 3.11,
             outputs={"ipynb": "01_maturity_assessment.ipynb", "html": "01_maturity_assessment.html"})
FAILED = Outcome("kpis", "02_kpi_analysis.ipynb", Status.FAILED, 2.5, FAILURE,
                 {"ipynb": "02_kpi_analysis.ipynb", "html": "02_kpi_analysis.html"})
TASK = Task(cycle="2026-Q3", slug="2026-q3", report="governance", notebook="03_governance_report.ipynb",
            source='{"cells": []}', workspace="/ws", cache="/staging/workspace.pickle", cwd="/notebooks",
            folder=None, after=(("2026-Q3", "maturity"), ("2026-Q3", "kpis")), formats=("html",),
            context={"organisation": "Acme", "cycle": "2026-Q3", "logo": None})
RESULT = TaskResult("2026-Q3", FAILED, {"results/kpis.csv": b"kpi_id,value\n", "02_kpi_analysis.html": b"<html>"})
MANIFEST = Manifest(
    cycle="2026-Q3", status=Status.FAILED, notebooks=(OK, FAILED), kit_version="0.1.0", organisation="Acme",
    finished="2026-11-26T19:14:19",
    parameters={"workspace": "/ws", "kernel": "python3", "timeout": 600, "formats": ["html", "pdf"],
                "scheduler": "local", "jobs": 2, "reuse_kernels": True, "cycle": "2026-Q3"},
    inputs={"pmo.yaml": "ab" * 32}, packages={"python": "3.11.7", "papermill": "2.7.0"},
    warnings=("data/raid.csv, row 3: no owner",))

# A manifest as the kit wrote it before these types existed (keys and their order as on disk).
RECORDED = """{
  "kit_version": "0.1.0",
  "organisation": "Acme",
  "cycle": "2026-Q3",
  "status": "failed",
  "finished": "2026-11-26T19:14:19",
  "parameters": {
    "workspace": "/ws",
    "kernel": "python3",
    "timeout": 600,
    "formats": [
      "html",
      "pdf"
    ],
    "scheduler": "local",
    "jobs": 2,
    "reuse_kernels": true,
    "cycle": "2026-Q3"
  },
  "inputs": {
    "pmo.yaml": "%s"
  },
  "packages": {
    "python": "3.11.7",
    "papermill": "2.7.0"
  },
  "notebooks": [
    {
      "report": "maturity",
      "notebook": "01_maturity_assessment.ipynb",
      "status": "ok",
      "seconds": 3.11,
      "error": null,
      "outputs": {
        "ipynb": "01_maturity_assessment.ipynb",
        "html": "01_maturity_assessment.html"
      }
    },
    {
      "report": "kpis",
      "notebook": "02_kpi_analysis.ipynb",
      "status": "failed",
      "seconds": 2.5,
      "error": {
        "cell": 5,
        "source": "raise ValueError('broken')",
        "ename": "ValueError",
        "evalue": "broken on purpose",
        "executed_notebook": "02_kpi_analysis.ipynb"
      },
      "outputs": {
        "ipynb": "02_kpi_analysis.ipynb",
        "html": "02_kpi_analysis.html"
      }
    }
  ],
  "warnings": [
    "data/raid.csv, row 3: no owner"
  ]
}""" % ("ab" * 32)


@pytest.mark.parametrize("value, field", [(TASK, "cycle"), (RESULT, "files"), (OK, "status"), (FAILURE, "cell"),
                                          (MANIFEST, "notebooks")], ids=lambda v: type(v).__name__)
def test_contracts_are_frozen(value, field):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, field, None)


@pytest.mark.parametrize("value", [TASK, RESULT, OK, FAILED, FAILURE, MANIFEST, Status.FAILED],
                         ids=lambda v: type(v).__name__)
def test_contracts_survive_a_pickle_round_trip(value):
    assert pickle.loads(pickle.dumps(value)) == value


def test_tasks_and_results_cross_a_process_boundary():
    """A spawned worker process (as the local pool uses) unpickles them and sends them back unchanged."""
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        task, result = pool.submit(copy.copy, TASK).result(timeout=120), pool.submit(copy.copy, RESULT).result(timeout=120)
    assert task == TASK and result == RESULT and result.outcome.status is Status.FAILED


def test_a_task_knows_its_key_and_a_result_what_downstream_tasks_reuse():
    assert TASK.key == ("2026-Q3", "governance")
    assert RESULT.report == "kpis" and RESULT.recorded() == {"results/kpis.csv": b"kpi_id,value\n"}


def test_a_notebook_is_executed_then_rendered_and_its_two_results_join_into_one_outcome():
    render = TASK.rendering()
    assert render.key == ("2026-Q3", "governance:render") and render.after == (TASK.key,)
    executed = TaskResult("2026-Q3", dataclasses.replace(FAILED, outputs={"ipynb": "02_kpi_analysis.ipynb",
                                                                          "log": "logs/kpis.log"},
                                                         phases={"kernel": 0.5, "execute": 2.0}),
                          {"02_kpi_analysis.ipynb": b"{}", "logs/kpis.log": b"ran\n", "results/kpis.csv": b"x"})
    # the rendering is given the execution's files and its failure, which the report's first page shows
    given, handed = render.given([executed])
    assert handed == [executed.files] and given.context["failure"] == FAILURE.to_json()
    assert TASK.given([executed])[1] == [{"results/kpis.csv": b"x"}]  # a downstream report: the tables only
    rendered = TaskResult("2026-Q3", Outcome("kpis", "02_kpi_analysis.ipynb", Status.OK, 1.25,
                                             outputs={"html": "02_kpi_analysis.html", "log": "logs/kpis.log"},
                                             left_out=3, phases={"html": 0.25, "pdf": 1.0}),
                          {"logs/kpis.log": b"ran\nprinted\n", "02_kpi_analysis.html": b"<html>"})
    joined = executed.joined(rendered)
    assert joined.outcome.status is Status.FAILED and joined.outcome.failure == FAILURE
    assert list(joined.outcome.outputs) == ["ipynb", "html", "log"] and joined.outcome.seconds == 3.75
    assert joined.outcome.phases == {"kernel": 0.5, "execute": 2.0, "html": 0.25, "pdf": 1.0}
    assert joined.outcome.left_out == 3 and joined.files["logs/kpis.log"] == b"ran\nprinted\n"
    assert set(joined.files) == {"02_kpi_analysis.ipynb", "logs/kpis.log", "results/kpis.csv", "02_kpi_analysis.html"}


def test_status_values_are_what_the_manifest_records():
    assert [s.value for s in Status] == ["ok", "failed", "up to date"]  # up to date: a kept pack, never on disk
    assert str(Status.OK) == "ok" and f"{Status.FAILED}" == "failed" and json.dumps(Status.OK) == '"ok"'
    assert OK.ok and not FAILED.ok and not MANIFEST.ok


def test_manifest_json_round_trip_keeps_the_format_on_disk(tmp_path):
    assert json.dumps(MANIFEST.to_json(), indent=2) == RECORDED  # what earlier kits wrote, key for key
    assert Manifest.from_json(json.loads(RECORDED)) == MANIFEST
    MANIFEST.write(tmp_path)
    assert (tmp_path / "manifest.json").read_text() == RECORDED
    assert Manifest.read(tmp_path) == MANIFEST
    assert Manifest.read(tmp_path).notebooks[1].failure == FAILURE


def test_a_sparse_manifest_of_an_older_pack_still_reads():
    sparse = {"status": "ok", "finished": "2026-01-01T00:00:00", "cycle": "C2",
              "notebooks": [{"report": "maturity", "notebook": "01_maturity_assessment.ipynb", "status": "ok",
                             "outputs": {"html": "01_maturity_assessment.html"}}]}
    manifest = Manifest.from_json(sparse)
    assert manifest.status is Status.OK and manifest.kit_version == "" and manifest.parameters == {}
    (notebook,) = manifest.notebooks
    assert notebook.seconds == 0.0 and notebook.failure is None and notebook.outputs == {
        "html": "01_maturity_assessment.html"}


def test_the_local_backends_are_backends():
    assert isinstance(InProcess(), Backend)
    pool = Processes(1)  # a pool starts no worker before its first task
    try:
        assert isinstance(pool, Backend)
    finally:
        pool.close()
    assert not isinstance(object(), Backend)


@pytest.mark.skipif(shutil.which("mypy") is None and not (Path(sys.executable).parent / "mypy").exists(),
                    reason="mypy is not installed")
def test_a_type_checker_holds_every_backend_to_the_protocol():
    """scheduling.py declares (InProcess, Processes, Dask) as Backends; mypy checks every member and signature."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports", "--follow-imports=silent",
                           "--no-incremental", "pmo_lib/running/contracts.py", "pmo_lib/running/scheduling.py"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
