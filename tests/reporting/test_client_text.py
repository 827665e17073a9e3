"""Client language: no report a client reads shows a code, a file name, scientific notation or '1 days'.

The reports of the sample's latest cycle and of the tiny fixture workspace (a second, hand-made
organisation with other names, cycles and roles) are rendered to HTML once per module; every
page's visible text is scanned, SVG chart text and accessible labels included.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from pmo_lib.reporting import theme
from pmo_lib.inputs.catalog import load_catalog
from pmo_lib.inputs.tables import TABLES

pytestmark = pytest.mark.notebook

# Text a client does not see: styles, scripts, the document head and SVG metadata.
HIDDEN_TAGS = {"script", "style", "head", "metadata"}
BLOCK_TAGS = {"p", "div", "td", "th", "li", "h1", "h2", "h3", "h4", "tr", "text", "tspan", "figcaption", "caption",
              "br", "title", "section", "table", "ul", "ol", "nav", "header", "footer", "span", "b", "strong"}
# The data-quality appendix names the input file a warning is about on purpose: whoever keeps the
# data must know which file to fix. It is the one place where file names may appear.
DATA_QUALITY_CAPTION = "Warnings found while loading the workspace"

SCIENTIFIC = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+\-]?\d+\b")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
FILE_NAME = re.compile(r"\b[\w\-]+\.(?:ya?ml|csv|xlsx|ipynb|json|py)\b", re.I)
# "1 days", "1 items": one of something, then a plural noun. Words that end in s without being
# plurals are listed; "1 of 8 dimensions" never matches because "of" follows the 1.
ONE_PLURAL = re.compile(r"(?<![\d.,\-+−])\b1 ([a-z]+s)\b")
NOT_PLURAL = {"is", "was", "has", "does", "its", "this", "as", "us", "plus", "minus", "less", "across", "process",
              "status", "analysis", "basis", "class", "progress", "focus", "bonus", "gross"}
LOWER_ROLE = re.compile(r"\bpmo\b")


class _VisibleText(HTMLParser):
    """Collects the text a reader sees, the cells of tables apart, and accessible labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts: list[str] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._skip_table = 0
        self.table_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        if tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "table":
            self.table_depth += 1
        if tag == "caption":
            self._caption = []
        if tag in ("td", "th"):
            self._cell = []
        for name, value in attrs:
            if name in ("aria-label", "alt") and value and not self.hidden:
                self.parts.append("\n" + value + "\n")

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS:
            self.hidden -= 1
        if tag == "caption" and self._caption is not None:
            if "".join(self._caption).strip().startswith(DATA_QUALITY_CAPTION):
                self._skip_table = self.table_depth
            self._caption = None
        if tag in ("td", "th") and self._cell is not None:
            if not self._skip_table:
                self.cells.append("".join(self._cell).strip())
            self._cell = None
        if tag == "table":
            if self._skip_table == self.table_depth:
                self._skip_table = 0
            self.table_depth -= 1
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.hidden:
            return
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._skip_table and FILE_NAME.search(data):
            data = FILE_NAME.sub("", data)
        self.parts.append(data)


def visible_text(page: str) -> tuple[list[str], list[str]]:
    """The visible lines of an HTML page and the texts of its table cells."""
    parser = _VisibleText()
    parser.feed(page)
    lines = [line.strip() for line in "".join(parser.parts).splitlines() if line.strip()]
    return lines, parser.cells


def enumerated_codes() -> set[str]:
    """Every enumerated value of the input tables and every KPI id: none may stand alone in a table cell."""
    codes = {choice for spec in TABLES.values() for column in spec.columns for choice in column.choices}
    codes |= set(load_catalog().ids)
    codes |= {"portfolio", "initiative", "ratio", "share", "currency", "count", "points"}
    return codes


def scan(page: str) -> list[str]:
    """What in one page's visible text is not client language, as readable findings."""
    lines, cells = visible_text(page)
    codes = enumerated_codes()
    snake = set(theme.relabelled_codes()) | {c for c in codes if "_" in c}
    found = []
    for line in lines:
        for match in SNAKE_CASE.findall(line):
            found.append(f"code {match!r}{' (has a display name)' if match in snake else ''} in: {line[:120]}")
        for match in FILE_NAME.findall(line):
            found.append(f"file name {match!r} in: {line[:120]}")
        for match in SCIENTIFIC.findall(line):
            found.append(f"scientific notation {match!r} in: {line[:120]}")
        for word in ONE_PLURAL.findall(line):
            if word not in NOT_PLURAL:
                found.append(f"'1 {word}' in: {line[:120]}")
        if LOWER_ROLE.search(line):
            found.append(f"role 'pmo' in lower case in: {line[:120]}")
    for cell in cells:
        if cell in codes:
            found.append(f"enumerated code {cell!r} as a table cell")
    return found


