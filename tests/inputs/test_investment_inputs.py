"""Issue 19's inputs: investment columns of initiatives, the capacity and demand tables, and their settings."""
from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from pmo_lib import InputError, init_workspace, load_workspace
from pmo_lib.inputs.workspace import WORKBOOK
from pmo_lib.inputs.config import Config
from pmo_lib.inputs.tables import TABLES
from tests.conftest import edit_csv
from tests.inputs.test_load import pmo


def _columns(frame: pd.DataFrame, **values: list[str]) -> pd.DataFrame:
    for column, cells in values.items():
        frame[column] = cells
    return frame


def _write(tiny, table: str, rows: list[tuple], columns: list[str]) -> None:
    pd.DataFrame(rows, columns=columns).to_csv(tiny / "data" / f"{table}.csv", index=False)


def test_the_new_columns_and_tables_load_and_may_be_left_out(tiny):
    ws = load_workspace(tiny)  # no investment columns, no capacity or demand
    assert ws["initiatives"]["job_size"].isna().all() and not ws["initiatives"]["must_fund"].eq("true").any()
    assert not ws.has("capacity") and not ws.has("demand")
    edit_csv(tiny, "initiatives", lambda f: _columns(f, business_value=["8", "", "", ""], job_size=["5", "", "", ""],
                                                     must_fund=["TRUE", "false", "", ""]))
    _write(tiny, "capacity", [("C3", "Platform", "120.5")], ["cycle", "team", "capacity_days"])
    _write(tiny, "demand", [("C3", "I1", "Platform", "0")], ["cycle", "initiative_id", "team", "demand_days"])
    ws = load_workspace(tiny)
    ini = ws["initiatives"].set_index("initiative_id")
    assert ini.loc["I1", "business_value"] == 8 and ini.loc["I1", "must_fund"] == "true"
    assert ws["capacity"]["capacity_days"].tolist() == [120.5] and ws.has("demand")


def test_scores_off_safes_scale_are_a_warning_not_an_error(tiny):
    edit_csv(tiny, "initiatives", lambda f: _columns(f, job_size=["4", "5", "", ""], risk_reduction=["", "", "", "7"]))
    ws = load_workspace(tiny)
    words = [w.format() for w in ws.warnings if w.table == "initiatives"]
    assert any("column job_size: job_size is off SAFe's relative scale (1, 2, 3, 5, 8, 13, 20) in row 2 (4)" in w
               for w in words)
    assert any("column risk_reduction" in w and "row 5 (7)" in w for w in words)
    assert ws["initiatives"]["job_size"].tolist()[:2] == [4, 5]


def _break(tiny) -> None:
    edit_csv(tiny, "initiatives", lambda f: _columns(
        f, business_value=["8", "high", "", ""], job_size=["0", "5", "", ""],
        cost_of_delay_per_week=["", "-5", "", ""], must_fund=["true", "", "maybe", ""], must_stop=["true", "", "", ""]))
    _write(tiny, "capacity", [("C3", "A", "0"), ("C3", "A", "50"), ("C9", "B", "10")],
           ["cycle", "team", "capacity_days"])
    _write(tiny, "demand", [("C3", "I1", "A", "-1"), ("C3", "I9", "A", "5"), ("C3", "I1", "A", "3")],
           ["cycle", "initiative_id", "team", "demand_days"])


#: (file, row, column, message, value) of every problem _break makes.
EXPECTED = [
    ("initiatives.csv", 3, "business_value", "expected a whole number", "'high'"),
    ("initiatives.csv", 2, "job_size", "must not be below 1", "0"),
    ("initiatives.csv", 3, "cost_of_delay_per_week", "must not be negative", "-5"),
    ("initiatives.csv", 4, "must_fund", "must be one of: false, true", "'maybe'"),
    ("initiatives.csv", 2, "must_stop", "initiative I1 is marked both must_fund and must_stop; choose one", "'true'"),
    ("capacity.csv", 2, "capacity_days", "must be more than 0", "0"),
    ("capacity.csv", 3, "team", "duplicate cycle 'C3', team 'A'; it first appears in row 2", "'A'"),
    ("capacity.csv", 4, "cycle", "unknown cycle; it is not in the cycles table (known: C1, C2, C3)", "'C9'"),
    ("demand.csv", 2, "demand_days", "must not be negative", "-1"),
    ("demand.csv", 3, "initiative_id", "unknown initiative_id; it is not in the initiatives table", "'I9'"),
    ("demand.csv", 4, "team", "duplicate cycle 'C3', initiative_id 'I1', team 'A'; it first appears in row 2", "'A'"),
]


