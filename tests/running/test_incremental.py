"""Incremental runs: a cycle is rebuilt exactly when what its reports read changed, and the result is the same.

The reference is a full rebuild into a fresh folder: after a new cycle's data is
appended and a row of an earlier cycle is edited, every cycle's ``results/*.csv``
of the incremental run must be byte-identical to the full rebuild's, and only the
cycles whose fingerprint changed may have been executed.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pmo_lib.inputs.workspace import load_workspace
from pmo_lib.reporting.manifest import Manifest, Status
from pmo_lib.running.fingerprint import DATA_RULES, common_parts, fingerprint, fingerprint_parts
from pmo_lib.running.runner import run_workspace
from pmo_lib.inputs.tables import TABLES
from tests.conftest import DATA
from tests.running.history import append_cycle, workspace_at

TINY = DATA / "tiny"


def _prints(path: Path) -> dict[str, dict[str, str]]:
    ws = load_workspace(path)
    shared = common_parts(ws, notebooks={}, parameters={})
    return {c: fingerprint_parts(ws, ws.cycle(c), notebooks={}, parameters={}, common=shared) for c in ws.cycles}


def _changed(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    return {c: sorted(k for k in after[c] if before.get(c, {}).get(k) != after[c][k]) for c in after}


def _edit(path: Path, table: str, row: int, column: str, value: str) -> None:
    frame = pd.read_csv(path / "data" / f"{table}.csv", dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path / "data" / f"{table}.csv", index=False, lineterminator="\n")


def test_every_table_has_a_documented_rule():
    assert set(DATA_RULES) == set(TABLES)


def test_appending_a_cycle_leaves_the_earlier_cycles_fingerprints(tmp_path):
    """C1 knows nothing of C3; C2 names its next cycle (and takes the forecast horizon from it), so it changes."""
    ws = workspace_at(TINY, tmp_path / "ws", "C2")
    before = _prints(ws)
    append_cycle(TINY, ws)
    changed = _changed(before, _prints(ws))
    assert changed["C1"] == []
    assert changed["C2"] == ["data:cycles"]
    assert changed["C3"]  # new


def test_appending_a_cycle_of_plans_rebuilds_only_the_cycle_before_it(tmp_path):
    """The sample has capacity and demand plans: a new cycle's plans are read by the cycle before it (its next
    cycle's load) and by no earlier one, which never looks past its own next cycle."""
    from pmo_lib import create_sample_workspace
    from pmo_lib.analysis.investment import next_cycle_load

    sample = create_sample_workspace(tmp_path / "sample")
    cycles = load_workspace(sample).cycles
    ws = workspace_at(sample, tmp_path / "ws", cycles[-2])
    before = _prints(ws)
    loads = {c: next_cycle_load(load_workspace(ws).cycle(c)).proposals for c in cycles[:-2]}
    append_cycle(sample, ws)
    changed = _changed(before, _prints(ws))
    assert all(changed[c] == [] for c in cycles[:-2])
    assert changed[cycles[-2]] == ["data:capacity", "data:cycles", "data:demand"]
    after = load_workspace(ws)
    for c, proposals in loads.items():
        pd.testing.assert_frame_equal(next_cycle_load(after.cycle(c)).proposals, proposals)


