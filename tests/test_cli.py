"""The pmo command, driven end to end in a temporary folder."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from pmo_lib.inputs.exceptions import (EXIT_OK, Failure, InputError, NotebookError, PmoError, Problem,
                                       RunInterrupted, RunLockedError)
from pmo_lib.inputs.resources import NOTEBOOKS, NOTEBOOKS_DIR
from pmo_lib.reporting.manifest import Manifest

from .conftest import edit_csv

pytestmark = pytest.mark.notebook


def pmo(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pmo_lib.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=900)


def check_pdf(path: Path) -> None:
    """A client PDF: cover and contents, numbered pages, captions, no code."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    first_section = "How to use this playbook" if path.stem == "00_playbook" else "Executive summary"
    assert "Contents" in pages[0] and first_section in "".join(pages)
    assert all(f"Page {i} of {len(pages)}" in text for i, text in enumerate(pages, start=1))
    text = "".join(pages)
    assert "import pmo_lib" not in text and "pmo.load_workspace" not in text and "Traceback" not in text
    if path.stem != "00_playbook":  # the three reports carry numbered figure captions
        assert "Figure 1." in text


def test_validate_lists_every_problem_without_a_traceback(tiny, tmp_path):
    edit_csv(tiny, "financials", lambda f: f.assign(budget=f["budget"].where(f.index != 0, "-10")))
    edit_csv(tiny, "initiatives", lambda f: f.assign(status=f["status"].where(f.index != 2, "done")))
    result = pmo("validate", str(tiny), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "2 problems" in result.stderr
    assert re.search(r"financials\.csv, row 2, column budget: must not be negative \(got -10\)", result.stderr)
    assert re.search(r"initiatives\.csv, row 4, column status: must be one of: .* \(got 'done'\)", result.stderr)


def test_validate_accepts_a_good_workspace(tiny, tmp_path):
    result = pmo("validate", str(tiny), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout and "3 cycles" in result.stdout


def test_run_refuses_bad_input_before_running_anything(tiny, tmp_path):
    edit_csv(tiny, "cycles", lambda f: f.assign(end_date=f["end_date"].where(f.index != 0, "2026-13-01")))
    result = pmo("run", str(tiny), "--out", "out", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.html"))


def test_unknown_cycle_is_a_short_error(tiny, tmp_path):
    result = pmo("run", str(tiny), "--cycle", "C9", cwd=tmp_path)
    assert result.returncode == 1 and "known cycles: C1, C2, C3" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_then_validate(tmp_path):
    result = pmo("init", "acme", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "acme" / "data.xlsx").is_file() and (tmp_path / "acme" / "questionnaire.xlsx").is_file()
    result = pmo("validate", "acme", cwd=tmp_path)
    assert result.returncode == 2 and "the table is empty" in result.stderr


def test_run_produces_every_output_file(tiny, tmp_path):
    result = pmo("run", str(tiny), "--cycle", "C2", "--cycle", "C3", "--out", "out", "--jobs", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    org = tmp_path / "out" / "tiny-test-org"
    assert str(org / "index.html") in result.stdout
    for slug in ("c2", "c3"):
        pack = org / slug
        for nb in NOTEBOOKS.values():
            stem = nb.removesuffix(".ipynb")
            assert nbformat.read(str(pack / nb), as_version=4).cells
            html = (pack / f"{stem}.html").read_text()
            assert "Tiny Test Org" in html and "import pmo_lib" not in html and "<script src=" not in html
            check_pdf(pack / f"{stem}.pdf")
        maturity = pd.read_csv(pack / "results" / "maturity.csv")
        assert {"dimension_id", "dimension", "score", "level", "target", "gap", "n_respondents"} <= set(maturity.columns)
        kpis = pd.read_csv(pack / "results" / "kpis.csv", keep_default_na=False)
        assert {"kpi_id", "name", "scope", "value", "unit", "target", "status"} <= set(kpis.columns)
        manifest = json.loads((pack / "manifest.json").read_text())
        assert manifest["status"] == "ok" and manifest["cycle"] == slug.upper()
        assert [n["status"] for n in manifest["notebooks"]] == ["ok", "ok", "ok", "ok"]
        assert all(n["seconds"] > 0 for n in manifest["notebooks"])
        digest = hashlib.sha256((tiny / "data" / "financials.csv").read_bytes()).hexdigest()
        assert manifest["inputs"]["data/financials.csv"] == digest
        assert manifest["packages"]["papermill"] and manifest["parameters"]["cycle"] == slug.upper()
    index = (org / "index.html").read_text()
    links = re.findall(r'href="([^"]+)"', index)
    assert len(links) == 2 * 8 and all((org / link).is_file() for link in links)
    assert (org / "templates" / "questionnaire.pdf").is_file() and (org / "templates" / "input_workbook.xlsx").is_file()
    assert "C3" in index and "Complete" in index
    assert not list(org.glob(".staging-*")) and not (org / ".pmo-run.lock").exists()

    # a re-run with the same inputs gives byte-identical results (--force: otherwise the pack is up to date)
    before = {p.name: p.read_bytes() for p in (org / "c3" / "results").iterdir()}
    result = pmo("run", str(tiny), "--cycle", "C3", "--out", "out", "--format", "html", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert {p.name: p.read_bytes() for p in (org / "c3" / "results").iterdir()} == before


def test_failed_notebook_is_reported_and_never_destroys_the_last_good_pack(tiny, tmp_path):
    ok = pmo("run", str(tiny), "--cycle", "C3", "--out", "out", "--format", "html", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    org = tmp_path / "out" / "tiny-test-org"
    good = (org / "c3" / "02_kpi_analysis.html").read_text()

    broken = tmp_path / "broken-notebooks"
    shutil.copytree(NOTEBOOKS_DIR, broken)
    nb_path = broken / NOTEBOOKS["kpis"]
    nb = nbformat.read(str(nb_path), as_version=4)
    nb.cells.insert(5, nbformat.v4.new_code_cell("raise ValueError('the KPI engine broke')"))
    nbformat.write(nb, str(nb_path))
    result = pmo("run", str(tiny), "--cycle", "C3", "--out", "out", "--format", "html", cwd=tmp_path,
                 env={"PMO_NOTEBOOKS": str(broken)})
    assert result.returncode == 3
    assert "ValueError: the KPI engine broke" in result.stderr and "Traceback" not in result.stderr
    assert "executed notebook kept at" in result.stderr
    assert (org / "c3" / "02_kpi_analysis.html").read_text() == good  # the last good pack is intact
    failed = org / "_failed" / "c3"
    html = (failed / "02_kpi_analysis.html").read_text()
    assert "This report is incomplete" in html and "ValueError" in html
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert [n["status"] for n in manifest["notebooks"]] == ["ok", "failed", "ok", "ok"]
    failure = Manifest.read(failed).notebooks[1].failure  # the one failure shape, as the manifest records it
    assert failure is not None and failure.notebook == NOTEBOOKS["kpis"] and failure.cell == 6
    assert (failure.ename, failure.evalue) == ("ValueError", "the KPI engine broke")
    assert f"executed notebook kept at {failed / NOTEBOOKS['kpis']}" in result.stderr
    assert "Failed" in (org / "index.html").read_text()


def test_a_second_run_on_the_same_output_is_refused(tiny, tmp_path):
    org = tmp_path / "out" / "tiny-test-org"
    org.mkdir(parents=True)
    (org / ".pmo-run.lock").write_text(f"pid {os.getpid()} since now\n")
    result = pmo("run", str(tiny), "--out", "out", cwd=tmp_path)
    assert result.returncode == 4 and "another run is writing" in result.stderr


@pytest.mark.parametrize("error", [PmoError("unknown cycle"), InputError([Problem("data/cycles.csv", "cycles", "bad")]),
                                   NotebookError([Failure("02_kpi_analysis.ipynb", 5, "ValueError", "bad")]),
                                   RunLockedError("another run is writing"), KeyboardInterrupt()],
                         ids=lambda e: type(e).__name__)
def test_the_exit_code_is_that_of_the_error_class(error, monkeypatch, capsys):
    from pmo_lib import cli

    def fail(args):
        raise error

    monkeypatch.setattr(cli, "_cmd_validate", fail)
    code = cli.main(["validate", "anywhere"])
    expected = RunInterrupted if isinstance(error, KeyboardInterrupt) else type(error)
    assert code == expected.exit_code and code != EXIT_OK
    err = capsys.readouterr().err
    assert err.startswith("error: ") or err == "interrupted: finished cycles were kept; nothing half-written was published\n"


# --------------------------------------------------------------------------- pmo benchmark export

def _free_text(workspace: Path) -> set[str]:
    """Every identifying or free-text value of the workspace: respondent ids, roles, titles, owners, names."""
    data = workspace / "data"
    values = set()
    for table, columns in {"assessment": ["respondent_id", "role"], "raid": ["title", "owner"],
                           "decisions": ["title", "owner", "outcome"], "actions": ["title", "owner"],
                           "initiatives": ["name"], "feedback": ["respondent_id"]}.items():
        frame = pd.read_csv(data / f"{table}.csv", dtype=str, keep_default_na=False)
        values |= {v for c in columns if c in frame for v in frame[c] if v}
    return values


def test_benchmark_export_writes_only_the_contract_columns_and_nothing_that_names_the_organisation(tiny, tmp_path):
    from pmo_lib.analysis.benchmark import EXPORT_COLUMNS, org_hash

    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "sector: Retail\n")
    result = pmo("benchmark", "export", str(tiny), "--cycle", "C2", "--out", "peer.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "peer.csv").read_text()
    export = pd.read_csv(tmp_path / "peer.csv", dtype=str, keep_default_na=False)
    assert list(export.columns) == EXPORT_COLUMNS
    assert set(export["org_hash"]) == {org_hash("Tiny Test Org")} and set(export["cycle"]) == {"C2"}
    assert set(export["sector"]) == {"Retail"} and export["n_respondents"].astype(int).gt(0).all()
    assert "tiny test org" not in text.casefold()
    leaked = [v for v in _free_text(tiny) if v.casefold() in text.casefold()]
    assert not leaked, leaked


def test_benchmark_export_defaults_to_standard_output_and_the_latest_cycle(tiny, tmp_path):
    result = pmo("benchmark", "export", str(tiny), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "org_hash,sector,cycle,dimension_id,score,n_respondents"
    assert len(lines) > 1 and all(line.split(",")[2] == "C3" for line in lines[1:])
    assert [p.name for p in tmp_path.iterdir()] == ["tiny"]  # nothing written beside the workspace


def test_benchmark_export_of_an_unknown_cycle_or_a_broken_workspace_is_bad_input(tiny, tmp_path):
    result = pmo("benchmark", "export", str(tiny), "--cycle", "C9", "--out", "peer.csv", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "known cycles: C1, C2, C3 (got 'C9')" in result.stderr and not (tmp_path / "peer.csv").exists()
    edit_csv(tiny, "assessment", lambda f: f.assign(score=f["score"].where(f.index != 0, "nine")))
    result = pmo("benchmark", "export", str(tiny), "--out", "peer.csv", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "assessment" in result.stderr
    assert not (tmp_path / "peer.csv").exists()


def test_a_bad_benchmark_peer_file_stops_validate_and_run_listing_every_problem(tiny, tmp_path):
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "benchmark: peers.csv\n")
    (tiny / "peers.csv").write_text("org_hash,sector,cycle,dimension_id,score,n_respondents\n"
                                    "0123456789abcdef,Retail,C3,flow,7,10\n"
                                    "0123456789abcdef,Retail,C3,nosuch,3,zero\n")
    for command in (["validate", str(tiny)], ["run", str(tiny), "--out", "out"]):
        result = pmo(*command, cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "3 problems" in result.stderr, result.stderr
        assert re.search(r"peers\.csv, row 2, column score: .*scale, 1 to 5 \(got 7\)", result.stderr)
        assert re.search(r"peers\.csv, row 3, column dimension_id: unknown dimension.*'nosuch'",
                         result.stderr)
        assert re.search(r"peers\.csv, row 3, column n_respondents: expected a whole number "
                         r"\(got 'zero'\)", result.stderr)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.html"))


def test_validate_names_a_scenario_that_funds_an_unknown_initiative(tiny, tmp_path):
    config = tiny / "pmo.yaml"
    config.write_text(config.read_text() + "scenarios:\n  - name: Fund the new hub\n    fund: [I-999]\n"
                      "  - name: Budget down\n    budget_change: -0.1\n    stop: [I1, I-404]\n")
    result = pmo("validate", str(tiny), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "scenario 'Fund the new hub' names initiative 'I-999' under fund" in result.stderr
    assert "scenario 'Budget down' names initiative 'I-404' under stop" in result.stderr
    assert "I1'" not in result.stderr  # a known one is fine
