"""The input contract and its documentation stay in step."""
from __future__ import annotations

from pathlib import Path

from pmo_lib.inputs.tables import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "input-format.md"


def test_input_format_documents_every_table_and_column():
    text = DOC.read_text(encoding="utf-8")
    for spec in TABLES.values():
        assert f"## {spec.name} ({'required' if spec.required else 'optional'})" in text
        for column in spec.columns:
            assert f"| `{column.name}` |" in text, (spec.name, column.name)
            for choice in column.choices:
                assert choice in text


def test_issue_contract_required_tables():
    required = {name for name, spec in TABLES.items() if spec.required}
    assert required == {"cycles", "initiatives", "financials", "assessment"}
