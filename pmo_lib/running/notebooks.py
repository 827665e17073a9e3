"""Which notebooks a workspace's run executes: the kit's, and the workspace's own.

``notebooks:`` in ``pmo.yaml`` lists notebooks inside the workspace. One with
the file name of a kit notebook replaces that notebook, for this workspace
only: it keeps the kit report's place, title and the results the later
reports reuse. The others run after the kit's reports of the cycle, each a
report of its own titled by its first markdown heading.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..inputs.config import CONFIG_FILE
from ..inputs.exceptions import PmoError

from ..inputs.notebooks import cell_source, notebook_title, read_notebook_json
from ..inputs.resources import NOTEBOOKS, NOTEBOOKS_DIR, REPORT_TITLES
from ..inputs.workspace import Workspace
from ..reporting.working_output import CellCheck, notebook_cells, own_cells, ranges

KIT = "kit"
WORKSPACE = "workspace"


@dataclass(frozen=True)
class ReportNotebook:
    """One notebook a run executes for every cycle.

    Attributes
    ----------
    report : str
        The report's key: the kit's (``kpis``) or, for a workspace's own
        notebook, its file name without ``.ipynb``. Its log is ``logs/<report>.log``.
    path : Path
        The notebook file that runs.
    origin : str
        ``kit`` or ``workspace``.
    title : str
        The report's title, on its cover and in the index.
    replaces : bool
        A workspace notebook that replaces the kit's notebook of the same file name.
    """

    report: str
    path: Path
    origin: str
    title: str
    replaces: bool = False

    @property
    def name(self) -> str:
        return self.path.name

    def read(self) -> tuple[str, str]:
        """The notebook's JSON text and the sha256 of the file's bytes."""
        data = self.path.read_bytes()
        return data.decode("utf-8-sig"), hashlib.sha256(data).hexdigest()

    def describe(self) -> str:
        """Where the notebook comes from, for the run's output."""
        if self.origin == KIT:
            return f"kit        {self.path}"
        return f"workspace  {self.path}" + (" (replaces the kit's)" if self.replaces else "")


def report_notebooks(ws: Workspace) -> list[ReportNotebook]:
    """The notebooks a run of ``ws`` executes, in order: the kit's (or their replacements), then the workspace's."""
    return plan_notebooks(ws.path, ws.config.notebooks)


def plan_notebooks(workspace: Path, entries: list[str]) -> list[ReportNotebook]:
    """:func:`report_notebooks` from the workspace folder and its ``notebooks:`` entries (checked already)."""
    own = {p.name: p for p in ((workspace / entry).resolve() for entry in entries)}
    plan = []
    for report, name in NOTEBOOKS.items():
        if name in own:
            plan.append(ReportNotebook(report, own.pop(name), WORKSPACE, REPORT_TITLES[report], replaces=True))
        else:
            plan.append(ReportNotebook(report, NOTEBOOKS_DIR / name, KIT, REPORT_TITLES[report]))
    for name, path in own.items():
        plan.append(ReportNotebook(_report_key(name), path, WORKSPACE, notebook_title(read_notebook_json(path), name)))
    return plan


def _report_key(name: str) -> str:
    """A workspace notebook's report key: its file name without ``.ipynb`` (``kpis.ipynb`` is not the KPI report)."""
    stem = name.removesuffix(".ipynb")
    return f"workspace-{stem}" if stem in NOTEBOOKS else stem


# --------------------------------------------------------------------------- pmo notebook new

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
NOTEBOOKS_FOLDER = "notebooks"

_INTRO = """# {title}

A report of this workspace's own. `pmo run` executes it after the kit's reports, for every cycle, with the same
parameters (`workspace`, `cycle`, `results_dir`), and renders it through the client template as HTML and PDF.
The heading above is its title, on the cover and in the index; this cell is tagged `remove-cell`, so the client
never sees it.

What reaches the client: markdown cells, and what a code cell *displays* (the last expression, or
`display(...)`). What does not: `print()` output, standard error and warnings (they go to the pack's
`logs/{report}.log` and the data-quality appendix counts them), cells tagged `remove-cell`, and the outputs of
cells tagged `remove-output`. `pmo check WORKSPACE` lists which cells reach the client."""

_PARAMETERS = """from typing import Optional

workspace: Optional[str] = None  # workspace folder; None means the bundled sample organisation
cycle: Optional[str] = None  # planning cycle; None means the latest cycle
results_dir: Optional[str] = None  # folder of this cycle's result tables; None when run interactively"""

