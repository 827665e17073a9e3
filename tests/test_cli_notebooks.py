"""``pmo notebook new``, ``pmo check`` and the checks of ``notebooks:`` in pmo.yaml, from the command line."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from pmo_lib.inputs.resources import NOTEBOOKS
from pmo_lib.running.notebooks import add_to_config

PARAMETERS = "workspace = None\ncycle = None\nresults_dir = None"


def pmo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pmo_lib.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ), timeout=600)


def write_notebook(path: Path, *cells: nbformat.NotebookNode) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=list(cells)), str(path))
    return path


def parameters_cell() -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]})


# --------------------------------------------------------------------------- pmo notebook new

def test_notebook_new_writes_a_starter_and_lists_it_keeping_the_comments(tiny, tmp_path):
    before = (tiny / "pmo.yaml").read_text()
    result = pmo("notebook", "new", str(tiny), "04_claims_focus", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tiny / "notebooks" / "04_claims_focus.ipynb"
    assert f"Wrote {path}" in result.stdout and "Listed it under notebooks:" in result.stdout

    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    assert all(c.get("id") for c in nb.cells) and not any(c.get("outputs") for c in nb.cells)
    assert nb.cells[0].source.startswith("# Claims focus") and "remove-cell" in nb.cells[0].metadata.tags
    (params,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert all(re.search(rf"^{p}\b.*= None", params.source, re.M) for p in ("workspace", "cycle", "results_dir"))
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for helper in ("pmo.table(", "pmo.md(", "pmo.notice(", "badges=", "pmo.reuse_result(\"kpis\"", "scope"):
        assert helper in code  # a worked example of the display helpers and the result tables

    after = (tiny / "pmo.yaml").read_text()
    assert after.startswith(before)  # every line and comment kept; the key added at the end
    assert yaml.safe_load(after)["notebooks"] == ["notebooks/04_claims_focus.ipynb"]
    assert pmo("validate", str(tiny), cwd=tmp_path).returncode == 0

    second = pmo("notebook", "new", str(tiny), "05_risks.ipynb", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert yaml.safe_load((tiny / "pmo.yaml").read_text())["notebooks"] == [
        "notebooks/04_claims_focus.ipynb", "notebooks/05_risks.ipynb"]


def test_notebook_new_in_a_new_workspace_fills_in_the_templates_example(tmp_path):
    assert pmo("init", "acme", cwd=tmp_path).returncode == 0
    before = (tmp_path / "acme" / "pmo.yaml").read_text()
    assert "# notebooks:" in before and "\nnotebooks:" not in before
    assert pmo("notebook", "new", "acme", "04_claims_focus", cwd=tmp_path).returncode == 0
    after = (tmp_path / "acme" / "pmo.yaml").read_text()
    assert after.replace("notebooks:\n  - notebooks/04_claims_focus.ipynb\n", "", 1) == before
    assert yaml.safe_load(after)["notebooks"] == ["notebooks/04_claims_focus.ipynb"]


def test_notebook_new_never_overwrites(tiny, tmp_path):
    assert pmo("notebook", "new", str(tiny), "04_claims_focus", cwd=tmp_path).returncode == 0
    path = tiny / "notebooks" / "04_claims_focus.ipynb"
    path.write_text(path.read_text().replace("Claims focus", "My edits"))
    edited, config = path.read_text(), (tiny / "pmo.yaml").read_text()
    again = pmo("notebook", "new", str(tiny), "04_claims_focus", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr and "Traceback" not in again.stderr
    assert path.read_text() == edited and (tiny / "pmo.yaml").read_text() == config


@pytest.mark.parametrize("name", ["../outside", "with space", "sub/name", ""])
def test_notebook_new_takes_a_plain_name(tiny, tmp_path, name):
    result = pmo("notebook", "new", str(tiny), name, cwd=tmp_path)
    assert result.returncode == 1 and "letters, digits" in result.stderr
    assert not (tiny / "notebooks").exists()


def test_notebook_new_needs_a_workspace(tmp_path):
    result = pmo("notebook", "new", str(tmp_path), "04_x", cwd=tmp_path)
    assert result.returncode == 1 and "has no pmo.yaml" in result.stderr


@pytest.mark.parametrize("text, expected", [
    ("organisation: A\n# a comment\n", "organisation: A\n# a comment\n\n# This workspace's own notebooks, run after "
     "the kit's reports (pmo notebook new adds one).\nnotebooks:\n  - notebooks/new.ipynb\n"),
    ("organisation: A\nnotebooks: [notebooks/a.ipynb]  # ours\ncurrency: EUR\n",
     "organisation: A\nnotebooks: [notebooks/a.ipynb, notebooks/new.ipynb]  # ours\ncurrency: EUR\n"),
    ("organisation: A\nnotebooks: []\n", "organisation: A\nnotebooks: [notebooks/new.ipynb]\n"),
    ("organisation: A\nnotebooks:\n  # the claims view\n  - notebooks/a.ipynb\n# next\ncurrency: EUR\n",
     "organisation: A\nnotebooks:\n  # the claims view\n  - notebooks/a.ipynb\n  - notebooks/new.ipynb\n# next\n"
     "currency: EUR\n"),
    ("organisation: A\nnotebooks:\n    - notebooks/a.ipynb", "organisation: A\nnotebooks:\n    - notebooks/a.ipynb\n"
     "    - notebooks/new.ipynb\n"),
    ("organisation: A\nnotebooks:\n", "organisation: A\nnotebooks:\n  - notebooks/new.ipynb\n"),
    ("organisation: A\n# Our notebooks:\n# notebooks:\n#   - notebooks/x.ipynb\n\n# playbook: p.yaml\n",
     "organisation: A\n# Our notebooks:\n# notebooks:\n#   - notebooks/x.ipynb\nnotebooks:\n  - notebooks/new.ipynb\n\n"
     "# playbook: p.yaml\n"),
])
def test_the_entry_is_added_to_pmo_yaml_as_text(tmp_path, text, expected):
    (tmp_path / "pmo.yaml").write_text(text)
    assert add_to_config(tmp_path, "notebooks/new.ipynb") is None
    assert (tmp_path / "pmo.yaml").read_text() == expected


def test_a_notebooks_key_it_cannot_follow_is_left_to_the_user(tmp_path):
    text = "organisation: A\nnotebooks: !!seq [notebooks/a.ipynb]\n"
    (tmp_path / "pmo.yaml").write_text(text)
    line = add_to_config(tmp_path, "notebooks/new.ipynb")
    assert line is not None and "notebooks/new.ipynb" in line and (tmp_path / "pmo.yaml").read_text() == text


def test_the_starter_runs_top_to_bottom_on_the_sample_with_its_defaults(tiny, tmp_path):
    import papermill as pm

    assert pmo("notebook", "new", str(tiny), "04_claims_focus", cwd=tmp_path).returncode == 0
    out = tmp_path / "executed.ipynb"
    pm.execute_notebook(str(tiny / "notebooks" / "04_claims_focus.ipynb"), str(out), kernel_name="python3",
                        progress_bar=False, cwd=str(tiny / "notebooks"))
    nb = nbformat.read(str(out), as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type in {"error", "stream"}]  # no error, no stray output
    shown = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "Portfolio KPIs in" in shown and 'class="rag' in shown


# --------------------------------------------------------------------------- notebooks: in pmo.yaml

def test_every_notebook_problem_is_listed_at_once_with_its_line(tiny, tmp_path):
    write_notebook(tiny / "notebooks" / "no_tag.ipynb", nbformat.v4.new_code_cell(PARAMETERS))
    write_notebook(tiny / "notebooks" / "two_params.ipynb",
                   nbformat.v4.new_code_cell("workspace = None\ncycle = None", metadata={"tags": ["parameters"]}))
    (tiny / "notebooks" / "broken.ipynb").write_text("{not json")
    (tmp_path / "outside.ipynb").write_text("{}")
    with open(tiny / "pmo.yaml", "a") as fh:
        fh.write("notebooks:\n  - notebooks/no_tag.ipynb\n  - notebooks/two_params.ipynb\n"
                 "  - notebooks/broken.ipynb\n  - ../outside.ipynb\n  - notebooks/missing.ipynb\n"
                 "  - notebooks/notes.txt\n")
    result = pmo("validate", str(tiny), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "6 problems" in result.stderr
    config = str(tiny.resolve() / "pmo.yaml")
    expected = [
        (8, 0, "has no cell tagged 'parameters'"),
        (9, 1, "its parameters cell does not set results_dir"),
        (10, 2, "is not a notebook: its JSON does not parse"),
        (11, 3, "paths must stay inside the workspace folder"),
        (12, 4, "notebook not found; create one with 'pmo notebook new"),
        (13, 5, "a notebook must be a .ipynb file"),
    ]
    for line, i, message in expected:
        assert f"{config}, line {line}, column notebooks.{i}: " in result.stderr and message in result.stderr, message
    # pmo run refuses before anything runs
    run = pmo("run", str(tiny), "--out", "out", cwd=tmp_path)
    assert run.returncode == 2 and not (tmp_path / "out").exists()


def test_a_workspace_notebook_named_like_a_kit_notebook_replaces_it(tiny, tmp_path):
    from pmo_lib.inputs.workspace import load_workspace
    from pmo_lib.running.notebooks import report_notebooks

    write_notebook(tiny / "nb" / NOTEBOOKS["kpis"], parameters_cell())
    write_notebook(tiny / "nb" / "kpis.ipynb", nbformat.v4.new_markdown_cell("## Claims *by* region"),
                   parameters_cell())
    with open(tiny / "pmo.yaml", "a") as fh:
        fh.write(f"notebooks: [nb/kpis.ipynb, nb/{NOTEBOOKS['kpis']}]\n")
    plan = {nb.report: nb for nb in report_notebooks(load_workspace(tiny))}
    assert list(plan) == ["maturity", "kpis", "governance", "playbook", "workspace-kpis"]
    assert plan["kpis"].origin == "workspace" and plan["kpis"].replaces and plan["kpis"].title == "KPI analysis"
    assert plan["kpis"].path == (tiny / "nb" / NOTEBOOKS["kpis"]).resolve()
    assert plan["workspace-kpis"].title == "Claims by region" and not plan["workspace-kpis"].replaces
    assert plan["maturity"].origin == "kit"


# --------------------------------------------------------------------------- pmo check

def stray_workspace(tiny: Path) -> Path:
    path = write_notebook(
        tiny / "notebooks" / "04_scratch.ipynb",
        nbformat.v4.new_markdown_cell("# Scratch", metadata={"tags": ["remove-cell"]}),     # cell 1
        parameters_cell(),                                                                 # cell 2
        nbformat.v4.new_code_cell("import pmo_lib as pmo"),                                # cell 3
        nbformat.v4.new_code_cell('print("total", 3)'),                                    # cell 4
        nbformat.v4.new_code_cell('print("fine: tagged")', metadata={"tags": ["remove-cell"]}),  # cell 5
        nbformat.v4.new_code_cell("import warnings\nwarnings.warn('careful')"),           # cell 6
        nbformat.v4.new_code_cell('pmo.md("shown")', metadata={"tags": ["remove-output"]}),    # cell 7
        nbformat.v4.new_markdown_cell("## Results"),                                       # cell 8
    )
    with open(tiny / "pmo.yaml", "a") as fh:
        fh.write("notebooks: [notebooks/04_scratch.ipynb]\n")
    return path


def test_check_lists_cells_that_reach_the_client_and_stray_output_from_the_source(tiny, tmp_path):
    stray_workspace(tiny)
    result = pmo("check", str(tiny), "--out", "nowhere", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "sources only (no executed notebooks found)" in out
    block = out[out.index("04_scratch.ipynb  (workspace"):]
    assert "reach the client: cells 3-4, 6, 8" in block
    assert "kept out by a tag: 1 (remove-cell), 2 (parameters), 5 (remove-cell), 7 (remove-output)" in block
    assert "cell 4: print()" in block and "cell 6: warnings.warn()" in block and "cell 5:" not in block
    assert "logs/04_scratch.log" in block
    assert "2 cells carry stray output" in out
    for kit in NOTEBOOKS.values():  # the kit's notebooks are listed too, and are clean
        assert re.search(rf"{kit}  \(kit: .*\)\n  reach the client: cells [\d, -]+\n.*\n  stray output: none", out)


def test_check_reads_executed_outputs(tiny, tmp_path):
    path = stray_workspace(tiny)
    nb = nbformat.read(str(path), as_version=4)
    # as papermill leaves it: an injected parameters cell, and a warning the source does not show (a library's)
    nb.cells.insert(2, nbformat.v4.new_code_cell('workspace = "x"', metadata={"tags": ["injected-parameters"]}))
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", name="stderr",
                                                  text="/lib/x.py:3: FutureWarning: old API\n  f()\n")]
    pack = tmp_path / "out" / "tiny-test-org" / "c3"
    pack.mkdir(parents=True)
    nbformat.write(nb, str(pack / path.name))
    (pack / "manifest.json").write_text(json.dumps({"status": "ok", "cycle": "C3", "finished": "2026-11-26T10:00:00",
                                                    "notebooks": []}))
    for args in (("--out", "out"), ("--executed", str(pack)), ("--executed", str(pack / path.name))):
        result = pmo("check", str(tiny), *args, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert f"outputs from {pack}" in result.stdout
        assert "cell 3: warning    import pmo_lib as pmo" in result.stdout
        assert f"outputs read from {pack / path.name}" in result.stdout

    nb.cells[5].source = 'print("changed since")'  # an older run of another version: its outputs are not used
    nbformat.write(nb, str(pack / path.name))
    result = pmo("check", str(tiny), "--executed", str(pack), cwd=tmp_path)
    assert "made from an older version of this notebook" in result.stdout and "cell 3: warning" not in result.stdout


def test_check_is_clean_for_the_kit_and_a_starter(tiny, tmp_path):
    assert pmo("notebook", "new", str(tiny), "04_claims_focus", cwd=tmp_path).returncode == 0
    result = pmo("check", str(tiny), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Clean: no cell carries stray output." in result.stdout
    assert "04_claims_focus.ipynb  (workspace" in result.stdout


def test_check_reports_bad_notebook_entries_as_input_problems(tiny, tmp_path):
    with open(tiny / "pmo.yaml", "a") as fh:
        fh.write("notebooks: [notebooks/missing.ipynb]\n")
    result = pmo("check", str(tiny), cwd=tmp_path)
    assert result.returncode == 2 and "notebook not found" in result.stderr
