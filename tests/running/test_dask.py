"""Runs spread over a Dask distributed cluster: same packs, same failures, same manifest as local runs."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from distributed import LocalCluster

from tests.test_cli import check_pdf, pmo
from .test_faults import broken_notebooks, kill_worker_once

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, started by the test, on this machine."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as local:
        yield local.scheduler_address


def test_a_cluster_produces_the_packs_a_local_run_does(tiny, tmp_path, cluster):
    remote = pmo("run", str(tiny), "--cycle", "C2", "--cycle", "C3", "--out", "remote", "--scheduler", cluster,
                 cwd=tmp_path)
    assert remote.returncode == 0, remote.stdout + remote.stderr
    local = pmo("run", str(tiny), "--cycle", "C3", "--out", "local", "--format", "html", cwd=tmp_path)
    assert local.returncode == 0, local.stderr

    org = tmp_path / "remote" / "tiny-test-org"
    for slug in ("c2", "c3"):
        manifest = json.loads((org / slug / "manifest.json").read_text())
        assert manifest["status"] == "ok" and manifest["parameters"]["scheduler"] == cluster
        assert [n["report"] for n in manifest["notebooks"]] == ["maturity", "kpis", "governance", "playbook"]
        for notebook in manifest["notebooks"]:
            for name in notebook["outputs"].values():
                assert (org / slug / name).is_file()
        check_pdf(org / slug / "02_kpi_analysis.pdf")
        assert (org / slug / "logs" / "governance.log").is_file()
    # the results sent back from the workers are those of a local run, byte for byte
    remote_results = {p.name: p.read_bytes() for p in (org / "c3" / "results").iterdir()}
    local_results = {p.name: p.read_bytes() for p in (tmp_path / "local" / "tiny-test-org" / "c3" / "results").iterdir()}
    assert remote_results == local_results and "maturity.csv" in remote_results
    index = (org / "index.html").read_text()
    assert "C2" in index and "C3" in index
    assert not list(org.glob(".staging-*")) and not (org / ".pmo-run.lock").exists()


def test_a_failing_notebook_on_the_cluster_fails_as_it_does_locally(tiny, tmp_path, cluster):
    folder = broken_notebooks(tmp_path, {"kpis": "raise ValueError('broken on purpose')"})
    env = {"PMO_NOTEBOOKS": str(folder)}  # the client sends the notebooks it reads to the workers
    result = pmo("run", str(tiny), "--cycle", "C3", "--out", "out", "--format", "html", "--scheduler", cluster,
                 cwd=tmp_path, env=env)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "02_kpi_analysis.ipynb failed in cell 5 (raise ValueError('broken on purpose')): ValueError" in result.stderr
    manifest = json.loads((tmp_path / "out" / "tiny-test-org" / "c3" / "manifest.json").read_text())
    assert [n["status"] for n in manifest["notebooks"]] == ["ok", "failed", "ok", "ok"]
    assert manifest["notebooks"][1]["error"]["evalue"] == "broken on purpose"


def test_a_task_whose_worker_dies_is_run_again_as_locally(tiny, tmp_path, cluster):
    folder = broken_notebooks(tmp_path, {"kpis": kill_worker_once(tmp_path / "killed")})
    result = pmo("run", str(tiny), "--cycle", "C3", "--out", "out", "--format", "html", "--scheduler", cluster,
                 cwd=tmp_path, env={"PMO_NOTEBOOKS": str(folder)})
    assert (tmp_path / "killed").exists()  # a worker did die
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "tiny-test-org" / "c3" / "manifest.json").read_text())
    assert [n["status"] for n in manifest["notebooks"]] == ["ok", "ok", "ok", "ok"]


def test_the_dask_backend_is_a_backend(cluster):
    from pmo_lib.running.contracts import Backend
    from pmo_lib.running.scheduling import Dask

    backend = Dask(cluster, b"workspace")
    try:
        assert isinstance(backend, Backend) and backend.lost_worker == ()
    finally:
        backend.close()


def test_an_unreachable_scheduler_is_a_short_error(tiny, tmp_path):
    result = pmo("run", str(tiny), "--out", "out", "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert not list((tmp_path / "out").rglob("*.html"))


def test_reused_kernels_give_the_results_of_fresh_ones(tiny, tmp_path):
    """A warm kernel, reset between notebooks, records exactly what a new kernel per notebook does."""
    tag = {"PMO_TEST_RUN": tmp_path.name}  # kernels inherit the environment: find this test's kernels by it
    warm = pmo("run", str(tiny), "--cycle", "C2", "--cycle", "C3", "--out", "warm", "--format", "html",
               "--jobs", "2", cwd=tmp_path, env=tag)
    fresh = pmo("run", str(tiny), "--cycle", "C2", "--cycle", "C3", "--out", "fresh", "--format", "html",
                "--fresh-kernels", cwd=tmp_path, env=tag)
    assert warm.returncode == 0 and fresh.returncode == 0, warm.stderr + fresh.stderr
    for slug in ("c2", "c3"):
        folders = [tmp_path / out / "tiny-test-org" / slug / "results" for out in ("warm", "fresh")]
        warm_results, fresh_results = ({p.name: p.read_bytes() for p in f.iterdir()} for f in folders)
        assert warm_results == fresh_results
    time.sleep(2)  # a kernel whose worker has gone notices within a second
    assert _kernels_with(f"PMO_TEST_RUN={tmp_path.name}") == []  # no kernel outlives its run


def _kernels_with(entry: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if b"ipykernel" in (proc / "cmdline").read_bytes() and \
                    entry.encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_the_kernel_reset_restores_process_state(tmp_path):
    """What one notebook changes in its kernel, the next notebook does not see."""
    from pmo_lib.running.execute import _KERNELS

    kernel = _KERNELS.acquire("python3", str(tmp_path), "", reuse=True)
    try:
        kernel.run("import matplotlib, pandas, numpy, os, sys, warnings\n"
                   "matplotlib.rcParams['figure.dpi'] = 33\npandas.set_option('display.max_rows', 3)\n"
                   "numpy.random.seed(1)\nos.environ['LEFT_BEHIND'] = '1'\nsys.path.append('/nowhere')\n"
                   "warnings.simplefilter('error')\nleft_behind = 1")
        _KERNELS.release(keep=True)
        kernel = _KERNELS.acquire("python3", str(tmp_path), "", reuse=True)
        kernel.run("import matplotlib, pandas, os, sys, warnings\n"
                   "assert matplotlib.rcParams['figure.dpi'] != 33\n"
                   "assert pandas.get_option('display.max_rows') == 60\n"
                   "assert 'LEFT_BEHIND' not in os.environ and '/nowhere' not in sys.path\n"
                   "assert ('error', None, Warning, None, 0) not in warnings.filters\n"
                   "assert 'left_behind' not in globals()\n"
                   "import numpy\nstate = sys.modules['_pmo_kernel_state'].random\n"
                   "assert (numpy.random.get_state()[1] == state[1]).all()\n"
                   f"assert os.getcwd() == {str(tmp_path)!r}")
    finally:
        _KERNELS.discard()

