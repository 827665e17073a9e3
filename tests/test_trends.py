"""KPI trends over cycles: enough cycles give statistics, too few say so."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmo_lib import kpi_history, kpi_trends, load_catalog, load_workspace, trend_arrow
from pmo_lib.statistics import mann_kendall, xmr


def test_too_few_cycles_say_so_instead_of_guessing(tiny):
    ws = load_workspace(tiny)
    catalog = load_catalog(config=ws.config)
    trends = kpi_trends(kpi_history(ws.tables, catalog, present=ws.present), catalog).set_index("kpi_id")
    assert (trends["trend"] == "too few cycles").all()
    assert trends[["mk_tau", "center", "ucl"]].isna().all().all()
    assert trends.at["cpi", "n_cycles"] == 3


def test_trends_on_the_sample_match_the_statistics(sample):
    ws = load_workspace(sample)
    catalog = load_catalog(config=ws.config)
    history = kpi_history(ws.tables, catalog, present=ws.present)
    trends = kpi_trends(history, catalog).set_index("kpi_id")
    cpi = history[history["kpi_id"] == "cpi"]["value"]
    assert trends.at["cpi", "mk_tau"] == pytest.approx(mann_kendall(cpi)["tau"])
    assert trends.at["cpi", "ucl"] == pytest.approx(xmr(cpi)["ucl"])
    assert trends.at["cpi", "trend"] in {"worsening", "no clear trend"}  # the troubled programme drags CPI down
    assert list(trends.reset_index().columns) == ["kpi_id", "scope", "n_cycles", "mk_tau", "mk_p", "sen_slope",
                                                  "center", "ucl", "lcl", "mr_ucl", "signals", "trend"]


def test_improving_means_better_in_the_kpis_own_direction():
    from pmo_lib.trends import trend_word

    assert trend_word(-0.8, 0.01, "lower") == "improving"
    assert trend_word(-0.8, 0.01, "higher") == "worsening"
    assert trend_word(0.8, 0.5, "higher") == "no clear trend"
    assert trend_word(np.nan, np.nan, "higher") == "too few cycles"
    assert trend_arrow("improving").startswith("▲")


def test_signals_name_the_cycle_and_rule():
    from pmo_lib.kpis import KpiCatalog

    catalog = KpiCatalog(pd.DataFrame({"kpi_id": ["x"], "direction": ["higher"]}))
    history = pd.DataFrame({"kpi_id": "x", "scope": "portfolio", "cycle": [f"Q{i}" for i in range(8)],
                            "value": [10, 10.5, 9.5, 10, 10.2, 9.8, 10.1, 20]})
    trends = kpi_trends(history, catalog)
    assert "Q7: rule 1" in trends.at[0, "signals"]
