"""``pmo pull``, ``pmo run --pull`` and ``pmo validate`` on workspaces whose tables live in sources."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from .inputs.test_sources_sql import pg_url, postgres  # noqa: F401  (a fixture)
from .sourcekit import DATA, PG_PASSWORD, load_into_database

TINY = DATA / "tiny"


def pmo(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pmo_lib.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=900)


def jira_export(items: pd.DataFrame) -> bytes:
    """Tiny's work items as Jira's "Export CSV (all fields)" writes them."""
    kinds = {"feature": "Story", "defect": "Bug", "risk": "Risk", "debt": "Tech debt"}

    def jira_date(text: str) -> str:
        return pd.Timestamp(text).strftime("%d/%b/%y") + " 9:41 AM" if text else ""

    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(["Summary", "Issue key", "Issue Type", "Status", "Created", "Resolved", "Labels", "Labels",
                  "Custom field (Journal)", "Custom field (Start date)"])
    for _, row in items.iterrows():
        out.writerow([f"Item {row.item_id}\nwith details", row.item_id, kinds[row.item_type],
                      "Done" if row.finished else "In Progress", jira_date(row.created), jira_date(row.finished),
                      "pmo", "", f"Journal {row.initiative_id}", f"{row.started} 10:15" if row.started else ""])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


WALKTHROUGH_YAML = """
sources:
  database: sqlite:///portfolio.db
  tables:
    financials: {query: "SELECT cycle, initiative_id, budget, planned_value, earned_value, actual_cost FROM pmo_financials"}
    work_items:
      from: jira-csv
      path: exports/jira.csv
      columns:
        initiative_id: Journal
        started: Start date
      values:
        initiative_id: {"Journal I1": I1, "Journal I2": I2, "Journal I3": I3, "Journal I4": I4}
