"""Rendering executed notebooks into client reports: HTML with nbconvert, PDF with WeasyPrint.

The report template in ``templates/report`` hides code and prompts; nbconvert's
``TagRemovePreprocessor`` removes the cells tagged ``remove-cell`` and the
parameter cells, the code of cells tagged ``remove-input`` and the outputs of
cells tagged ``remove-output``; working output (print, stderr, warnings: every
stream output) never reaches the client. The runner keeps it in the pack's log
and passes a sentence that counts it (``context["left_out"]``), which the
data-quality appendix shows.
"""
from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path

from typing import TYPE_CHECKING

from ..inputs.printing import logo_data_uri, render_pdf  # noqa: F401  (re-exported: the reports print with it)
from ..inputs.resources import TEMPLATES_DIR
from .report import TABLE_RULES

if TYPE_CHECKING:  # nbformat and nbconvert load slowly; notebooks that only import pmo_lib never need them
    import nbformat
    from traitlets.config import Config

#: Cells with these tags never reach a client: the parameter cells, papermill's error banner, and cells
#: the notebook marks ``remove-cell``. The analyst view (``with_code=True``) keeps the parameter cells.
REMOVE_TAGS = {"parameters", "injected-parameters", "remove-cell", "papermill-error-cell-tag"}
PARAMETER_TAGS = {"parameters", "injected-parameters"}
#: Output metadata of ``pmo.preview()`` (see :mod:`pmo_lib.reporting.preview`); such outputs are dropped.
PREVIEW_KEY = "pmo-preview"
#: A cell tagged ``remove-input`` shows its outputs only; one tagged ``remove-output`` shows its code only.
REMOVE_INPUT_TAGS = {"remove-input"}
REMOVE_OUTPUT_TAGS = {"remove-output"}


def _tag_removal(*, with_code: bool) -> Config:
    """nbconvert's ``TagRemovePreprocessor`` configured with the report's tags."""
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = REMOVE_TAGS - PARAMETER_TAGS if with_code else REMOVE_TAGS
    config.TagRemovePreprocessor.remove_input_tags = REMOVE_INPUT_TAGS
    config.TagRemovePreprocessor.remove_all_outputs_tags = REMOVE_OUTPUT_TAGS
    return config


def _drop_logs(nb: nbformat.NotebookNode, resources: dict, *, with_code: bool,
               left_out: str | None = None) -> tuple[nbformat.NotebookNode, dict]:
    """Drop working output (every stream: print, stderr, warnings), report previews and, in the client view,
    code cells left with nothing to show; say what was left out after the data-quality appendix (or at the end)."""
    import nbformat

    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if o.get("output_type") != "stream" and not _is_preview(o)]
    if not with_code:
        nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.outputs]
    if left_out:
        where = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "data_quality_section(" in c.source]
        at = where[-1] + 1 if where else len(nb.cells)
        nb.cells.insert(at, nbformat.v4.new_markdown_cell(f"**Working output.** {left_out}", id="pmo-left-out"))
    return nb, resources


def _is_preview(output: dict) -> bool:
    """An output of ``pmo.preview()``: the report inside itself, never for a client."""
    meta = output.get("metadata") or {}
    return bool(meta.get(PREVIEW_KEY) or (meta.get("text/html") or {}).get(PREVIEW_KEY))


def render_html(nb: nbformat.NotebookNode | str | Path, *, context: dict, with_code: bool = False) -> str:
    """Render an executed notebook to a self-contained HTML report.

    Parameters
    ----------
    nb : NotebookNode or path
    context : dict
        Shown on the cover and in running headers: ``organisation, title,
        cycle, date, primary_colour, logo`` (a data URI or None), and
        ``failure`` (``{"cell", "ename", "evalue"}``) for a failed notebook;
        ``left_out``, a sentence on the working output left out (see
        :mod:`pmo_lib.reporting.working_output`), or None.
    with_code : bool
        Keep the code cells, for analysts reviewing the work.

    Returns
    -------
    str
        The HTML document.
    """
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nb if isinstance(nb, nbformat.NotebookNode) else nbformat.read(str(nb), as_version=4)
    exporter = HTMLExporter(config=_tag_removal(with_code=with_code), template_name="report",
                            extra_template_basedirs=[str(TEMPLATES_DIR)],
                            exclude_input=not with_code, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor(functools.partial(_drop_logs, with_code=with_code,
                                                     left_out=context.get("left_out")), enabled=True)
    css = (TEMPLATES_DIR / "report" / "report.css").read_text(encoding="utf-8")
    resources = {"pmo": {**context, "css": css, "with_code": with_code}}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return add_contents(number_figures(drop_repeated_table_rules(body)))


#: The ids :func:`pmo_lib.table` (a pandas Styler's ``T_<uuid>``) and the dashboard give the kit's tables.
_KIT_TABLE_ID = r"(?:T_pmo\d+_[0-9a-f]+|pmo-dash-\d+-[0-9a-f]+)"
_TABLE_RULE = re.compile(rf"#{_KIT_TABLE_ID} (?:{'|'.join(re.escape(s) for s, _ in TABLE_RULES)}) \{{[^}}]*\}}\n?")
_EMPTY_STYLE = re.compile(r'<style(?: type="text/css")?>\s*</style>\n?')


def drop_repeated_table_rules(page: str) -> str:
    """Leave out the house table rules each of the kit's tables repeats, scoped to its id, for JupyterLab.

    The report's stylesheet (``templates/report/report.css``) has the same rules once, for every
    ``table.pmo-table``; a table's own rules for its columns (alignment, no wrapping) stay. A browser shows
    the same page, and WeasyPrint no longer matches every cell against every table's rules.
    """
    return _EMPTY_STYLE.sub("", _TABLE_RULE.sub("", page))


_FIGURE_NUMBER = re.compile(r'(<span class="pmo-figure-number"[^>]*>)Figure \d+\. ')


def number_figures(page: str) -> str:
    """Number the figures' captions in page order: "Figure 1.", "Figure 2."…

    In a notebook a figure's number follows the order cells ran; in the report it follows the
    page, whatever cells ran twice or lost their output to a ``remove-output`` tag.
    """
    numbers = itertools.count(1)
    return _FIGURE_NUMBER.sub(lambda m: f"{m.group(1)}Figure {next(numbers)}. ", page)


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
