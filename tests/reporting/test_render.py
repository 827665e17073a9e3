"""Rendering: no code or parameters reach a client, HTML works offline, failures show."""
from __future__ import annotations

import re

import nbformat
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