_LOAD = """import pmo_lib as pmo

ws = pmo.load_workspace(workspace)
cycle = ws.cycle(cycle)  # the planning cycle: its name, dates and previous cycle
currency = ws.config.currency
pmo.set_theme(ws.config.branding.primary_colour)

# The KPI results the kit's KPI report recorded for this cycle (results/kpis.csv), or computed here when
# the notebook runs on its own: one row per KPI and scope, where scope is "portfolio" or an initiative_id.
kpis = pmo.reuse_result("kpis", results_dir, lambda: pmo.compute_kpis(cycle, ws.catalog))
portfolio = kpis[kpis["scope"] == "portfolio"]"""

_SUMMARY = """off = portfolio[portfolio["status"] == "red"]
pmo.md(f"In cycle {pmo.esc(cycle.name)}, {pmo.plural(len(portfolio), 'portfolio KPI')} were measured; "
       f"{pmo.plural(len(off), 'is', 'are')} off track.")"""

_SCORECARD = """pmo.table(pmo.scorecard(kpis, ws.model.steps, currency=currency), badges=("status",),
          labels={"step": "Step", "name": "KPI", "value": "Value", "target": "Target", "status": "Status",
                  "n": "Records"},
          caption=f"Portfolio KPIs in {cycle.name}")"""

_INITIATIVES = """# One KPI per initiative: the rows whose scope is an initiative_id, with the initiative's name joined in.
names = ws["initiatives"][["initiative_id", "name"]].rename(columns={"name": "initiative"})
cpi = (kpis[(kpis["kpi_id"] == "cpi") & (kpis["scope"] != "portfolio")]
       .merge(names, left_on="scope", right_on="initiative_id"))
if cpi.empty:
    display(pmo.notice("No initiative has cost performance data in this cycle."))
else:
    display(pmo.table(cpi[["initiative", "value", "status"]], formats={"value": "{:.2f}"}, badges=("status",),
                      labels={"initiative": "Initiative", "value": "CPI", "status": "Status"},
                      caption="Cost performance index (CPI) per initiative"))"""

_SCRATCH = """# Scratch work for the analyst: this cell is tagged remove-cell and never reaches the client.
kpis.columns.tolist()"""

_APPENDIX = """pmo.data_quality_section(ws, cycle)  # the warnings as they stood at the end of the cycle"""


def starter_notebook(title: str, report: str) -> Any:
    """A new workspace notebook: the parameters cell and a short worked example of the display helpers."""
    import nbformat

    v4 = nbformat.v4
    cells = [
        v4.new_markdown_cell(_INTRO.format(title=title, report=report), metadata={"tags": ["remove-cell"]}),
        v4.new_code_cell(_PARAMETERS, metadata={"tags": ["parameters"]}),
        v4.new_code_cell(_LOAD),
        v4.new_markdown_cell("## Summary"),
        v4.new_code_cell(_SUMMARY),
        v4.new_markdown_cell("## Portfolio KPIs\n\nEach KPI against its target; the status says whether it is met."),
        v4.new_code_cell(_SCORECARD),
        v4.new_markdown_cell("## Cost performance per initiative"),
        v4.new_code_cell(_INITIATIVES),
        v4.new_code_cell(_SCRATCH, metadata={"tags": ["remove-cell"]}),
        v4.new_markdown_cell("## Appendix: data quality"),
        v4.new_code_cell(_APPENDIX),
    ]
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


