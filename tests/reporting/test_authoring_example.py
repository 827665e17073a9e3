"""The README's authoring example runs on the sample and shows what the README says it shows (issue 16)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def example_blocks() -> list[tuple[str, str]]:
    """The fenced blocks of the README's "Example: add a section for one client", as (language, code)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("### Example: add a section for one client")
    blocks, fence, code = [], None, []
    for line in lines[start + 1:]:
        if fence is None and line.startswith("#"):
            break  # the next heading outside a code block ends the example
        if line.startswith("```"):
            if fence is None:
                fence, code = line[3:], []
            else:
                blocks.append((fence, "\n".join(code)))
                fence = None
        elif fence is not None:
            code.append(line)
    return blocks


def run_cell(code: str, namespace: dict) -> object:
    """Run a code cell as a notebook does: its last line, when an expression, is what the cell shows."""
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "README", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "README", "eval"), namespace) if last else None


def test_the_readme_example_runs_on_the_sample_and_shows_what_it_says():
    import matplotlib

    matplotlib.use("Agg")
    blocks = [(language, code) for language, code in example_blocks() if language in ("python", "markdown")]
    assert [language for language, _ in blocks] == ["python", "markdown", "python", "python", "python", "python"]
    setup, *cells = [code for language, code in blocks if language == "python"]
    namespace: dict = {}
    run_cell(setup, namespace)
    # the cells go into the kit's KPI notebook, which has pmo, ws, cycle, kpis and results_dir, and nothing else
    namespace = {name: namespace[name] for name in ("pmo", "ws", "cycle", "kpis", "results_dir")}
    shown = [run_cell(code, namespace) for code in cells]
    notice, table, figure = (str(getattr(s, "data", s)) for s in shown[-3:])
    said = " ".join(README.read_text(encoding="utf-8").split())
    sentence = re.search(r'the notice reads "(.*?)"', said).group(1)
    assert re.sub(r"<[^>]+>", "", notice).startswith(sentence)
    assert namespace["cycle"].name == "2026-Q3" and "(2026-Q3)" in said
    behind = namespace["behind"]
    assert len(behind) and set(behind["status"]) <= {"amber", "red"} and behind["initiative"].notna().all()
    assert "rag-amber" in table and "Initiatives below the cost target in 2026-Q3" in table
    assert "pmo-figure-number" in figure and "earns least for what it spends" in figure
