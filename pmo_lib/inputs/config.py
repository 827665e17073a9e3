"""``pmo.yaml``: the workspace's configuration, validated with pydantic."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic import ValidationInfo

from .exceptions import ConfigError, Problem

M = TypeVar("M", bound=BaseModel)

CONFIG_FILE = "pmo.yaml"

#: NumPy's percentile methods (``numpy.percentile(method=...)``), the values ``flow.percentile_method`` takes.
PERCENTILE_METHODS = ("inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
                      "hazen", "weibull", "linear", "median_unbiased", "normal_unbiased",
                      "lower", "higher", "midpoint", "nearest")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Strict):
    """Status thresholds of one KPI; ``None`` keeps the catalogue's value.

    A KPI is green when it meets its target within ``tolerance``, amber when it
    misses it but is not beyond ``red``, and red beyond ``red``. ``amber`` is
    the older way of saying where amber begins: it sets the tolerance to
    ``|target - amber|``. Give one of ``tolerance`` and ``amber``.
    """

    tolerance: float | None = Field(None, ge=0, description="distance from the target that still counts as met")
    red: float | None = Field(None, description="value beyond which the KPI is red")
    amber: float | None = Field(None, description="older alias: where amber begins; sets tolerance = |target - amber|")


class Targets(_Strict):
    maturity: float | dict[str, float] = Field(
        4.0, description="target maturity score, for every dimension or per dimension_id")
    kpis: dict[str, float] = Field(default_factory=dict, description="kpi_id: target")


class Thresholds(_Strict):
    kpis: dict[str, Threshold] = Field(default_factory=dict)
    goal_mix_tolerance: float = Field(0.05, ge=0, le=1, description="allowed |actual - target| goal share")
    schedule_slip_days: int = Field(30, ge=0, description="forecast slip beyond which an initiative is an exception")
    on_time_probability: float = Field(
        0.5, ge=0, le=1, description="an initiative whose simulated chance of finishing by its planned end is below "
                                     "this is an exception")
    max_utilisation: float = Field(
        0.85, gt=0, le=1.5, description="a team whose demand is above this share of its capacity in a cycle is "
                                        "overloaded: an exception (medium; high above 100%)")


class ValueWeights(_Strict):
    """Weights of the value score's components; they need not sum to one."""

    customer: float = Field(0.3, ge=0)
    benefits: float = Field(0.3, ge=0)
    alignment: float = Field(0.2, ge=0)
    cost: float = Field(0.2, ge=0)


#: Job size to weeks when pmo.yaml sets none: one week per point of SAFe's relative scale.
DEFAULT_JOB_SIZE_WEEKS: dict[int, float] = {1: 1, 2: 2, 3: 3, 5: 5, 8: 8, 13: 13, 20: 20}


class Funding(_Strict):
    value_weights: ValueWeights = ValueWeights()
    max_shift: float = Field(0.1, ge=0, le=0.5, description="largest share of the cycle's budget the scenario moves")
    max_cut: float = Field(0.5, ge=0, le=1, description="largest share of one initiative's budget it may lose")
    smallest_move: float = Field(
        0.5, ge=0, description="a change of an initiative's budget no larger than this amount (in the currency) "
                               "counts as no move")
    proposal_budget: float | None = Field(
        None, ge=0, description="money available next cycle for starting proposed initiatives (in the currency); "
                                "None: the selection of proposals says this setting would fill it")
    job_size_weeks: dict[int, float] = Field(
        default_factory=lambda: dict(DEFAULT_JOB_SIZE_WEEKS),
        description="job size (SAFe's relative scale) to duration in weeks, for CD3 = cost of delay per week / "
                    "duration; a job size not listed takes the initiative's planned duration")

    @field_validator("job_size_weeks")
    @classmethod
    def _positive_weeks(cls, value: dict[int, float]) -> dict[int, float]:
        bad = [f"{k}: {v:g}" for k, v in value.items() if k < 1 or v <= 0]
        if bad:
            raise ValueError(f"job sizes must be whole numbers of at least 1 and weeks more than 0; got {', '.join(bad)}")
        return value


#: The funding settings used when a workspace sets none.
DEFAULT_FUNDING = Funding()


