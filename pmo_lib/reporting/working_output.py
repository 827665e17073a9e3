"""Working output: what a notebook prints for its analyst, never for the client.

Plain text a cell writes (``print``, standard error) and the warnings Python
shows never reach a client report: :func:`pmo_lib.reporting.render.render_html`
drops every stream output. The runner writes them to the pack's
``logs/<report>.log`` with their cell number, and the report's data-quality
appendix says how many lines were left out.

:func:`notebook_cells` tells, from a notebook's cells and tags alone (and from
its outputs once executed), which cells reach the client and which carry such
output: what ``pmo check`` lists.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..inputs.text import plural

#: Cells of a notebook that are papermill's, not the analyst's: not counted when cells are numbered.
INJECTED_TAGS = {"papermill-error-cell-tag", "injected-parameters"}
#: Tags that keep a cell, or its output, out of the client report (nbconvert's, and the parameter cells).
REMOVED_CELL_TAGS = {"remove-cell", "parameters"}
REMOVED_OUTPUT_TAGS = {"remove-output"}
# How Python's warnings module shows a warning: "path:line: SomeWarning: message".
_WARNING = re.compile(r"^\S.*:\d+: (\w*(Warning|Deprecation)\w*): ", re.M)
# Calls that write plain text: caught from the source before a notebook runs.
_PRINTING = {"print": "print()", "warn": "warnings.warn()", "pprint": "pprint()"}


@dataclass(frozen=True)
class Working:
    """One stream output of a cell: its 1-based cell number, its kind (printed, error output, warning) and text.

    ``tag`` is the tag that keeps the whole cell or its outputs out of the
    client report (``remove-cell``, ``parameters``, ``remove-output``), if
    any: such output was hidden on purpose, and is logged but not counted as
    left out.
    """

    cell: int
    kind: str
    text: str
    tag: str = ""

    @property
    def lines(self) -> int:
        return len(self.text.rstrip("\n").splitlines()) or 1


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, Mapping) else getattr(obj, key, default)


def _source(cell: Any) -> str:
    source = _get(cell, "source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _tags(cell: Any) -> set[str]:
    return set(_get(_get(cell, "metadata", {}) or {}, "tags", []) or [])


def own_cells(nb: Any) -> list[tuple[int, Any]]:
    """The analyst's cells with their 1-based numbers, as JupyterLab shows the notebook (papermill's left out)."""
    cells = [c for c in _get(nb, "cells", []) if not INJECTED_TAGS & _tags(c)]
    return list(enumerate(cells, start=1))


def working_output(nb: Any) -> list[Working]:
    """Every stream output of an executed notebook, in cell order, split into printed text, error output and warnings."""
    found = []
    for number, cell in own_cells(nb):
        if _get(cell, "cell_type") != "code":
            continue
        tags = _tags(cell)
        tag = next((t for t in ("remove-cell", "parameters", "remove-output") if t in tags), "")
        for output in _get(cell, "outputs", []) or []:
            if _get(output, "output_type") != "stream":
                continue
            text = _get(output, "text", "")
            text = "".join(text) if isinstance(text, list) else str(text)
            if _get(output, "name") == "stdout":
                found.append(Working(number, "printed", text, tag))
                continue
            # standard error: a warning starts with "file:line: SomeWarning:"; split the text at each one
            starts = [m.start() for m in _WARNING.finditer(text)]
            if starts and starts[0] > 0:
                found.append(Working(number, "error output", text[:starts[0]], tag))
            for begin, end in zip(starts, starts[1:] + [len(text)]):
                found.append(Working(number, "warning", text[begin:end], tag))
            if not starts:
                found.append(Working(number, "error output", text, tag))
    return found


def left_out(found: Sequence[Working]) -> list[Working]:
    """The working output a client would otherwise have seen: that of cells no tag keeps out."""
    return [w for w in found if not w.tag]


def log_text(found: Sequence[Working], *, report: str) -> str:
    """The log's section of working output: each piece under its cell number and kind."""
    if not found:
        return ""
    lines = [f"--- working output of {report}, left out of the client report "
             f"({plural(sum(w.lines for w in left_out(found)), 'line')}, and "
             f"{plural(sum(w.lines for w in found if w.tag), 'line')} of cells tagged to stay out) ---"]
    for w in found:
        lines.append(f"cell {w.cell}, {w.kind}" + (f" (cell tagged {w.tag})" if w.tag else "") + ":")
        lines += ["    " + line for line in w.text.rstrip("\n").splitlines()] or ["    "]
    return "\n".join(lines) + "\n"


