"""PMO Playbook Kit: maturity, KPI and governance reports for a customer-centric PMO.

Notebooks import only from here.
"""
from __future__ import annotations

from .inputs.resources import __version__

from .reporting.charts import change_title, overall_trend_title, role_label
from .reporting.charts import (completion_line, count_heatmap, funding_shift_bars, control_chart, flow_time_histogram, throughput_bars, value_scatter, wip_age_bars,
                     dimension_trends, heatmap, item_grid, maturity_radar, role_gap_title, role_grid,
                     score_intervals, weakest_item_title, goal_mix_bars, kpi_small_multiples, kpi_trend_title, trend_title, maturity_bars, set_theme,
                     show_figure, trend_lines, value_scatter_note, declutter)
from .reporting.theme import display_name, file_label, kpi_name, number, role_label
from .inputs.config import DEFAULT_MINIMUMS, Config, Minimums, load_config
from .inputs.exceptions import ConfigError, InputError, NotebookError, PmoError, Problem, RunLockedError
from .analysis.funding import funding_changes, reallocation_scenario, scenario_goal_mix, value_scores
from .inputs.asof import initiatives_as_of, tables_as_of
from .reporting.dashboard import (closing_table, dashboard, decision_table, decisions_view, kpi_rag_grid, portfolio_exceptions,
                        portfolio_exceptions_view, register_counts, rules_table, severity_badge)
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
from .analysis.trends import MIN_CHART_POINTS, kpi_trends, trend_arrow
from .analysis.value import flow_times, value_for_money, wip_ageing
from .running.runner import RunSummary, run_workspace, slugify
from .inputs.sample import create_sample_workspace, sample_workspace
from .inputs.collect import collect_responses
from .inputs.questionnaire import QuestionnaireOptions, write_questionnaire, write_questionnaire_pdf
from .inputs.scaffold import init_workspace
from .inputs.workspace import Workspace, load_workspace
from .inputs.cycles import Cycle
from .analysis.kpis import wilson_interval
from .inputs.catalog import STATUSES
from .reporting.report import kpi_status_text, kpi_target_text, kpi_value_text, status_text
from .analysis.trends import shortfall_text, signal_text, trend_sentence

__all__ = [
    "cadence_events", "cadence_table", "glossary_table", "guardrail_text", "next_cycles", "roadmap_by_cycle",
    "step_dimensions", "step_kpis", "step_text", "threshold_table",
    "QuestionnaireOptions", "collect_responses", "write_questionnaire", "write_questionnaire_pdf",
    "data_quality_section", "data_quality_table",
    "initiatives_as_of", "tables_as_of", "closing_table", "dashboard", "decision_table", "kpi_rag_grid",
    "portfolio_exceptions", "register_counts", "decisions_view", "portfolio_exceptions_view", "rules_table",
    "maturity_line", "funding_line", "actions_line", "severity_badge", "EXCEPTION_RULES", "breach_depth",
    "closing_summary", "exception_register", "portfolio_status",
    "raid_grid", "raid_grid_title", "value_score_method",
    "completion_line", "count_heatmap", "funding_shift_bars", "next_agenda",
    "action_completion", "portfolio_by_goal", "raid_summary", "reallocation_scenario",
    "scenario_goal_mix", "value_scores",
    "MIN_CHART_POINTS", "catalogue_table", "chartable_kpis", "trend_table", "unit_label",
    "control_chart", "flow_time_histogram", "flow_times", "kpi_trends", "scorecard_with_trends",
    "throughput_bars", "trend_arrow", "value_for_money", "value_scatter", "wip_age_bars", "wip_ageing",
    "Playbook", "build_roadmap", "workspace_playbook", "change_table", "compare_cycles", "compare_groups", "dimension_history",
    "dimension_trends", "empty_change", "group_table", "headline_cards", "heatmap", "item_grid", "load_playbook",
    "maturity_radar", "reliability_summary", "reliability_table", "role_gap_title", "role_grid", "role_scores",
    "score_intervals", "weakest_item_title",
    "Config", "ConfigError", "InputError", "KpiCatalog", "MaturityModel", "NotebookError", "PmoError",
    "Cycle", "Problem", "RunLockedError", "RunSummary", "Workspace", "action_tracker", "compute_kpis",
    "create_sample_workspace", "cycle_spend", "esc", "format_value", "funding_changes", "goal_mix",
    "goal_mix_bars", "init_workspace", "item_statistics", "kpi_history",
    "kpi_small_multiples", "load_catalog", "load_config", "load_model", "load_workspace", "maturity_bars",
    "md", "missing_table_notice", "notice", "nps_score", "open_raid", "overall_level", "overall_score",
    "governance_summary", "kpi_trend_title", "maturity_trend", "scorecard", "trend_title", "kpi_summary", "maturity_summary", "reuse_result", "plural", "portfolio_overview", "rag_status", "read_result", "record", "render_html", "render_pdf",
    "point_scores", "respondent_scores", "run_workspace", "sample_workspace", "score_dimensions", "set_theme",
    "show_figure", "slugify", "staged_levels", "status_badge", "table", "trend_lines", "unaligned_spend",
    "STATUSES", "wilson_interval", "kpi_status_text", "kpi_target_text", "kpi_value_text", "status_text",
    "signal_text", "trend_sentence",
    "blocker_table", "change_title", "overall_trend_title", "role_label", "compare_overall", "decimals_apart", "format_apart", "format_p", "level_distance", "level_blockers", "overall_interval",
    "overall_maturity",
    "value_scatter_note", "declutter", "display_name", "file_label", "kpi_name", "number",
    "DEFAULT_MINIMUMS", "Minimums", "shortfall_text", "minimums_text", "needs_text", "role_shortfall", "trend_shortfall",
    "__version__",
]
