"""The input contract: which tables a workspace holds and what each column means.

Each table is described once, here, as data. The loader parses cells by the
column's kind and the pandera schemas built from the same description check
ranges, enumerations and uniqueness.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandera loads when a table is validated, not when a kernel reads a validated workspace
    import pandera.pandas as pa

@dataclass(frozen=True)
class ColumnSpec:
    """One column of an input table.

    ``present`` says whether the column must exist; ``nullable`` whether its
    cells may be left empty.
    """

    name: str
    kind: str
    help: str
    nullable: bool = False
    present: bool = True
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    references: str | None = None  # "table.column"
    default: object = None
    above_min: bool = False  # True: values must be greater than ``min``, not equal to it


@dataclass(frozen=True)
class TableSpec:
    name: str
    help: str
    columns: tuple[ColumnSpec, ...]
    required: bool = False
    key: tuple[str, ...] = ()
    date_order: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, kind: str, help: str, **kw) -> ColumnSpec:
    return ColumnSpec(name, kind, help, **kw)


MONEY = {"min": 0}
CYCLE_REF = {"references": "cycles.cycle"}
INITIATIVE_REF = {"references": "initiatives.initiative_id"}
STATUSES = ("proposed", "active", "on_hold", "closed", "cancelled")
BOOLEANS = ("false", "true")
#: SAFe's relative scale (a modified Fibonacci sequence) for the WSJF attributes and job size.
WSJF_SCALE = (1, 2, 3, 5, 8, 13, 20)
_SCALE = "whole number on SAFe's relative scale 1, 2, 3, 5, 8, 13, 20; empty = not scored"


def _flag(name: str, help: str) -> ColumnSpec:
    return ColumnSpec(name, "enum", help, nullable=True, present=False, choices=BOOLEANS)


# Investment decisions (issue 19): optional columns of ``initiatives`` for cost of delay and the selection of
# proposals. Each may be left out, or left empty for some rows; the priorities and selection say what is missing.
INVESTMENT_COLUMNS = (
    ColumnSpec("business_value", "int", f"Relative value to the business or its customers ({_SCALE}).",
               nullable=True, present=False, min=1),
    ColumnSpec("time_criticality", "int", f"How fast the value decays when the work waits ({_SCALE}).",
               nullable=True, present=False, min=1),
    ColumnSpec("risk_reduction", "int", "How much the work reduces risk or enables other opportunities "
               f"({_SCALE}).", nullable=True, present=False, min=1),
    ColumnSpec("job_size", "int", f"Relative size of the remaining work ({_SCALE}).",
               nullable=True, present=False, min=1),
    ColumnSpec("cost_of_delay_per_week", "number", "What a week's delay costs, in the workspace currency "
               "(value lost or postponed per week).", nullable=True, present=False, min=0),
    ColumnSpec("requested_budget", "number", "For a proposed initiative: the budget starting it would need next "
               "cycle, in the workspace currency.", nullable=True, present=False, min=0),
    _flag("must_fund", "true = the board has decided to fund it regardless (the selection keeps it); "
                       "empty = false."),
    _flag("must_stop", "true = the board has decided to stop or not to start it (the selection leaves it "
                       "out); empty = false."),
)
DECISIONS = ("continue", "recover", "re-scope", "stop")

TABLES: dict[str, TableSpec] = {t.name: t for t in [
    TableSpec("cycles", "The planning cycles, ordered by start date.", (
        _c("cycle", "id", "Name of the planning cycle, e.g. 2026-Q3 or FY27 P1."),
        _c("start_date", "date", "First day of the cycle (YYYY-MM-DD)."),
        _c("end_date", "date", "Last day of the cycle (YYYY-MM-DD)."),
    ), required=True, key=("cycle",), date_order=(("start_date", "end_date"),)),
    TableSpec("goals", "Strategic goals that initiatives serve.", (
        _c("goal_id", "id", "Short identifier of the goal, e.g. G1."),
        _c("goal", "text", "The goal in words."),
        _c("weight", "number", "Relative importance of the goal (default 1).",
           nullable=True, present=False, min=0, default=1.0),
        _c("target_share", "number", "Intended share of spend, 0 to 1 (e.g. 0.25 for 25%).",
           nullable=True, present=False, min=0, max=1),
    ), key=("goal_id",)),
    TableSpec("initiatives", "Projects and products in the portfolio.", (
        _c("initiative_id", "id", "Short identifier of the initiative, e.g. I-001."),
        _c("name", "text", "Name of the initiative."),
        _c("kind", "enum", "project or product.", choices=("project", "product")),
        _c("goal_id", "id", "Strategic goal the initiative serves; empty = linked to no goal.",
           nullable=True, references="goals.goal_id"),
        _c("owner", "text", "Accountable person or role.", nullable=True),
        _c("status", "enum", "proposed, active, on_hold, closed or cancelled (today; past cycles use "
           "initiative_status).", choices=STATUSES),
        _c("start_date", "date", "Start date (YYYY-MM-DD)."),
        _c("planned_end_date", "date", "Baseline end date (YYYY-MM-DD)."),
        _c("forecast_end_date", "date", "Current forecast of the end date.", nullable=True),
        _c("actual_end_date", "date", "Date the initiative actually finished.", nullable=True),
        _c("bac", "number", "Budget at completion, in the workspace currency.", **MONEY),
        *INVESTMENT_COLUMNS,
    ), required=True, key=("initiative_id",),
        date_order=(("start_date", "planned_end_date"), ("start_date", "actual_end_date"))),
    TableSpec("initiative_status", "What was known about each initiative at each cycle's end: its status and "
              "forecast end date then. Cycles without rows fall back to the initiatives table.", (
        _c("cycle", "id", "Planning cycle at whose end the status was recorded.", **CYCLE_REF),
        _c("initiative_id", "id", "Initiative.", **INITIATIVE_REF),
        _c("status", "enum", "proposed, active, on_hold, closed or cancelled at the cycle's end.", choices=STATUSES),
        _c("forecast_end_date", "date", "Forecast end date as known at the cycle's end.", nullable=True),
        _c("note", "text", "Short remark, e.g. why the forecast moved.", nullable=True, present=False),
    ), key=("cycle", "initiative_id")),
    TableSpec("financials", "Funding and earned value per initiative and cycle.", (
        _c("cycle", "id", "Planning cycle.", **CYCLE_REF),
        _c("initiative_id", "id", "Initiative.", **INITIATIVE_REF),
        _c("budget", "number", "Funds allocated to the initiative for this cycle.", **MONEY),
        _c("planned_value", "number", "Planned value (PV), cumulative to the cycle's end.", **MONEY),
        _c("earned_value", "number", "Earned value (EV), cumulative to the cycle's end.", **MONEY),
        _c("actual_cost", "number", "Actual cost (AC), cumulative to the cycle's end.", **MONEY),
    ), required=True, key=("cycle", "initiative_id")),
    TableSpec("feedback", "Customer feedback on initiatives.", (
        _c("cycle", "id", "Planning cycle.", **CYCLE_REF),
        _c("initiative_id", "id", "Initiative the feedback is about.", **INITIATIVE_REF),
        _c("respondent_id", "id", "Anonymous respondent identifier."),
        _c("nps", "int", "Likelihood to recommend, 0 to 10.", nullable=True, min=0, max=10),
        _c("csat", "int", "Satisfaction, 1 to 5.", nullable=True, min=1, max=5),
    )),
    TableSpec("work_items", "Work items (features, defects, risks, debt) for flow metrics.", (
        _c("item_id", "id", "Work item identifier."),
        _c("initiative_id", "id", "Initiative the item belongs to.", **INITIATIVE_REF),
        _c("item_type", "enum", "feature, defect, risk or debt.",
           choices=("feature", "defect", "risk", "debt")),
        _c("created", "date", "Date the item was created."),
        _c("started", "date", "Date work started; empty = not started.", nullable=True),
        _c("finished", "date", "Date the item was finished; empty = not finished.", nullable=True),
    ), key=("item_id",), date_order=(("created", "started"), ("started", "finished"))),
    TableSpec("benefits", "Planned and realised benefits per initiative and cycle.", (
        _c("cycle", "id", "Planning cycle.", **CYCLE_REF),
        _c("initiative_id", "id", "Initiative.", **INITIATIVE_REF),
        _c("planned_benefit", "number", "Benefit planned for the cycle, in currency.", **MONEY),
        _c("realized_benefit", "number", "Benefit realised in the cycle, in currency.", **MONEY),
    ), key=("cycle", "initiative_id")),
    TableSpec("raid", "Risks, assumptions, issues and dependencies.", (
        _c("raid_id", "id", "RAID item identifier."),
        _c("kind", "enum", "risk, assumption, issue or dependency.",
           choices=("risk", "assumption", "issue", "dependency")),
        _c("initiative_id", "id", "Initiative concerned; empty = the whole portfolio.",
           nullable=True, **INITIATIVE_REF),
        _c("title", "text", "Short description."),
        _c("severity", "enum", "low, medium, high or critical.",
           choices=("low", "medium", "high", "critical")),
        _c("status", "enum", "open or closed.", choices=("open", "closed")),
        _c("owner", "text", "Who manages the item.", nullable=True),
        _c("raised_date", "date", "Date raised."),
        _c("due_date", "date", "Date by which it should be resolved.", nullable=True),
        _c("closed_date", "date", "Date closed.", nullable=True),
    ), key=("raid_id",), date_order=(("raised_date", "closed_date"),)),
    TableSpec("decisions", "Governance decisions taken in each cycle.", (
        _c("decision_id", "id", "Decision identifier."),
        _c("cycle", "id", "Planning cycle.", **CYCLE_REF),
        _c("date", "date", "Date of the decision."),
        _c("title", "text", "What was decided about."),
        _c("owner", "text", "Who decided.", nullable=True),
        _c("outcome", "text", "The decision taken.", nullable=True),
        _c("initiative_id", "id", "Initiative the decision is about; empty = the whole portfolio.",
           nullable=True, present=False, **INITIATIVE_REF),
        _c("decision", "enum", "For a decision about one initiative: continue, recover, re-scope or stop. "
           "The next recommendation for that initiative takes it into account.",
           nullable=True, present=False, choices=DECISIONS),
    ), key=("decision_id",)),
    TableSpec("actions", "Actions raised in governance meetings.", (
        _c("action_id", "id", "Action identifier."),
        _c("cycle", "id", "Cycle in which the action was raised.", **CYCLE_REF),
        _c("title", "text", "What must be done."),
        _c("owner", "text", "Who must do it.", nullable=True),
        _c("due_date", "date", "Due date.", nullable=True),
        _c("status", "enum", "open, done or dropped.", choices=("open", "done", "dropped")),
    ), key=("action_id",)),
    TableSpec("capacity", "What each team can give in each cycle, in person-days (for capacity against "
              "demand).", (
        _c("cycle", "id", "Planning cycle.", **CYCLE_REF),
        _c("team", "id", "Team, e.g. Platform or Mobile."),
        _c("capacity_days", "number", "Person-days the team can give to portfolio work in the cycle.",
           min=0, above_min=True),
    ), key=("cycle", "team")),
    TableSpec("demand", "Person-days each initiative asks of each team in each cycle; a proposed initiative's "
              "rows say what starting it would take.", (
        _c("cycle", "id", "Planning cycle.", **CYCLE_REF),
        _c("initiative_id", "id", "Initiative.", **INITIATIVE_REF),
        _c("team", "id", "Team whose time it needs (as in the capacity table)."),
        _c("demand_days", "number", "Person-days of the team's time the initiative needs in the cycle.", min=0),
    ), key=("cycle", "initiative_id", "team")),
    TableSpec("assessment", "Maturity questionnaire answers, one row per respondent and item.", (
        _c("cycle", "id", "Planning cycle of the assessment.", **CYCLE_REF),
        _c("respondent_id", "id", "Anonymous respondent identifier."),
        _c("role", "text", "Respondent's role, e.g. Executive, PMO, Delivery lead."),
        _c("item_id", "id", "Questionnaire item, as in the maturity model."),
        _c("score", "number", "Answer on the model's scale; empty = don't know.", nullable=True),
        _c("unit", "text", "Business unit, department or country of the respondent; fills the maturity "
                           "report's units section.", nullable=True, present=False),
    ), required=True, key=("cycle", "respondent_id", "item_id")),
]}


def pandera_schema(spec: TableSpec) -> pa.DataFrameSchema:
    """Build the pandera schema that checks a parsed table's values."""
    import pandera.pandas as pa

    columns = {}
    for col in spec.columns:
        checks = []
        if col.choices:
            checks.append(pa.Check.isin(list(col.choices), error=f"must be one of: {', '.join(col.choices)}"))
        if col.min is not None and col.above_min:
            checks.append(pa.Check.gt(col.min, error=f"must be more than {col.min:g}"))
        elif col.min is not None:
            word = "negative" if col.min == 0 else f"below {col.min:g}"
            checks.append(pa.Check.ge(col.min, error=f"must not be {word}"))
        if col.max is not None:
            checks.append(pa.Check.le(col.max, error=f"must be at most {col.max:g}"))
        columns[col.name] = pa.Column(
            None, checks=checks, nullable=True, required=False,
        )
    return pa.DataFrameSchema(columns, strict=False, name=spec.name)
