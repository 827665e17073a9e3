"""Rendering: no code or parameters reach a client, HTML works offline, failures show."""
from __future__ import annotations

import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pmo_lib import render_html
from pmo_lib.reporting.render import render_pdf

CONTEXT = {"organisation": "Acme <Corp>", "title": "KPI analysis", "cycle": "2026-Q1", "date": "2026-01-01",
           "primary_colour": "#1f4e79", "logo": None, "failure": None, "kit_version": "test"}


def notebook() -> nbformat.NotebookNode:
    params = new_code_cell("cycle = None", metadata={"tags": ["parameters"]})
    injected = new_code_cell("cycle = 'X'", metadata={"tags": ["injected-parameters"]})
    code = new_code_cell("secret_code_here()", outputs=[
        new_output("stream", name="stderr", text="DeprecationWarning: noisy\n"),
        new_output("display_data", data={"text/html": "<p>visible result</p>"})])
    return new_notebook(cells=[params, injected, new_markdown_cell("## A section"), code])


def test_client_html_has_no_code_prompts_parameters_or_warnings():
    html = render_html(notebook(), context=CONTEXT)
    assert "visible result" in html and "A section" in html
    for hidden in ("secret_code_here", "cycle = 'X'", "DeprecationWarning", "In&nbsp;["):
        assert hidden not in html


def test_html_is_self_contained():
    html = render_html(notebook(), context=CONTEXT)
    assert "<script src=" not in html and "<link rel=\"stylesheet\" href=\"http" not in html
    assert "Acme &lt;Corp&gt;" in html


def test_code_variant_keeps_the_code():
    assert "secret_code_here" in render_html(notebook(), context=CONTEXT, with_code=True)


