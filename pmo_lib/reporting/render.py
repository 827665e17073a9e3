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
from ..inputs import i18n
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

    notebook = nb if isinstance(nb, nbformat.NotebookNode) else nbformat.read(str(nb), as_version=4)
    with i18n.using(*report_language(notebook, context)):  # the workspace's language (pmo.yaml), see i18n.py
        return _render_html(notebook, context=i18n_context(context), with_code=with_code)


def _render_html(notebook: nbformat.NotebookNode, *, context: dict, with_code: bool) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(config=_tag_removal(with_code=with_code), template_name="report",
                            extra_template_basedirs=[str(TEMPLATES_DIR)],
                            exclude_input=not with_code, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor(functools.partial(_drop_logs, with_code=with_code,
                                                     left_out=context.get("left_out")), enabled=True)
    exporter.register_preprocessor(_translate_markdown, enabled=True)
    exporter.environment.globals.update(_=i18n.gettext, ngettext=i18n.ngettext)  # the template's words
    css = (TEMPLATES_DIR / "report" / "report.css").read_text(encoding="utf-8") + language_css()
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


_FIGURE_NUMBER = re.compile(r'(<span class="pmo-figure-number"[^>]*>)[^<\d]+ \d+\. ')


def number_figures(page: str) -> str:
    """Number the figures' captions in page order: "Figure 1.", "Figure 2."…

    In a notebook a figure's number follows the order cells ran; in the report it follows the
    page, whatever cells ran twice or lost their output to a ``remove-output`` tag.
    """
    numbers = itertools.count(1)
    word = i18n.gettext("Figure")
    return _FIGURE_NUMBER.sub(lambda m: f"{m.group(1)}{word} {next(numbers)}. ", page)


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
    title = i18n.gettext("Contents")
    nav = f'<nav class="pmo-toc" aria-label="{title}"><p class="pmo-toc-title">{title}</p><ol>{"".join(entries)}</ol></nav>'
    return page.replace("</section>", nav + "</section>", 1)


# --- the report's language (pmo_lib/inputs/i18n.py) ---------------------------------------------------------------

def report_language(nb: nbformat.NotebookNode, context: dict) -> tuple[str, str | None]:
    """The language and locale a report is rendered in.

    The context's ``language`` and ``locale`` when given; else those of the workspace the notebook ran on
    (papermill records its parameters in the notebook), so a worker process renders in the workspace's
    language; else the current ones (a notebook rendered in the process that loaded its workspace).
    """
    if context.get("language"):
        return context["language"], context.get("locale")
    workspace = ((nb.get("metadata") or {}).get("papermill") or {}).get("parameters", {}).get("workspace")
    if workspace:
        from ..inputs.config import load_config
        from ..inputs.exceptions import PmoError

        try:
            config = load_config(Path(workspace))
            return config.language, config.locale
        except (PmoError, OSError):  # the run already reported a broken pmo.yaml; render as the run was
            pass
    return i18n.current_language(), i18n.current_locale()


def language_css() -> str:
    """The page footer's words in the report's language, and hyphenation of long words (German compounds
    would push a table past the page); nothing in English, whose reports stay as they were."""
    if i18n.current_language() == i18n.SOURCE_LANGUAGE:
        return ""
    parts = re.split(r"\{(page|pages)\}", i18n.gettext("Page {page} of {pages}"))
    content = " ".join(f"counter({p})" if i % 2 else '"' + p.replace('"', '\\"') + '"'
                       for i, p in enumerate(parts) if p or i % 2)
    # Hyphenation (WeasyPrint's, from pyphen's dictionaries) only where a long word would otherwise stick out:
    # prose breaks words of 10 letters or more, keeping 4 on each side ("Abwei-chungen", never "Ab-weichungen");
    # table cells only words of 12 or more, keeping 6 on each side, so names and short words ("Customer", "Kapazität")
    # stay whole and a narrow column cannot shred a compound ("Budge-tum-schich-tung"); table headers only
    # compounds of 14 or more ("Verzögerungs-kosten"). Headings, captions, headline cards and badges never
    # hyphenate. (Soft hyphens in the catalogues would be more precise, but WeasyPrint then sizes a header's
    # column as if the words before the soft hyphen could not wrap.)
    return (f"\n@page {{ @bottom-right {{ content: {content}; }} }}\n"
            "main p, main li { hyphens: auto; hyphenate-limit-chars: 10 4 4; }\n"
            "main td { hyphens: auto !important; hyphenate-limit-chars: 12 6 6; }\n"
            "main th { hyphens: auto !important; hyphenate-limit-chars: 14 7 6; }\n"
            "main h1, main h2, main h3, main h4, main caption, main figcaption, .pmo-headline, .pmo-headline *, "
            ".rag, .pmo-toc { hyphens: manual !important; }\n"
            # a table of seven columns or more (the KPI overview, the what-if scenarios side by side): German and
            # French headers are longer than English ones, so its cells are set a little smaller and tighter to stay
            # on the page
            "main table.pmo-table tr > :nth-last-child(n+7), main table.pmo-table tr > :nth-last-child(n+7) ~ * "
            "{ font-size: 7.8pt; padding-left: 1.4mm !important; padding-right: 1.4mm !important; }\n"
            # the governance report's one page: the same content in longer words, so a little smaller and tighter
            ".pmo-dashboard { font-size: 0.8em !important; }\n"
            ".pmo-dashboard table.pmo-table { font-size: 7.8pt !important; }\n"
            ".pmo-dashboard table.pmo-table td, .pmo-dashboard table.pmo-table th "
            "{ padding-top: 0.7mm !important; padding-bottom: 0.7mm !important; }\n")


def i18n_context(context: dict) -> dict:
    """The cover's words and dates in the current language: the title translated, dates in the locale's format."""
    out = {**context, "lang": i18n.current_language()}
    if out.get("title"):
        out["title"] = i18n.gettext(str(out["title"]))
    for key in ("date", "as_of"):
        if out.get(key):
            out[f"{key}_text"] = i18n.date(out[key])
    return out


def _translate_markdown(nb: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
    """Every markdown cell in the report's language, heading by heading and paragraph by paragraph."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = i18n.translate_markdown(cell.source)
    return nb, resources
