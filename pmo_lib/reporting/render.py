"""Rendering executed notebooks into client reports: HTML with nbconvert, PDF with WeasyPrint.

The report template in ``templates/report`` hides code, prompts, parameter
cells and log output. Cells tagged ``remove-cell`` never reach the client.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

from typing import TYPE_CHECKING

from ..inputs.printing import logo_data_uri, render_pdf  # noqa: F401  (re-exported: the reports print with it)
from ..inputs.resources import TEMPLATES_DIR

if TYPE_CHECKING:  # nbformat and nbconvert load slowly; notebooks that only import pmo_lib never need them
    import nbformat

REMOVE_TAGS = {"parameters", "injected-parameters", "remove-cell", "papermill-error-cell-tag"}


def _client_cells(nb: nbformat.NotebookNode, *, with_code: bool) -> nbformat.NotebookNode:
    """Drop the cells and outputs a client must not see."""
    nb = copy.deepcopy(nb)
    keep = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_TAGS and not (with_code and tags <= {"parameters", "injected-parameters"}):
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            if not cell.outputs and not with_code:
                continue
        keep.append(cell)
    nb.cells = keep
    return nb


def render_html(nb: nbformat.NotebookNode | str | Path, *, context: dict, with_code: bool = False) -> str:
    """Render an executed notebook to a self-contained HTML report.

    Parameters
    ----------
    nb : NotebookNode or path
    context : dict
        Shown on the cover and in running headers: ``organisation, title,
        cycle, date, primary_colour, logo`` (a data URI or None), and
        ``failure`` (``{"cell", "ename", "evalue"}``) for a failed notebook.
    with_code : bool
        Keep the code cells, for analysts reviewing the work.

    Returns
    -------
    str
        The HTML document.
    """
    import nbformat
    from nbconvert import HTMLExporter

    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    exporter = HTMLExporter(template_name="report", extra_template_basedirs=[str(TEMPLATES_DIR)],
                            exclude_input=not with_code, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    css = (TEMPLATES_DIR / "report" / "report.css").read_text(encoding="utf-8")
    resources = {"pmo": {**context, "css": css, "with_code": with_code}}
    body, _ = exporter.from_notebook_node(_client_cells(nb, with_code=with_code), resources=resources)
    return add_contents(body)


_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def add_contents(page: str) -> str:
    """Insert a table of contents of the report's sections at the foot of the cover.

    Sections are the level-2 headings; their numbers come from CSS counters and
    their page numbers, in print, from ``target-counter``.
    """
    entries = []
    for anchor, inner in _H2.findall(page):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        if text:
            entries.append(f'<li><a href="#{anchor}">{text}</a></li>')
    if len(entries) < 2:
        return page
    nav = f'<nav class="pmo-toc" aria-label="Contents"><p class="pmo-toc-title">Contents</p><ol>{"".join(entries)}</ol></nav>'
    return page.replace("</section>", nav + "</section>", 1)
