"""pmo.yaml: unknown keys, bad types and broken YAML are named with their line."""
from __future__ import annotations

import pytest

from pmo_lib import ConfigError, load_config


def write(tmp_path, text: str):
    (tmp_path / "pmo.yaml").write_text(text)
    return tmp_path


def test_only_organisation_is_required_and_defaults_apply(tmp_path):
    config = load_config(write(tmp_path, "organisation: Acme\n"))
    assert config.currency == "EUR"
    assert config.maturity_target("governance") == 4.0
    assert config.thresholds.goal_mix_tolerance == 0.05


def test_per_dimension_maturity_targets(tmp_path):
    config = load_config(write(tmp_path, "organisation: Acme\ntargets:\n  maturity: {governance: 3.5}\n"))
    assert config.maturity_target("governance") == 3.5
    assert config.maturity_target("flow_delivery") == 4.0


def test_unknown_keys_and_bad_values_are_all_reported_with_lines(tmp_path):
    text = "organisation: Acme\ncurrency: EUR\nbrandng:\n  logo: x.png\nthresholds:\n  goal_mix_tolerance: lots\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problems = info.value.problems.set_index("column")
    assert problems.loc["brandng", "row"] == 3
    assert "unknown key 'brandng'" in problems.loc["brandng", "message"]
    assert problems.loc["thresholds.goal_mix_tolerance", "row"] == 6
    assert problems.loc["thresholds.goal_mix_tolerance", "value"] == "lots"


def test_missing_organisation(tmp_path):
    with pytest.raises(ConfigError, match="required key 'organisation' is missing"):
        load_config(write(tmp_path, "currency: EUR\n"))


def test_yaml_that_does_not_parse_gives_the_line(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "organisation: Acme\ntargets:\n  maturity: [4\n  kpis: {}\n"))
    assert info.value.problems.iloc[0]["row"] in (3, 4)
    assert "YAML does not parse" in info.value.problems.iloc[0]["message"]


def test_bad_colour_is_explained(tmp_path):
    with pytest.raises(ConfigError, match="expected a colour such as '#1f4e79'"):
        load_config(write(tmp_path, "organisation: Acme\nbranding:\n  primary_colour: blue\n"))


def test_yaml_is_loaded_safely(tmp_path):
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, "organisation: !!python/object/apply:os.system ['echo hacked']\n"))


def test_kpi_thresholds_take_a_tolerance_and_the_older_amber(tmp_path):
    config = load_config(write(tmp_path, "organisation: Acme\nthresholds:\n  kpis:\n"
                                         "    spi: {tolerance: 0.02, red: 0.85}\n    cpi: {amber: 0.95}\n"))
    assert config.thresholds.kpis["spi"].tolerance == 0.02
    assert config.thresholds.kpis["cpi"].amber == 0.95 and config.thresholds.kpis["cpi"].tolerance is None


def test_a_negative_tolerance_and_unknown_threshold_keys_are_named(tmp_path):
    text = "organisation: Acme\nthresholds:\n  kpis:\n    spi: {tolerance: -1, green: 1}\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problems = info.value.problems.set_index("column")
    assert "greater than or equal to 0" in problems.loc["thresholds.kpis.spi.tolerance", "message"]
    assert "unknown key" in problems.loc["thresholds.kpis.spi.green", "message"]


def test_questionnaire_section_gives_deadline_roles_and_contact(tmp_path):
    import datetime as dt

    config = load_config(write(tmp_path, "organisation: Acme\nquestionnaire:\n  deadline: 2026-12-15\n"
                                         "  roles: [Executive, PMO, Delivery lead]\n  contact: Jane Doe, PMO lead\n"))
    q = config.questionnaire
    assert q.deadline == dt.date(2026, 12, 15)
    assert q.roles == ["Executive", "PMO", "Delivery lead"] and q.contact == "Jane Doe, PMO lead"
    assert q.match_role(" pmo ") == "PMO" and q.match_role("Sponsor") is None


def test_without_a_questionnaire_section_any_role_is_accepted(tmp_path):
    q = load_config(write(tmp_path, "organisation: Acme\n")).questionnaire
    assert q.deadline is None and q.roles is None and q.contact is None
    assert q.match_role(" Sponsor ") == "Sponsor" and q.match_role("") is None


def test_questionnaire_unknown_keys_bad_dates_and_repeated_roles_are_reported_with_lines(tmp_path):
    text = ("organisation: Acme\nquestionnaire:\n  deadline: 15/12/2026\n  roles: [PMO, Executive, pmo]\n"
            "  anonymous: true\n")
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problems = info.value.problems.set_index("column")
    assert problems.loc["questionnaire.deadline", "row"] == 3
    assert problems.loc["questionnaire.deadline", "value"] == "15/12/2026"
    assert problems.loc["questionnaire.roles", "row"] == 4
    assert "'pmo' is listed twice" in problems.loc["questionnaire.roles", "message"]
    assert "unknown key 'questionnaire.anonymous'" in problems.loc["questionnaire.anonymous", "message"]