def test_failed_notebook_says_so_on_its_first_page(tmp_path):
    context = {**CONTEXT, "failure": {"cell": 4, "ename": "ValueError", "evalue": "bad <value>"}}
    html = render_html(notebook(), context=context)
    assert "This report is incomplete" in html and "cell 4" in html and "ValueError: bad &lt;value&gt;" in html
    pdf = render_pdf(html, tmp_path / "r.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_logo_is_embedded_on_the_cover(tmp_path):
    from pmo_lib.reporting.render import logo_data_uri

    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5b0000000049454e44ae426082")
    (tmp_path / "logo.png").write_bytes(png)
    html = render_html(notebook(), context={**CONTEXT, "logo": logo_data_uri(tmp_path / "logo.png")})
    img = re.search(r'<img[^>]*class="pmo-logo"[^>]*>', html).group(0)
    assert 'src="data:image/png;base64,' in img and 'alt="Acme &lt;Corp&gt; logo"' in img


def tagged_notebook() -> nbformat.NotebookNode:
    """One cell per tag the renderer knows, each with its own code and its own output."""
    def cell(name: str, tags: list[str]) -> nbformat.NotebookNode:
        return new_code_cell(f"code_of_{name}()", metadata={"tags": tags}, outputs=[
            new_output("display_data", data={"text/html": f"<p>output_of_{name}</p>"})])

    error = new_markdown_cell("<span>output_of_papermill_error</span>",
                              metadata={"tags": ["papermill-error-cell-tag"]})
    logs = new_code_cell("code_of_logs()", outputs=[new_output("stream", name="stderr", text="output_of_logs\n")])
    return new_notebook(cells=[cell("parameters", ["parameters"]), cell("injected", ["injected-parameters"]),
                               cell("removed", ["remove-cell"]), error, cell("no_input", ["remove-input"]),
                               cell("no_output", ["remove-output"]), cell("plain", []), logs])


def test_client_view_shows_only_the_outputs_of_untagged_and_remove_input_cells():
    html = render_html(tagged_notebook(), context=CONTEXT)
    assert "output_of_plain" in html and "output_of_no_input" in html
    for hidden in ("parameters", "injected", "removed", "papermill_error", "no_output", "logs"):
        assert f"output_of_{hidden}" not in html, hidden
    assert "code_of_" not in html


def test_analyst_view_keeps_code_and_parameters_but_honours_the_tags():
    html = render_html(tagged_notebook(), context=CONTEXT, with_code=True)
    for shown in ("code_of_parameters", "output_of_parameters", "code_of_injected", "output_of_injected",
                  "code_of_plain", "output_of_plain", "output_of_no_input", "code_of_no_output", "code_of_logs"):
        assert shown in html, shown
    for hidden in ("code_of_removed", "output_of_removed", "output_of_papermill_error", "code_of_no_input",
                   "output_of_no_output", "output_of_logs"):
        assert hidden not in html, hidden


def test_rendering_leaves_the_notebook_unchanged():
    nb = tagged_notebook()
    before = nbformat.writes(nb)
    render_html(nb, context=CONTEXT)
    assert nbformat.writes(nb) == before


@pytest.mark.notebook
def test_a_bare_dataframe_reaches_the_client_html_in_the_house_style(tmp_path):
    """Executed in a real kernel: importing the kit is enough, no pmo.table needed."""
    from nbclient import NotebookClient

    nb = new_notebook(cells=[
        new_code_cell("import pandas as pd\nimport pmo_lib as pmo"),
        new_code_cell("pd.DataFrame({'initiative_id': ['I-1', 'I-2'], 'spend': [1234.5, None],"
                      " 'status': ['on_hold', 'active']}, index=[5, 9])")])
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    html = render_html(nb, context=CONTEXT)
    shown = html[html.index("<main"):]
    assert 'class="pmo-table"' in shown and "1,234.50" in shown and "On hold" in shown
    assert "NaN" not in shown and "n/a" in shown and "dataframe" not in shown  # not pandas' raw table
    assert ">5<" not in shown and ">9<" not in shown
    assert re.search(r"#T_\w+ \.col0 \{\s*text-align: left", shown) and re.search(
        r"#T_\w+ \.col1 \{\s*text-align: right", shown)


def test_figures_are_numbered_in_page_order_and_previews_never_reach_the_report():
    def figure(n: int, caption: str):
        return new_output("display_data", data={"text/html": (
            f'<figure class="pmo-figure"><svg></svg><figcaption><span class="pmo-figure-number" '
            f'style="font-weight: bold">Figure {n}. </span>{caption}</figcaption></figure>')})

    preview = new_output("display_data", data={"text/html": "<iframe>preview_of_the_report</iframe>"},
                         metadata={"text/html": {"pmo-preview": True}})
    nb = new_notebook(cells=[new_code_cell("a()", outputs=[figure(7, "first")]),
                             new_code_cell("b()", metadata={"tags": ["remove-output"]}, outputs=[figure(2, "gone")]),
                             new_code_cell("c()", outputs=[figure(3, "second"), figure(3, "third")]),
                             new_code_cell("pmo.preview()", outputs=[preview])])
    html = render_html(nb, context=CONTEXT)
    assert re.findall(r"Figure (\d+)\. </span>(\w+)", html) == [("1", "first"), ("2", "second"), ("3", "third")]
    assert "preview_of_the_report" not in html


def test_preview_renders_the_saved_notebook_through_the_client_template(tmp_path, capsys):
    from pmo_lib import preview

    path = tmp_path / "04_claims_focus.ipynb"
    nb = tagged_notebook()
    nb.cells.insert(0, new_markdown_cell("# Claims focus\n\nFor one client."))
    nbformat.write(nb, str(path))
    shown = preview(path, cycle="2026-Q1")
    assert shown.path == path and "output_of_plain" in shown.html and "output_of_no_output" not in shown.html
    assert '<h1 class="pmo-title">Claims focus</h1>' in shown.html and "Planning cycle 2026-Q1" in shown.html
    frame, metadata = shown._repr_html_()
    assert frame.startswith("<iframe") and "srcdoc=" in frame and metadata == {"pmo-preview": True}
    assert preview(tmp_path / "missing.ipynb") is None and "does not exist" in capsys.readouterr().err


def test_preview_says_what_to_do_when_it_cannot_tell_the_notebook(monkeypatch, capsys):
    from pmo_lib import preview

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert preview() is None
    assert "cannot tell which notebook this is" in capsys.readouterr().err


def test_the_pdf_draws_what_weasyprint_draws_from_the_html_as_it_was(tmp_path, monkeypatch):
    """Printing is made cheaper (charts as images, one stylesheet, the tables' repeated rules left to the
    report's stylesheet): every page's drawing stays the same."""
    import pmo_lib.reporting.render as render
    import io

    import matplotlib.pyplot as plt
    import pandas as pd
    from pypdf import PdfReader
    from weasyprint import HTML

    from pmo_lib import show_figure, table
    from pmo_lib.inputs.resources import TEMPLATES_DIR

    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.plot([1, 2, 3], [3, 1, 2], marker="o")
    ax.set_title("Spend fell, then rose")
    chart = show_figure(fig, "Spend by cycle").data
    tables = [table(pd.DataFrame({"initiative_id": [f"I-{i}"], "spend": [i * 1000.5], "status": ["red"]}),
                    badges=("status",), caption=f"Table {i}").data for i in range(3)]
    outputs = [new_output("display_data", data={"text/html": part}) for part in (chart, *tables)]
    nb = new_notebook(cells=[new_markdown_cell("## Spend"), new_code_cell("show()", outputs=outputs)])
    html = render_html(nb, context=CONTEXT)
    assert "<svg" in html and html.count("<style") > 3  # the HTML keeps its inline chart and each table's columns
    assert re.search(r"#T_pmo\w+ \.col1 \{", html) and not re.search(r"#T_pmo\w+ th \{", html)
    with monkeypatch.context() as patched:
        patched.setattr(render, "drop_repeated_table_rules", lambda page: page)
        as_it_was = render_html(nb, context=CONTEXT)
    assert re.search(r"#T_pmo\w+ th \{", as_it_was)

    def pages(pdf: bytes) -> list[bytes]:
        return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages]

    before = HTML(string=as_it_was, base_url=str(TEMPLATES_DIR)).write_pdf()
    printed = render_pdf(html, tmp_path / "r.pdf").read_bytes()
    assert pages(printed) == pages(before)


def test_the_report_stylesheet_has_every_house_table_rule_the_tables_leave_out():
    import tinycss2

    from pmo_lib.inputs.resources import TEMPLATES_DIR
    from pmo_lib.reporting.report import PRIMARY_CSS, TABLE_RULES

    declared: dict[str, dict[str, str]] = {}
    sheet = tinycss2.parse_stylesheet((TEMPLATES_DIR / "report" / "report.css").read_text(encoding="utf-8"),
                                      skip_comments=True, skip_whitespace=True)
    for rule in (r for r in sheet if r.type == "qualified-rule"):
        for declaration in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True):
            for selector in tinycss2.serialize(rule.prelude).split(","):
                declared.setdefault(" ".join(selector.split()), {})[declaration.lower_name] = \
                    tinycss2.serialize(declaration.value).strip()
    for selector, props in TABLE_RULES:
        for prop in props.split(";"):
            name, value = (part.strip() for part in prop.split(":", 1))
            # the report template always sets --primary, so the fallback colour never applies there
            assert declared[f"table.pmo-table {selector}"].get(name) == value.replace(PRIMARY_CSS, "var(--primary)"), \
                (selector, name)
