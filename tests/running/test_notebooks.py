"""The notebooks, executed through papermill on small fixture workspaces."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from pmo_lib import read_result, render_html
from pmo_lib.inputs.resources import NOTEBOOKS, NOTEBOOKS_DIR

pytestmark = pytest.mark.notebook


def execute(name: str, workspace: Path, out: Path, **params) -> nbformat.NotebookNode:
    out.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(NOTEBOOKS_DIR / NOTEBOOKS[name]), str(out / NOTEBOOKS[name]),
                        parameters={"workspace": str(workspace), "results_dir": str(out / "results"), **params},
                        kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOKS_DIR))
    return nbformat.read(str(out / NOTEBOOKS[name]), as_version=4)


def test_notebooks_are_committed_without_outputs_and_with_a_tagged_parameters_cell():
    for name in NOTEBOOKS.values():
        nb = nbformat.read(str(NOTEBOOKS_DIR / name), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), name
        assert "parameters" in code[0].metadata.get("tags", []), name
        params = pm.inspect_notebook(str(NOTEBOOKS_DIR / name))
        assert {"workspace", "cycle", "results_dir"} <= set(params), name
        assert params["cycle"]["default"] == "None"


def test_nbstripout_would_change_no_committed_notebook():
    """The tool the README's `make hooks` installs agrees that the notebooks are clean."""
    import subprocess
    import sys
    files = [str(NOTEBOOKS_DIR / name) for name in NOTEBOOKS.values()]
    done = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", "--keep-id", *files],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_maturity_notebook_records_the_scores(tiny, tmp_path):
    execute("maturity", tiny, tmp_path, cycle="C3")
    maturity = read_result(tmp_path / "results", "maturity").set_index("dimension_id")
    assert list(maturity.columns[:1]) == ["dimension"]
    for column in ["dimension", "score", "level", "target", "gap", "n_respondents"]:
        assert column in maturity.columns
    assert maturity.at["alignment", "score"] == pytest.approx(4.0)
    assert maturity.at["flow", "level"] == 2
    assert maturity.at["flow", "target"] == 3.5
    for column in ["ci_low", "ci_high", "cronbach_alpha", "rwg", "step"]:
        assert column in maturity.columns
    items = read_result(tmp_path / "results", "maturity_items")
    assert list(items.columns) == ["item_id", "dimension_id", "level", "mean", "sd", "n"] and len(items) == 6
    groups = read_result(tmp_path / "results", "maturity_groups")
    assert list(groups.columns) == ["dimension_id", "test", "statistic", "p_value", "effect_size", "n_groups",
                                    "between"]
    assert set(groups["between"]) == {"role"}  # the tiny workspace has no unit column
    assert read_result(tmp_path / "results", "maturity_units").empty
    change = read_result(tmp_path / "results", "maturity_change").set_index("dimension_id")
    assert change.at["alignment", "delta"] == pytest.approx(1.25)
    roadmap = read_result(tmp_path / "results", "roadmap")
    assert {"rank", "dimension_id", "action", "owner_role", "effort", "expected_kpi"} <= set(roadmap.columns)


def test_kpi_notebook_defaults_to_the_latest_cycle_and_records_kpis(tiny, tmp_path):
    execute("kpis", tiny, tmp_path)
    kpis = read_result(tmp_path / "results", "kpis")
    for column in ["kpi_id", "name", "scope", "value", "unit", "target", "status"]:
        assert column in kpis.columns
    assert set(kpis["status"]) <= {"green", "amber", "red", "info", "n/a"}
    port = kpis[kpis["scope"] == "portfolio"].set_index("kpi_id")
    assert port.at["nps", "value"] == pytest.approx(50.0)  # C3, the latest cycle
    assert {"I1", "I2", "I3", "I4"} <= set(kpis["scope"])
    assert {"n", "note"} <= set(kpis.columns)
    trends = read_result(tmp_path / "results", "kpi_trends")
    assert list(trends.columns[:11]) == ["kpi_id", "scope", "n_cycles", "mk_tau", "mk_p", "sen_slope", "center",
                                         "ucl", "lcl", "mr_ucl", "signals"]
    assert (trends["trend"] == "too few cycles").all()  # the tiny workspace has three cycles


def test_governance_notebook_reuses_recorded_results(tiny, tmp_path):
    execute("kpis", tiny, tmp_path, cycle="C2")
    nb = execute("governance", tiny, tmp_path, cycle="C2")
    exceptions = read_result(tmp_path / "results", "exceptions")
    assert list(exceptions.columns) == ["exception_id", "kind", "initiative_id", "name", "owner", "metric", "value",
                                        "target", "threshold", "severity", "uncertain", "recommendation",
                                        "description", "short"]
    assert "I1" in set(exceptions["initiative_id"])
    portfolio = read_result(tmp_path / "results", "portfolio")
    assert list(portfolio.columns) == ["initiative_id", "name", "status", "forecast_end_date", "severity",
                                       "recommendation", "reason"]
    assert portfolio["initiative_id"].is_unique
    # the register and the portfolio table give each initiative the same single recommendation
    one = exceptions.dropna(subset=["initiative_id"]).groupby("initiative_id")["recommendation"].agg(set)
    assert all(len(r) == 1 for r in one)
    decided = portfolio.set_index("initiative_id")["recommendation"]
    assert all(decided[i] in r for i, r in one.items())
    funding = read_result(tmp_path / "results", "funding")
    assert list(funding.columns) == ["initiative_id", "name", "goal_id", "budget_previous", "budget", "value_score",
                                     "scenario_budget", "change"]
    assert funding["scenario_budget"].sum() == pytest.approx(funding["budget"].sum())
    actions = read_result(tmp_path / "results", "actions")
    assert list(actions.columns) == ["action_id", "cycle", "owner", "due_date", "status", "overdue"]
    mix = read_result(tmp_path / "results", "goal_mix")
    assert mix["breach"].any()
    html = render_html(nb, context={"organisation": "Tiny", "title": "Governance report", "cycle": "C2",
                                    "date": "2026-01-01", "primary_colour": "#1f4e79", "logo": None,
                                    "failure": None, "kit_version": "test"})
    assert "Exceptions needing a decision" in html and "import pmo_lib" not in html


