"""Printing: what WeasyPrint reads is the same page, cheaper to print."""
from __future__ import annotations

import base64
import gc
import re
from xml.etree import ElementTree

import pytest

from pmo_lib.inputs.printing import one_stylesheet, render_pdf, svg_as_images

# an inline chart as nbconvert's HTML gives it: element and attribute names in lower case
CHART = ('<svg aria-label="Spend &amp; value" class="chart" height="20pt" role="img" viewbox="0 0 20 20" '
         'width="20pt" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
         '<defs><style type="text/css">*{stroke-linecap: butt}</style>'
         '<clippath id="c1"><rect height="20" width="20" x="0" y="0"></rect></clippath></defs>'
         '<g id="figure_1"><path clip-path="url(#c1)" d="M 0 0 L 20 20" style="stroke: #000"></path>'
         '<text x="1" y="10">viewbox=1 &lt;2</text></g></svg>')


def decoded(img: str) -> ElementTree.Element:
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', img).group(1)
    return ElementTree.fromstring(base64.b64decode(data))


def test_an_inline_chart_prints_as_an_image_of_the_same_svg_spelled_as_svg_spells_it():
    page = svg_as_images(f"<p>before</p><figure>{CHART}</figure>")
    img = re.search(r"<img[^>]*>", page).group(0)
    assert "<svg" not in page and page.startswith("<p>before</p><figure><img")
    assert 'class="chart"' in img and 'alt="Spend &amp; value"' in img
    svg = decoded(img)
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("viewBox") == "0 0 20 20" and svg.get("viewbox") is None
    assert svg.find(f"{ns}defs/{ns}clipPath") is not None  # the HTML standard's case table, reversed
    assert svg.find(f".//{ns}text").text == "viewbox=1 <2"  # text is never renamed


def test_a_chart_that_is_not_well_formed_xml_stays_inline():
    broken = CHART.replace("viewbox=1", "viewbox&nbsp;1")  # an HTML entity XML does not know
    assert svg_as_images(broken) == broken


def test_all_styles_join_in_page_order_in_the_first_block_but_a_charts_own_and_a_media_block_stay():
    page = ('<head><style>a { color: red }</style></head><body><style type="text/css">\nb { color: blue }</style>'
            '<p>x</p><style media="print">c { color: green }</style>' + CHART + '<style>d { color: black }</style></body>')
    joined = one_stylesheet(page)
    assert joined.count("<style") == 3  # the first block, the media block, the chart's own
    first = re.search(r"<style>(.*?)</style>", joined, re.S).group(1)
    assert first.index("a {") < first.index("b {") < first.index("d {")
    assert '<style media="print">c { color: green }</style>' in joined
    assert "*{stroke-linecap: butt}" in joined and "<p>x</p>" in joined
    assert one_stylesheet("<style>@import url(x.css);</style><style>a {}</style>").count("<style") == 2


def test_printing_pauses_the_cyclic_collector_and_restores_it(tmp_path):
    assert gc.isenabled()
    render_pdf(f"<p>A page</p><figure>{CHART}</figure>", tmp_path / "a.pdf")
    assert gc.isenabled() and (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(Exception):
        render_pdf("<p>x</p>", tmp_path / "missing-folder" / "a.pdf")
    assert gc.isenabled()
    gc.disable()
    try:
        render_pdf("<p>x</p>", tmp_path / "b.pdf")
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()
