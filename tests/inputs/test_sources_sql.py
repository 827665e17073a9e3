"""SQL sources against real servers: SQLite in the workspace, and a PostgreSQL the tests start themselves."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pmo_lib.inputs.exceptions import InputError
from pmo_lib.inputs.sources import pull_workspace
from pmo_lib.inputs.workspace import load_workspace

from ..sourcekit import DATA, PG_PASSWORD, load_into_database, postgres_bin, postgres_server

TINY = DATA / "tiny"
DATABASE_YAML = """
sources:
  database: {url}
  tables:
    financials: {{query: "SELECT cycle, initiative_id, budget, planned_value, earned_value, actual_cost FROM pmo_financials"}}
"""


def sql_workspace(target: Path, url: str, engine) -> Path:
    """The tiny workspace with every table in a database (financials under another name, through a query)."""
    shutil.copytree(TINY, target)
    load_into_database(engine, target / "data", rename={"financials": "pmo_financials"})
    shutil.rmtree(target / "data")
    (target / "pmo.yaml").write_text((target / "pmo.yaml").read_text() + DATABASE_YAML.format(url=url))
    return target


@pytest.fixture
def sqlite_ws(tmp_path) -> Path:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'portfolio.db'}")
    ws = sql_workspace(tmp_path / "ws", "sqlite:///portfolio.db", engine)
    engine.dispose()
    shutil.move(tmp_path / "portfolio.db", ws / "portfolio.db")
    return ws


@pytest.fixture(scope="module")
def postgres():
    if postgres_bin() is None:
        pytest.skip("PostgreSQL server binaries are not installed (Debian package 'postgresql'; .ci/run installs it)")
    with postgres_server() as server:
        yield server


def pg_url(server: dict, password: str = "${PMO_TEST_PG_PASSWORD}", database: str = "postgres") -> str:
    return f"postgresql://{server['user']}:{password}@/{database}?host={server['host']}"


@pytest.fixture
def postgres_ws(tmp_path, postgres, monkeypatch) -> Path:
    import sqlalchemy as sa

    name = f"ws_{tmp_path.name.lower()[-20:].replace('-', '_')}"
    admin = sa.create_engine(pg_url(postgres, PG_PASSWORD).replace("postgresql://", "postgresql+psycopg://"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    engine = sa.create_engine(pg_url(postgres, PG_PASSWORD, name).replace("postgresql://", "postgresql+psycopg://"))
    monkeypatch.setenv("PMO_TEST_PG_PASSWORD", PG_PASSWORD)
    ws = sql_workspace(tmp_path / "ws", pg_url(postgres, database=name), engine)
    engine.dispose()
    return ws


def comparable(ws) -> dict[str, pd.DataFrame]:
    """Every provided table, in the kit's key order, without where its rows came from."""
    from pmo_lib.inputs.tables import TABLES

    out = {}
    for name in sorted(ws.present):
        frame = ws[name].drop(columns="source_row")
        key = list(TABLES[name].key) or list(frame.columns)
        out[name] = frame.sort_values(key, kind="stable").reset_index(drop=True)
    return out


def test_sqlite_serves_every_table_by_its_name(sqlite_ws):
    ws = load_workspace(sqlite_ws, from_sources=True)
    reference = load_workspace(TINY)
    assert ws.present == reference.present
    for name, frame in comparable(reference).items():
        pd.testing.assert_frame_equal(comparable(ws)[name], frame, check_dtype=False)
    assert ws.snapshot["tables"]["financials"]["query"].startswith("SELECT cycle, initiative_id")
    assert ws.snapshot["tables"]["cycles"]["query"] == "SELECT cycles.cycle, cycles.start_date, cycles.end_date " \
                                                       "FROM cycles ORDER BY cycles.cycle"


def test_sqlite_is_opened_read_only_and_never_created(sqlite_ws):
    (sqlite_ws / "portfolio.db").rename(sqlite_ws / "elsewhere.db")
    with pytest.raises(InputError) as caught:
        load_workspace(sqlite_ws, from_sources=True)
    (problem,) = caught.value.problem_list
    assert problem.format().startswith("sqlite:///portfolio.db") and "does not exist" in problem.message
    assert not (sqlite_ws / "portfolio.db").exists()


