"""The cycle index: the landing page that links every cycle's reports."""
from __future__ import annotations

import datetime as dt
import html
import json
import os
from pathlib import Path

import pandas as pd

from .maturity import overall_level, overall_score
from .resources import REPORT_TITLES
from .resources import TEMPLATES_DIR
from .results import read_result
from .theme import plural
from .workspace import Workspace

_STATUS = {"ok": ("green", "● Complete"), "failed": ("red", "■ Failed")}


def headline(results_dir: Path) -> dict:
    """Headline numbers of one cycle from its recorded results.

    Returns
    -------
    dict
        ``maturity_score``, ``maturity_level`` and ``kpi_status`` (counts of
        green, amber, red and n/a portfolio KPIs); missing results give None.
    """
    out: dict = {"maturity_score": None, "maturity_level": None, "kpi_status": None}
    maturity = results_dir / "maturity.csv"
    if maturity.is_file():
        frame = read_result(results_dir, "maturity")
        score = overall_score(frame)
        out["maturity_score"] = None if pd.isna(score) else round(score, 2)
        out["maturity_level"] = overall_level(frame)
    kpis = results_dir / "kpis.csv"
    if kpis.is_file():
        frame = read_result(results_dir, "kpis")
        counts = frame[frame["scope"] == "portfolio"]["status"].fillna("n/a").value_counts()
        out["kpi_status"] = {s: int(counts.get(s, 0)) for s in ("green", "amber", "red", "n/a")}
    return out


def _trend_svg(cycles: list[str], values: list[float | None], *, lo: float, hi: float, colour: str) -> str:
    """A small inline SVG line of the overall maturity per cycle, labelled."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return ""
    w, h, left, right, top, bottom = 680, 190, 60, 44, 24, 30
    n = max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        inner = 24  # keep the first and last points clear of the axis labels
        return (left + inner + i * (w - left - right - 2 * inner) / n, top + (hi - v) / (hi - lo) * (h - top - bottom))

    parts = [f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e7ec"/>'
             f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#666">{v:g}</text>'
             for v in range(int(lo), int(hi) + 1) for y in [xy(0, v)[1]]]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in points))
    parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{line}"/>')
    for i, v in points:
        x, y = xy(i, v)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
                     f'<text x="{x:.1f}" y="{y - 9:.1f}" font-size="11" text-anchor="middle">{v:.2f}</text>')
    for i, cycle in enumerate(cycles):
        x, _ = xy(i, lo)
        parts.append(f'<text x="{x:.1f}" y="{h - 8}" font-size="11" text-anchor="middle" fill="#444">'
                     f'{html.escape(cycle)}</text>')
    label = ", ".join(f"{html.escape(cycles[i])} {v:.2f}" for i, v in points)
    return (f'<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
            f'aria-label="Overall maturity by cycle: {label}">{"".join(parts)}</svg>')


def write_index(org_dir: Path, ws: Workspace) -> Path:
    """Write ``<org_dir>/index.html`` from every published cycle's manifest.

    Cycles are listed in the workspace's order; a cycle whose last run failed
    shows that failure next to its last good pack.
    """
    esc = html.escape
    colour = ws.config.branding.primary_colour
    rows, trend = [], []
    from .runner import _cycle_slugs

    slugs = _cycle_slugs(ws.cycles)
    for cycle in ws.cycles:
        slug = slugs[cycle]
        good, failed = org_dir / slug, org_dir / "_failed" / slug
        packs = [(p, json.loads((p / "manifest.json").read_text())) for p in (good, failed)
                 if (p / "manifest.json").is_file()]
        if not packs:
            trend.append(None)
            continue
        cells = []
        for folder, manifest in packs:
            rel = folder.relative_to(org_dir).as_posix()
            links = []
            for nb in manifest["notebooks"]:
                title = REPORT_TITLES.get(nb["report"], nb["notebook"])
                parts = [f'<a href="{esc(rel)}/{esc(nb["outputs"][k])}">{k.upper().replace("_", " ")}</a>'
                         for k in ("html", "pdf", "code_html") if k in nb.get("outputs", {})]
                mark = "" if nb["status"] == "ok" else ' <span class="rag rag-red">■ Failed</span>'
                links.append(f"<li>{esc(title)}: {' · '.join(parts) or 'no output'}{mark}</li>")
            kind, word = _STATUS.get(manifest["status"], ("na", manifest["status"]))
            when = esc(manifest.get("finished", "").replace("T", " ")[:16])
            cells.append(f'<span class="rag rag-{kind}">{esc(word)}</span> <small>{when}</small>'
                         f'<ul>{"".join(links)}</ul>')
        head = headline(good / "results") if (good / "manifest.json").is_file() else headline(failed / "results")
        trend.append(head["maturity_score"])
        score = "n/a" if head["maturity_score"] is None else f'{head["maturity_score"]:.2f}'
        level = "" if head["maturity_level"] is None else (
            f' · level {head["maturity_level"]} {esc(ws.model.level_name(head["maturity_level"]))}')
        kpi = head["kpi_status"]
        kpi_text = "n/a" if kpi is None else (
            f'<span class="rag rag-green">● {kpi["green"]} on track</span> '
            f'<span class="rag rag-amber">▲ {kpi["amber"]} at risk</span> '
            f'<span class="rag rag-red">■ {kpi["red"]} off track</span> '
            f'<span class="rag rag-na">○ {kpi["n/a"]} not rated</span>')
        rows.append(f"<tr><th scope=\"row\">{esc(cycle)}</th><td>{score}{level}</td><td>{kpi_text}</td>"
                    f"<td>{'<hr>'.join(cells)}</td></tr>")
    lo, hi = ws.model.scale_min, ws.model.scale_max
    spark = _trend_svg(ws.cycles, trend, lo=lo, hi=hi, colour=colour)
    css = TEMPLATES_DIR / "report" / "index.css"
    style = css.read_text(encoding="utf-8") if css.is_file() else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(ws.config.organisation)} · PMO reports</title>
<style>:root {{ --primary: {esc(colour)}; }}
{style}</style></head>
<body>
<header><p class="kicker">PMO Playbook Kit</p><h1>{esc(ws.config.organisation)}</h1>
<p>Reports for {len(rows)} of {plural(len(ws.cycles), 'planning cycle')}. Updated {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}.</p></header>
<section class="trend"><h2>Overall maturity over the cycles</h2>{spark or '<p>Trend shown once two cycles have results.</p>'}
<p class="note">Overall score on the {lo}–{hi} scale: the weighted mean of the dimension scores.
The staged level is the level that every dimension has reached.</p></section>
<table><thead><tr><th>Cycle</th><th>Overall maturity</th><th>Portfolio KPIs</th><th>Reports and run status</th></tr></thead>
<tbody>{''.join(reversed(rows))}</tbody></table>
</body></html>
"""
    target = org_dir / "index.html"
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
