"""A workspace's own notebooks through ``pmo run``: a new report, a replaced kit report, and what reaches the client.

One run of a copy of the tiny workspace, made once for the module: it lists a
starter notebook (``pmo notebook new``), a replacement of the kit's KPI notebook,
and a notebook that prints, warns, shows a bare DataFrame and uses each removal
tag. A second workspace, without notebooks, shows that the replacement is its
workspace's only.
"""
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
import pytest

from pmo_lib.inputs.resources import NOTEBOOKS, NOTEBOOKS_DIR
from pmo_lib.reporting.manifest import Manifest

pytestmark = pytest.mark.notebook

DATA = Path(__file__).resolve().parents[1] / "data"
OWN_KPI_SECTION = "Tiny's own KPI section, for this client only"
PARAMETERS = ("workspace = None\ncycle = None\nresults_dir = None")


def pmo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pmo_lib.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ), timeout=900)


def working_output_notebook() -> nbformat.NotebookNode:
    """Print, stderr, a warning, a bare DataFrame and each removal tag, each marked with a word to look for."""
    v4 = nbformat.v4
    code = v4.new_code_cell
    return v4.new_notebook(cells=[
        v4.new_markdown_cell("# Working output on trial"),                                           # cell 1
        code(PARAMETERS, metadata={"tags": ["parameters"]}),                                           # cell 2
        code("import sys, warnings\nimport pandas as pd\nimport pmo_lib as pmo\n"
             "ws = pmo.load_workspace(workspace)"),                                                    # cell 3
        code('print("PRINTED-LINE")'),                                                                 # cell 4
        code('warnings.warn("WARNED-TEXT")'),                                                          # cell 5
        code('print("STDERR-TEXT", file=sys.stderr)'),                                                 # cell 6
        code('pd.DataFrame({"label": ["BARE-FRAME-ROW", None], "value": [1.5, None]})'),              # cell 7
        code('print("REMOVE-CELL-PRINT")\npmo.md("REMOVE-CELL-OUTPUT")', metadata={"tags": ["remove-cell"]}),  # 8
        code('hidden_code = "REMOVE-INPUT-CODE"\npmo.md("REMOVE-INPUT-OUTPUT")',
             metadata={"tags": ["remove-input"]}),                                                     # cell 9
        code('pmo.md("REMOVE-OUTPUT-OUTPUT")', metadata={"tags": ["remove-output"]}),                # cell 10
        v4.new_markdown_cell("## Appendix: data quality"),                                            # cell 11
        code("pmo.data_quality_section(ws)"),                                                          # cell 12
        v4.new_markdown_cell("## After the appendix"),                                                # cell 13
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("wsnb")
    ws = base / "tiny"
    shutil.copytree(DATA / "tiny", ws)
    made = pmo("notebook", "new", str(ws), "04_claims_focus", cwd=base)
    assert made.returncode == 0, made.stderr
    nbformat.write(working_output_notebook(), str(ws / "notebooks" / "05_working_output.ipynb"))
    # the replacement: the kit's KPI notebook with one more section, edited keeping its cell ids
    kpis = nbformat.read(str(NOTEBOOKS_DIR / NOTEBOOKS["kpis"]), as_version=4)
    at = next(i for i, c in enumerate(kpis.cells) if c.source.startswith("## Executive summary"))
    kpis.cells.insert(at + 2, nbformat.v4.new_markdown_cell(f"## {OWN_KPI_SECTION}"))
    nbformat.write(kpis, str(ws / "notebooks" / NOTEBOOKS["kpis"]))
    with open(ws / "pmo.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"  - notebooks/05_working_output.ipynb\n  - notebooks/{NOTEBOOKS['kpis']}\n")

    other = base / "other"  # the same data, no notebooks of its own
    shutil.copytree(DATA / "tiny", other)
    result = pmo("run", str(ws), "--cycle", "C3", "--out", "out", "--with-code", cwd=base)
    assert result.returncode == 0, result.stdout + result.stderr
    plain = pmo("run", str(other), "--cycle", "C3", "--out", "out-other", "--format", "html", cwd=base)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    return {"ws": ws, "org": base / "out" / "tiny-test-org", "other": base / "out-other" / "tiny-test-org",
            "result": result, "plain": plain}


def test_the_run_says_where_each_notebook_came_from(run):
    out = run["result"].stdout
    ws = run["ws"].resolve()
    assert re.search(rf"kpis\s+workspace\s+{re.escape(str(ws / 'notebooks' / NOTEBOOKS['kpis']))} "
                     r"\(replaces the kit's\)", out)
    assert re.search(rf"04_claims_focus\s+workspace\s+{re.escape(str(ws / 'notebooks' / '04_claims_focus.ipynb'))}",
                     out)
    assert re.search(rf"maturity\s+kit\s+{re.escape(str(NOTEBOOKS_DIR / NOTEBOOKS['maturity']))}", out)
    assert "kpis                   kit" in run["plain"].stdout


def test_workspace_notebooks_have_their_html_pdf_index_links_and_manifest_entries(run):
    pack, ws = run["org"] / "c3", run["ws"].resolve()
    for stem in ("04_claims_focus", "05_working_output"):
        assert (pack / f"{stem}.html").is_file() and (pack / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    html = (pack / "04_claims_focus.html").read_text()
    assert "<h1 class=\"pmo-title\">Claims focus</h1>" in html and "Tiny Test Org" in html
    assert "Portfolio KPIs in C3" in html and "import pmo_lib" not in html

    index = (run["org"] / "index.html").read_text()
    for title, stem in (("Claims focus", "04_claims_focus"), ("Working output on trial", "05_working_output")):
        assert re.search(rf"<li>{title}: <a href=\"c3/{stem}.html\">HTML</a> · <a href=\"c3/{stem}.pdf\">PDF</a>",
                         index), title
    links = re.findall(r'href="([^"]+)"', index)
    assert all((run["org"] / link).is_file() for link in links)

    manifest = Manifest.read(pack)
    by_report = {n.report: n for n in manifest.notebooks}
    assert list(by_report) == ["maturity", "kpis", "governance", "playbook", "04_claims_focus", "05_working_output"]
    for report, path in (("04_claims_focus", ws / "notebooks" / "04_claims_focus.ipynb"),
                         ("05_working_output", ws / "notebooks" / "05_working_output.ipynb"),
                         ("kpis", ws / "notebooks" / NOTEBOOKS["kpis"]),
                         ("maturity", NOTEBOOKS_DIR / NOTEBOOKS["maturity"])):
        outcome = by_report[report]
        assert outcome.ok and outcome.path == str(path)
        assert outcome.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert outcome.origin == ("kit" if report == "maturity" else "workspace")
    assert by_report["04_claims_focus"].title == "Claims focus"
    raw = json.loads((pack / "manifest.json").read_text())
    assert raw["notebooks"][4]["path"] == str(ws / "notebooks" / "04_claims_focus.ipynb")
    assert raw["inputs"]["notebooks/04_claims_focus.ipynb"] == by_report["04_claims_focus"].sha256


def test_the_replacement_is_that_workspaces_only(run):
    mine = (run["org"] / "c3" / "02_kpi_analysis.html").read_text()
    theirs = (run["other"] / "c3" / "02_kpi_analysis.html").read_text()
    assert OWN_KPI_SECTION in mine and OWN_KPI_SECTION not in theirs
    assert "Scorecard" in mine and "Scorecard" in theirs  # the rest of the kit's report is still there
    other = {n.report: n for n in Manifest.read(run["other"] / "c3").notebooks}
    assert other["kpis"].origin == "kit" and other["kpis"].path == str(NOTEBOOKS_DIR / NOTEBOOKS["kpis"])
    assert list(other) == ["maturity", "kpis", "governance", "playbook"]
    # the governance report still reuses the KPI results the replacement recorded
    assert (run["org"] / "c3" / "results" / "kpis.csv").is_file()


def test_print_stderr_and_warnings_go_to_the_log_and_never_to_the_client(run):
    pack = run["org"] / "c3"
    html = (pack / "05_working_output.html").read_text()
    for hidden in ("PRINTED-LINE", "WARNED-TEXT", "STDERR-TEXT", "REMOVE-CELL-PRINT", "REMOVE-CELL-OUTPUT",
                   "REMOVE-OUTPUT-OUTPUT", "REMOVE-INPUT-CODE", "UserWarning"):
        assert hidden not in html, hidden
    assert "BARE-FRAME-ROW" in html and "<table" in html  # a bare DataFrame is a displayed result: it stays
    assert "REMOVE-INPUT-OUTPUT" in html  # remove-input hides the code, not what the cell shows

    log = (pack / "logs" / "05_working_output.log").read_text()
    assert re.search(r"cell 4, printed:\n    PRINTED-LINE\n", log)
    assert re.search(r"cell 5, warning:\n    \S+:\d+: UserWarning: WARNED-TEXT\n", log)
    assert re.search(r"cell 6, error output:\n    STDERR-TEXT\n", log)
    assert re.search(r"cell 8, printed \(cell tagged remove-cell\):\n    REMOVE-CELL-PRINT\n", log)
    assert "REMOVE-OUTPUT-OUTPUT" not in log and "BARE-FRAME-ROW" not in log  # displayed output is no log line

    # the appendix counts what was left out, in words, right after the data-quality section
    outcome = {n.report: n for n in Manifest.read(pack).notebooks}["05_working_output"]
    lines = outcome.left_out
    assert lines >= 4  # print, stderr, and the warning with its source line
    sentence = re.search(r"(\d+) lines of working output, including 1 warning, were left out of this report", html)
    assert sentence and int(sentence.group(1)) == lines
    assert "The run's log of this report keeps them." in html
    assert "05_working_output.log" not in html  # no file names in client text; the log is in the pack
    # (rindex: the headings are first listed in the contents on the cover)
    assert html.rindex("Appendix: data quality") < html.index("Working output.") < html.rindex("After the appendix")
    assert outcome.outputs["log"] == "logs/05_working_output.log"

    # the analysts' variant shows code, but still no working output and not the remove-input code
    code = (pack / "05_working_output.code.html").read_text()
    assert "DataFrame" in code and "REMOVE-INPUT-CODE" not in code and "UserWarning" not in code
    assert code.count("PRINTED-LINE") == 1 and code.count("STDERR-TEXT") == 1  # in the code shown, not as output


def test_kit_reports_of_the_run_leave_nothing_out(run):
    """The kit's notebooks print nothing: their reports carry no left-out sentence."""
    pack = run["org"] / "c3"
    for name in NOTEBOOKS.values():
        assert "Working output." not in (pack / name.replace(".ipynb", ".html")).read_text()
    assert all(n.left_out == 0 for n in Manifest.read(pack).notebooks if n.origin == "kit")


def test_the_manifest_reads_and_writes_where_a_notebook_came_from():
    from pmo_lib.reporting.manifest import Outcome, Status

    outcome = Outcome("04_claims_focus", "04_claims_focus.ipynb", Status.OK, 1.5,
                      outputs={"html": "04_claims_focus.html", "log": "logs/04_claims_focus.log"},
                      path="/ws/notebooks/04_claims_focus.ipynb", origin="workspace", sha256="ab" * 32,
                      title="Claims focus", left_out=3)
    data = outcome.to_json()
    assert list(data)[:6] == ["report", "notebook", "status", "seconds", "error", "outputs"]  # as before, then
    assert {k: data[k] for k in ("path", "origin", "sha256", "title", "left_out")} == {
        "path": "/ws/notebooks/04_claims_focus.ipynb", "origin": "workspace", "sha256": "ab" * 32,
        "title": "Claims focus", "left_out": 3}
    assert Outcome.from_json(json.loads(json.dumps(data))) == outcome
    older = Outcome.from_json({"report": "kpis", "notebook": "02_kpi_analysis.ipynb", "status": "ok"})
    assert (older.path, older.origin, older.sha256, older.title, older.left_out) == ("", "", "", "", 0)
    assert "path" not in older.to_json()  # an outcome without them writes what older kits wrote