"""


def walkthrough_workspace(target: Path) -> Path:
    """The README's walk-through: a Jira CSV export and a SQLite file, and pmo.yaml's sources, nothing typed in."""
    import sqlalchemy as sa

    shutil.copytree(TINY, target)
    engine = sa.create_engine(f"sqlite:///{target / 'portfolio.db'}")
    load_into_database(engine, target / "data", rename={"financials": "pmo_financials"}, skip=("work_items",))
    engine.dispose()
    (target / "exports").mkdir()
    items = pd.read_csv(target / "data" / "work_items.csv", dtype=str, keep_default_na=False)
    (target / "exports" / "jira.csv").write_bytes(jira_export(items))
    shutil.rmtree(target / "data")
    (target / "pmo.yaml").write_text((target / "pmo.yaml").read_text() + WALKTHROUGH_YAML)
    return target


def test_pull_then_validate(tmp_path):
    ws = walkthrough_workspace(tmp_path / "ws")
    result = pmo("validate", str(ws), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "work_items (12 rows, from Jira CSV export exports/jira.csv)" in result.stdout
    assert "financials (12 rows, from database sqlite:///portfolio.db query)" in result.stdout
    assert not (ws / "data").exists()  # validating reads the sources and writes nothing
    result = pmo("pull", str(ws), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "work_items" in result.stdout and "12 rows" in result.stdout and "_sources.json" in result.stdout
    record = json.loads((ws / "data" / "_sources.json").read_text())
    assert sorted(record["tables"]) == sorted(p.stem for p in (ws / "data").glob("*.csv"))


def one_problem(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("error: 1 problem in the workspace")
    return lines[1]


def unchanged(ws: Path) -> dict[str, bytes]:
    return {str(p.relative_to(ws)): p.read_bytes() for p in sorted(ws.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", [["pull"], ["run", "--pull", "--out", "out"], ["validate"]])
def test_bad_sources_are_one_line_exit_2_and_nothing_written(tmp_path, command):
    ws = walkthrough_workspace(tmp_path / "ws")
    assert pmo("pull", str(ws), cwd=tmp_path).returncode == 0
    cases = {
        "missing export": lambda: (ws / "exports" / "jira.csv").rename(ws / "exports" / "moved.csv"),
        "query error": lambda: (ws / "pmo.yaml").write_text(
            (ws / "pmo.yaml").read_text().replace("FROM pmo_financials", "FROM pmo_finance")),
        "unreachable": lambda: (ws / "pmo.yaml").write_text((ws / "pmo.yaml").read_text().replace(
            "sqlite:///portfolio.db", "postgresql://pmo:${PMO_TEST_DB_PASSWORD}@127.0.0.1:9/portfolio")),
    }
    expected = {"missing export": "exports/jira.csv, table work_items: the export file does not exist",
                "query error": "sqlite:///portfolio.db query for financials: the query cannot be read: no such table",
                "unreachable": "postgresql://127.0.0.1:9/portfolio: cannot connect to the database"}
    original = (ws / "pmo.yaml").read_text()
    for case, breaks in cases.items():
        (ws / "pmo.yaml").write_text(original)
        if (ws / "exports" / "moved.csv").exists():
            (ws / "exports" / "moved.csv").rename(ws / "exports" / "jira.csv")
        breaks()
        before = unchanged(ws)
        result = pmo(*command[:1], str(ws), *command[1:], cwd=tmp_path, env={"PMO_TEST_DB_PASSWORD": "top-secret-42"})
        line = one_problem(result)
        assert line.startswith(f"  - {expected[case]}"), (case, line)
        assert "top-secret-42" not in result.stderr + result.stdout
        assert unchanged(ws) == before, case
        assert not (tmp_path / "out").exists()


def test_a_wrong_password_is_one_line_and_never_printed(tmp_path, postgres):  # noqa: F811
    ws = walkthrough_workspace(tmp_path / "ws")
    url = pg_url(postgres, "${PMO_TEST_DB_PASSWORD}")
    (ws / "pmo.yaml").write_text((ws / "pmo.yaml").read_text().replace("sqlite:///portfolio.db", url))
    result = pmo("pull", str(ws), cwd=tmp_path, env={"PMO_TEST_DB_PASSWORD": "Guess-Pa55word-77"})
    line = one_problem(result)
    assert "password authentication failed" in line and "Guess-Pa55word-77" not in result.stderr + result.stdout
    assert PG_PASSWORD not in result.stderr and not (ws / "data").exists()


def results(org: Path) -> dict[str, bytes]:
    return {str(p.relative_to(org)): p.read_bytes() for p in sorted(org.glob("*/results/*.csv"))}


@pytest.mark.notebook
def test_csv_sqlite_and_postgresql_give_byte_identical_results(tmp_path, postgres):  # noqa: F811
    import sqlalchemy as sa

    csv_ws = tmp_path / "csv"
    shutil.copytree(TINY, csv_ws)
    lite = walkthrough_workspace(tmp_path / "sqlite")
    pg_ws = tmp_path / "postgresql"
    shutil.copytree(TINY, pg_ws)
    admin = sa.create_engine(pg_url(postgres, PG_PASSWORD).replace("postgresql://", "postgresql+psycopg://"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql('CREATE DATABASE "same_results"')
    admin.dispose()
    engine = sa.create_engine(pg_url(postgres, PG_PASSWORD, "same_results").replace("postgresql://",
                                                                                     "postgresql+psycopg://"))
    load_into_database(engine, pg_ws / "data")
    engine.dispose()
    shutil.rmtree(pg_ws / "data")
    (pg_ws / "pmo.yaml").write_text((pg_ws / "pmo.yaml").read_text() + "sources:\n  database: "
                                    + pg_url(postgres, database="same_results") + "\n")
    env = {"PMO_TEST_PG_PASSWORD": PG_PASSWORD}
    packs = {}
    for name, ws, extra in (("csv", csv_ws, []), ("sqlite", lite, ["--pull"]), ("postgresql", pg_ws, ["--pull"])):
        result = pmo("run", str(ws), *extra, "--cycle", "C3", "--format", "html", "--out", f"out-{name}",
                     cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        packs[name] = tmp_path / f"out-{name}" / "tiny-test-org"
    reference = results(packs["csv"])
    assert len(reference) > 5
    assert results(packs["sqlite"]) == reference
    assert results(packs["postgresql"]) == reference
    csv_manifest = json.loads((packs["csv"] / "c3" / "manifest.json").read_text())
    assert "snapshot" not in csv_manifest  # a workspace without sources keeps the older manifest format
    manifest = json.loads((packs["sqlite"] / "c3" / "manifest.json").read_text())
    snapshot = manifest["snapshot"]
    record = json.loads((lite / "data" / "_sources.json").read_text())
    assert snapshot["pulled_at"] == record["pulled_at"] and snapshot["file"] == "data/_sources.json"
    assert snapshot["tables"]["work_items"]["sha256"] == record["tables"]["work_items"]["sha256"]
    assert snapshot["tables"]["work_items"]["from"] == "jira-csv"
    assert manifest["inputs"]["data/_sources.json"]
    pg_manifest = (packs["postgresql"] / "c3" / "manifest.json").read_text()
    assert PG_PASSWORD not in pg_manifest and "${" not in pg_manifest


def test_pull_without_sources_says_there_is_nothing_to_pull(tmp_path):
    shutil.copytree(TINY, tmp_path / "ws")
    before = unchanged(tmp_path / "ws")
    result = pmo("pull", str(tmp_path / "ws"), cwd=tmp_path)
    assert "there is nothing to pull: pmo.yaml has no sources" in one_problem(result)
    assert unchanged(tmp_path / "ws") == before


@pytest.mark.notebook
def test_each_cycles_pack_tells_the_data_as_it_stood_and_a_new_export_is_said(tmp_path):
    ws = walkthrough_workspace(tmp_path / "ws")
    items = pd.read_csv(TINY / "data" / "work_items.csv", dtype=str, keep_default_na=False)
    items.loc[items["item_id"] == "W2", "started"] = ""  # finished in C1 without a start
    (ws / "exports" / "jira.csv").write_bytes(jira_export(items))
    assert pmo("pull", str(ws), cwd=tmp_path).returncode == 0
    (ws / "exports" / "jira.csv").write_bytes(jira_export(items.iloc[:-1]))  # a new export, not pulled
    result = pmo("run", str(ws), "--cycle", "C1", "--cycle", "C3", "--format", "html", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (f"warning: exports/jira.csv, table work_items: the export changed since the last pull on "
            in result.stdout), result.stdout
    assert f"run 'pmo pull {ws}' (or 'pmo run --pull') to use it" in result.stdout
    org = tmp_path / "out" / "tiny-test-org"
    tail = "have no start date: they count in throughput but are left out of flow time"
    expected = {"c1": f"1 of 2 work items finished by the end of C1 (50%) {tail}",
                "c3": f"1 of 10 work items finished by the end of C3 (10%) {tail}"}
    for slug, note in expected.items():
        warnings = json.loads((org / slug / "manifest.json").read_text())["warnings"]
        assert f"exports/jira.csv, table work_items: {note}" in warnings, warnings
        assert not [w for w in warnings if "no start date" in w and note not in w]
        kpi = next((org / slug).glob("*kpi*.html")).read_text()
        assert note.replace("work_items", "work items") in kpi
        assert "the export changed since the last pull" in kpi
        assert "exports/jira.csv" in kpi and "data/work_items.csv" not in kpi  # the source the user named
    assert "cycle 'C3'" not in (org / "c1" / "manifest.json").read_text()