def add_to_config(workspace: Path, entry: str) -> str | None:
    """Add ``entry`` to ``notebooks:`` in ``pmo.yaml``, editing its text so that comments stay.

    Returns
    -------
    str or None
        None when the file was changed (or already listed the entry); otherwise
        the line to add by hand, for a ``notebooks:`` written in a way this
        edit does not follow.
    """
    import yaml

    path = workspace / CONFIG_FILE
    text = path.read_text(encoding="utf-8-sig")
    manual = f"notebooks: [{entry}]" + ("" if "notebooks" not in text else f" (or add {entry} to the list)")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return manual
    listed = data.get("notebooks") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(listed, (list, type(None))):
        return manual
    if listed and entry in listed:
        return None
    lines = text.splitlines(keepends=True)
    keys = [i for i, line in enumerate(lines) if re.match(r"notebooks\s*:", line)]
    example = [i for i, line in enumerate(lines) if re.match(r"#\s*notebooks\s*:", line)]
    if not keys and example:  # pmo.yaml's commented example (templates/pmo.yaml): the key goes right after it
        at = example[-1] + 1
        while at < len(lines) and re.match(r"#\s+-\s", lines[at]):
            at += 1
        if at and not lines[at - 1].endswith("\n"):
            lines[at - 1] += "\n"
        lines.insert(at, f"notebooks:\n  - {entry}\n")
        new = "".join(lines)
    elif not keys:  # no notebooks key yet: add one at the end
        new = text + ("\n" if text and not text.endswith("\n") else "") + (
            "\n# This workspace's own notebooks, run after the kit's reports (pmo notebook new adds one).\n"
            f"notebooks:\n  - {entry}\n")
    elif len(keys) == 1:
        i = keys[0]
        head, _, rest = lines[i].partition(":")
        value, comment = rest.split("#")[0].strip(), rest[len(rest.split("#")[0]):].strip()
        if value.startswith("[") and value.endswith("]"):  # a flow list: notebooks: [a, b]
            items = [v.strip() for v in value[1:-1].split(",") if v.strip()] + [entry]
            lines[i] = f"{head}: [{', '.join(items)}]" + (f"  {comment}" if comment else "") + "\n"
        elif value in {"", "null", "~"}:  # a block list: a new item after the last one, indented alike
            lines[i] = f"{head}:\n" if value else lines[i]
            last, indent = i, "  "
            for k in range(i + 1, len(lines)):
                item = re.match(r"(\s+)-\s", lines[k])
                if item:
                    last, indent = k, item.group(1)
                elif lines[k].strip() and not lines[k].lstrip().startswith("#"):
                    break
            lines.insert(last + 1, f"{indent}- {entry}\n")
            if not lines[last].endswith("\n"):
                lines[last] += "\n"
        else:
            return manual
        new = "".join(lines)
    else:
        return manual
    try:
        check = yaml.safe_load(new)
    except yaml.YAMLError:
        return manual
    if not isinstance(check, dict) or check.get("notebooks") != [*(listed or []), entry] or \
            {k: v for k, v in check.items() if k != "notebooks"} != {k: v for k, v in data.items() if k != "notebooks"}:
        return manual
    path.write_text(new, encoding="utf-8")
    return None


