"""The cycle index: the landing page that links every cycle's reports."""
from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..inputs.catalog import STATUSES
from .theme import STATUS_SYMBOLS, STATUS_WORDS
from ..analysis.maturity import overall_level, overall_score
from ..inputs.model import MaturityModel
from .report import level_distance
from ..inputs.resources import REPORT_TITLES
from ..inputs.resources import TEMPLATES_DIR
from .results import read_result
from .theme import plural
from ..inputs.workspace import Workspace

_STATUS = {"ok": ("green", "● Complete"), "failed": ("red", "■ Failed")}


def headline(results_dir: Path) -> dict:
    """Headline numbers of one cycle from its recorded results.

    Returns
    -------
    dict
        ``maturity_score``, ``maturity_ci`` (``(low, high)`` or None),
        ``maturity_level``, ``maturity_next_level``, ``maturity_gap`` (how far
        the furthest blocking statement is from the next level's threshold),
        ``maturity_blockers`` (how many statements block it) and
        ``kpi_status`` (counts of portfolio KPIs by status, every status of :data:`pmo_lib.inputs.catalog.STATUSES`);
        missing results give None. The interval and the blockers come from
        ``maturity_overall.csv``; packs recorded before it existed show the
        score and level only.
    """
    out: dict = {"maturity_score": None, "maturity_ci": None, "maturity_level": None, "maturity_next_level": None,
                 "maturity_gap": None, "maturity_blockers": None, "kpi_status": None}
    maturity = results_dir / "maturity.csv"
    if (results_dir / "maturity_overall.csv").is_file():
        row = read_result(results_dir, "maturity_overall").iloc[0]

        def value(key):
            return None if pd.isna(row[key]) else row[key]

        out["maturity_score"] = None if value("score") is None else round(float(row["score"]), 2)
        if value("ci_low") is not None and value("ci_high") is not None:
            out["maturity_ci"] = (float(row["ci_low"]), float(row["ci_high"]))
        out["maturity_level"] = int(row["level"])
        out["maturity_next_level"] = None if value("next_level") is None else int(row["next_level"])
        out["maturity_gap"] = None if value("gap") is None else float(row["gap"])
        out["maturity_blockers"] = int(row["n_blockers"])
    elif maturity.is_file():
        frame = read_result(results_dir, "maturity")
        score = overall_score(frame)
        out["maturity_score"] = None if pd.isna(score) else round(score, 2)
        out["maturity_level"] = overall_level(frame)
    kpis = results_dir / "kpis.csv"
    if kpis.is_file():
        frame = read_result(results_dir, "kpis")
        counts = frame[frame["scope"] == "portfolio"]["status"].fillna("n/a").value_counts()
        out["kpi_status"] = {s: int(counts.get(s, 0)) for s in STATUSES}
    return out


def maturity_line(head: dict, model: MaturityModel) -> str:
    """The index's maturity cell as plain text: score, interval, staged level and distance to the next.

    For example ``3.60 (3.42–3.73) · level 1 Initial, 0.02 short of level 2``,
    or ``… level 1 Initial, 5 statements short of level 2, the furthest by
    1.05``. The distance carries enough decimals never to read as zero.
    """
    if head["maturity_score"] is None:
        return "n/a"
    text = f'{head["maturity_score"]:.2f}'
    if head.get("maturity_ci"):
        low, high = head["maturity_ci"]
        text += f" ({low:.2f}–{high:.2f})"
    level = head["maturity_level"]
    if level is None:
        return text
    text += f" · level {level} {model.level_name(level)}"
    if head.get("maturity_blockers") is None:
        return text
    return text + ", " + level_distance(head.get("maturity_next_level"), head["maturity_blockers"],
                                        head.get("maturity_gap"))


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


def slugify(text: str, *, fallback: str = "item") -> str:
    """A safe folder name: lower-case ASCII letters, digits and dashes.

    ``../`` and absolute paths cannot survive it, so output stays inside
    ``--out``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80] or fallback


def _cycle_slugs(cycles: list[str]) -> dict[str, str]:
    slugs: dict[str, str] = {}
    for cycle in cycles:
        slug = slugify(cycle, fallback="cycle")
        while slug in slugs.values() or slug.startswith("_"):
            slug += "-x"
        slugs[cycle] = slug
    return slugs


def write_index(org_dir: Path, ws: Workspace) -> Path:
    """Write ``<org_dir>/index.html`` from every published cycle's manifest.

    Cycles are listed in the workspace's order; a cycle whose last run failed
    shows that failure next to its last good pack.
    """
    esc = html.escape
    colour = ws.config.branding.primary_colour
    rows, trend = [], []
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
        line = esc(maturity_line(head, ws.model))
        kpi = head["kpi_status"]
        kpi_text = "n/a" if kpi is None else (
            " ".join(f'<span class="rag rag-{"na" if s == "n/a" else s}">{STATUS_SYMBOLS[s]} {kpi.get(s, 0)} '
                     f'{STATUS_WORDS[s].lower()}</span>' for s in STATUSES if kpi.get(s, 0) or s != "n/a"))
        rows.append(f"<tr><th scope=\"row\">{esc(cycle)}</th><td>{line}</td><td>{kpi_text}</td>"
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
<p class="note">Overall score on the {lo}–{hi} scale: the weighted mean of the dimension scores, with its 95%
confidence interval in brackets. The staged level is the level that every dimension has reached; the distance is
how far the weakest statement of the next level is from the mean answer that level needs.</p></section>
<table><thead><tr><th>Cycle</th><th>Overall maturity</th><th>Portfolio KPIs</th><th>Reports and run status</th></tr></thead>
<tbody>{''.join(reversed(rows))}</tbody></table>
</body></html>
"""
    target = org_dir / "index.html"
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
