"""``pmo status``: an engagement checklist a consultant reads on one screen.

Which tables are filled and how many rows each has, what each empty optional
table would add to the reports, which questionnaires came back per role, and
what ``pmo validate`` would say. It reads whatever is there and never stops at
the first problem: a half-filled workspace is its normal case.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .exceptions import InputError, PmoError
from .tables import TABLES
from .text import plural

# What each optional table adds to the reports: the one place that says it.
SECTIONS_BY_TABLE: dict[str, str] = {
    "goals": "the goal mix and its guardrail",
    "initiative_status": "past cycles' status and forecasts as they stood then",
    "feedback": "customer value (NPS, CSAT) and the value-for-money chart",
    "work_items": "the flow analysis (throughput, flow time, work in progress)",
    "benefits": "benefits realisation and benefit per unit of cost",
    "raid": "the RAID summary and the open high risks KPI",
    "decisions": "the decisions log, which guides the next recommendations",
    "actions": "the action tracker",
    "capacity": "each team's load against what it can give, and the overloaded-team exceptions",
    "demand": "each team's load, and whether the teams can absorb the proposals next cycle",
}
_REQUIRED_HINTS = {
    "assessment": "collect the returned questionnaires with pmo collect-responses",
}
_PROBLEMS_SHOWN = 5


def validation_lines(path: Path, *, limit: int = _PROBLEMS_SHOWN, name: str | Path | None = None,
                     from_sources: bool = False) -> tuple[bool, str, list[str]]:
    """What ``pmo validate`` would say: whether the workspace is valid, a headline, and the first problems.

    ``from_sources`` reads the tables pmo.yaml's ``sources:`` names from the sources, as
    ``pmo validate`` does, rather than from the last pull.
    """
    from .workspace import load_workspace

    try:
        ws = load_workspace(path, from_sources=from_sources)
    except InputError as exc:
        problems = exc.problem_list
        lines = [f"  - {p.format()}" for p in problems[:limit]]
        if lines and len(problems) > limit:
            lines.append(f"  ... and {plural(len(problems) - limit, 'more problem')}; "
                         f"pmo validate {name or path} lists them all.")
        return False, f"{plural(len(problems), 'problem')} to fix", lines
    except PmoError as exc:
        return False, f"cannot be checked: {exc}", []
    except Exception as exc:  # a checklist reports, it does not crash
        return False, f"the check stopped: {type(exc).__name__}: {exc}", []
    span = ws.cycles[0] if len(ws.cycles) == 1 else f"{ws.cycles[0]} to {ws.cycles[-1]}"
    return True, f"valid, {plural(len(ws.cycles), 'cycle')} ({span})", []


def _role_counts(assessment: pd.DataFrame | None, cycle: str | None, config) -> dict[str, int]:
    roles = list(config.questionnaire.roles) if config is not None and config.questionnaire.roles else []
    counts = {role: 0 for role in roles}
    if assessment is None or cycle is None or not {"cycle", "respondent_id", "role"} <= set(assessment.columns):
        return counts
    rows = assessment[assessment["cycle"].astype(str).str.strip() == cycle]
    people = rows.assign(respondent_id=rows["respondent_id"].astype(str).str.strip(),
                         role=rows["role"].astype(str).str.strip()).drop_duplicates("respondent_id")
    for role in people["role"]:
        name = (config.questionnaire.match_role(role) if config is not None and role else None) or role or "no role"
        counts[name] = counts.get(name, 0) + 1
    return counts


def status_lines(path: str | Path, *, cycle: str | None = None) -> list[str]:
    """The engagement checklist of a workspace, as lines of text.

    Parameters
    ----------
    path : str or Path
        The workspace folder.
    cycle : str, optional
        The cycle whose returned questionnaires to count; default the latest cycle
        of the cycles table, or the latest cycle with answers.
    """
    from .collect import known_cycles, raw_tables, shown, workspace_settings
    from .workspace import DATA_DIR, WORKBOOK

    path = Path(path).expanduser().resolve()
    if not path.is_dir():
        raise PmoError(f"workspace {str(path)!r} is not a folder; create one with 'pmo init {path}'")
    config, config_problem = None, None
    try:
        config, _ = workspace_settings(path)
    except InputError as exc:
        config_problem = f"pmo.yaml has {plural(len(exc.problem_list), 'problem')} (listed under validation)"
    except PmoError as exc:
        config_problem = str(exc)
    name = config.organisation if config is not None else path.name
    sourced = _sourced(path, config)
    origins = sourced.sources if sourced is not None else {}
    if sourced is not None:
        form = "sources in pmo.yaml" + (f" and {sourced.own}" if sourced.own else "")
    elif (path / WORKBOOK).is_file() and (path / DATA_DIR).is_dir():
        form = f"both {WORKBOOK} and {DATA_DIR}/ (keep only one)"
    elif (path / WORKBOOK).is_file():
        form = WORKBOOK
    elif (path / DATA_DIR).is_dir():
        form = f"CSV files in {DATA_DIR}/"
    else:
        form = "none yet"
    if sourced is not None:
        frames = sourced.frames
    else:
        frames, _ = raw_tables(path) if form != "none yet" else ({}, [])
    lines = [f"{name}: engagement checklist for {shown(path)}", f"Tables ({form}):"]
    if config_problem:
        lines.insert(1, f"  note: {config_problem}")
    width = max(len(t) for t in TABLES)
    for spec in sorted(TABLES.values(), key=lambda s: not s.required):
        frame = frames.get(spec.name)
        rows = 0 if frame is None else len(frame)
        kind = "required" if spec.required else "optional"
        origin = f", from {origins[spec.name]}" if spec.name in origins else ""
        if rows:
            lines.append(f"  [x] {spec.name:<{width}}  {plural(rows, 'row'):<10} {kind}{origin}")
        elif sourced is not None and spec.name in sourced.failed:
            lines.append(f"  [ ] {spec.name:<{width}}  {'not read':<10} {kind}: its source could not be read "
                         "(see validation)")
        elif spec.required:
            hint = _REQUIRED_HINTS.get(spec.name, "fill it in")
            lines.append(f"  [ ] {spec.name:<{width}}  {'empty':<10} {kind}: {hint}")
        else:
            lines.append(f"  [ ] {spec.name:<{width}}  {'empty':<10} {kind}; would add {SECTIONS_BY_TABLE[spec.name]}")

    assessment = frames.get("assessment")
    if cycle is None:
        cycles = known_cycles(frames)
        answered = (list(dict.fromkeys(assessment["cycle"].astype(str).str.strip()))
                    if assessment is not None and "cycle" in assessment.columns else [])
        cycle = next((c for c in reversed(cycles) if c in answered), cycles[-1] if cycles else
                     (answered[-1] if answered else None))
    counts = _role_counts(assessment, cycle, config)
    total = sum(counts.values())
    if cycle is None:
        lines.append("Questionnaires returned: none yet (no cycle in the cycles table).")
    else:
        lines.append(f"Questionnaires returned for {cycle}: {plural(total, 'respondent')}.")
    if counts:
        lines.append("  " + ", ".join(f"{role} {n}" for role, n in counts.items()) + ".")
    waiting = [role for role, n in counts.items() if not n]
    if waiting and cycle is not None:
        lines.append(f"  Still expected: {', '.join(waiting)}.")

    ok, head, details = validation_lines(path, name=shown(path), from_sources=sourced is not None)
    lines.append(f"Validation: {head}" + (":" if details else "."))
    lines += [d.replace(f"{path}/", "") for d in details]  # file names relative to the workspace
    if not ok:
        lines.append(f"Next: fix the problems, then pmo validate {shown(path)}")
    elif sourced is not None:
        lines.append(_next_with_sources(path))
    else:
        lines.append(f"Next: pmo run {shown(path)}")
    return lines


def _sourced(path: Path, config):
    """The tables read as ``pmo validate`` reads them when pmo.yaml names sources; ``None`` when it names none."""
    if config is None or config.sources is None:
        return None
    from .collect import SourcedTables, sourced_tables

    try:
        return sourced_tables(path, config)
    except Exception as exc:  # a checklist reports, it does not crash
        from .exceptions import Problem

        return SourcedTables({}, {}, "", set(), [Problem(str(path), "", f"{type(exc).__name__}: {exc}")])


def _next_with_sources(path: Path) -> str:
    """The next step of a valid workspace with sources: a first pull, a new pull, or a run of the last pull."""
    from .collect import shown
    from .sources import read_snapshot, snapshot_changes
    from .workspace import load_workspace

    where = shown(path)
    if not read_snapshot(path):
        return f"Next: pmo pull {where} (the sources were never pulled), then pmo run {where}; or pmo run --pull {where}"
    try:
        ws = load_workspace(path)
    except PmoError:
        return f"Next: pmo run --pull {where} (pmo.yaml changed since the last pull)"
    if any(p.message.startswith("the export") for p in snapshot_changes(ws.path, ws.snapshot)):
        return f"Next: pmo run --pull {where} (an export changed since the last pull), or pmo run {where} to keep it"
    return f"Next: pmo run {where} (the last pull), or pmo run --pull {where} to pull the sources again first"
