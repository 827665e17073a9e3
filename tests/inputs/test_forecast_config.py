"""pmo.yaml's forecast section and thresholds.on_time_probability."""
from __future__ import annotations

import pytest

from pmo_lib import ConfigError, load_config


def write(tmp_path, text: str):
    (tmp_path / "pmo.yaml").write_text(text)
    return tmp_path


def test_forecast_defaults(tmp_path):
    config = load_config(write(tmp_path, "organisation: Acme\n"))
    assert (config.forecast.history_weeks, config.forecast.trials, config.forecast.min_items) == (13, 10_000, 5)
    assert config.thresholds.on_time_probability == 0.5


def test_forecast_settings_are_read(tmp_path):
    config = load_config(write(tmp_path, "organisation: Acme\nforecast: {history_weeks: 26, trials: 2000, "
                                         "min_items: 10}\nthresholds: {on_time_probability: 0.7}\n"))
    assert (config.forecast.history_weeks, config.forecast.trials, config.forecast.min_items) == (26, 2000, 10)
    assert config.thresholds.on_time_probability == 0.7


@pytest.mark.parametrize("text, key", [
    ("forecast: {trials: 10}\n", "forecast.trials"),
    ("forecast: {history_weeks: 0}\n", "forecast.history_weeks"),
    ("forecast: {min_items: 0}\n", "forecast.min_items"),
    ("forecast: {weeks: 13}\n", "forecast.weeks"),
    ("thresholds: {on_time_probability: 1.5}\n", "thresholds.on_time_probability"),
])
def test_bad_forecast_settings_are_named_with_their_line(tmp_path, text, key):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "organisation: Acme\n" + text))
    problems = info.value.problems.set_index("column")
    assert key in problems.index and problems.loc[key, "row"] == 2


def test_the_template_documents_the_forecast_keys():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "templates" / "pmo.yaml").read_text()
    assert "forecast:" in text and "history_weeks: 13" in text and "on_time_probability: 0.5" in text