def test_sections_without_their_optional_table_say_so(minimal, tmp_path):
    nb = execute("governance", minimal, tmp_path)
    html = render_html(nb, context={"organisation": "Minimal", "title": "Governance report", "cycle": "C3",
                                    "date": "2026-01-01", "primary_colour": "#1f4e79", "logo": None,
                                    "failure": None, "kit_version": "test"})
    for table in ("raid", "actions", "decisions", "goals"):
        assert f"<code>{table}</code>" in html, table
    assert "Not available." in html
    for name in ("maturity", "kpis"):
        execute(name, minimal, tmp_path)
    kpis = read_result(tmp_path / "results", "kpis").set_index(["kpi_id", "scope"])
    assert kpis.loc[("nps", "portfolio"), "status"] == "n/a"


@pytest.mark.parametrize("report", list(NOTEBOOKS))
def test_default_parameters_run_on_the_bundled_sample(report, tmp_path):
    out = tmp_path / "default"
    out.mkdir()
    pm.execute_notebook(str(NOTEBOOKS_DIR / NOTEBOOKS[report]), str(out / "nb.ipynb"),
                        kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOKS_DIR))
    nb = nbformat.read(str(out / "nb.ipynb"), as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


TINY_PLAYBOOK = """
steps:
  1: {purpose: "Link work to goals.", practices: ["Name the goal of every initiative."]}
  3: {purpose: "Improve the flow.", practices: ["Limit work in progress."]}
cadence:
  - {name: Quarterly review, week: 12, purpose: Review the quarter., inputs: [KPI analysis - Scorecard],
     outputs: [Decisions], participants: [Board]}
decision_rights:
  roles: [Board, PMO]
  decisions:
    - {decision: Stop an initiative, raci: {Board: A, PMO: R}}
glossary: {Flow: How work moves.}
actions:
  alignment:
    2: [{action: "ACTION-ALIGN-TWO", owner_role: PMO, effort: S, kpi: strategic_alignment}]
    3: [{action: "ACTION-ALIGN-THREE", owner_role: PMO, effort: S, kpi: strategic_alignment}]
  flow:
    2: [{action: "ACTION-FLOW-TWO", owner_role: PMO, effort: M, kpi: wip}]
    3: [{action: "ACTION-FLOW-THREE", owner_role: PMO, effort: M, kpi: wip}]
"""


def _playbook_html(workspace, out):
    execute("maturity", workspace, out, cycle="C2")
    execute("kpis", workspace, out, cycle="C2")
    nb = execute("playbook", workspace, out, cycle="C2")
    return render_html(nb, context={"organisation": "Tiny", "title": "PMO playbook", "cycle": "C2",
                                    "date": "2026-01-01", "primary_colour": "#1f4e79", "logo": None,
                                    "failure": None, "kit_version": "test"})


def test_playbook_follows_its_yaml_and_quotes_the_recorded_results(tiny, tmp_path):
    (tiny / "my_playbook.yaml").write_text(TINY_PLAYBOOK)
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "playbook: my_playbook.yaml\n")
    html = _playbook_html(tiny, tmp_path / "a")
    maturity = read_result(tmp_path / "a" / "results", "maturity").set_index("dimension_id")
    # C2: alignment is at staged level 1 and flow at level 2, both below target 3.5, so the
    # roadmap holds each dimension's next step and nothing beyond it
    assert maturity["level"].tolist() == [1, 2]
    assert "ACTION-ALIGN-TWO" in html and "ACTION-FLOW-THREE" in html
    assert "ACTION-ALIGN-THREE" not in html and "ACTION-FLOW-TWO" not in html
    assert "Repeatable" in html and "Initial" in html
    for score in maturity["score"]:
        assert f"{score:.2f}" in html
    kpis = read_result(tmp_path / "a" / "results", "kpis").set_index(["kpi_id", "scope"])
    assert f"{kpis.loc[('strategic_alignment', 'portfolio'), 'value']:.0%}" in html
    assert "Quarterly review" in html and "Stop an initiative" in html
    roadmap = read_result(tmp_path / "a" / "results", "playbook_roadmap")
    assert set(roadmap["cycle_offset"]) <= {1, 2, 3}

    edited = TINY_PLAYBOOK.replace("ACTION-FLOW-THREE", "ACTION-FLOW-EDITED").replace("{Board: A, PMO: R}",
                                                                                     "{Board: R, PMO: A}")
    (tiny / "my_playbook.yaml").write_text(edited)
    html = _playbook_html(tiny, tmp_path / "b")
    assert "ACTION-FLOW-EDITED" in html and "ACTION-FLOW-THREE" not in html
    row = re.search(r"Stop an initiative</td>\s*<td[^>]*>(\w)</td>\s*<td[^>]*>(\w)</td>", html)
    assert row and row.groups() == ("R", "A")


def test_playbook_renders_with_only_the_required_tables(minimal, tmp_path):
    nb = execute("playbook", minimal, tmp_path)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
