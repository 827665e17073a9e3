"""Presentation helpers: escaping, badges and number formats."""
from __future__ import annotations

import re

import pandas as pd

import pytest

from pmo_lib import (esc, format_value, kpi_status_text, kpi_target_text, kpi_value_text, notice, status_badge,
                     status_text, table)
from pmo_lib.reporting.report import frame_html


def test_table_escapes_workspace_strings_and_formats_numbers():
    frame = pd.DataFrame({"name": ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"],
                          "spend": [1234567.0, float("nan")], "status": ["red", "green"]})
    html = table(frame, formats={"spend": "{:,.0f}"}, badges=("status",)).data
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "1,234,567" in html and "n/a" in html
    assert "Off track" in html and "On track" in html


def test_badges_carry_a_word_and_a_symbol_not_only_colour():
    assert "■ Off track" in status_badge("red")
    assert "▲ At risk" in status_badge("amber")
    assert "◇ For information" in status_badge("info") and "rag-info" in status_badge("info")
    assert "Not rated" in status_badge("something else")
    badge = status_badge("amber, uncertain (21 answers)")
    assert "▲ At risk</span> <small>uncertain (21 answers)</small>" in badge


def test_every_status_has_one_word_symbol_and_colour_in_the_theme():
    from pmo_lib.reporting.charts import STATUS_COLOURS, STATUS_SYMBOLS, STATUS_WORDS
    from pmo_lib.inputs.catalog import STATUSES

    assert set(STATUS_WORDS) == set(STATUS_SYMBOLS) == set(STATUS_COLOURS) == set(STATUSES)
    assert len(set(STATUS_WORDS.values())) == len(STATUS_WORDS)
    assert len(set(STATUS_SYMBOLS.values())) == len(STATUS_SYMBOLS)


def test_format_value_by_unit():
    assert format_value(0.8625, "share") == "86%"
    assert format_value(-1028164.4, "currency", "EUR") == "EUR\u00a0-1,028,164"
    assert format_value(11.4, "points") == "+11"
    assert format_value(float("nan"), "ratio") == "n/a"
    assert format_value(1, "days") == "1 day" and format_value(14, "days") == "14 days"
    assert format_value(-0.001, "share") == "0%" and format_value(0.2, "points") == "0"  # no "-0%" or "+0"
    assert format_value(-145738.0, "currency") == "-145,738"  # never "-1.46e+05"


@pytest.mark.parametrize("value, threshold, unit", [
    (0.9496, 0.95, "ratio"), (0.95004, 0.95, "ratio"), (0.1996, 0.2, "share"), (-0.1004, -0.1, "share"),
    (14.2, 14, "days"), (29.6, 30, "points"), (0.99999, 1.0, "ratio")])
def test_rounding_never_contradicts_the_comparison(value, threshold, unit):
    # "SPI 0.95 is below the amber threshold 0.95" must not happen.
    shown, limit = format_value(value, unit, versus=threshold), format_value(threshold, unit, versus=value)
    assert shown != limit
    number = float(shown.replace("%", "").replace(" days", "").replace(",", ""))
    bound = float(limit.replace("%", "").replace(" days", "").replace(",", ""))
    assert (number < bound) == (value < threshold)
    assert format_value(0.96, "ratio", versus=0.95) == "0.96"  # no extra decimals where they are not needed
    assert format_value(0.95, "ratio", versus=0.95) == "0.95"  # equal values stay equal


def _kpi(**kw):
    base = {"kpi_id": "x", "name": "X", "step": 2, "scope": "portfolio", "value": 0.9496, "unit": "ratio",
            "target": 0.95, "status": "amber", "n": 29, "margin": float("nan"), "note": "", "uncertain": False,
            "ci_low": float("nan"), "ci_high": float("nan"), "rated_value": 0.9496, "rate_as": "value",
            "tolerance": 0.0, "red": 0.9, "direction": "higher"}
    return pd.Series({**base, **kw})