def new_notebook(workspace: str | Path, name: str) -> tuple[Path, str | None]:
    """Write ``WORKSPACE/notebooks/NAME.ipynb``, a starter notebook, and list it under ``notebooks:`` in pmo.yaml.

    Returns
    -------
    tuple
        The notebook's path, and None when ``pmo.yaml`` was updated, or the
        line to add to it by hand.

    Raises
    ------
    PmoError
        When the workspace has no pmo.yaml, the name is not a plain file
        name, or the notebook exists (it is never overwritten).
    """
    import nbformat

    folder = Path(workspace).expanduser().resolve()
    if not (folder / CONFIG_FILE).is_file():
        raise PmoError(f"{folder} is not a workspace (it has no {CONFIG_FILE}); create one with 'pmo init {folder}'")
    stem = name.removesuffix(".ipynb")
    if not _NAME.match(stem):
        raise PmoError(f"notebook name {name!r}: use letters, digits, '_' and '-' only, e.g. 04_claims_focus")
    target = folder / NOTEBOOKS_FOLDER / f"{stem}.ipynb"
    if target.exists():
        raise PmoError(f"{target} already exists; choose another name, or delete it first (it is never overwritten)")
    title = notebook_title({"cells": []}, stem)
    kit = [r for r, n in NOTEBOOKS.items() if n == f"{stem}.ipynb"]  # a starter that replaces a kit notebook
    report = kit[0] if kit else _report_key(f"{stem}.ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as fh:
        nbformat.write(starter_notebook(title, report), fh)
    return target, add_to_config(folder, f"{NOTEBOOKS_FOLDER}/{stem}.ipynb")


# --------------------------------------------------------------------------- pmo check

@dataclass
class NotebookCheck:
    """``pmo check`` of one notebook: its cells, and the executed notebook whose outputs were read, if any."""

    notebook: ReportNotebook
    cells: list[CellCheck]
    executed: Path | None = None
    note: str = ""

    @property
    def stray(self) -> list[CellCheck]:
        return [c for c in self.cells if c.stray]

    def lines(self) -> list[str]:
        nb = self.notebook
        out = [f"{nb.name}  ({nb.describe().split(None, 1)[0]}: {nb.path})"]
        if self.executed is not None:
            out.append(f"  outputs read from {self.executed}")
        if self.note:
            out.append(f"  {self.note}")
        reach = [c.number for c in self.cells if c.reaches]
        out.append(f"  reach the client: {'cells ' + ranges(reach) if reach else 'no cell'}")
        kept = [f"{c.number} ({c.removed})" for c in self.cells if c.removed]
        if kept:
            out.append(f"  kept out by a tag: {', '.join(kept)}")
        if not self.stray:
            out.append("  stray output: none")
        else:
            out.append(f"  stray output, left out of the client report and kept in logs/{nb.report}.log:")
            out += [f"    cell {c.number}: {', '.join(c.stray)}    {c.first_line}" for c in self.stray]
        return out


def _executed_notebook(source: dict[str, Any], executed: Path) -> tuple[Any | None, str]:
    """The executed notebook, when its cells are those of the source; else None and why."""
    import nbformat

    try:
        nb = nbformat.read(str(executed), as_version=4)
    except Exception as exc:  # a damaged file is reported, not fatal
        return None, f"the executed notebook {executed} does not read ({type(exc).__name__}); only the source was checked"
    def sources(notebook: Any) -> list[str]:
        return [str(cell_source(dict(c))) for _, c in own_cells(notebook)]
    if sources(nb) != sources(source):
        return None, (f"the executed notebook {executed} was made from an older version of this notebook; "
                      "only the source was checked (run the workspace again to check its outputs)")
    return nb, ""


def last_pack(out: Path, organisation: str) -> Path | None:
    """The cycle pack a run published last under ``out``, by its manifest's finishing time."""
    from ..reporting.index import slugify
    from ..reporting.manifest import MANIFEST, Manifest

    org = out / slugify(organisation, fallback="organisation")
    packs = [p for p in org.glob(f"*/{MANIFEST}") if p.parent.name not in {"_failed", "templates"}]
    if not packs:
        return None
    return max(packs, key=lambda p: (Manifest.read(p.parent).finished, p.stat().st_mtime)).parent


def check_notebooks_of(workspace: str | Path, *, executed: str | Path | None = None,
                       out: str | Path = "reports") -> tuple[list[NotebookCheck], Path | None]:
    """``pmo check``: for every notebook a run of the workspace executes, which cells reach the client and which
    carry stray output.

    The notebooks' sources and tags are always read. Outputs are read from
    ``executed`` (a cycle pack folder or one executed notebook), or else from
    the last pack under ``out`` if there is one.

    Returns
    -------
    tuple
        One check per notebook, and the folder (or file) whose outputs were read, or None.

    Raises
    ------
    InputError
        When ``pmo.yaml`` or its ``notebooks:`` entries have problems.
    """
    from ..inputs.config import Config, load_validated
    from ..inputs.exceptions import ConfigError
    from ..inputs.notebooks import check_notebooks

    folder = Path(workspace).expanduser().resolve()
    if not folder.is_dir():
        raise PmoError(f"workspace {str(folder)!r} is not a folder")
    config, lines = load_validated(folder / CONFIG_FILE, Config, table=CONFIG_FILE)
    _, problems = check_notebooks(folder, config, lines)
    if problems:
        raise ConfigError(problems)
    source_of: Path | None
    if executed is not None:
        source_of = Path(executed).expanduser().resolve()
        if not source_of.exists():
            raise PmoError(f"--executed {source_of}: no such file or folder")
    else:
        source_of = last_pack(Path(out).expanduser().resolve(), config.organisation)
    checks = []
    for nb in plan_notebooks(folder, config.notebooks):
        data = read_notebook_json(nb.path)
        found: Path | None = None
        if source_of is not None:
            found = source_of if source_of.is_file() and source_of.name == nb.name else source_of / nb.name
            found = found if found.is_file() else None
        run, note = _executed_notebook(data, found) if found is not None else (None, "")
        cells = notebook_cells(data)
        if run is not None:  # what the outputs show, added to what the source says
            for cell, ran in zip(cells, notebook_cells(run, executed=True)):
                cell.stray = list(dict.fromkeys(cell.stray + ran.stray))
                cell.reaches = ran.reaches if not cell.removed else cell.reaches
        checks.append(NotebookCheck(nb, cells, found if run is not None else None, note))
    return checks, source_of
