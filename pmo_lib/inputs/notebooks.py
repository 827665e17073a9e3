"""The workspace's own notebooks, ``notebooks:`` in ``pmo.yaml``, checked when the workspace loads.

Each entry must be a Jupyter notebook inside the workspace whose cell tagged
``parameters`` sets the three parameters every run passes: ``workspace``,
``cycle`` and ``results_dir``. Every problem is reported at once, with the line
of its entry in ``pmo.yaml``. The notebook is read as JSON: this layer runs no
Jupyter machinery.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from .config import CONFIG_FILE, Config
from .exceptions import Problem

#: What ``pmo run`` passes to every notebook, kit or workspace.
PARAMETERS = ("workspace", "cycle", "results_dir")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def read_notebook_json(path: Path) -> dict[str, Any]:
    """The notebook's JSON; raises ValueError with a short reason when it is not a notebook."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError("is not a notebook: the file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not a notebook: its JSON does not parse (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError("is not a notebook: it has no list of cells")
    if data.get("nbformat") != 4:
        raise ValueError(f"is not a version 4 notebook (nbformat {data.get('nbformat')!r}); save it with "
                         "JupyterLab or Jupyter Notebook 5 or later")
    return data


def cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def cell_tags(cell: dict[str, Any]) -> set[str]:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return {str(t) for t in tags} if isinstance(tags, list) else set()


def parameters_problem(data: dict[str, Any]) -> str | None:
    """What is wrong with a notebook's parameters cell, in words; None when it sets all three parameters."""
    cells = [c for c in data["cells"] if isinstance(c, dict) and c.get("cell_type") == "code"
             and "parameters" in cell_tags(c)]
    if not cells:
        return ("has no cell tagged 'parameters'; tag the code cell that sets "
                f"{', '.join(PARAMETERS)} (in JupyterLab: the cell's Property Inspector, Cell Tags)")
    try:
        tree = ast.parse(cell_source(cells[0]))
    except SyntaxError as exc:
        return f"its parameters cell is not valid Python (line {exc.lineno}: {exc.msg})"
    names: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) else []
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    missing = [p for p in PARAMETERS if p not in names]
    if missing:
        return (f"its parameters cell does not set {', '.join(missing)}; every run passes "
                f"{', '.join(PARAMETERS)} (set each to None as its default)")
    return None


def notebook_title(data: dict[str, Any], fallback: str) -> str:
    """The notebook's first markdown heading, without its markup; ``fallback`` in words when it has none."""
    for cell in data.get("cells", []):
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            found = _HEADING.search(cell_source(cell))
            if found:
                text = re.sub(r"[*_`]", "", found.group(1)).strip()
                if text:
                    return text
    words = re.sub(r"^\d+[_\- ]*", "", fallback.removesuffix(".ipynb")).replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) if words else fallback


def check_notebooks(workspace: Path, config: Config, lines: dict[tuple, int]) -> tuple[list[Path], list[Problem]]:
    """The workspace's notebooks, resolved, and every problem with their entries in ``pmo.yaml``.

    Returns
    -------
    tuple
        The notebooks that passed, in the order of ``pmo.yaml``, and the problems
        (each names ``pmo.yaml``, the entry's line and ``notebooks.<i>``).
    """
    file = str(workspace / CONFIG_FILE)
    found: list[Path] = []
    problems: list[Problem] = []
    names: dict[str, str] = {}

    def problem(i: int, entry: str, message: str) -> None:
        problems.append(Problem(file, CONFIG_FILE, message, row=lines.get(("notebooks", i)),
                                column=f"notebooks.{i}", value=entry))

    for i, entry in enumerate(config.notebooks):
        target = (workspace / entry).resolve()
        if not target.is_relative_to(workspace):
            problem(i, entry, "paths must stay inside the workspace folder")
            continue
        if target.suffix != ".ipynb":
            problem(i, entry, "a notebook must be a .ipynb file")
            continue
        if not target.is_file():
            problem(i, entry, "notebook not found; create one with 'pmo notebook new WORKSPACE NAME'")
            continue
        if target.name in names:
            problem(i, entry, f"two notebooks have the file name {target.name} ({names[target.name]} and {entry}); "
                              "a cycle's reports need distinct names")
            continue
        names[target.name] = entry
        try:
            data = read_notebook_json(target)
        except ValueError as exc:
            problem(i, entry, f"the file {exc}")
            continue
        wrong = parameters_problem(data)
        if wrong:
            problem(i, entry, f"the notebook {wrong}")
            continue
        found.append(target)
    return found, problems