def test_kpi_texts_state_the_direction_the_basis_and_the_uncertainty():
    row = _kpi()
    assert kpi_value_text(row) == "0.9496" and kpi_target_text(row) == "≥ 0.9500"
    vac = _kpi(kpi_id="vac", value=-1513766.8, unit="currency", target=0.0, red=-0.1, rated_value=-0.0293,
               rate_as="share_of_bac")
    assert kpi_value_text(vac, "EUR") == "EUR\u00a0-1,513,767 (-3% of the budget at completion)"
    assert kpi_target_text(vac, "EUR") == "≥ 0% of the budget at completion"
    at_red = _kpi(value=-51921.0, unit="currency", target=0.0, red=-0.1, rated_value=-0.1004, rate_as="share_of_pv",
                  status="red")
    assert "(-10.04% of planned value)" in kpi_value_text(at_red)  # not "-10%" against a red threshold of -10%
    mix = _kpi(value=0.0746, unit="share", target=0.0, tolerance=0.05, red=0.1, direction="lower",
               rated_value=0.0746)
    assert kpi_target_text(mix) == "≤ 0% (green up to 5%)"
    assert kpi_target_text(_kpi(status="info", direction="none", target=float("nan"))) == "for information"
    nps = _kpi(kpi_id="nps", value=24.0, unit="points", target=30.0, red=0.0, margin=35.2, n=21, uncertain=True,
               rated_value=24.0)
    assert kpi_value_text(nps) == "+24 ±35"
    assert kpi_status_text(nps) == "amber, uncertain (21 answers)"
    assert status_text("amber", uncertain=True, n=21, kpi_id="nps") == "At risk, uncertain (21 answers)"
    assert status_text("info") == "For information"


def test_the_sample_scorecard_rates_every_kpi_and_shows_no_scientific_notation(sample):
    import re

    from pmo_lib import (compute_kpis, kpi_history, kpi_trends, load_catalog, load_workspace, scorecard_with_trends,
                         trend_table)

    ws = load_workspace(sample)
    catalog = load_catalog(config=ws.config)
    kpis = compute_kpis(ws.cycle(ws.cycles[-1]), catalog)
    trends = kpi_trends(kpi_history(ws.cycle(None), catalog), catalog)
    card = scorecard_with_trends(kpis, trends, ws.model.steps, currency="EUR")
    assert "n/a" not in set(card["status"])
    assert card.loc[card["name"] == "Throughput", "target"].item() == "for information"
    text = " ".join(card.astype(str).to_numpy().ravel()) + " ".join(
        trend_table(trends, catalog, currency="EUR").astype(str).to_numpy().ravel())
    assert not re.search(r"\d[eE][+-]?\d", text)
    assert "_" not in " ".join(trend_table(trends, catalog).astype(str).to_numpy().ravel())
    assert "rule " not in " ".join(trend_table(trends, catalog)["signals"])


def test_catalogue_table_shows_target_tolerance_red_and_basis():
    from pmo_lib import catalogue_table, load_catalog, threshold_table

    table = catalogue_table(load_catalog()).set_index("name")
    assert list(table.columns) == ["definition", "formula", "unit", "target", "tolerance", "red", "basis"]
    assert table.loc["Cost performance index", ["target", "tolerance", "red"]].tolist() == ["≥ 1.00", "none",
                                                                                           "below 0.90"]
    assert table.loc["Goal mix deviation", "tolerance"] == "5 pp"
    assert table.loc["Variance at completion", "basis"] == "the value as a share of the budget at completion"
    assert table.loc["Throughput", "target"] == "for information"
    thresholds = threshold_table(load_catalog()).set_index("name")
    assert thresholds.loc["Flow time (median)"].tolist() == ["above 14 days", "above 30 days"]


def test_esc():
    assert esc('a<b>"c"') == "a&lt;b&gt;&quot;c&quot;"


def test_figures_keep_their_words_as_text():
    """Labels stay text in the SVG: searchable and selectable in the PDF, and light to print."""
    import matplotlib.pyplot as plt

    from pmo_lib.reporting.charts import set_theme, show_figure

    set_theme()
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    ax.set_title("Throughput <by> cycle", loc="left")
    ax.set_xlabel("Planning cycle")
    markup = show_figure(fig, "Figure caption").data
    assert "Planning cycle</text>" in markup and "Throughput &lt;by&gt; cycle</text>" in markup
    assert "<use " not in markup  # no glyphs drawn as paths


# --- the look each element carries (issue 16: JupyterLab shows what the report shows) ---------------------------

def test_badges_and_notices_carry_their_colours_inline():
    red = status_badge("red")
    assert 'style="' in red and "background: #c62828" in red and "color: #fff" in red and "border-radius" in red
    assert "background: #e0e0e0" in status_badge("n/a") and "color: #333" in status_badge("n/a")
    info = notice("Plain words").data
    assert "border-left: 4px solid var(--primary, #1f4e79)" in info and "background: #f2f5f9" in info
    warning = notice("Careful", kind="warning").data
    assert "border-left: 4px solid #b26a00" in warning and "background: #fff6e5" in warning


