"""A preview of the client report from inside a notebook: ``pmo.preview()``.

It renders the *saved* notebook file through the client template, the way ``pmo run`` renders an
executed notebook (same tags, same styles, same cover), and shows the page in the notebook or
opens it in the browser. The page is what the HTML report will look like; the PDF prints the same
page on A4.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import re
import sys
import tempfile
import webbrowser
from pathlib import Path
from typing import Any

from ..inputs.resources import NOTEBOOKS, REPORT_TITLES, __version__
from ..inputs.workspace import Workspace
from .render import PREVIEW_KEY, render_html


class Preview:
    """A rendered preview: the report page (``html``) of the notebook at ``path``.

    In a notebook it shows as the page in a frame. ``file`` is the HTML file written for
    ``open=True`` (None otherwise).
    """

    def __init__(self, path: Path, page: str, *, height: int = 800, file: Path | None = None) -> None:
        self.path = path
        self.html = page
        self.height = height
        self.file = file

    def _repr_html_(self) -> tuple[str, dict[str, Any]]:
        frame = (f'<iframe title="Report preview" srcdoc="{html.escape(self.html, quote=True)}" '
                 f'style="width: 100%; height: {self.height}px; border: 1px solid #d8dee6; background: #fff">'
                 '</iframe>')
        return frame, {PREVIEW_KEY: True}

    def __repr__(self) -> str:
        where = f", written to {self.file}" if self.file else ""
        return f"<report preview of {self.path}{where}>"


def current_notebook() -> Path | None:
    """The notebook this kernel runs, as JupyterLab tells it (``__session__`` or ``JPY_SESSION_NAME``).

    None outside JupyterLab or Jupyter Server (a plain Python process, papermill, VS Code may not say).
    """
    name: object = None
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            name = shell.user_ns.get("__session__")
    except ImportError:
        pass
    name = name or os.environ.get("JPY_SESSION_NAME")
    if not isinstance(name, str) or not name.endswith(".ipynb"):
        return None
    path = Path(name)
    return path if path.is_absolute() else Path.cwd() / path


def _namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython
    except ImportError:
        return {}
    shell = get_ipython()
    return dict(shell.user_ns) if shell is not None else {}


def _title(nb, path: Path) -> str:
    """The report's title: the kit's title for a kit notebook, else the notebook's first level-1 heading."""
    for report, name in NOTEBOOKS.items():
        if path.name == name:
            return REPORT_TITLES[report]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if found:
                return found.group(1).strip()
    return path.stem.replace("_", " ").strip().capitalize()


def preview_context(nb, path: Path, *, workspace: Workspace | None = None, cycle: str | None = None) -> dict[str, Any]:
    """The cover and header of the preview: as ``pmo run`` sets them, from the workspace and cycle.

    Without ``workspace`` and ``cycle`` they come from the notebook's variables: the first
    :class:`~pmo_lib.Workspace` it loaded and its ``cycle``.
    """
    from ..inputs.printing import logo_data_uri

    names = _namespace()
    if workspace is None:
        workspace = next((v for v in names.values() if isinstance(v, Workspace)), None)
    if cycle is None:  # the notebook's ``cycle``: a Cycle (``ws.cycle(name)``) or its name
        found = names.get("cycle")
        found = getattr(found, "name", found)
        cycle = found if isinstance(found, str) else None
    context: dict[str, Any] = {"organisation": "Preview", "title": _title(nb, path), "cycle": cycle or "",
                               "date": dt.date.today().isoformat(), "primary_colour": "#1f4e79",
                               "kit_version": __version__, "logo": None, "as_of": None}
    if workspace is not None:
        config = workspace.config
        context.update(organisation=config.organisation, primary_colour=config.branding.primary_colour,
                       logo=logo_data_uri((workspace.path / config.branding.logo).resolve())
                       if config.branding.logo else None)
        if cycle:
            cycles = workspace["cycles"].set_index("cycle")
            if cycle in cycles.index:
                context["as_of"] = cycles.at[cycle, "end_date"].date().isoformat()
    return context


def preview(path: str | Path | None = None, *, open: bool = False, workspace: Workspace | None = None,
            cycle: str | None = None, with_code: bool = False, height: int = 800) -> Preview | None:
    """Show the client report of this notebook, as it stands saved, the way ``pmo run`` renders it.

    Save the notebook first (Ctrl+S): the preview renders the file, with the outputs it holds.
    Cells tagged ``remove-cell``, ``remove-input`` or ``remove-output`` and the parameters
    cell are left out as in the report. The preview's own output never reaches a report.

    Parameters
    ----------
    path : str or Path, optional
        The notebook file. Default: the notebook this kernel runs, as JupyterLab tells it;
        elsewhere (a plain Python process, papermill, another editor) pass the path.
    open : bool
        Write the page to a temporary HTML file, print its path and open it in the browser,
        instead of showing it in the notebook.
    workspace, cycle : optional
        The cover's organisation, colour, logo and cycle. Default: the notebook's ``ws`` (the
        first Workspace it loaded) and ``cycle`` variables.
    with_code : bool
        Keep the code cells, as the analysts' variant of the report does.
    height : int
        Height of the preview frame in pixels.

    Returns
    -------
    Preview or None
        The page (``.html``), shown as a frame in the notebook; None when the notebook cannot be
        found, with the reason printed to stderr.
    """
    import nbformat

    where = Path(path).expanduser().resolve() if path is not None else current_notebook()
    if where is None:
        print("pmo.preview() cannot tell which notebook this is: JupyterLab names it to the kernel, but this "
              "kernel was started without a notebook name (papermill, plain Python or another editor). Pass "
              "the path: pmo.preview('notebooks/02_kpi_analysis.ipynb').", file=sys.stderr)
        return None
    if not where.is_file():
        print(f"pmo.preview(): notebook {where} does not exist; pass the path of a saved notebook.", file=sys.stderr)
        return None
    nb = nbformat.read(str(where), as_version=4)
    if not any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"):
        print(f"pmo.preview(): the saved notebook {where.name} has no outputs. Run its cells and save it "
              "(Ctrl+S), then preview again.", file=sys.stderr)
    page = render_html(nb, context=preview_context(nb, where, workspace=workspace, cycle=cycle),
                       with_code=with_code)
    file = None
    if open:
        file = Path(tempfile.mkdtemp(prefix="pmo-preview-")) / f"{where.stem}.html"
        file.write_text(page, encoding="utf-8")
        print(f"Preview of {where.name} written to {file}")
        webbrowser.open(file.as_uri())
        return None
    return Preview(where, page, height=height, file=file)
