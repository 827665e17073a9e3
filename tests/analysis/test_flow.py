"""Flow conventions (pmo.yaml's flow) and the flow charts, on the tiny workspace.

Cycle C2 of the tiny workspace finishes W3 (66 days), W4 (41), W5 (10) and W6 (50): finish - start. With
flow.inclusive_days each takes one day more, as ActionableAgile counts. Percentiles are checked against
numpy.percentile with the same method, the definition the option names (NumPy documents each method after
Hyndman & Fan 1996; 55 Degrees documents "lower", the observed value at or below the percentile).
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from pmo_lib import (ConfigError, compute_kpis, cumulative_flow, cumulative_flow_diagram, cycle_time_scatter,
                     flow_percentiles, flow_times, load_catalog, load_config, load_workspace, throughput_run_chart,
                     weekly_throughput, wip_ageing_chart, wip_items)
from pmo_lib.analysis.kpis import flow_percentile
from pmo_lib.inputs.config import PERCENTILE_METHODS, Flow

C2_DAYS = [66, 41, 10, 50]


@pytest.fixture
def ws(tiny):
    return load_workspace(tiny)


def _with_flow(tiny, text: str):
    path = tiny / "pmo.yaml"
    path.write_text(path.read_text() + text)
    return load_workspace(tiny)


def _kpi(kpis: pd.DataFrame, kpi_id: str) -> float:
    return float(kpis.set_index(["kpi_id", "scope"]).loc[(kpi_id, "portfolio"), "value"])


@pytest.mark.parametrize("method", PERCENTILE_METHODS)
def test_every_percentile_method_is_numpys(method):
    days = np.array([3, 7, 7, 10, 12, 15, 21, 30, 41, 66], dtype=float)
    for q in (50, 85, 95):
        assert flow_percentile(days, q, method=method) == np.percentile(days, q, method=method)


def test_the_methods_offered_are_numpys_own_list():
    try:
        from numpy.lib._function_base_impl import _QuantileMethods
    except ImportError:  # numpy moved its private table: each method is still checked above
        pytest.skip("numpy's table of percentile methods is not where it was")
    assert set(PERCENTILE_METHODS) == set(_QuantileMethods)


def test_defaults_give_finish_minus_start_and_linear_percentiles(ws):
    kpis = compute_kpis(ws.cycle("C2"), ws.catalog)
    assert _kpi(kpis, "flow_time_p50") == np.percentile(C2_DAYS, 50) == 45.5
    assert _kpi(kpis, "flow_time_p85") == pytest.approx(np.percentile(C2_DAYS, 85))
    assert ws.catalog.flow == Flow()


def test_inclusive_days_count_the_first_day(tiny):
    ws = _with_flow(tiny, "flow:\n  inclusive_days: true\n")
    times = flow_times(ws.cycle("C2"), flow=ws.config.flow).set_index("item_id")["flow_days"]
    assert times.to_dict() == {"W3": 67, "W4": 42, "W5": 11, "W6": 51}
    kpis = compute_kpis(ws.cycle("C2"), ws.catalog)
    assert _kpi(kpis, "flow_time_p50") == np.percentile([d + 1 for d in C2_DAYS], 50) == 46.5
    assert _kpi(kpis, "flow_time_p85") == pytest.approx(np.percentile([d + 1 for d in C2_DAYS], 85))
    # an item in progress ages the same way: W8 started 2026-06-02, 28 days before 2026-06-30, so 29 days
    assert wip_items(ws.cycle("C2"), flow=ws.config.flow).set_index("item_id").at["W8", "age_days"] == 29


def test_percentile_method_lower_takes_an_observed_value(tiny):
    ws = _with_flow(tiny, "flow:\n  percentile_method: lower\n")
    kpis = compute_kpis(ws.cycle("C2"), ws.catalog)
    assert _kpi(kpis, "flow_time_p50") == np.percentile(C2_DAYS, 50, method="lower") == 41
    assert _kpi(kpis, "flow_time_p85") == np.percentile(C2_DAYS, 85, method="lower") == 50
    times = flow_times(ws.cycle("C2"), flow=ws.config.flow)
    assert flow_percentiles(times, flow=ws.config.flow) == {q: np.percentile(C2_DAYS, q, method="lower")
                                                             for q in (50, 85, 95)}
    # an explicit flow= overrides the catalogue's
    assert _kpi(compute_kpis(ws.cycle("C2"), ws.catalog, flow=Flow()), "flow_time_p50") == 45.5


def test_an_unknown_percentile_method_is_refused_with_the_choices(tmp_path):
    (tmp_path / "pmo.yaml").write_text("organisation: Acme\nflow:\n  percentile_method: median\n  inclusive: true\n")
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    text = str(error.value)
    assert "unknown percentile method 'median'" in text and "median_unbiased" in text
    assert "inclusive" in text  # the misspelt key is named too
    (tmp_path / "pmo.yaml").write_text("organisation: Acme\nflow: {inclusive_days: true, percentile_method: lower}\n")
    config = load_config(tmp_path)
    assert config.flow == Flow(inclusive_days=True, percentile_method="lower")
    assert load_catalog(config=config).flow == config.flow


def test_cumulative_flow_and_weekly_throughput_count_by_hand(ws):
    cfd = cumulative_flow(ws.cycle("C2")).set_index("date")
    # by 2026-04-10: created W1-W6 (W6 on 04-05), started W1-W6, finished W1, W2, W3
    assert cfd.loc["2026-04-10"].tolist() == [6, 6, 3]
    assert cfd.index[0] == pd.Timestamp("2026-01-01") and cfd.index[-1] == pd.Timestamp("2026-06-30")
    assert cfd.loc["2026-06-30"].tolist() == [9, 8, 6]
    weekly = weekly_throughput(ws.cycle("C2"))
    assert weekly["week_end"].iloc[-1] == pd.Timestamp("2026-06-30")
    assert len(weekly) == 181 // 7  # whole weeks only
    # weeks end on 2026-06-30 - 7k: W6 (finished 05-26) is in the week (05-19, 05-26]; the first whole week ends
    # 2026-06-30 - 7 × 24 = 2026-01-13, so W1 (01-15) is in the week ending 01-20
    by_week = weekly.set_index("week_end")["items"]
    assert by_week[pd.Timestamp("2026-05-26")] == 1
    assert by_week[pd.Timestamp("2026-01-20")] == 1
    assert weekly["items"].sum() == 6


def _title(ax) -> str:
    return ax.get_title(loc="left") or ax.get_title()  # left-aligned under the house theme


def test_flow_charts_draw_the_percentile_lines(ws):
    cycle = ws.cycle("C3")
    times = flow_times(cycle, history=True)
    lines = flow_percentiles(times)
    assert len(times) == 10 and lines[85] == pytest.approx(np.percentile(times["flow_days"], 85))
    fig = cycle_time_scatter(times, lines)
    ax = fig.axes[0]
    drawn = sorted(line.get_ydata()[0] for line in ax.get_lines())
    assert drawn == pytest.approx(sorted(lines.values()))
    assert _title(ax).startswith("85% of the 10 finished items took")
    assert len(ax.collections[0].get_offsets()) == 10
    fig = wip_ageing_chart(wip_items(cycle), lines)
    assert sorted(line.get_ydata()[0] for line in fig.axes[0].get_lines()) == pytest.approx(sorted(lines.values()))
    fig = cumulative_flow_diagram(cumulative_flow(cycle))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["Waiting to start", "In progress",
                                                                          "Finished"]
    fig = throughput_run_chart(weekly_throughput(cycle))
    assert fig.axes[0].get_lines()[0].get_ydata().sum() == 10
    assert "items over the last" in _title(fig.axes[0])


def test_the_age_chart_title_says_when_nothing_is_old():
    from pmo_lib import wip_age_bars
    young = pd.DataFrame({"initiative_id": ["I1", "I2"], "age_band": ["0–13 days", "14–29 days"], "items": [3, 2],
                          "oldest_days": [5, 20]})
    assert _title(wip_age_bars(young).axes[0]) == "No item in progress for 60 days or more; 5 items in progress"
    old = young.assign(age_band=["0–13 days", "60–89 days"])
    assert _title(wip_age_bars(old).axes[0]) == "2 items in progress for 60 days or more"


def test_a_dense_scatter_is_one_embedded_image_and_a_sparse_one_stays_vector():
    """Issue 21's PDF lever: 4,534 vector dots took WeasyPrint 7.5 s of a 13 s KPI report; as one embedded image
    (200 dpi) the figure renders in a fraction of a second."""
    from pmo_lib import show_figure
    from pmo_lib.reporting.charts import RASTER_POINTS

    rng = np.random.default_rng(1)
    def times(n):
        return pd.DataFrame({"finished": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 200, n), "D"),
                             "flow_days": rng.integers(1, 60, n)})
    dense = show_figure(cycle_time_scatter(times(RASTER_POINTS + 500), {50: 10.0, 85: 20.0, 95: 30.0}), "x").data
    sparse = show_figure(cycle_time_scatter(times(200), {50: 10.0, 85: 20.0, 95: 30.0}), "x").data
    assert "<image" in dense and dense.count("<use") < 500  # the labels' glyphs only, not 1,500 dots
    assert "<image" not in sparse and sparse.count("<use") >= 200
