"""One load checks everything: pmo.yaml, the model, the KPI catalogue, the playbook and their cross-references."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from pmo_lib import InputError, KpiCatalog, Playbook, load_catalog, load_workspace, workspace_playbook

PMO_YAML = """\
# A tiny workspace for tests: three cycles, four initiatives, a custom model.
organisation: Tiny Test Org
currency: EUR
maturity_model: model.yaml
playbook: playbook.yaml
targets:
  maturity: {alignment: 3.5, flwo: 3}
  kpis: {cpii: 1.0}
thresholds:
  kpis:
    nsp: {red: 10}
cadence:
  cycle_weeks: 2
"""

PLAYBOOK = """\
cadence:
  - {name: Portfolio review, week: 6, purpose: Review.}
decision_rights:
  roles: [Board, PMO lead]
  decisions:
    - decision: Start an initiative
      raci: {Board: A, PMO lead: R, Finance: C}
actions:
  alignment:
    2:
      - {action: "Name goals.", owner_role: PMO lead, effort: S, kpi: strategic_alignmnt}
    7:
      - {action: "Do more.", owner_role: PMO lead, effort: S, kpi: cpi}
  flwo:
    3:
      - {action: "Limit WIP.", owner_role: PMO lead, effort: M, kpi: flow_time_p50}
