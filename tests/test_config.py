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