def _packs(workspace: Path, cycle: str, out: Path) -> list[Path]:
    from pmo_lib import run_workspace

    summary = run_workspace(workspace, cycles=[cycle], out=out, formats=("html",), jobs=1, progress=False)
    assert summary.exit_code == 0, summary
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 5, pages  # four reports and the index
    return pages


@pytest.fixture(scope="module")
def client_pages(sample, tmp_path_factory) -> dict[str, list[Path]]:
    """HTML of every report of the sample's latest cycle and of the tiny workspace's latest cycle.

    The tiny copy is made less tidy than the sample: roles typed in lower case ("pmo") and an
    initiative on hold, as in the unseen organisation the issue describes.
    """
    import shutil

    from tests.conftest import DATA, edit_csv

    out = tmp_path_factory.mktemp("client-text")
    tiny = out / "tiny-ws"
    shutil.copytree(DATA / "tiny", tiny)
    edit_csv(tiny, "assessment", lambda f: f.assign(role=f["role"].str.lower()))
    edit_csv(tiny, "initiatives", lambda f: f.assign(status=f["status"].where(f["initiative_id"] != "I3", "on_hold")))
    return {"sample": _packs(sample, "2026-Q3", out / "sample"),
            "tiny": _packs(tiny, "C3", out / "tiny")}


def test_the_scan_finds_what_it_looks_for():
    page = ("<html><head><title>pmo.yaml</title></head><body><p>Status on_hold for 1 days; slope -1.46e+05.</p>"
            "<p>See pmo.yaml; the pmo decides.</p><table><tr><td>critical</td><td>I-001 Mobile app</td></tr></table>"
            '<svg><metadata>Matplotlib v3.11, data.csv</metadata><text>flow_time_p85</text></svg>'
            "<table><caption>Warnings found while loading the workspace</caption><tr><td>data/raid.csv</td></tr>"
            "</table></body></html>")
    found = " | ".join(scan(page))
    for what in ("'on_hold' (has a display name)", "'1 days'", "'-1.46e+05'".replace("-", ""), "'pmo.yaml'",
                 "role 'pmo'", "'critical' as a table cell", "'flow_time_p85'"):
        assert what in found, what
    assert "raid.csv" not in found and "Matplotlib" not in found and "data.csv" not in found
    assert scan("<p>1 day, 2 days, 1 of 8 dimensions, 1.5e3x, level 1 Initial, EUR 146,208</p>") == []


def test_every_enumerated_value_has_a_display_name():
    for spec in TABLES.values():
        for column in spec.columns:
            for choice in column.choices:
                name = theme.display_name(choice, theme.COLUMN_VOCABULARY.get(column.name))
                assert name != choice and "_" not in name, (spec.name, column.name, choice)
    for kpi_id in load_catalog().ids:
        assert theme.kpi_name(kpi_id) != kpi_id


@pytest.mark.parametrize("workspace", ["sample", "tiny"])
def test_client_reports_speak_client_language(client_pages, workspace):
    findings = []
    for page in client_pages[workspace]:
        text = page.read_text(encoding="utf-8")
        if page.name != "index.html":
            assert "Executive summary" in text or "How to use this playbook" in text, page  # a real report
        findings += [f"{page.parent.name}/{page.name}: {f}" for f in scan(text)]
    assert not findings, "\n".join(dict.fromkeys(findings))