"""

#: (file, line, column, words of the message): each cross-reference error of PMO_YAML and PLAYBOOK.
EXPECTED = [
    ("pmo.yaml", 8, "targets.kpis.cpii", "targets.kpis names an unknown KPI; did you mean 'cpi'?"),
    ("pmo.yaml", 11, "thresholds.kpis.nsp", "thresholds.kpis names an unknown KPI"),
    ("pmo.yaml", 7, "targets.maturity.flwo", "targets.maturity names an unknown dimension; did you mean 'flow'?"),
    ("pmo.yaml", 13, "cadence.cycle_weeks", "the playbook's event 'Portfolio review' is in week 6, beyond the 2-week"),
    ("playbook.yaml", 14, "actions", "unknown dimension; did you mean 'flow'?"),
    ("playbook.yaml", 12, "alignment", "level must be one of [2, 3]"),
    ("playbook.yaml", 11, "kpi", "KPI is not in the KPI catalogue; did you mean 'strategic_alignment'?"),
    ("playbook.yaml", 6, "raci", "RACI names roles not in decision_rights.roles: Finance"),
]


def pmo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pmo_lib.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ), timeout=600)


@pytest.fixture
def broken(tiny) -> Path:
    """The tiny workspace with eight cross-reference errors in pmo.yaml and its own playbook."""
    (tiny / "pmo.yaml").write_text(PMO_YAML)
    (tiny / "playbook.yaml").write_text(PLAYBOOK)
    return tiny


def test_every_cross_reference_error_is_listed_at_once_with_file_and_line(broken):
    with pytest.raises(InputError) as info:
        load_workspace(broken)
    problems = info.value.problems
    assert len(problems) == len(EXPECTED), problems.to_string()
    for file, line, column, words in EXPECTED:
        hit = problems[(problems["file"] == str(broken / file)) & (problems["row"] == line)
                       & (problems["column"] == column)]
        assert len(hit) == 1, f"{file} line {line} {column}: {problems.to_string()}"
        assert words in hit["message"].iloc[0]
    formatted = str(info.value)
    assert f"{broken / 'pmo.yaml'}, line 8, column targets.kpis.cpii: targets.kpis names an unknown KPI; " \
           "did you mean 'cpi'? (got 'cpii')" in formatted


def test_a_model_item_with_an_unknown_dimension_is_listed_with_the_pmo_yaml_errors(tiny):
    model = (tiny / "model.yaml").read_text()
    (tiny / "model.yaml").write_text(model.replace("{id: F2, dimension: flow", "{id: F2, dimension: flwo"))
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "  kpis: {cpii: 1.0}\n"
                                   "thresholds:\n  kpis: {cpi: {red: 0.8}, velocity: {red: 3}}\n")
    with pytest.raises(InputError) as info:
        load_workspace(tiny)
    problems = info.value.problems.set_index("column")
    assert len(problems) == 3, problems.to_string()
    item = problems.loc["dimension"]
    assert item["file"] == str(tiny / "model.yaml") and item["row"] == 14
    assert "item F2 points to unknown dimension; did you mean 'flow'?" in item["message"]
    assert problems.loc["targets.kpis.cpii", "row"] == 7
    assert problems.loc["thresholds.kpis.velocity", "row"] == 9
    assert "unknown KPI" in problems.loc["thresholds.kpis.velocity", "message"]


def test_a_bad_threshold_override_names_its_line(tiny):
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text()
                                   + "thresholds:\n  kpis:\n    spi:\n      amber: 1.2\n")
    with pytest.raises(InputError, match="amber") as info:
        load_workspace(tiny)
    problem = info.value.problem_list[0]
    assert (problem.file, problem.row, problem.column) == (str(tiny / "pmo.yaml"), 10, "thresholds.kpis.spi.amber")


def test_the_kits_playbook_events_must_fit_a_short_cycle(tiny):
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "cadence:\n  cycle_weeks: 2\n")
    with pytest.raises(InputError, match="beyond the 2-week cycle") as info:
        load_workspace(tiny)
    assert set(info.value.problems["row"]) == {8}


def test_validate_prints_the_cpii_typo_with_file_and_line_and_exits_2(tiny, tmp_path):
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "  kpis: {cpii: 1.0}\n")
    result = pmo("validate", str(tiny), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert (f"{tiny / 'pmo.yaml'}, line 7, column targets.kpis.cpii: targets.kpis names an unknown KPI; "
            "did you mean 'cpi'? (got 'cpii')") in result.stderr


def test_validate_lists_all_the_cross_reference_errors(broken, tmp_path):
    result = pmo("validate", str(broken), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{len(EXPECTED)} problems" in result.stderr
    for file, line, column, words in EXPECTED:
        assert f"{broken / file}, line {line}, column {column}: {words}" in result.stderr


@pytest.mark.notebook
def test_run_stops_before_any_notebook_and_writes_no_pack(tiny, tmp_path):
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "  kpis: {cpii: 1.0}\n")
    out = tmp_path / "reports"
    result = pmo("run", str(tiny), "--out", str(out), "--cycle", "C3", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "did you mean 'cpi'?" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() or not any(out.rglob("*.html")) and not any(out.rglob("*.csv"))


def test_a_good_workspace_carries_its_catalogue_and_playbook(tiny, tmp_path, monkeypatch):
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "  kpis: {cpi: 0.97}\n")
    ws = load_workspace(tiny)
    assert isinstance(ws.catalog, KpiCatalog) and isinstance(ws.playbook, Playbook)
    assert ws.catalog.spec("cpi")["target"] == 0.97
    assert ws.catalog.table.equals(load_catalog(config=ws.config).table)
    # the kit's playbook, filtered to the tiny model's two dimensions, as workspace_playbook gives it
    assert ws.playbook.actions.equals(workspace_playbook(ws, kpi_ids=ws.catalog.ids).actions)
    assert set(ws.playbook.actions["dimension_id"]) <= {"alignment", "flow"}
    # the run cache carries them to the notebooks
    from pmo_lib.inputs.workspace import RUN_CACHE_ENV, write_run_cache

    cache = write_run_cache(ws, tmp_path / "ws.pickle")
    monkeypatch.setenv(RUN_CACHE_ENV, str(cache))
    cached = load_workspace(tiny)
    assert cached is not ws
    assert cached.catalog.table.equals(ws.catalog.table) and cached.playbook.raci.equals(ws.playbook.raci)
    assert pickle.loads(pickle.dumps(ws.playbook)).cadence == ws.playbook.cadence


def test_a_broken_pmo_yaml_still_checks_answers_against_the_model_it_names(tiny):
    """A bad key in pmo.yaml is one problem, not one more for every answer checked against the kit's model."""
    from pmo_lib.inputs.exceptions import InputError
    from pmo_lib.inputs.workspace import load_workspace

    with open(tiny / "pmo.yaml", "a", encoding="utf-8") as fh:
        fh.write("\nforecast: {trials: -5}\n")
    with pytest.raises(InputError) as caught:
        load_workspace(tiny)
    problems = caught.value.problem_list
    assert len(problems) == 1 and problems[0].column == "forecast.trials"
