"""The playbook and the roadmap built from it."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from pmo_lib import ConfigError, InputError, build_roadmap, load_catalog, load_model, load_playbook
from pmo_lib.inputs import config as pmo_config
from pmo_lib.inputs.resources import TEMPLATES_DIR


@pytest.fixture
def model():
    return load_model(TEMPLATES_DIR / "maturity_model.yaml")


def test_default_playbook_covers_every_dimension_and_level_step(model):
    playbook = load_playbook(model, kpi_ids=load_catalog().ids)
    counts = playbook.actions.groupby(["dimension_id", "to_level"]).size()
    assert len(counts) == 8 * 4
    assert counts.between(2, 4).all()
    assert set(playbook.actions["effort"]) <= {"S", "M", "L"}


def test_roadmap_ranks_next_step_actions_by_gap_times_weight_over_effort(model):
    playbook = load_playbook(model)
    dims = pd.DataFrame({
        "dimension_id": ["strategic_alignment", "governance", "customer_value"],
        "dimension": ["Strategy and alignment", "Governance", "Customer value"],
        "weight": [1.0, 1.0, 1.2], "level": [2, 3, 4], "target": [4.0, 4.0, 4.0],
        "gap": [1.0, 0.5, -0.2], "score": [3.0, 3.5, 4.2]})
    roadmap = build_roadmap(dims, playbook, model)
    assert "customer_value" not in set(roadmap["dimension_id"])  # above target
    assert set(roadmap.loc[roadmap["dimension_id"] == "strategic_alignment", "to_level"]) == {3}
    assert set(roadmap.loc[roadmap["dimension_id"] == "governance", "to_level"]) == {4}
    effort = {"S": 1, "M": 2, "L": 3}
    expected = [g * 1.0 / effort[e] for g, e in zip(roadmap["dimension_id"].map({"strategic_alignment": 1.0,
                                                                                   "governance": 0.5}),
                                                      roadmap["effort"])]
    assert roadmap["priority"].tolist() == pytest.approx(expected)
    assert roadmap["priority"].is_monotonic_decreasing
    assert roadmap["rank"].tolist() == list(range(1, len(roadmap) + 1))


def test_playbook_with_unknown_dimension_level_or_kpi_is_rejected(model, tmp_path):
    (tmp_path / "p.yaml").write_text(
        "actions:\n  nowhere:\n    2:\n      - {action: a, owner_role: PMO, effort: S, kpi: cpi}\n"
        "  governance:\n    9:\n      - {action: a, owner_role: PMO, effort: S, kpi: magic}\n")
    with pytest.raises(ConfigError) as info:
        load_playbook(model, kpi_ids=["cpi"], path=tmp_path / "p.yaml")
    messages = " | ".join(info.value.problems["message"])
    assert "unknown dimension" in messages and "level must be one of" in messages and "KPI is not" in messages


def test_playbook_effort_must_be_s_m_or_l(model, tmp_path):
    (tmp_path / "p.yaml").write_text("actions:\n  governance:\n    2:\n      - {action: a, owner_role: P, effort: XL, kpi: cpi}\n")
    with pytest.raises(ConfigError, match="effort"):
        load_playbook(model, path=tmp_path / "p.yaml")


def test_playbook_carries_steps_cadence_raci_and_glossary(model):
    playbook = load_playbook(model)
    assert playbook.steps["step"].tolist() == [1, 2, 3, 4]
    assert [e.name for e in playbook.cadence] == ["Portfolio review", "Funding decision", "Retrospective", "KPI review"]
    assert (playbook.raci.drop(columns="decision") == "A").sum(axis=1).eq(1).all()
    assert "Guardrail" in playbook.glossary


def test_raci_needs_exactly_one_accountable_role(model, tmp_path):
    (tmp_path / "p.yaml").write_text(
        "decision_rights:\n  roles: [Board, PMO]\n  decisions:\n"
        "    - {decision: Stop, raci: {Board: A, PMO: A}}\n    - {decision: Start, raci: {Board: R, Ghost: A}}\n"
        "actions: {}\n")
    with pytest.raises(ConfigError) as info:
        load_playbook(model, path=tmp_path / "p.yaml")
    messages = " | ".join(info.value.problems["message"])
    assert "exactly one A" in messages and "Ghost" in messages


def test_cadence_from_pmo_yaml_replaces_the_default_and_is_checked(tiny):
    from pmo_lib import cadence_events, load_workspace, workspace_playbook

    text = (tiny / "pmo.yaml").read_text() + (
        "cadence:\n  cycle_weeks: 6\n  events:\n"
        "    - {name: Sprint review, week: 6, purpose: Review., participants: [Team]}\n")
    (tiny / "pmo.yaml").write_text(text)
    ws = load_workspace(tiny)
    events = cadence_events(ws, workspace_playbook(ws))
    assert [e.name for e in events] == ["Sprint review"]
    (tiny / "pmo.yaml").write_text(text.replace("week: 6,", "week: 9,"))
    with pytest.raises(InputError, match="beyond the 6-week cycle") as info:
        load_workspace(tiny)  # caught with the rest of pmo.yaml, so pmo validate reports it
    assert info.value.problems["row"].notna().all()
    # the playbook's own events must fit a shorter cycle too: checked when the workspace loads
    (tiny / "pmo.yaml").write_text(text.split("cadence:")[0] + "cadence:\n  cycle_weeks: 2\n")
    with pytest.raises(InputError, match="beyond the 2-week cycle") as info:
        load_workspace(tiny)
    assert info.value.problems["row"].notna().all()
    # and by cadence_events, for a library user who builds the configuration another way
    short = dataclasses.replace(ws, config=ws.config.model_copy(update={"cadence": pmo_config.Cadence(cycle_weeks=2)}))
    with pytest.raises(ConfigError, match="beyond the 2-week cycle"):
        cadence_events(short, workspace_playbook(short))


def test_roadmap_is_spread_over_three_cycles_by_effort(model):
    from pmo_lib import roadmap_by_cycle

    roadmap = pd.DataFrame({"rank": range(1, 9), "effort": list("LLLSSMMM"), "dimension_id": "x"})
    spread = roadmap_by_cycle(roadmap, capacity=6)
    assert spread["cycle_offset"].tolist() == [1, 1, 2, 2, 2, 3, 3, 3]