def test_an_edit_changes_its_cycle_and_the_later_ones_only(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(TINY, ws)
    before = _prints(ws)
    _edit(ws, "financials", 5, "actual_cost", "61000")  # C2, I2
    changed = _changed(before, _prints(ws))
    assert changed == {"C1": [], "C2": ["data:financials"], "C3": ["data:financials"]}


def test_dates_after_a_cycles_end_count_as_not_yet_happened(tmp_path):
    """W3 (started in C1) finishing on another day of C2, and R2 (raised in C2) closing on another day of C3,
    leave the cycles before as they were: there, the item was still in progress and the risk still open."""
    ws = tmp_path / "ws"
    shutil.copytree(TINY, ws)
    before = _prints(ws)
    _edit(ws, "work_items", 2, "finished", "2026-05-15")  # W3: 2026-04-10, in C2
    _edit(ws, "raid", 1, "closed_date", "2026-08-01")  # R2: 2026-07-15, in C3
    changed = _changed(before, _prints(ws))
    assert changed["C1"] == []
    assert changed["C2"] == ["data:work_items"]
    assert changed["C3"] == ["data:raid", "data:work_items"]


def test_a_notebook_or_pmo_yaml_change_touches_every_cycle(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(TINY, ws)
    ws_ = load_workspace(ws)
    one = common_parts(ws_, notebooks={"kpis": "a"}, parameters={"formats": ["html"]})
    assert common_parts(ws_, notebooks={"kpis": "b"}, parameters={"formats": ["html"]}) != one
    assert common_parts(ws_, notebooks={"kpis": "a"}, parameters={"formats": ["html", "pdf"]}) != one
    assert common_parts(ws_, notebooks={"kpis": "a"}, parameters={"formats": ["html"], "jobs": 4}) == one
    text = (ws / "pmo.yaml").read_text()
    (ws / "pmo.yaml").write_text(text + "\n# a comment\n")
    assert common_parts(load_workspace(ws), notebooks={"kpis": "a"}, parameters={"formats": ["html"]}) != one


def _results(org: Path) -> dict[str, bytes]:
    return {p.relative_to(org).as_posix(): p.read_bytes() for p in sorted(org.glob("*/results/*.csv"))}


def _files(folder: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _built(summary) -> set[str]:
    return {c.cycle for c in summary.cycles if c.status is Status.OK}


@pytest.mark.notebook
def test_incremental_results_equal_a_full_rebuild(tmp_path):
    ws = workspace_at(TINY, tmp_path / "ws", "C2")
    out, full = tmp_path / "incremental", tmp_path / "full"
    options = {"jobs": 2, "formats": ("html",), "progress": False}

    first = run_workspace(ws, out=out, **options)
    assert first.exit_code == 0 and _built(first) == {"C1", "C2"}
    org = first.organisation_dir
    prints = {c: Manifest.read(org / c.lower()).fingerprint for c in ("C1", "C2")}

    append_cycle(TINY, ws)  # C3's data arrives
    second = run_workspace(ws, out=out, **options)
    assert second.exit_code == 0
    assert {c.cycle: c.status for c in second.cycles} == {
        "C1": Status.UP_TO_DATE, "C2": Status.OK, "C3": Status.OK}
    after = {c: Manifest.read(org / c.lower()).fingerprint for c in ("C1", "C2", "C3")}
    assert _built(second) == {c for c in after if after[c] != prints.get(c)}

    _edit(ws, "financials", 5, "actual_cost", "61000")  # one row of C2
    third = run_workspace(ws, out=out, **options)
    assert {c.cycle: c.status for c in third.cycles} == {
        "C1": Status.UP_TO_DATE, "C2": Status.OK, "C3": Status.OK}
    assert "Up to date" in (org / "index.html").read_text()

    rebuilt = run_workspace(ws, out=full, **options)
    assert _built(rebuilt) == {"C1", "C2", "C3"}
    incremental, reference = _results(org), _results(rebuilt.organisation_dir)
    assert {Path(k).parts[0] for k in reference} == {"c1", "c2", "c3"}
    assert incremental.keys() == reference.keys()
    assert [k for k in reference if incremental[k] != reference[k]] == []

    # nothing changed: nothing runs and no file under the output folder is rewritten
    files = _files(out)
    again = run_workspace(ws, out=out, **options)
    assert {c.status for c in again.cycles} == {Status.UP_TO_DATE}
    assert _files(out) == files

    forced = run_workspace(ws, out=out, force=True, **options)
    assert _built(forced) == {"C1", "C2", "C3"}
    assert fingerprint({"a": "1"}) != fingerprint({"a": "2"})