def test_tables_show_display_names_and_plain_numbers():
    import pandas as pd

    from pmo_lib import table

    frame = pd.DataFrame({"initiative_id": ["I-001", "I-002"], "status": ["on_hold", "active"],
                          "expected_kpi": ["flow_time_p85", "cpi"], "owner_role": ["pmo", "Delivery lead"],
                          "note": ["on_hold since May", "budget_reallocation"], "slope": [-146208.4, 0.00123],
                          "median_age_days": [1.0, 2.0]})
    page = table(frame, formats={"slope": "{:+.3g}"}).data
    lines, cells = visible_text(page)
    assert {"On hold", "Active", "Flow time (85th percentile)", "Cost performance index", "PMO", "Budget reallocation",
            "-146,000", "+0.00123", "Median age days"} <= set(cells)
    assert "on_hold since May" in cells  # free text is not rewritten, only whole codes
    assert 'white-space: nowrap' in page  # identifiers do not wrap
    assert table(frame, codes=False).data.count("on_hold") == 2  # the code and the free text


def test_count_heatmap_has_an_integer_colour_scale_from_zero():
    import matplotlib
    import pandas as pd

    matplotlib.use("Agg")
    from pmo_lib import count_heatmap

    grid = pd.DataFrame({"critical": [1, 0], "high": [1, 1]}, index=["I-001", "I-002"])
    fig = count_heatmap(grid, title="t", xlabel="Severity", ylabel="Initiative")
    colorbar = fig.axes[0].collections[0].colorbar
    ticks = [float(t) for t in colorbar.get_ticks()]
    assert ticks[0] == 0 and all(t.is_integer() for t in ticks) and max(ticks) == 1
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["Critical", "High"]


def test_charts_never_print_labels_over_each_other_or_in_scientific_notation():
    import matplotlib
    import pandas as pd

    matplotlib.use("Agg")
    from pmo_lib import declutter, set_theme, show_figure, throughput_bars
    from pmo_lib.reporting.charts import _overlaps

    set_theme()  # text stays text in the SVG

    cycles = [f"FY{y} P{p:02d}" for y in (25, 26) for p in range(1, 13)]
    history = pd.DataFrame({"kpi_id": "throughput", "cycle": cycles, "value": range(100, 124)})
    fig = declutter(throughput_bars(history))
    renderer = fig.canvas.get_renderer()
    assert not _overlaps(fig.axes[0].get_xticklabels(), renderer, axis="x")
    html = show_figure(fig, "Throughput").data
    assert "Matplotlib v" not in html

    big = matplotlib.pyplot.subplots()[0]
    big.axes[0].plot([0, 1, 2], [5.0e7, 5.2e7, 6.6e7])
    svg = show_figure(big, "Estimate at completion").data
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert not [t for t in texts if SCIENTIFIC.search(t) or "1e" in t]
    assert any("50,000,000" in t or "52,000,000" in t for t in texts)


def test_the_sample_pack_tells_one_story(client_pages):
    """The board reads one story: one recommendation per initiative, no green KPI that misses its target,
    no exception or budget for an initiative that has ended, and the customer story in the governance pack."""
    from pmo_lib import read_result

    governance = next(p for p in client_pages["sample"] if p.name == "03_governance_report.html")
    results = governance.parent / "results"
    register, portfolio = read_result(results, "exceptions"), read_result(results, "portfolio")
    kpis, funding = read_result(results, "kpis"), read_result(results, "funding")
    assert portfolio["initiative_id"].is_unique
    recommended = portfolio.set_index("initiative_id")["recommendation"]
    for initiative, group in register.dropna(subset=["initiative_id"]).groupby("initiative_id"):
        assert set(group["recommendation"]) == {recommended[initiative]}, initiative
    green = kpis[kpis["status"] == "green"]
    edge = np.where(green["direction"] == "higher", green["target"] - green["tolerance"],
                    green["target"] + green["tolerance"])
    met = np.where(green["direction"] == "higher", green["rated_value"] >= edge - 1e-9,
                   green["rated_value"] <= edge + 1e-9)
    assert met.all(), green.loc[~met, ["kpi_id", "scope", "rated_value", "target"]]
    ended = set(portfolio.loc[portfolio["status"].isin(["closed", "cancelled"]), "initiative_id"])
    assert ended and not ended & set(register["initiative_id"].dropna())
    assert not ended & set(funding["initiative_id"])
    text = governance.read_text(encoding="utf-8")
    customer = register[register["kind"].eq("customer") & register["severity"].isin(["high", "critical"])]
    assert len(customer) and all(i in text for i in customer["initiative_id"])  # e.g. I-008's NPS of -42
    troubled = portfolio.set_index("initiative_id").loc["I-007"]
    assert troubled["recommendation"] == "recover" and "D-017" in troubled["reason"] and "D-017" in text
