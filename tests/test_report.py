"""Presentation helpers: escaping, badges and number formats."""
from __future__ import annotations

import pandas as pd

from pmo_lib import esc, format_value, status_badge, table


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
    assert "Not rated" in status_badge("something else")


def test_format_value_by_unit():
    assert format_value(0.8625, "share") == "86%"
    assert format_value(-1028164.4, "currency", "EUR") == "EUR\u00a0-1,028,164"
    assert format_value(11.4, "points") == "+11"
    assert format_value(float("nan"), "ratio") == "n/a"


def test_esc():
    assert esc('a<b>"c"') == "a&lt;b&gt;&quot;c&quot;"


def test_figures_keep_their_words_as_text():
    """Labels stay text in the SVG: searchable and selectable in the PDF, and light to print."""
    import matplotlib.pyplot as plt

    from pmo_lib.charts import set_theme, show_figure

    set_theme()
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    ax.set_title("Throughput <by> cycle", loc="left")
    ax.set_xlabel("Planning cycle")
    markup = show_figure(fig, "Figure caption").data
    assert "Planning cycle</text>" in markup and "Throughput &lt;by&gt; cycle</text>" in markup
    assert "<use " not in markup  # no glyphs drawn as paths
