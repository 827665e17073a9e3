"""The peer file that pmo.yaml's ``benchmark:`` names: read and checked with the workspace."""
from __future__ import annotations

from pathlib import Path

import pytest

from pmo_lib.inputs.config import load_config
from pmo_lib.inputs.exceptions import ConfigError, InputError
from pmo_lib.inputs.peers import PEER_COLUMNS
from pmo_lib.inputs.workspace import load_workspace

HEADER = ",".join(PEER_COLUMNS) + "\n"


def with_peers(workspace: Path, text: str | None, *, key: str = "peers.csv") -> Path:
    (workspace / "pmo.yaml").write_text((workspace / "pmo.yaml").read_text() + f"sector: Retail\nbenchmark: {key}\n")
    if text is not None:
        (workspace / "peers.csv").write_text(text)
    return workspace


def test_sector_and_benchmark_are_optional_keys(tmp_path):
    (tmp_path / "pmo.yaml").write_text("organisation: Acme\n")
    config = load_config(tmp_path)
    assert config.sector is None and config.benchmark is None
    (tmp_path / "pmo.yaml").write_text("organisation: Acme\nsector: Insurance\nbenchmark: peers.csv\n")
    config = load_config(tmp_path)
    assert (config.sector, config.benchmark) == ("Insurance", "peers.csv")
    (tmp_path / "pmo.yaml").write_text("organisation: Acme\nsector: ''\nbenchmarks: peers.csv\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert set(info.value.problems["column"]) == {"sector", "benchmarks"}


def test_a_good_peer_file_is_loaded_as_typed_rows(tiny):
    ws = load_workspace(with_peers(tiny, HEADER + "0123456789abcdef,Retail,C3,flow,3.25,12\n"
                                                  "0123456789abcdef,,C3,alignment,2,12\n"))
    assert list(ws.peers.columns) == PEER_COLUMNS and len(ws.peers) == 2
    assert ws.peers["score"].tolist() == [3.25, 2.0] and ws.peers["n_respondents"].tolist() == [12, 12]
    assert ws.peers["sector"].tolist()[1] is None
    assert load_workspace(tiny.parent / "tiny", from_sources=True).peers is not None


def test_a_workspace_without_benchmark_has_no_peers(tiny):
    assert load_workspace(tiny).peers is None


def test_a_missing_peer_file_names_the_key(tiny):
    with pytest.raises(InputError) as info:
        load_workspace(with_peers(tiny, None))
    problem = info.value.problems.iloc[0]
    assert (problem["column"], problem["value"], problem["message"]) == ("benchmark", "peers.csv", "file not found")


def test_every_problem_of_a_peer_file_is_listed_at_once_with_row_column_and_value(tiny):
    text = ("org_hash,sector,cycle,dimension_id,score\n"  # no n_respondents column
            "0123456789abcdef,Retail,C3,flow,3\n")
    with pytest.raises(InputError) as info:
        load_workspace(with_peers(tiny, text))
    assert "required column 'n_respondents' is missing" in info.value.problems["message"].iloc[0]
    text = HEADER + ("Acme Insurance,Retail,C3,flow,3,10\n"
                     "0123456789abcdef,Retail,C3,flow,abc,10\n"
                     "0123456789abcdef,Retail,C3,flow,3,0\n"
                     "0123456789abcdef,Retail,,alignment,9,10\n")
    with pytest.raises(InputError) as info:
        load_workspace(with_peers(tiny, text))
    found = {(int(p.row), p.column, p.value) for p in info.value.problems.itertuples()}
    assert found == {(2, "org_hash", "Acme Insurance"), (3, "score", "abc"), (4, "n_respondents", 0),
                     (4, "dimension_id", "flow"),  # the same organisation, cycle and dimension twice
                     (5, "cycle", None), (5, "score", 9)}
    assert all(p.endswith("peers.csv") for p in info.value.problems["file"])


def test_an_empty_peer_file_and_an_unknown_column_are_bad_input(tiny):
    with pytest.raises(InputError, match="the peer file is empty"):
        load_workspace(with_peers(tiny, ""))
    with pytest.raises(InputError, match="unknown column 'organisation'"):
        load_workspace(with_peers(tiny, HEADER.strip() + ",organisation\n0123456789abcdef,Retail,C3,flow,3,10,Acme\n"))


def test_input_format_documents_every_peer_column():
    text = (Path(__file__).resolve().parents[2] / "docs" / "input-format.md").read_text(encoding="utf-8")
    assert "## The peer file (`benchmark:` in pmo.yaml)" in text
    assert all(f"| `{column}` |" in text for column in PEER_COLUMNS)
