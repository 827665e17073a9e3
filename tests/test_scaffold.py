"""pmo init: a workspace a consultant can fill in."""
from __future__ import annotations

import openpyxl
import pytest

from pmo_lib import InputError, PmoError, init_workspace, load_config, load_workspace
from pmo_lib.tables import TABLES


def test_init_creates_config_workbook_and_questionnaire(tmp_path):
    path = init_workspace(tmp_path / "acme")
    assert load_config(path).organisation == "Acme"
    book = openpyxl.load_workbook(path / "data.xlsx")
    for name, spec in TABLES.items():
        assert [c.value for c in book[name][1]] == spec.column_names
    assert "Budget at completion" in book["initiatives"]["K1"].comment.text  # header notes
    kinds = book["initiatives"].data_validations.dataValidation
    assert any("_Lists" in (v.formula1 or "") for v in kinds)
    help_rows = [r for r in book["_Instructions"].iter_rows(values_only=True)]
    assert (None, "bac", "value required", "Budget at completion, in the workspace currency.") in help_rows
    answers = openpyxl.load_workbook(path / "questionnaire.xlsx")["Answers"]
    statements = [r[0] for r in answers.iter_rows(min_row=6, values_only=True) if r[0]]
    assert (path / "questionnaire.pdf").read_bytes().startswith(b"%PDF")
    assert len(statements) == 40


def test_blank_workspace_validates_with_clear_errors_not_a_crash(tmp_path):
    path = init_workspace(tmp_path / "acme")
    with pytest.raises(InputError) as info:
        load_workspace(path)
    messages = " ".join(info.value.problems["message"])
    assert "the table is empty" in messages


def test_init_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(PmoError, match="not an empty folder"):
        init_workspace(tmp_path / "x")
