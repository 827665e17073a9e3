"""PMO Playbook Kit: maturity, KPI and governance reports for a customer-centric PMO.

Notebooks import only from here (``import pmo_lib as pmo``). The notebook API comes in four groups;
``pmo.help()`` lists them with one line per name, ``help(pmo.table)`` shows one in full.

Loading
    Read a workspace and its knowledge: ``load_workspace``, the maturity model, the KPI
    catalogue, the playbook, the tables as of a date, and the errors a bad input raises.
Analysis
    Result tables computed from the workspace's tables: maturity scores, KPIs and their trends,
    governance, funding and value, flow, the roadmap and the exception register.
Display
    Results the house way, the same in JupyterLab, the HTML and the PDF: ``table``, badges,
    ``notice``, headline cards, the report tables, charts with ``show_figure``, the sentences
    of the narrative, number formats, and ``preview`` (the client report of this notebook).
Recording
    ``record`` a result table for later reports and the results folder, ``read_result`` and
    ``reuse_result`` to read one back.

In a notebook, importing the kit also shows a DataFrame left bare in a cell in the house table
style (no row numbers, ``n/a`` for missing values), as :func:`table` would.

Scripts and the command line use ``pmo_lib.running`` (``run_workspace``), ``pmo_lib.inputs``
(``init_workspace``, ``create_sample_workspace``, questionnaires) and ``pmo_lib.reporting.render``;
those names stay importable from here but are not part of the notebook API.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .inputs.resources import __version__

# The names below load on first use (PEP 562: see __getattr__ at the end), so that ``import pmo_lib`` and the
# ``pmo`` command do not pay for seaborn, SciPy, matplotlib, openpyxl and papermill until a name needs them.
# This block is the one list of where each name comes from: type checkers read it, _lazy_names() parses it.
if TYPE_CHECKING:
    from .reporting.charts import change_title, overall_trend_title, role_label
    from .reporting.charts import (completion_line, count_heatmap, funding_shift_bars, control_chart, flow_time_histogram, throughput_bars, value_scatter, wip_age_bars,
                         dimension_trends, heatmap, item_grid, maturity_radar, role_gap_title, role_grid,
                         score_intervals, weakest_item_title, goal_mix_bars, kpi_small_multiples, kpi_trend_title, trend_title, maturity_bars, set_theme,
                         show_figure, trend_lines, value_scatter_note, declutter)
    from .reporting.charts import cumulative_flow_diagram, cycle_time_scatter, throughput_run_chart, wip_ageing_chart
    from .reporting.theme import display_name, file_label, kpi_name, number, role_label, trend_arrow
    from .inputs.config import DEFAULT_MINIMUMS, Config, Minimums, load_config
    from .inputs.exceptions import ConfigError, InputError, NotebookError, PmoError, Problem, RunLockedError
    from .analysis.funding import funding_changes, reallocation_scenario, scenario_goal_mix, value_scores
    from .analysis.funding import greedy_reallocation
    from .analysis.optimise import (Selection, ScenarioComparison, budget_by_goal, compare_scenarios, efficient_frontier,
                                    UNIT_COST_OF_DELAY, greedy_selection, objective_values, select_proposals)
    from .reporting.charts import frontier_chart, scenario_value_bars
    from .reporting.finish import finish_views, finish_views_intro, finish_views_table
    from .reporting.selection import priority_cuts
    from .reporting.selection import (reallocation_difference, selection_agenda_item, selection_text,
                                      selection_view)
    from .inputs.asof import initiatives_as_of, tables_as_of
    from .reporting.dashboard import (closing_table, dashboard, decision_table, decisions_view, kpi_rag_grid, portfolio_exceptions,
                            portfolio_exceptions_view, register_counts, rules_table, severity_badge)
    from .reporting.dashboard import budget_change_reasons, raid_exceptions, raid_exceptions_note
    from .reporting.register import RULES as EXCEPTION_RULES
    from .reporting.register import breach_depth, closing_summary, exception_register, portfolio_status
    from .analysis.governance import (action_completion, action_tracker, goal_mix, open_raid, portfolio_by_goal,
                             portfolio_overview, raid_summary, unaligned_spend)
    from .analysis.kpis import compute_kpis, cycle_spend, kpi_history, nps_score, rag_status
    from .inputs.catalog import KpiCatalog, load_catalog
    from .reporting.narrative import actions_line, funding_line, maturity_line, guardrail_text, step_text, next_agenda, governance_summary, kpi_summary, maturity_summary, reliability_summary
    from .reporting.narrative import minimums_text, role_shortfall, trend_shortfall
    from .inputs.model import MaturityModel, load_model
    from .analysis.maturity import (compare_cycles, compare_groups, dimension_history, empty_change,
                           item_statistics, maturity_trend, role_scores, overall_level, overall_score,
                           point_scores, respondent_scores, score_dimensions, staged_levels,
                           compare_overall, level_blockers, overall_interval, overall_maturity)
    from .reporting.render import render_html, render_pdf
    from .inputs.playbook import Playbook, cadence_events, load_playbook, workspace_playbook
    from .analysis.roadmap import build_roadmap, next_cycles, roadmap_by_cycle
    from .reporting.report import needs_text
    from .reporting.report import blocker_table, decimals_apart, format_apart, format_p, level_distance
    from .reporting.report import cadence_table, glossary_table, step_dimensions, step_kpis, threshold_table, data_quality_section, data_quality_table, raid_grid, raid_grid_title, value_score_method, catalogue_table, chartable_kpis, trend_table, unit_label, scorecard_with_trends, change_table, esc, format_value, group_table, headline_cards, reliability_table, scorecard, md, missing_table_notice, notice, plural, status_badge, table
    from .reporting.results import read_result, record, reuse_result
    from .analysis.trends import MIN_CHART_POINTS, kpi_trends
    from .analysis.value import (cumulative_flow, flow_percentiles, flow_times, value_for_money, weekly_throughput,
                                 wip_ageing, wip_items)
    from .analysis.schedule import earned_schedule
    from .running.runner import RunSummary, run_workspace, slugify
    from .inputs.sample import create_sample_workspace, sample_workspace
    from .inputs.collect import collect_responses
    from .inputs.config import DEFAULT_MATURITY, Maturity
    from .analysis.maturity import left_out, scored_answers, unit_scores
    from .reporting.questionnaire_report import (alpha_gap_text, item_table, left_out_table, left_out_text,
                                                 mark_reversed, reliability_interval_table, reversed_items,
                                                 reversed_note, unit_grid, unit_icc_text, unit_reading, weighting_text)
    from .inputs.questionnaire import QuestionnaireOptions, write_questionnaire, write_questionnaire_pdf
    from .inputs.scaffold import init_workspace
    from .inputs.workspace import Workspace, load_workspace
    from .inputs.cycles import Cycle
    from .analysis.kpis import wilson_interval
    from .inputs.catalog import STATUSES
    from .reporting.report import kpi_status_text, kpi_target_text, kpi_value_text, status_text
    from .analysis.trends import shortfall_text, signal_text, trend_sentence
    from .analysis.forecast import calibration, delivery_forecasts, forecast_scores, how_many_trials
    from .reporting.register import forecast_exceptions
    from .reporting.charts import forecast_dates_chart, how_many_chart
    from .reporting.narrative import calibration_text, forecast_summary

    from .analysis.benchmark import benchmark_export, compare_with_peers, org_hash, percentile_rank
    from .reporting.peers import peer_shortfall, peer_summary, peer_table
    from .analysis.investment import (NextCycleLoad, capacity_utilisation, duration_weeks, next_cycle_load,
                                      overloaded_teams, priorities, ranking_basis, team_users, unranked)
    from .reporting.charts import capacity_bars
    from .reporting.priorities import (capacity_sentence, prioritisation_text, priorities_method, priorities_sentence,
                                       priority_table, queue_factor)

    # the reports' language (issue 22; pmo_lib/inputs/i18n.py): translated words and local formats
    from .inputs.i18n import _, ngettext, pgettext, translated_columns as translated, using as using_language
    from .inputs.i18n import date as format_date

    from .reporting.preview import preview
    from .reporting.report import use_house_style as _use_house_style

#: The notebook API by group: (what the group is for, its names in reading order).
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "loading": ("Read a workspace and its knowledge", (
        "load_workspace", "Workspace", "Cycle", "sample_workspace",
        "initiatives_as_of", "tables_as_of",
        "load_config", "Config", "Minimums", "DEFAULT_MINIMUMS", "Maturity", "DEFAULT_MATURITY",
        "load_model", "MaturityModel", "load_catalog", "KpiCatalog", "STATUSES",
        "load_playbook", "Playbook", "workspace_playbook", "cadence_events",
        "PmoError", "InputError", "ConfigError", "Problem",
    )),
    "analysis": ("Compute result tables from the workspace's tables", (
        # maturity
        "score_dimensions", "overall_maturity", "overall_score", "overall_level", "overall_interval",
        "staged_levels", "level_blockers", "point_scores", "respondent_scores", "role_scores", "item_statistics",
        "compare_groups", "compare_cycles", "compare_overall", "empty_change", "dimension_history", "maturity_trend",
        "scored_answers", "left_out", "unit_scores",
        # KPIs and trends
        "compute_kpis", "kpi_history", "cycle_spend", "nps_score", "rag_status", "wilson_interval",
        "kpi_trends", "MIN_CHART_POINTS",
        # governance, funding, value and flow
        "portfolio_overview", "portfolio_by_goal", "goal_mix", "unaligned_spend", "open_raid", "raid_summary",
        "action_tracker", "action_completion", "funding_changes", "value_scores", "reallocation_scenario",
        "scenario_goal_mix", "value_for_money", "flow_times", "wip_ageing",
        # investment decisions: the best selection of proposals, scenarios and the frontier
        "greedy_reallocation", "select_proposals", "greedy_selection", "Selection", "objective_values",
        "UNIT_COST_OF_DELAY",
        "budget_by_goal", "efficient_frontier", "compare_scenarios", "ScenarioComparison",
        # delivery forecasts and the ledger that scores them
        "delivery_forecasts", "how_many_trials", "forecast_scores", "calibration",
        "flow_percentiles", "cumulative_flow", "weekly_throughput", "wip_items", "earned_schedule",
        # roadmap and exception register
        "build_roadmap", "next_cycles", "roadmap_by_cycle",
        "exception_register", "portfolio_status", "breach_depth", "closing_summary", "register_counts",
        "EXCEPTION_RULES", "forecast_exceptions",
        # peer benchmark
        "compare_with_peers", "benchmark_export", "org_hash", "percentile_rank",
        # investment: cost-of-delay priorities, team capacity and the next cycle's load
        "priorities", "ranking_basis", "unranked", "duration_weeks", "capacity_utilisation", "overloaded_teams",
        "next_cycle_load", "NextCycleLoad", "team_users",
    )),
    "display": ("Show results the house way: tables, badges, notices, figures, sentences", (
        # tables, badges and callouts
        "table", "status_badge", "severity_badge", "notice", "missing_table_notice", "headline_cards", "md", "esc",
        "preview",
        # report tables (DataFrames for table) and views (HTML)
        "scorecard", "scorecard_with_trends", "step_dimensions", "step_kpis", "group_table", "change_table",
        "reliability_table", "blocker_table", "trend_table", "chartable_kpis", "catalogue_table",
        "threshold_table", "glossary_table", "cadence_table", "raid_grid", "data_quality_table",
        "data_quality_section", "dashboard", "kpi_rag_grid", "decision_table", "decisions_view",
        "portfolio_exceptions", "portfolio_exceptions_view", "closing_table", "rules_table",
        "raid_exceptions", "raid_exceptions_note", "budget_change_reasons",
        # numbers and names
        "format_value", "format_p", "format_apart", "decimals_apart", "unit_label", "number", "plural",
        "display_name", "kpi_name", "role_label", "file_label", "kpi_value_text", "kpi_target_text",
        "kpi_status_text", "status_text",
        # charts and their titles
        "set_theme", "show_figure", "declutter", "maturity_bars", "maturity_radar", "heatmap", "item_grid",
        "role_grid", "score_intervals", "dimension_trends", "trend_lines", "kpi_small_multiples", "control_chart",
        "completion_line", "count_heatmap", "funding_shift_bars", "goal_mix_bars", "value_scatter",
        "flow_time_histogram", "throughput_bars", "wip_age_bars", "forecast_dates_chart", "how_many_chart",
        "cycle_time_scatter", "cumulative_flow_diagram", "wip_ageing_chart", "throughput_run_chart",
        "frontier_chart", "scenario_value_bars",
        "selection_view", "selection_text", "selection_agenda_item", "reallocation_difference",
        # a late initiative's finish by the owner's date, earned schedule and the backlog forecast
        "finish_views", "finish_views_table", "finish_views_intro", "priority_cuts",
        "change_title", "overall_trend_title", "role_gap_title", "weakest_item_title", "kpi_trend_title",
        "trend_title", "raid_grid_title", "value_scatter_note",
        # sentences
        "maturity_summary", "maturity_line", "kpi_summary", "governance_summary", "reliability_summary",
        "funding_line", "actions_line", "step_text", "guardrail_text", "next_agenda", "minimums_text",
        "needs_text", "role_shortfall", "trend_shortfall", "shortfall_text", "signal_text", "trend_sentence",
        "trend_arrow", "level_distance", "value_score_method", "forecast_summary", "calibration_text",
        # peer benchmark
        "peer_summary", "peer_shortfall", "peer_table",
        # priorities and capacity
        "priority_table", "capacity_bars", "priorities_sentence", "capacity_sentence", "priorities_method",
        "prioritisation_text", "queue_factor",
        # real questionnaires: reversed statements, missing answers, units, role weights
        "reversed_items", "mark_reversed", "item_table", "reversed_note", "alpha_gap_text",
        "reliability_interval_table", "left_out_table", "left_out_text", "unit_grid", "unit_reading",
        "unit_icc_text", "weighting_text",
        # the report's language: words through the catalogues, dates in the locale's format
        "_", "ngettext", "pgettext", "translated", "format_date", "using_language",
    )),
    "recording": ("Record result tables for later reports, and read them back", (
        "record", "read_result", "reuse_result",
    )),
}

#: One line for the names that are values, not functions or classes (their type's docstring would mislead).
VALUES = {
    "DEFAULT_MINIMUMS": "The kit's default minimum sample sizes (pmo.yaml's minimums: replaces them).",
    "DEFAULT_MATURITY": "The kit's default maturity options: min_answered 0.5, every respondent counts the same.",
    "STATUSES": "The KPI statuses in order: green, amber, red, info, n/a.",
    "MIN_CHART_POINTS": "The fewest cycles a trend chart or control limits need.",
    "EXCEPTION_RULES": "The exception register's rules with the kit's default policy, as (rule, text) pairs.",
    "UNIT_COST_OF_DELAY": "The selection's unit when every proposal has a cost of delay per week (money a week).",
}

__all__ = [name for _, names in GROUPS.values() for name in names] + ["help", "__version__"]


def __dir__() -> list[str]:
    """The notebook API only: no submodules, no scripting names (they stay importable)."""
    return sorted(__all__)


def _summary(name: str) -> str:
    if name in VALUES:
        return VALUES[name]
    import inspect

    doc = inspect.getdoc(getattr(sys.modules[__name__], name)) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def help(group: str | None = None) -> None:
    """Print the notebook API: each group and its names (``pmo.help("display")``: one line per name of a group)."""
    import textwrap

    if group is not None and group not in GROUPS:
        raise ValueError(f"group {group!r} is not a group of the notebook API; choose from {', '.join(GROUPS)}")
    lines = [f"PMO Playbook Kit {__version__}: the notebook API (help(pmo.NAME) shows one in full)"]
    if group is None:  # an overview that fits a screen: the groups and their names
        for key, (purpose, names) in GROUPS.items():
            lines += ["", f"{key.capitalize()}: {purpose}"]
            lines += textwrap.wrap(", ".join(names), width=110, initial_indent="  ", subsequent_indent="  ")
        lines += ["", 'pmo.help("GROUP") gives one line per name of a group: '
                      + ", ".join(f'pmo.help("{key}")' for key in GROUPS) + "."]
    else:
        purpose, names = GROUPS[group]
        width = max(len(n) for n in names) + 2
        lines += ["", f"{group.capitalize()}: {purpose}"]
        lines += [f"  {name:<{width}}{_summary(name)}" for name in names]
    print("\n".join(lines))


# --------------------------------------------------------------------------- names loaded on first use

#: The subpackages, importable as attributes (``pmo.reporting.report``) as before.
_SUBPACKAGES = frozenset({"inputs", "analysis", "reporting", "running", "cli"})
_lazy: dict[str, tuple[str, str]] = {}


def _lazy_names() -> dict[str, tuple[str, str]]:
    """Each name of the ``if TYPE_CHECKING:`` block above: (its module, its name there), read once from this file.

    A name imported twice keeps the later import, as the plain imports did.
    """
    if not _lazy:
        import ast
        from pathlib import Path

        tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                for statement in node.body:
                    if isinstance(statement, ast.ImportFrom):
                        module = "." * statement.level + (statement.module or "")
                        for alias in statement.names:
                            _lazy[alias.asname or alias.name] = (module, alias.name)
    return _lazy


def __getattr__(name: str) -> object:
    """Load a name of the API (or a subpackage) on first use, then keep it as a plain module attribute."""
    import importlib

    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    where = _lazy_names().get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where[0], __name__), where[1])
    globals()[name] = value
    return value


def _shell() -> object | None:
    """The IPython shell this runs in (a notebook kernel), or None; IPython is not imported to find out."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell if shell is not None and hasattr(shell, "display_formatter") else None


if _shell() is not None:  # a notebook: load the notebook API now (a kernel warms up by importing the kit)
    for _name in [*__all__, "_use_house_style"]:
        getattr(sys.modules[__name__], _name)
    del _name
    _use_house_style()  # bare DataFrames in the house table style, figures numbered by cell