class Scenario(_Strict):
    """One named what-if under ``scenarios:`` of pmo.yaml, compared side by side with the base case.

    Each scenario reruns the reallocation and the selection of proposals with
    its changes: the next cycle's total budget and the proposal budget move by
    ``budget_change``; initiatives in ``fund`` are funded whatever the
    optimum says (a proposal is selected, a continuing initiative loses
    nothing); initiatives in ``stop`` are stopped (a proposal is not
    selected, a continuing initiative loses all its budget, which is added to
    the proposal budget); the other keys override pmo.yaml's funding
    settings for this scenario only.
    """

    name: str = Field(min_length=1, description="the scenario's name in the report, e.g. 'Budget -10%'")
    budget_change: float = Field(
        0.0, ge=-1, le=10, description="share by which the next cycle's budget and the proposal budget change, "
                                       "e.g. -0.1 for 10% less")
    fund: list[str] = Field(default_factory=list, description="initiative ids funded regardless of the optimum")
    stop: list[str] = Field(default_factory=list, description="initiative ids stopped: no budget next cycle")
    max_cut: float | None = Field(None, ge=0, le=1, description="overrides funding.max_cut for this scenario")
    max_shift: float | None = Field(None, ge=0, le=0.5, description="overrides funding.max_shift for this scenario")
    proposal_budget: float | None = Field(
        None, ge=0, description="overrides the proposal budget for this scenario (budget_change does not scale it)")

    @model_validator(mode="after")
    def _fund_or_stop(self) -> Scenario:
        both = sorted(set(self.fund) & set(self.stop))
        if both:
            raise ValueError(f"scenario '{self.name}' both funds and stops {', '.join(both)}; keep each in one list")
        return self


def scenario_problems(scenarios: list[Scenario], initiative_ids: Iterable[object], *, file: str = CONFIG_FILE,
                      lines: dict[tuple, int] | None = None) -> list[Problem]:
    """The initiative ids under ``scenarios:`` that the initiatives table does not know.

    Call it where the workspace is validated, with the initiatives table's ids
    and the line numbers of pmo.yaml's keys, and add the problems to the
    others: one problem per unknown id, naming the scenario, the key and the id.
    """
    known = {str(i) for i in initiative_ids}
    lines = lines or {}
    problems = []
    for n, scenario in enumerate(scenarios):
        for key in ("fund", "stop"):
            for k, ident in enumerate(getattr(scenario, key)):
                if ident not in known:
                    row = lines.get(("scenarios", n, key, k), lines.get(("scenarios", n)))
                    problems.append(Problem(file, CONFIG_FILE, f"scenario '{scenario.name}' names initiative "
                                            f"'{ident}' under {key}, which is not in the initiatives table",
                                            row=row, column=f"scenarios.{n}.{key}", value=ident))
    return problems

Severity = Literal["low", "medium", "high", "critical"]


class ExceptionRules(_Strict):
    """How the exception register grades severity and recommends a decision.

    A forecast end later than the planned end by more than
    ``thresholds.schedule_slip_days`` is medium, by more than
    ``high_slip_multiple`` times it high, by more than
    ``critical_slip_multiple`` times it critical.
    """

    high_slip_multiple: float = Field(
        2, gt=1, description="a late forecast is high beyond this many times thresholds.schedule_slip_days")
    critical_slip_multiple: float = Field(
        3, gt=1, description="a late forecast is critical beyond this many times thresholds.schedule_slip_days")
    overdue_escalation_days: int = Field(
        90, ge=0, description="a high or critical risk or issue open more than this many days past its due date is "
                              "one step more severe")
    stop_severity: Severity = Field(
        "high", description="stop is recommended when cost and schedule exceptions are both at least this severe")
    escalation_severity: Severity = Field(
        "high", description="after an earlier recover or re-scope decision, an initiative still at least this "
                            "severe is escalated one step")

    @model_validator(mode="after")
    def _critical_beyond_high(self) -> ExceptionRules:
        if self.critical_slip_multiple <= self.high_slip_multiple:
            raise ValueError(f"critical_slip_multiple ({self.critical_slip_multiple:g}) must be larger than "
                             f"high_slip_multiple ({self.high_slip_multiple:g})")
        return self