def test_a_table_carries_its_rules_scoped_to_its_own_id():
    html = table(pd.DataFrame({"name": ["A"], "spend": [12.5]})).data
    table_id = re.search(r'<table id="([^"]+)"', html).group(1)
    assert f"#{table_id} th {{" in html and f"#{table_id} tbody tr:nth-child(even) td" in html
    assert "background: var(--primary, #1f4e79)" in html and 'class="pmo-table" style="border-collapse' in html
    # a column aligns by its class, header and cells alike: text left, numbers right; no rule per cell
    assert re.search(rf"#{table_id} \.col0 \{{\s*text-align: left", html)
    assert re.search(rf"#{table_id} \.col1 \{{\s*text-align: right", html)
    assert 'class="col_heading level0 col1"' in html and 'class="data row0 col1"' in html
    assert "_row0_col" not in html and "_level0_col" not in html
    assert table_id != re.search(r'<table id="([^"]+)"', table(pd.DataFrame({"a": [1]})).data).group(1)


def test_identifier_columns_never_wrap_and_others_may():
    html = table(pd.DataFrame({"initiative_id": ["I-001"], "name": ["A long name"], "owner": ["Ann Lee"]})).data
    table_id = re.search(r'<table id="([^"]+)"', html).group(1)
    nowrap = re.findall(rf"#{table_id} td\.(col\d) \{{\s*white-space: nowrap", html)
    assert nowrap == ["col0", "col2"]  # the id and the owner, not the name
    assert re.findall(r"white-space: nowrap", table(pd.DataFrame({"name": ["A"]}), nowrap=()).data) == []


def test_a_bare_dataframe_shows_in_the_house_style_without_index_or_nan():
    frame = pd.DataFrame({"initiative_id": ["I-1", "I-2"], "cost": [1234567.891, float("nan")],
                          "status": ["on_hold", None]}, index=[7, 3])
    html = frame_html(frame)
    assert 'class="pmo-table"' in html and "NaN" not in html and "None" not in html
    assert "1,234,567.89" in html and html.count("n/a") == 2 and "On hold" in html
    assert ">7<" not in html and ">3<" not in html and 'class="row_heading' not in html  # no row numbers
    assert "Initiative id" in html and "Cost" in html


def test_a_bare_dataframe_keeps_a_meaningful_index_as_its_first_column():
    grid = pd.DataFrame({"high": [2, 0]}, index=pd.Index(["I-1", "Portfolio"], name="initiative"))
    html = frame_html(grid)
    assert html.index("Initiative") < html.index("High") and "Portfolio" in html
    long = pd.DataFrame({"n": range(100)})
    with pd.option_context("display.max_rows", 10):
        shown = frame_html(long)
    assert "The first 10 of 100 rows" in shown and ">99<" not in shown


def test_importing_the_kit_in_ipython_shows_bare_dataframes_in_the_house_style_and_keeps_plain_text():
    from IPython.core.interactiveshell import InteractiveShell

    from pmo_lib.reporting.report import use_house_style

    shell = InteractiveShell.instance()
    try:
        assert use_house_style(shell)
        data, _ = shell.display_formatter.format(pd.DataFrame({"a": [1.5, float("nan")]}))
        assert 'class="pmo-table"' in data["text/html"] and "NaN" not in data["text/html"]
        assert "NaN" in data["text/plain"]  # a terminal keeps pandas' own text
    finally:
        InteractiveShell.clear_instance()
    assert use_house_style(None) is False  # outside IPython nothing happens


def test_figures_carry_their_number_and_a_cell_run_again_keeps_it():
    from types import SimpleNamespace

    from pmo_lib.reporting import report

    report._before_cell(SimpleNamespace(cell_id="cell-a"))
    first = report.figure_html("<svg></svg>", "Spend by goal")
    report._before_cell(SimpleNamespace(cell_id="cell-b"))
    second = report.figure_html("<svg></svg>", "Flow")
    report._before_cell(SimpleNamespace(cell_id="cell-a"))
    again = report.figure_html("<svg></svg>", "Spend by goal")
    number = int(re.search(r"Figure (\d+)\. ", first).group(1))
    assert f"Figure {number + 1}. " in second and again == first
    assert 'class="pmo-figure-number" style="font-weight: bold' in first and "font-size: 8.5pt" in first
