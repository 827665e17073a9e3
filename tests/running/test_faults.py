"""Faults during a run and hostile input: precise failures, nothing lost, nothing injected."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_lib import InputError, load_workspace
from pmo_lib.inputs.resources import NOTEBOOKS, NOTEBOOKS_DIR
from pmo_lib.inputs.tables import TABLES

from tests.conftest import DATA

PMO = [sys.executable, "-m", "pmo_lib.cli"]


def broken_notebooks(tmp_path: Path, inserts: dict[str, str]) -> Path:
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, folder)
    for report, code in inserts.items():
        path = folder / NOTEBOOKS[report]
        nb = nbformat.read(str(path), as_version=4)
        nb.cells.insert(4, nbformat.v4.new_code_cell(code))
        nbformat.write(nb, str(path))
    return folder


@pytest.mark.notebook
def test_a_dead_kernel_and_a_cell_timeout_fail_precisely_and_never_hang(tiny, tmp_path):
    folder = broken_notebooks(tmp_path, {"maturity": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
                                         "kpis": "import time\ntime.sleep(600)"})
    started = time.monotonic()
    result = subprocess.run([*PMO, "run", str(tiny), "--cycle", "C3", "--out", "out", "--format", "html",
                             "--timeout", "25"], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PMO_NOTEBOOKS": str(folder)})
    assert time.monotonic() - started < 300
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "01_maturity_assessment.ipynb failed in cell 5 (import os, signal): DeadKernelError" in result.stderr
    assert "02_kpi_analysis.ipynb failed in cell 5 (import time): CellTimeoutError" in result.stderr
    pack = tmp_path / "out" / "tiny-test-org" / "c3"
    manifest = json.loads((pack / "manifest.json").read_text())
    assert [n["status"] for n in manifest["notebooks"]] == ["failed", "failed", "ok", "ok"]  # the others still ran
    html = (pack / "02_kpi_analysis.html").read_text()
    assert "This report is incomplete" in html and "CellTimeoutError" in html
    assert not list(pack.parent.glob(".staging-*"))


def kill_worker_once(marker: Path) -> str:
    """Notebook code that kills the process running its kernel, the first time only."""
    return (f"import os, pathlib, signal\nmarker = pathlib.Path({str(marker)!r})\n"
            "if not marker.exists():\n    marker.write_text('killed')\n    os.kill(os.getppid(), signal.SIGKILL)")


@pytest.mark.notebook
def test_a_task_whose_worker_process_dies_is_run_again(tiny, tmp_path):
    folder = broken_notebooks(tmp_path, {"kpis": kill_worker_once(tmp_path / "killed")})
    result = subprocess.run([*PMO, "run", str(tiny), "--cycle", "C3", "--out", "out", "--format", "html",
                             "--jobs", "2"], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PMO_NOTEBOOKS": str(folder)})
    assert (tmp_path / "killed").exists()  # the worker did die
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "tiny-test-org" / "c3" / "manifest.json").read_text())
    assert [n["status"] for n in manifest["notebooks"]] == ["ok", "ok", "ok", "ok"]


@pytest.mark.notebook
def test_ctrl_c_stops_cleanly_and_keeps_the_previous_pack(tiny, tmp_path):
    ok = subprocess.run([*PMO, "run", str(tiny), "--cycle", "C2", "--out", "out", "--format", "html"],
                        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0, ok.stderr
    org = tmp_path / "out" / "tiny-test-org"
    before = {p.name: p.read_bytes() for p in (org / "c2").rglob("*") if p.is_file()}
    proc = subprocess.Popen([*PMO, "run", str(tiny), "--cycle", "C2", "--cycle", "C3", "--out", "out",
                             "--format", "html", "--force"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    while not list(org.glob(".staging-*/c2/*.ipynb")) and time.monotonic() < deadline:
        time.sleep(0.2)  # wait until a notebook is executing: the interrupt must land mid-run
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    after = {p.name: p.read_bytes() for p in (org / "c2").rglob("*") if p.is_file()}
    assert after == before  # the previous good pack is intact
    assert not list(org.glob(".staging-*")) and not (org / ".pmo-run.lock").exists()
    kernels = subprocess.run(["pgrep", "-f", f"ipykernel.*{tmp_path}"], capture_output=True, text=True)
    assert kernels.stdout.strip() == ""


PAYLOADS = ["<script>alert('x')</script>", "<img src=x onerror=alert(1)>"]


@pytest.mark.notebook
def test_markup_in_every_text_column_is_escaped_in_the_reports(tiny, tmp_path):
    for spec in TABLES.values():
        path = tiny / "data" / f"{spec.name}.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for i, col in enumerate(c.name for c in spec.columns if c.kind == "text"):
            frame[col] = [PAYLOADS[(i + k) % 2] for k in range(len(frame))]
        frame.to_csv(path, index=False)
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text().replace(
        "organisation: Tiny Test Org", "organisation: \"<script>alert('org')</script>\""))
    result = subprocess.run([*PMO, "run", str(tiny), "--cycle", "C3", "--out", "out", "--format", "html"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    pages = list((tmp_path / "out").rglob("*.html"))
    assert len(pages) == 5
    for page in pages:
        html = page.read_text()
        assert "<script>alert" not in html and "<img src=x" not in html, page.name
        assert "&lt;script&gt;alert" in html or page.name == "index.html"


def test_organisation_and_cycle_names_cannot_escape_the_output_folder(tiny, tmp_path):
    from pmo_lib import slugify

    assert slugify("../../etc") == "etc" and slugify("/abs/path") == "abs-path" and slugify("..") == "item"
    assert slugify("Café Nord · FY27 P1") == "cafe-nord-fy27-p1"


COLUMN_VALUES = st.one_of(st.text(max_size=12), st.sampled_from(["", "2026-02-30", "-5", "1e9", "nan", "inf",
                                                                  "2026-01-01", "project", "I1", "C1", "=1+1"]),
                          st.integers(-10, 10).map(str))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(["cycles", "initiatives", "financials", "feedback", "work_items", "raid", "assessment"]),
       rows=st.lists(st.lists(COLUMN_VALUES, min_size=0, max_size=12), min_size=0, max_size=6),
       drop=st.booleans())
def test_malformed_tables_never_raise_anything_but_input_error(table, rows, drop):
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(DATA / "tiny", ws)
        columns = TABLES[table].column_names[1:] if drop else TABLES[table].column_names
        frame = pd.DataFrame([(r + [""] * len(columns))[:len(columns)] for r in rows], columns=columns)
        frame.to_csv(ws / "data" / f"{table}.csv", index=False)
        try:
            load_workspace(ws)
        except InputError as exc:
            assert len(exc.problems) > 0
            assert exc.problems["message"].map(bool).all()