def test_every_bad_investment_input_is_listed_at_once(tiny):
    _break(tiny)
    with pytest.raises(InputError) as err:
        load_workspace(tiny)
    found = {(p.file.split("/")[-1], p.row, p.column) for p in err.value.problem_list}
    assert {(f, r, c) for f, r, c, *_ in EXPECTED} <= found
    assert len(err.value.problem_list) == len(EXPECTED)


def test_validate_prints_file_table_column_row_and_value_and_exits_2(tiny, tmp_path):
    _break(tiny)
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text()
                                   + "funding:\n  proposal_budget: -10\n  job_size_weeks: {0: 3}\n")
    result = pmo("validate", str(tiny), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{len(EXPECTED) + 2} problems" in result.stderr
    for file, row, column, message, value in EXPECTED:
        line = f"{tiny / 'data' / file}, row {row}, column {column}: {message}"
        assert line in result.stderr, line
        assert f"(got {value})" in result.stderr.split(line, 1)[1].splitlines()[0]
    assert "column funding.proposal_budget: key 'funding.proposal_budget': Input should be greater than or equal to 0 " \
           "(got -10)" in result.stderr
    assert "column funding.job_size_weeks" in result.stderr and "got 0: 3" in result.stderr
    assert not (tiny / "reports").exists()


def test_the_settings_default_and_reject_out_of_range_values():
    config = Config(organisation="x")
    assert config.thresholds.max_utilisation == 0.85 and config.funding.proposal_budget is None
    assert config.funding.job_size_weeks == {1: 1, 2: 2, 3: 3, 5: 5, 8: 8, 13: 13, 20: 20}
    for bad in ({"thresholds": {"max_utilisation": 0}}, {"thresholds": {"max_utilisation": 1.6}},
                {"funding": {"proposal_budget": -1}}, {"funding": {"job_size_weeks": {3: 0}}}):
        with pytest.raises(ValueError):
            Config.model_validate({"organisation": "x", **bad})
    assert Config.model_validate({"organisation": "x", "thresholds": {"max_utilisation": 1.5},
                                  "funding": {"job_size_weeks": {4: 6.5}}}).funding.job_size_weeks == {4: 6.5}


def test_a_bad_max_utilisation_in_pmo_yaml_names_its_line(tiny):
    text = (tiny / "pmo.yaml").read_text()
    (tiny / "pmo.yaml").write_text(text + "thresholds:\n  max_utilisation: 2\n" if "thresholds:" not in text else
                                   text.replace("thresholds:\n", "thresholds:\n  max_utilisation: 2\n", 1))
    with pytest.raises(InputError) as err:
        load_workspace(tiny)
    (problem,) = [p for p in err.value.problem_list if p.column == "thresholds.max_utilisation"]
    assert problem.row is not None and problem.value == 2


def test_the_init_workbook_has_the_new_sheets_and_columns(tmp_path):
    workspace = init_workspace(tmp_path / "acme", organisation="Acme")
    book = load_workbook(workspace / WORKBOOK)
    assert {"capacity", "demand"} <= set(book.sheetnames)
    header = {str(v) for row in book["initiatives"].iter_rows(max_row=3, values_only=True) for v in row if v is not None}
    for column in ("business_value", "job_size", "cost_of_delay_per_week", "requested_budget", "must_fund"):
        assert any(column in h for h in header), column
    assert TABLES["capacity"].key == ("cycle", "team") and TABLES["demand"].key == ("cycle", "initiative_id", "team")
    with pytest.raises(InputError) as err:  # the example rows are skipped: only the required tables are empty
        load_workspace(workspace)
    assert {p.table for p in err.value.problem_list} == {"cycles", "initiatives", "financials", "assessment"}