#: The exception rules used when a workspace sets none: library calls without a configuration behave as the reports do.
DEFAULT_EXCEPTION_RULES = ExceptionRules()


class CadenceEvent(_Strict):
    """One event of a planning cycle, in the playbook or in pmo.yaml under cadence.events."""

    name: str
    week: int = Field(ge=1, description="week of the cycle in which it takes place")
    purpose: str
    inputs: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)
    participants: list[str] = Field(default_factory=list)


class Forecast(_Strict):
    """How the Monte Carlo delivery forecasts are made (:mod:`pmo_lib.analysis.forecast`)."""

    history_weeks: int = Field(13, ge=1, le=520, description="whole weeks of throughput history the forecasts draw from")
    trials: int = Field(10_000, ge=100, le=1_000_000, description="simulated futures per forecast")
    min_items: int = Field(5, ge=1, description="items finished in the history window a forecast needs; fewer "
                                                "give no forecast, with the reason")


#: The forecast settings used when a workspace sets none.
DEFAULT_FORECAST = Forecast()


class Cadence(_Strict):
    cycle_weeks: int = Field(13, ge=1, le=52, description="length of a planning cycle in weeks")
    events: list[CadenceEvent] | None = Field(None, description="the cycle's events; default the playbook's")

    @model_validator(mode="after")
    def _events_inside_the_cycle(self) -> Cadence:
        late = [e for e in self.events or [] if e.week > self.cycle_weeks]
        if late:
            raise ValueError("; ".join(f"event '{e.name}' is in week {e.week}, beyond the {self.cycle_weeks}-week cycle"
                                       for e in late))
        return self


