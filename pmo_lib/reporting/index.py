"""The cycle index: the landing page that links every cycle's reports.

The page is the Jinja template ``templates/report/portfolio_index.html.j2``
(autoescaped); this module reads each pack's manifest and results and hands the
template what to show.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
import unicodedata
from collections.abc import Collection
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from ..inputs.catalog import STATUSES
from .theme import STATUS_SYMBOLS, STATUS_WORDS
from ..analysis.maturity import overall_level, overall_score
from ..inputs.model import MaturityModel
from .report import level_distance
from ..inputs.resources import REPORT_TITLES
from ..inputs.resources import TEMPLATES_DIR
from .results import read_result
from ..inputs.workspace import Workspace
from .manifest import MANIFEST, Manifest, Status
from ..inputs import i18n
from ..inputs.i18n import N_, _

# N_: the run statuses are translated where the page is written (i18n.py)
_STATUS = {Status.OK: ("green", "●", N_("Complete")), Status.FAILED: ("red", "■", N_("Failed")),
           Status.UP_TO_DATE: ("green", "●", N_("Up to date"))}
INDEX_TEMPLATE = "portfolio_index.html.j2"


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
        return _("n/a")
    text = i18n.number(head["maturity_score"], 2)
    if head.get("maturity_ci"):
        low, high = head["maturity_ci"]
        text += f" ({i18n.number(low, 2)}–{i18n.number(high, 2)})"
    level = head["maturity_level"]
    if level is None:
        return text
    text += " · " + _("level {level} {name}").format(level=level, name=_(model.level_name(level)))
    if head.get("maturity_blockers") is None:
        return text
    return text + ", " + level_distance(head.get("maturity_next_level"), head["maturity_blockers"],
                                        head.get("maturity_gap"))


def _trend(cycles: list[str], values: list[float | None], *, lo: float, hi: float) -> dict[str, Any] | None:
    """Where the template draws the small line of the overall maturity per cycle; None below two points."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return None
    w, h, left, right, top, bottom = 680, 190, 60, 44, 24, 30
    n = max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        inner = 24  # keep the first and last points clear of the axis labels
        return (left + inner + i * (w - left - right - 2 * inner) / n, top + (hi - v) / (hi - lo) * (h - top - bottom))

    grid = [{"x1": left, "x2": w - right, "y": f"{y:.1f}", "label_x": left - 6, "label_y": f"{y + 4:.1f}",
             "label": f"{v:g}"} for v in range(int(lo), int(hi) + 1) for y in [xy(0, v)[1]]]
    marks = [{"x": f"{x:.1f}", "y": f"{y:.1f}", "label_y": f"{y - 9:.1f}", "value": i18n.number(v, 2)}
             for (i, v) in points for x, y in [xy(i, v)]]
    return {"width": w, "height": h, "grid": grid, "points": marks,
            "line": " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in points)),
            "cycles": [{"x": f"{xy(i, lo)[0]:.1f}", "y": h - 8, "name": cycle} for i, cycle in enumerate(cycles)],
            "label": ", ".join(f"{cycles[i]} {i18n.number(v, 2)}" for i, v in points)}


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


@functools.lru_cache(maxsize=None)
def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals.update(_=i18n.gettext, ngettext=i18n.ngettext)  # the page's words, in the current language
    return env


def _lower_first(word: str) -> str:
    """A status word inside a phrase: ``on track``, ``im Plan`` (a German noun keeps its capital)."""
    return word[:1].lower() + word[1:]


def _when(stamp: str) -> str:
    """A run's date and time as the index shows it: ``2027-05-15 09:30`` in English, the locale's date elsewhere."""
    text = stamp.replace("T", " ")[:16]
    if i18n.current_locale() is None or len(text) < 16:
        return text
    return _("{date} {time}").format(date=i18n.date(text[:10]), time=text[11:16])


def _pack(folder: Path, org_dir: Path, manifest: Manifest, *, kept: bool = False) -> dict[str, Any]:
    """One published (or failed) pack of a cycle: its run status and the links to its reports.

    ``kept``: the last run found the pack up to date and left it as it was; the date is when it was made.
    """
    rel = folder.relative_to(org_dir).as_posix()
    kind, symbol, status = _STATUS[Status.UP_TO_DATE if kept and manifest.ok else manifest.status]
    word = f"{symbol} {_(status)}"
    if kept and manifest.ok:
        word = symbol + " " + _("Up to date, unchanged since")
    reports = [{"title": _(nb.title or REPORT_TITLES.get(nb.report, nb.notebook)), "failed": not nb.ok,
                "links": [{"href": f"{rel}/{nb.outputs[k]}", "label": k.upper().replace("_", " ")}
                          for k in ("html", "pdf", "code_html") if k in nb.outputs]}
               for nb in manifest.notebooks]
    return {"kind": kind, "word": word, "when": _when(manifest.finished), "reports": reports}


def write_index(org_dir: Path, ws: Workspace, *, kept: Collection[str] = ()) -> Path:
    """Write ``<org_dir>/index.html`` from every published cycle's manifest.

    Cycles are listed in the workspace's order, newest first; a cycle whose
    last run failed shows that failure next to its last good pack. The cycles
    in ``kept`` were up to date in the last run, which left their packs as they
    were: they show "Up to date, unchanged since" and when the pack was made.

    The page is in the workspace's language (``language:`` in pmo.yaml), with its number and date formats.
    """
    with i18n.using(ws.config.language, ws.config.locale):
        return _write_index(org_dir, ws, kept=kept)


def _write_index(org_dir: Path, ws: Workspace, *, kept: Collection[str] = ()) -> Path:
    rows: list[dict[str, Any]] = []
    trend: list[float | None] = []
    slugs = _cycle_slugs(ws.cycles)
    for cycle in ws.cycles:
        slug = slugs[cycle]
        good, failed = org_dir / slug, org_dir / "_failed" / slug
        packs = [(p, Manifest.read(p)) for p in (good, failed) if (p / MANIFEST).is_file()]
        if not packs:
            trend.append(None)
            continue
        head = headline(good / "results") if (good / MANIFEST).is_file() else headline(failed / "results")
        trend.append(head["maturity_score"])
        kpi = head["kpi_status"]
        kpis = None if kpi is None else [
            {"kind": "na" if s == "n/a" else s, "symbol": STATUS_SYMBOLS[s], "count": kpi.get(s, 0),
             "word": _lower_first(_(STATUS_WORDS[s]))} for s in STATUSES if kpi.get(s, 0) or s != "n/a"]
        rows.append({"cycle": cycle, "maturity": maturity_line(head, ws.model), "kpis": kpis,
                     "runs": [_pack(folder, org_dir, manifest, kept=cycle in kept and folder == good)
                              for folder, manifest in packs]})
    lo, hi = ws.model.scale_min, ws.model.scale_max
    template = _environment(TEMPLATES_DIR / "report").get_template(INDEX_TEMPLATE)
    page = template.render(
        organisation=ws.config.organisation, colour=ws.config.branding.primary_colour, rows=rows[::-1],
        language=i18n.current_language(),
        cycles_text=i18n.ngettext("{count} planning cycle", "{count} planning cycles", len(ws.cycles)).format(
            count=i18n.number(len(ws.cycles))), updated=_when(dt.datetime.now().strftime("%Y-%m-%dT%H:%M")),
        trend=_trend(ws.cycles, trend, lo=lo, hi=hi), scale_min=lo, scale_max=hi)
    target = org_dir / "index.html"
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