def test_database_errors_name_the_table_and_primary_key(sqlite_ws):
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{sqlite_ws / 'portfolio.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE pmo_financials SET actual_cost = -5 WHERE cycle = 'C2' AND initiative_id = 'I2'")
        conn.exec_driver_sql("UPDATE initiatives SET bac = -1 WHERE initiative_id = 'I3'")
    engine.dispose()
    with pytest.raises(InputError) as caught:
        load_workspace(sqlite_ws, from_sources=True)
    lines = [p.format() for p in caught.value.problem_list]
    assert "sqlite:///portfolio.db table initiatives (initiative_id 'I3'), column bac: must not be negative " \
           "(got -1)" in lines, lines
    assert any(line.startswith("sqlite:///portfolio.db query for financials (cycle 'C2', initiative_id 'I2'), "
                               "column actual_cost: must not be negative") for line in lines), lines


def test_a_query_error_is_one_line(sqlite_ws):
    text = (sqlite_ws / "pmo.yaml").read_text().replace("FROM pmo_financials", "FROM pmo_finance")
    (sqlite_ws / "pmo.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        load_workspace(sqlite_ws, from_sources=True)
    assert [p.format() for p in caught.value.problem_list] == [
        "sqlite:///portfolio.db query for financials: the query cannot be read: no such table: pmo_finance"]


def test_a_missing_database_table_is_named(sqlite_ws):
    text = (sqlite_ws / "pmo.yaml").read_text() + "    goals: {table: strategy_goals}\n"
    (sqlite_ws / "pmo.yaml").write_text(text)
    with pytest.raises(InputError, match="the database has no table 'strategy_goals'"):
        load_workspace(sqlite_ws, from_sources=True)


def test_postgresql_gives_the_same_tables_as_csv(postgres_ws):
    ws = load_workspace(postgres_ws, from_sources=True)
    reference = load_workspace(TINY)
    assert ws.present == reference.present
    for name, frame in comparable(reference).items():
        pd.testing.assert_frame_equal(comparable(ws)[name], frame, check_dtype=False)
    source = ws.snapshot["tables"]["initiatives"]["source"]
    assert PG_PASSWORD not in source and "${" not in source and source.startswith("postgresql:///ws_")


def test_postgresql_pull_records_no_credentials(postgres_ws):
    pull_workspace(postgres_ws)
    for path in (postgres_ws / "data").iterdir():
        assert PG_PASSWORD not in path.read_text()
    assert load_workspace(postgres_ws).snapshot["tables"]["cycles"]["rows"] == 3


def test_a_wrong_postgresql_password_is_one_line_without_the_password(postgres_ws, monkeypatch):
    monkeypatch.setenv("PMO_TEST_PG_PASSWORD", "Wrong-Pa55word-xyz")
    with pytest.raises(InputError) as caught:
        load_workspace(postgres_ws, from_sources=True)
    (problem,) = caught.value.problem_list
    text = str(caught.value)
    assert "cannot connect to the database" in text and "password authentication failed" in text
    assert "Wrong-Pa55word-xyz" not in text and PG_PASSWORD not in text


def test_an_unreachable_database_is_one_line(sqlite_ws, monkeypatch):
    monkeypatch.setenv("PMO_TEST_PG_PASSWORD", "whatever-secret")
    text = (sqlite_ws / "pmo.yaml").read_text().replace(
        "sqlite:///portfolio.db", "postgresql://pmo:${PMO_TEST_PG_PASSWORD}@127.0.0.1:9/portfolio")
    (sqlite_ws / "pmo.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        load_workspace(sqlite_ws, from_sources=True)
    (problem,) = caught.value.problem_list
    assert problem.format().startswith("postgresql://127.0.0.1:9/portfolio: cannot connect to the database: ")
    assert "cannot connect to the database" in problem.message and "whatever-secret" not in str(caught.value)


def test_a_missing_environment_variable_is_named(sqlite_ws, monkeypatch):
    monkeypatch.delenv("PMO_TEST_PG_PASSWORD", raising=False)
    text = (sqlite_ws / "pmo.yaml").read_text().replace(
        "sqlite:///portfolio.db", "postgresql://pmo:${PMO_TEST_PG_PASSWORD}@127.0.0.1:9/portfolio")
    (sqlite_ws / "pmo.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        load_workspace(sqlite_ws, from_sources=True)
    (problem,) = caught.value.problem_list
    assert problem.column == "sources.database" and "PMO_TEST_PG_PASSWORD is not set" in problem.message


def test_a_changed_database_is_said_once_with_the_tables_it_serves(sqlite_ws):
    pull_workspace(sqlite_ws)
    shutil.copy(sqlite_ws / "portfolio.db", sqlite_ws / "copy.db")
    (sqlite_ws / "pmo.yaml").write_text((sqlite_ws / "pmo.yaml").read_text().replace("portfolio.db", "copy.db"))
    with pytest.raises(InputError) as caught:
        load_workspace(sqlite_ws)
    (problem,) = caught.value.problem_list  # not one line per table, and no table also "missing"
    assert problem.column == "sources.database" and problem.row is not None
    assert problem.message.startswith("sources.database changed from sqlite:///portfolio.db to sqlite:///copy.db "
                                      "in pmo.yaml since the last pull (")
    assert "it affects 11 tables: actions, assessment, benefits, cycles, decisions, feedback, financials, goals" \
        in problem.message
    assert problem.message.endswith(f"run 'pmo pull {sqlite_ws}' (or 'pmo run --pull')")


def test_a_query_typo_before_a_pull_is_not_also_a_missing_table(sqlite_ws):
    pull_workspace(sqlite_ws)
    (sqlite_ws / "pmo.yaml").write_text((sqlite_ws / "pmo.yaml").read_text().replace("FROM pmo_financials",
                                                                                     "FROM pmo_finance"))
    with pytest.raises(InputError) as caught:
        load_workspace(sqlite_ws)  # pmo run without pulling
    (problem,) = caught.value.problem_list
    assert problem.column == "sources.tables.financials"
    assert "sources.tables.financials changed in pmo.yaml since the last pull" in problem.message
    assert "missing" not in str(caught.value)


def test_a_negative_cost_is_not_also_a_cumulative_fall(sqlite_ws):
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{sqlite_ws / 'portfolio.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE pmo_financials SET actual_cost = -5 WHERE cycle = 'C2' AND initiative_id = 'I1'")
    engine.dispose()
    with pytest.raises(InputError) as caught:
        load_workspace(sqlite_ws, from_sources=True)
    lines = [p.format() for p in caught.value.problem_list]
    assert len(lines) == 1, lines
    assert "column actual_cost: must not be negative (got -5)" in lines[0]