class Flow(_Strict):
    """How flow times are counted and summarised, so that the numbers reconcile with the client's flow tool."""

    inclusive_days: bool = Field(
        False, description="count finish - start + 1 days (ActionableAgile's convention) instead of finish - start")
    percentile_method: str = Field(
        "linear", description="NumPy percentile method for flow-time percentiles, e.g. linear (default) or lower")

    @field_validator("percentile_method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        if value not in PERCENTILE_METHODS:
            raise ValueError(f"unknown percentile method {value!r}; use one of {', '.join(PERCENTILE_METHODS)}")
        return value


#: The flow conventions used when a workspace sets none: finish - start days, linear percentiles.
DEFAULT_FLOW = Flow()


class Branding(_Strict):
    logo: str | None = None
    primary_colour: str = "#1f4e79"

    @field_validator("primary_colour")
    @classmethod
    def _hex_colour(cls, value: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError(f"expected a colour such as '#1f4e79', got {value!r}")
        return value


class Questionnaire(_Strict):
    """What the maturity questionnaire tells respondents, and the roles it accepts."""

    deadline: dt.date | None = Field(None, description="date by which respondents return the questionnaire")
    roles: list[str] | None = Field(
        None, min_length=1,
        description="respondent roles: a drop-down in the questionnaire, and the only roles the assessment accepts")
    contact: str | None = Field(None, min_length=1, description="who answers respondents' questions")

    @field_validator("roles")
    @classmethod
    def _distinct_roles(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        roles = [str(r).strip() for r in value]
        if any(not r for r in roles):
            raise ValueError("a role is empty")
        seen: dict[str, str] = {}
        for role in roles:
            if role.casefold() in seen:
                raise ValueError(f"role {role!r} is listed twice (as {seen[role.casefold()]!r})")
            seen[role.casefold()] = role
        return roles

    def match_role(self, text: str) -> str | None:
        """The configured spelling of ``text``, ignoring case and surrounding spaces.

        Any non-empty text is accepted as it is when no roles are configured;
        ``None`` means the role is not in the list (or ``text`` is empty).
        """
        text = str(text).strip()
        if not text:
            return None
        if self.roles is None:
            return text
        return next((r for r in self.roles if r.casefold() == text.casefold()), None)


class Minimums(_Strict):
    """The least data each statistic needs before a report prints it.

    Below its minimum a statistic is not computed, and the report says in
    words what it needs instead of printing a number.
    """

    alpha_complete_cases: int = Field(
        5, ge=2, description="respondents who answered every statement of a dimension, for Cronbach's alpha")
    alpha_items: int = Field(3, ge=2, description="statements of a dimension, for Cronbach's alpha")
    agreement_respondents: int = Field(5, ge=2, description="respondents of a dimension, for agreement (rwg(J))")
    interval_respondents: int = Field(
        5, ge=2, description="respondents, for a confidence interval of a score and a 'below target beyond doubt' claim")
    group_size: int = Field(
        3, ge=2, description="respondents in each group compared: a role (Kruskal-Wallis) or a cycle (Mann-Whitney, "
                             "permutation test)")
    trend_cycles: int = Field(4, ge=2, description="cycles with data, for a trend test or a trend chart")
    control_chart_cycles: int = Field(5, ge=3, description="cycles with data, for control-chart limits")


SOURCE_KINDS = ("jira-csv", "jira", "csv", "xlsx", "sql")


class TableSource(_Strict):
    """Where one kit table comes from, under ``sources.tables.<table>`` in pmo.yaml.

    ``from`` may be left out when it is plain: ``query`` or ``table`` means ``sql``,
    a ``path`` ending in .csv or .xlsx means ``csv`` or ``xlsx``, ``url`` means ``jira``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: str | None = Field(None, alias="from", description="jira-csv, jira, csv, xlsx or sql")
    path: str | None = Field(None, min_length=1, description="export file inside the workspace (jira-csv, csv, xlsx)")
    sheet: str | None = Field(None, min_length=1, description="worksheet of an xlsx export; default the first")
    database: str | None = Field(None, min_length=1,
                                 description="SQLAlchemy URL for this table; default sources.database")
    table: str | None = Field(None, min_length=1, description="a table (or view) of the database")
    query: str | None = Field(None, min_length=1, description="a SELECT statement run on the database")
    url: str | None = Field(None, min_length=1, description="Jira site, e.g. https://example.atlassian.net")
    jql: str | None = Field(None, min_length=1, description="JQL selecting the issues (jira)")
    user_env: str | None = Field(None, min_length=1, description="environment variable holding the Jira user")
    token_env: str | None = Field(None, min_length=1, description="environment variable holding the Jira API token")
    date_format: str | None = Field(None, min_length=1,
                                    description="strftime format of the export's dates when they are not ISO or Jira's")
    columns: dict[str, str] = Field(default_factory=dict, description="kit column: source column")
    values: dict[str, dict[str, str]] = Field(default_factory=dict,
                                              description="kit column: {source value: kit value}; '*' takes the rest")

    @field_validator("values", mode="before")
    @classmethod
    def _values_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):  # YAML reads True, 12 or 2024-03-12 as such; a map compares text
            return {k: ({str(a): str(b) for a, b in v.items()} if isinstance(v, dict) else v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> TableSource:
        kind = self.source_kind
        if kind is None:
            raise ValueError("say where the table comes from: from (jira-csv, jira, csv, xlsx or sql) with path, "
                             "table, query or url")
        if kind not in SOURCE_KINDS:
            raise ValueError(f"from must be one of {', '.join(SOURCE_KINDS)}, got {kind!r}")
        needs = {"jira-csv": ("path",), "csv": ("path",), "xlsx": ("path",), "jira": ("url", "jql")}.get(kind, ())
        missing = [k for k in needs if getattr(self, k) is None]
        if missing:
            raise ValueError(f"from {kind} needs {' and '.join(missing)}")
        if kind == "sql" and (self.table is None) == (self.query is None):
            raise ValueError("from sql needs exactly one of table and query")
        allowed = {"jira-csv": {"path", "date_format"}, "csv": {"path", "date_format"},
                   "xlsx": {"path", "sheet", "date_format"}, "jira": {"url", "jql", "user_env", "token_env"},
                   "sql": {"database", "table", "query", "date_format"}}[kind]
        stray = [k for k in ("path", "sheet", "database", "table", "query", "url", "jql", "user_env", "token_env",
                             "date_format") if getattr(self, k) is not None and k not in allowed]
        if stray:
            raise ValueError(f"{', '.join(stray)} {'does' if len(stray) == 1 else 'do'} not apply to from {kind}")
        return self

    @property
    def source_kind(self) -> str | None:
        """``from``, or what the other keys imply."""
        if self.kind is not None:
            return self.kind
        if self.query is not None or self.table is not None:
            return "sql"
        if self.url is not None:
            return "jira"
        if self.path is not None and self.path.lower().endswith(".csv"):
            return "csv"
        if self.path is not None and self.path.lower().endswith((".xlsx", ".xlsm")):
            return "xlsx"
        return None


class Sources(_Strict):
    """``sources:`` in pmo.yaml: where the tables live when they are not typed into the workspace."""

    database: str | None = Field(None, min_length=1,
                                 description="SQLAlchemy URL; serves every table without an entry by its own name")
    tables: dict[str, TableSource] = Field(default_factory=dict, description="kit table: its source")


def _valid_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as UTC or Europe/Berlin") from None
    return value


class Maturity(_Strict):
    """How the maturity assessment treats missing answers and weighs the roles."""

    min_answered: float = Field(
        0.5, ge=0, le=1, description="share of a dimension's statements a respondent must answer to count in "
                                     "that dimension; below it the respondent is left out of the dimension")
    role_weights: dict[str, float] | None = Field(
        None, description="role: weight, e.g. {Executive: 1, PMO: 1}: each role's mean counts by its weight, "
                          "however many answered in it (a role not listed weighs 1); default every respondent "
                          "counts the same")

    @field_validator("role_weights")
    @classmethod
    def _weights(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        bad = {k: v for k, v in value.items() if not v >= 0}
        if bad:
            raise ValueError(f"role weights must be 0 or more, got {bad}")
        if value and not any(v > 0 for v in value.values()):
            raise ValueError("at least one role weight must be above 0")
        return {str(k).strip(): float(v) for k, v in value.items()}


#: The maturity options used when a workspace sets none: every respondent counts the same.
DEFAULT_MATURITY = Maturity()


#: The minimums used when a workspace sets none: library calls without a configuration behave as the reports do.
DEFAULT_MINIMUMS = Minimums()


class Config(_Strict):
    """The contents of ``pmo.yaml``."""

    organisation: str = Field(min_length=1)
    currency: str = "EUR"
    targets: Targets = Targets()
    thresholds: Thresholds = Thresholds()
    branding: Branding = Branding()
    funding: Funding = Funding()
    exceptions: ExceptionRules = ExceptionRules()
    cadence: Cadence = Cadence()
    forecast: Forecast = Forecast()
    questionnaire: Questionnaire = Questionnaire()
    minimums: Minimums = Minimums()
    maturity: Maturity = Field(Maturity(), description="missing answers and role weights of the maturity "
                                                       "assessment")
    flow: Flow = Flow()
    maturity_model: str | None = None
    playbook: str | None = None
    notebooks: list[str] = Field(
        default_factory=list,
        description="the workspace's own notebooks, paths inside the workspace: run after the kit's reports, or "
                    "in place of the kit's notebook of the same file name")
    sources: Sources | None = Field(None, description="where tables come from: a database, exports, Jira")
    timezone: str = Field("UTC", description="time zone in which source timestamps become dates")
    # peer benchmark (pmo benchmark export; the maturity report's "How you compare")
    sector: str | None = Field(
        None, min_length=1, description="the organisation's sector, e.g. Insurance: written by pmo benchmark export, "
                                        "and the maturity report also ranks it among peers of the same sector")
    benchmark: str | None = Field(
        None, min_length=1, description="peer file inside the workspace (CSV gathering pmo benchmark export files): "
                                        "the maturity report compares the organisation with them")
    scenarios: list[Scenario] = Field(
        default_factory=list, description="named what-ifs the governance report compares with the base case")
    # the reports' language and local formats (pmo_lib/inputs/i18n.py; README, "Translating the reports")
    language: str = Field("en", description="language of the reports: en (default) or a language the kit has a "
                                            "catalogue for (de, fr); the analysis and its results are the same in every language")
    locale: str | None = Field(None, description="locale of numbers, money and dates, e.g. de-CH or fr-BE; default the "
                                                 "language's main locale (de-DE, fr-FR; English keeps the kit's formats)")

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        from .i18n import check_language
        return check_language(value)

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str | None, info: ValidationInfo) -> str | None:
        from .i18n import check_locale
        return None if value is None else check_locale(value, info.data.get("language"))

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return _valid_timezone(value)

    def maturity_target(self, dimension_id: str) -> float:
        """Return the target score of one maturity dimension."""
        if isinstance(self.targets.maturity, dict):
            return float(self.targets.maturity.get(dimension_id, 4.0))
        return float(self.targets.maturity)


def _key_lines(node: yaml.Node, prefix: tuple = ()) -> dict[tuple, int]:
    """Map every key path of a composed YAML document to its 1-based line."""
    lines: dict[tuple, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = prefix + (key.value,)
            lines[path] = key.start_mark.line + 1
            lines.update(_key_lines(value, path))
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            lines[prefix + (i,)] = value.start_mark.line + 1
            lines.update(_key_lines(value, prefix + (i,)))
    return lines


def _compose_and_load(text: str, loader: Any) -> tuple[yaml.Node | None, Any]:
    """The document's node tree and its data, parsed once (``yaml.compose`` and ``yaml.safe_load`` in one pass).

    With LibYAML's ``CSafeLoader`` the parsing runs in C; the data is built by the same safe constructor.
    """
    reader = loader(text)
    try:
        node = reader.get_single_node()
        return node, (reader.construct_document(node) if node is not None else None)
    finally:
        reader.dispose()


def load_yaml(path: Path, *, table: str) -> tuple[Any, dict[tuple, int]]:
    """Safely load a YAML file and the line number of each key.

    Raises
    ------
    ConfigError
        When the file is missing or is not valid YAML; the message gives the line.
    """
    name = str(path)
    if not path.is_file():
        raise ConfigError([Problem(name, table, "file not found")])
    text = path.read_text(encoding="utf-8-sig")
    try:
        node, data = _compose_and_load(text, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        pass  # the pure-Python parser below words the problem (and its line) as it always has
    else:
        return data, (_key_lines(node) if node is not None else {})
    try:
        node, data = _compose_and_load(text, yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([Problem(name, table, f"YAML does not parse: {problem}", row=line)]) from None
    return data, (_key_lines(node) if node is not None else {})


def pydantic_problems(exc: ValidationError, *, file: str, table: str,
                      lines: dict[tuple, int]) -> list[Problem]:
    """Turn a pydantic error into problems that name the key and its line."""
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in {"float", "dict[str,float]"}))
        line = None
        for n in range(len(loc), 0, -1):
            if loc[:n] in lines:
                line = lines[loc[:n]]
                break
        key = ".".join(str(p) for p in loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            message = f"unknown key '{key}'"
        elif err["type"] == "missing":
            message = f"required key '{key}' is missing"
        else:
            message = f"key '{key}': {err['msg']}"
        value = err.get("input") if err["type"] not in {"missing", "extra_forbidden"} else None
        if isinstance(value, (dict, list)):
            value = None
        problems.append(Problem(file, table, message, row=line, column=key, value=value))
    return problems


def load_validated(path: Path, schema: type[M], *, table: str) -> tuple[M, dict[tuple, int]]:
    """Load a YAML file and validate it against a pydantic schema, naming each problem's line.

    An empty file counts as an empty mapping.

    Returns
    -------
    tuple
        The validated model and the line of each key.

    Raises
    ------
    ConfigError
        When the YAML does not parse, is not a mapping, or breaks the schema.
    """
    data, lines = load_yaml(path, table=table)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([Problem(str(path), table, "expected a mapping of keys to values", row=1)])
    try:
        return schema.model_validate(data), lines
    except ValidationError as exc:
        raise ConfigError(pydantic_problems(exc, file=str(path), table=table, lines=lines)) from None


def load_config(workspace: Path) -> Config:
    """Load and validate ``pmo.yaml`` from a workspace folder.

    Raises
    ------
    ConfigError
        Listing every unknown key, missing key and bad value with its line.
    """
    config, _ = load_validated(Path(workspace) / CONFIG_FILE, Config, table=CONFIG_FILE)
    return config