def test_the_template_pmo_yaml_is_valid_and_lists_the_sample_roles():
    from pmo_lib.inputs.config import Config
    from pmo_lib.inputs.resources import TEMPLATES_DIR
    from pmo_lib.inputs.sample import _ROLES
    import yaml

    config = Config.model_validate(yaml.safe_load((TEMPLATES_DIR / "pmo.yaml").read_text()))
    assert config.questionnaire.roles == list(_ROLES)  # the sample's respondents fit the default list


def test_minimums_default_to_the_values_the_library_uses_and_the_template_states(tmp_path):
    import yaml

    from pmo_lib import MIN_CHART_POINTS, DEFAULT_MINIMUMS, Minimums
    from pmo_lib.inputs.resources import TEMPLATES_DIR
    from pmo_lib.analysis.trends import MIN_TREND_POINTS

    config = load_config(write(tmp_path, "organisation: Acme\n"))
    assert config.minimums == DEFAULT_MINIMUMS == Minimums()
    assert (config.minimums.trend_cycles, config.minimums.control_chart_cycles) == (MIN_TREND_POINTS,
                                                                                   MIN_CHART_POINTS) == (4, 5)
    assert (config.minimums.alpha_complete_cases, config.minimums.alpha_items, config.minimums.agreement_respondents,
            config.minimums.interval_respondents, config.minimums.group_size) == (5, 3, 5, 5, 3)
    template = yaml.safe_load((TEMPLATES_DIR / "pmo.yaml").read_text())
    assert Minimums(**template["minimums"]) == DEFAULT_MINIMUMS


def test_minimums_are_set_in_pmo_yaml_and_unknown_or_impossible_ones_are_errors_with_lines(tmp_path):
    config = load_config(write(tmp_path, "organisation: Acme\nminimums:\n  interval_respondents: 8\n  trend_cycles: 3\n"))
    assert config.minimums.interval_respondents == 8 and config.minimums.trend_cycles == 3
    assert config.minimums.group_size == 3  # the others keep their defaults
    text = "organisation: Acme\nminimums:\n  alpha_complete_cases: 1\n  respondents: 4\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problems = info.value.problems.set_index("column")
    assert problems.loc["minimums.alpha_complete_cases", "row"] == 3
    assert "unknown key 'minimums.respondents'" in problems.loc["minimums.respondents", "message"]


def test_policy_keys_default_to_the_kits_values(tmp_path):
    config = load_config(write(tmp_path, "organisation: Acme\n"))
    assert config.funding.smallest_move == 0.5
    rules = config.exceptions
    assert (rules.high_slip_multiple, rules.critical_slip_multiple) == (2, 3)
    assert rules.overdue_escalation_days == 90
    assert (rules.stop_severity, rules.escalation_severity) == ("high", "high")


def test_policy_keys_can_be_set(tmp_path):
    config = load_config(write(tmp_path, "organisation: Acme\nfunding:\n  smallest_move: 100\nexceptions:\n"
                                         "  high_slip_multiple: 1.5\n  critical_slip_multiple: 2.5\n"
                                         "  overdue_escalation_days: 30\n  stop_severity: critical\n"
                                         "  escalation_severity: medium\n"))
    assert config.funding.smallest_move == 100
    assert config.exceptions.model_dump() == {"high_slip_multiple": 1.5, "critical_slip_multiple": 2.5,
                                              "overdue_escalation_days": 30, "stop_severity": "critical",
                                              "escalation_severity": "medium"}


@pytest.mark.parametrize("section, key, value", [
    ("funding", "smallest_move", "-1"),
    ("funding", "smallest_move", "some"),
    ("exceptions", "high_slip_multiple", "1"),
    ("exceptions", "critical_slip_multiple", "0.5"),
    ("exceptions", "overdue_escalation_days", "-5"),
    ("exceptions", "overdue_escalation_days", "soon"),
    ("exceptions", "stop_severity", "severe"),
    ("exceptions", "escalation_severity", "High"),
    ("exceptions", "stop_after", "high"),
])
def test_a_bad_policy_value_names_its_key_and_line(tmp_path, section, key, value):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, f"organisation: Acme\n{section}:\n  {key}: {value}\n"))
    problems = info.value.problems
    assert list(problems["column"]) == [f"{section}.{key}"]
    assert problems.iloc[0]["row"] == 3
    assert f"'{section}.{key}'" in problems.iloc[0]["message"]


def test_critical_slip_must_lie_beyond_high_slip(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "organisation: Acme\nexceptions:\n  high_slip_multiple: 3\n"))
    problem = info.value.problems.iloc[0]
    assert problem["column"] == "exceptions" and problem["row"] == 2
    assert "critical_slip_multiple (3) must be larger than high_slip_multiple (3)" in problem["message"]