def left_out_sentence(found: Sequence[Working]) -> str:
    """What the client report's data-quality appendix says of the working output it leaves out.

    It names no file: the client reads the report, the analyst finds the log in the pack."""
    lines = sum(w.lines for w in found)
    warnings = sum(1 for w in found if w.kind == "warning")
    which = f", including {plural(warnings, 'warning')}," if warnings else ""
    return (f"{plural(lines, 'line')} of working output{which} {'was' if lines == 1 else 'were'} left out of this "
            f"report: text the analysis printed for the analyst, not for readers. The run's log of this report "
            f"keeps {'it' if lines == 1 else 'them'}.")


# --------------------------------------------------------------------------- pmo check

@dataclass
class CellCheck:
    """One cell of a notebook as ``pmo check`` sees it.

    ``reaches`` is whether anything of the cell reaches the client (markdown,
    code output); ``removed`` the tag that keeps it out, if one does;
    ``stray`` what in it writes working output (from the source, or the
    kinds of its executed stream outputs).
    """

    number: int
    cell_type: str
    reaches: bool
    removed: str = ""
    stray: list[str] = field(default_factory=list)
    first_line: str = ""


def _printing_calls(source: str) -> list[str]:
    """The calls in a code cell's source that write working output (print, warnings.warn, writes to sys.stdout)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and the like: look at the text instead
        return [label for name, label in _PRINTING.items() if re.search(rf"\b{name}\(", source)]
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in _PRINTING:
            found.append(_PRINTING[name])
        elif name == "write" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) \
                and func.value.attr in {"stdout", "stderr"}:
            found.append(f"sys.{func.value.attr}.write()")
    return list(dict.fromkeys(found))


def notebook_cells(nb: Any, *, executed: bool = False) -> list[CellCheck]:
    """Which cells reach the client and which carry working output.

    Without ``executed`` the notebook's source and tags are read; with it, its
    outputs too: a cell's stream outputs are stray, and a code cell reaches the
    client only when it shows something else.
    """
    checks = []
    for number, cell in own_cells(nb):
        kind = str(_get(cell, "cell_type", ""))
        tags = _tags(cell)
        source = _source(cell)
        first = next((line.strip() for line in source.splitlines() if line.strip()), "")[:60]
        removed = next((t for t in ("remove-cell", "parameters") if t in tags), "")
        if kind == "raw" or (kind == "code" and not removed and "remove-output" in tags):
            removed = removed or ("remove-output" if kind == "code" else "raw cell")
        check = CellCheck(number, kind, reaches=not removed and kind != "raw", removed=removed, first_line=first)
        if kind == "code" and not removed:
            if executed:
                outputs = _get(cell, "outputs", []) or []
                streams = [o for o in outputs if _get(o, "output_type") == "stream"]
                shown = [o for o in outputs if _get(o, "output_type") != "stream"]
                kinds = [w.kind for w in working_output({"cells": [{**_plain(cell), "outputs": streams}]})]
                check.stray = list(dict.fromkeys(kinds))
                check.reaches = bool(shown)
            else:
                check.stray = _printing_calls(source)
                check.reaches = bool(source.strip())
        checks.append(check)
    return checks


def _plain(cell: Any) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {}, "source": _source(cell)}


def ranges(numbers: Iterable[int]) -> str:
    """``1-3, 5, 8-9``: cell numbers as ranges."""
    out: list[str] = []
    run: list[int] = []
    for n in sorted(numbers):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            out.append(f"{run[0]}" if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [n]
    if run:
        out.append(f"{run[0]}" if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ", ".join(out)
