"""A deterministic sample organisation, for demos and as the notebooks' default input.

Northwind Mobility runs about 40 initiatives across five strategic goals over
six quarterly cycles. Its data tells a story the reports should reveal:

* maturity improves cycle after cycle, most in transparency and funding;
* the Customer Data Platform programme goes off the rails (CPI and SPI fall,
  its forecast end date slips, its risks pile up);
* at the start of 2026 funding moves from efficiency projects to digital
  self-service products.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20260
ORGANISATION = "Northwind Mobility"
TROUBLED = "I-007"

SECTOR = "Transport"  # the sample's sector, for the peer benchmark
#: The sample peer file's sectors and their weights.
_PEER_SECTORS = {"Transport": 0.3, "Insurance": 0.2, "Banking": 0.2, "Public sector": 0.15, "Utilities": 0.15}
LAST_CYCLE = (2026, 3)  # the sample's latest planning cycle: 2026-Q3


def _quarters(n: int) -> list[tuple[str, str, str]]:
    """The ``n`` quarterly planning cycles up to :data:`LAST_CYCLE`: (cycle, start, end)."""
    last = pd.Period(year=LAST_CYCLE[0], quarter=LAST_CYCLE[1], freq="Q")
    return [(f"{q.year}-Q{q.quarter}", q.start_time.date().isoformat(), q.end_time.date().isoformat())
            for q in pd.period_range(end=last, periods=n, freq="Q")]


_GOALS = [("G1", "Grow digital self-service", 1.2, 0.30),
          ("G2", "Keep customers for longer", 1.0, 0.25),
          ("G3", "Modernise core platforms", 1.0, 0.20),
          ("G4", "Run operations more efficiently", 0.8, 0.15),
          ("G5", "Stay compliant and secure", 1.0, 0.10)]
_NAMES = {
    "G1": ["Mobile booking app", "Self-service portal", "Digital onboarding", "Online payments",
           "Chat assistant", "Journey planner", "Account dashboard", "E-ticket wallet"],
    "G2": ["Loyalty programme", "Customer Data Platform", "Service recovery", "Complaint insights",
           "Personalised offers", "Customer feedback loop", "Subscription plans", "Churn early warning"],
    "G3": ["Core ledger migration", "API gateway", "Cloud landing zone", "Identity platform",
           "Data lakehouse", "Legacy CRM retirement", "Event streaming backbone", "Test automation platform"],
    "G4": ["Fleet maintenance planning", "Procurement automation", "Shift rostering", "Invoice matching",
           "Warehouse robotics pilot", "Energy monitoring", "Contact centre routing"],
    "G5": ["Privacy programme", "Accessibility upgrade", "Security operations centre", "Audit trail", "Payment card compliance", "Records retention"],
    None: ["Office relocation", "Intranet refresh", "Brand refresh"],
}
_OWNERS = ["A. Okafor", "B. Lindqvist", "C. Moreau", "D. Tanaka", "E. Novak", "F. Haddad", "G. Silva",
           "H. Fischer", "I. Kowalski", "J. Mensah", "K. Ivanova", "L. Brennan"]
_ROLES = {"Executive": 0.35, "PMO": 0.0, "Delivery lead": -0.15, "Product owner": 0.1}
_DIMENSION_START = {"strategic_alignment": 2.6, "adaptive_funding": 1.9, "customer_value": 2.3,
                    "flow_delivery": 2.7, "continuous_improvement": 2.2, "transparency_automation": 1.8,
                    "governance": 2.8, "customer_engagement": 2.4}
_DIMENSION_GAIN = {"strategic_alignment": 0.12, "adaptive_funding": 0.2, "customer_value": 0.14,
                   "flow_delivery": 0.1, "continuous_improvement": 0.12, "transparency_automation": 0.24,
                   "governance": 0.1, "customer_engagement": 0.08}

PMO_YAML = """\
# Configuration of this workspace. Every key but organisation is optional.
organisation: {organisation}
currency: {currency}
targets:
  maturity: 4            # target score for every dimension, or a mapping dimension_id: target
  kpis:                  # override catalogue targets, kpi_id: value
    cpi: 1.0
thresholds:
  goal_mix_tolerance: 0.05   # allowed gap between a goal's share of spend and its target share
  kpis:                      # override catalogue thresholds: green only when the target is met
    spi: {{tolerance: 0, red: 0.85}}   # tolerance: distance from the target that still counts as met
funding:
  proposal_budget: 1500000   # money for starting proposed initiatives next cycle
branding:
  primary_colour: "{colour}"
questionnaire:
  deadline: 2026-10-16
  roles: [Executive, PMO, Delivery lead, Product owner]
  contact: "the PMO office, pmo@northwind.example"
sector: {sector}
benchmark: peers.csv     # about 40 generated peer organisations' anonymised scores
scenarios:               # what-ifs the governance report compares with the base case
  - name: Budget 10% lower
    budget_change: -0.1
  - name: Fund fraud monitoring regardless
    fund: [I-045]
  - name: No cut above 20%
    max_cut: 0.2
"""


def _dates(values) -> list[str]:
    return [pd.Timestamp(v).date().isoformat() if pd.notna(v) else "" for v in values]


def create_sample_workspace(path: str | Path, *, seed: int = SEED, cycles: int = 6) -> Path:
    """Write the sample organisation's workspace to ``path``.

    The same seed always gives byte-identical files.

    Parameters
    ----------
    path : str or Path
        Folder to create; it must not exist or be empty.
    seed : int
    cycles : int
        Number of quarterly planning cycles, ending 2026-Q3; the benchmarks use
        more than the default six to see how a run grows.

    Returns
    -------
    Path
        The workspace folder.
    """
    from .model import load_model
    from .resources import TEMPLATES_DIR

    path = Path(path)
    if path.exists() and any(path.iterdir()):
        raise FileExistsError(f"{path} exists and is not empty")
    rng = np.random.default_rng(seed)
    data = path / "data"
    data.mkdir(parents=True, exist_ok=True)
    (path / "pmo.yaml").write_text(PMO_YAML.format(organisation=ORGANISATION, currency="EUR", colour="#1f4e79",
                                                   sector=SECTOR),
                                   encoding="utf-8")
    if cycles < 3:
        raise ValueError(f"the sample needs at least 3 cycles, got {cycles}")
    table = pd.DataFrame(_quarters(cycles), columns=["cycle", "start_date", "end_date"])
    table.to_csv(data / "cycles.csv", index=False)
    pd.DataFrame(_GOALS, columns=["goal_id", "goal", "weight", "target_share"]).to_csv(data / "goals.csv", index=False)
    starts = pd.to_datetime(table["start_date"])
    ends = pd.to_datetime(table["end_date"])

    initiatives = _initiatives(rng, len(table))
    financials = _financials(rng, initiatives, table, starts, ends)
    financials.to_csv(data / "financials.csv", index=False, float_format="%.0f")
    _feedback(rng, initiatives, financials).to_csv(data / "feedback.csv", index=False)
    _work_items(rng, initiatives, starts, ends).to_csv(data / "work_items.csv", index=False)
    _benefits(rng, initiatives, financials).to_csv(data / "benefits.csv", index=False, float_format="%.0f")
    _raid(rng, initiatives, starts, ends).to_csv(data / "raid.csv", index=False)
    status = _initiative_status(initiatives, table, starts, ends)
    status.to_csv(data / "initiative_status.csv", index=False)
    decisions, actions = _governance(rng, table, ends, initiatives)
    decisions = _funding_outcomes(decisions, financials, initiatives)
    decisions.to_csv(data / "decisions.csv", index=False)
    actions.to_csv(data / "actions.csv", index=False)
    model = load_model(TEMPLATES_DIR / "maturity_model.yaml")
    answers = _with_units(_assessment(rng, model, table), np.random.default_rng(seed + 20))
    answers.to_csv(data / "assessment.csv", index=False, float_format="%.0f")
    # its own generator, so that the tables above stay as they were before peers existed
    _peers(np.random.default_rng(seed + 21), model, table["cycle"].tolist()).to_csv(
        path / "peers.csv", index=False, float_format="%.2f")
    # issue 19's investment data draws from its own generator, after the others: every earlier value stays as it was
    extended, capacity, demand = _investment(np.random.default_rng(seed + 19), initiatives, financials, status, table)
    extended.assign(**{c: _dates(extended[c]) for c in
                       ["start_date", "planned_end_date", "forecast_end_date", "actual_end_date"]}
                    ).to_csv(data / "initiatives.csv", index=False)
    capacity.to_csv(data / "capacity.csv", index=False)
    demand.to_csv(data / "demand.csv", index=False)
    return path


#: Teams of the sample and the goal each mostly works for; the Platform team also serves every other goal.
_TEAMS = {"G1": "Mobile", "G2": "Customer", "G3": "Platform", "G4": "Operations", "G5": "Security", None: "Operations"}
OVERLOADED_TEAM = "Operations"  # above 85% of its capacity in the latest cycle
#: Teams loaded this much in the latest cycle, so that within the 85% limit Mobile can take either the disruption
#: alerts or the partner booking API next cycle, not both, and Platform the payments upgrade with either.
_ROOMY_TEAMS = {"Mobile": 0.6, "Platform": 0.6}
DAY_RATE = 1250.0  # EUR per person-day: budget to demand
PROPOSAL_BUDGET = 1_500_000
COD_PER_POINT = 4000.0  # EUR of cost of delay per week per point of relative cost of delay
#: New proposals for the next cycle: name, goal, kind, (business value, time criticality, risk reduction, job size),
#: requested budget. Designed so that greedy WSJF order funds the Partner booking API (highest WSJF) and the driver
#: app within the proposal budget, while the best selection (most cost of delay within the budget) funds the
#: payments upgrade and the disruption alerts instead: 220,000 against 212,000 EUR of cost of delay per week.
_PROPOSALS = [
    ("I-041", "Real-time disruption alerts", "G4", "product", (13, 8, 5, 5), 750_000),
    ("I-042", "Family travel accounts", "G2", "product", (3, 2, 2, 3), 400_000),
    ("I-043", "Payments platform upgrade", "G3", "project", (13, 8, 8, 5), 750_000),
    ("I-044", "Predictive fleet maintenance", "G4", "project", (5, 3, 3, 8), 900_000),
    ("I-045", "Fraud monitoring", "G5", "project", (3, 5, 5, 5), 500_000),
    ("I-046", "Partner booking API", "G1", "project", (5, 8, 5, 3), 600_000),
    ("I-047", "Driver app refresh", "G4", "project", (3, 2, 1, 2), 150_000),
]
_EXISTING_PROPOSAL = ("I-027", (2, 3, 5, 8), 350_000)
#: Proposals built by another goal's teams: the disruption alerts serve efficient operations, but the Mobile
#: team builds them (an app feature), so Operations, already overloaded, is not asked for them.
_BUILT_BY = {"I-041": "G1"}


def _split(days: float, goal) -> dict[str, float]:
    """Person-days by team: three quarters to the goal's team, a quarter to Platform (all of it for platform goals)."""
    own = _TEAMS.get(goal, "Operations")
    if own == "Platform":
        return {"Platform": round(days)}
    return {own: round(days * 0.75), "Platform": round(days * 0.25)}


def _investment(rng: np.random.Generator, initiatives: pd.DataFrame, financials: pd.DataFrame,
                status: pd.DataFrame, cycles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Issue 19's data: WSJF attributes and proposals on initiatives, and each team's capacity and demand.

    Demand is the cycle's budget at a blended day rate, for the initiatives under way at the cycle's end.
    Capacity leaves each team 62-80% loaded, except Operations, loaded 93% in the latest cycle.
    Proposals ask, in the latest cycle, the days their requested budget buys.
    """
    frame = initiatives.copy()
    k = len(frame)
    scale = np.array([1, 2, 3, 5, 8, 13, 20])
    attrs = ["business_value", "time_criticality", "risk_reduction", "job_size"]
    scored = frame["status"].isin(["active", "on_hold"]).to_numpy()
    for a in attrs:
        frame[a] = pd.array(np.where(scored, rng.choice(scale[:6], size=k), np.nan), dtype="Float64").astype("Int64")
    frame["cost_of_delay_per_week"] = pd.array([pd.NA] * k, dtype="Int64")
    frame["requested_budget"] = pd.array([pd.NA] * k, dtype="Int64")
    ident, values, requested = _EXISTING_PROPOSAL
    at = frame.index[frame["initiative_id"] == ident][0]
    frame.loc[at, attrs] = list(values)
    frame.loc[at, "cost_of_delay_per_week"] = int(COD_PER_POINT * sum(values[:3]))
    frame.loc[at, "requested_budget"] = requested
    start, end = pd.Timestamp("2026-10-01"), pd.Timestamp("2027-09-30")
    new = []
    for ident, name, goal, kind, values, requested in _PROPOSALS:
        new.append({"initiative_id": ident, "name": name, "kind": kind, "goal_id": goal,
                    "owner": str(rng.choice(_OWNERS)), "status": "proposed", "start_date": start,
                    "planned_end_date": end, "forecast_end_date": end, "actual_end_date": pd.NaT,
                    "bac": float(round(requested * rng.uniform(2.5, 4.0), -4)),
                    **dict(zip(attrs, values)), "cost_of_delay_per_week": int(COD_PER_POINT * sum(values[:3])),
                    "requested_budget": requested})
    added = pd.DataFrame(new)
    for c in attrs + ["cost_of_delay_per_week", "requested_budget"]:
        added[c] = added[c].astype("Int64")
    frame = pd.concat([frame, added], ignore_index=True)
    frame["must_fund"] = ""
    frame["must_stop"] = ""

    goals = frame.set_index("initiative_id")["goal_id"]
    budget = financials.set_index(["cycle", "initiative_id"])["budget"]
    live = status[status["status"].isin(["active", "on_hold"])]
    rows = []
    for r in live.itertuples(index=False):
        if (r.cycle, r.initiative_id) not in budget.index:
            continue
        for team, days in _split(budget[(r.cycle, r.initiative_id)] / DAY_RATE, goals[r.initiative_id]).items():
            rows.append({"cycle": r.cycle, "initiative_id": r.initiative_id, "team": team, "demand_days": days})
    last = cycles["cycle"].iloc[-1]
    for ident, requested in [(_EXISTING_PROPOSAL[0], _EXISTING_PROPOSAL[2])] + [(p[0], p[5]) for p in _PROPOSALS]:
        for team, days in _split(requested / DAY_RATE, _BUILT_BY.get(ident, goals[ident])).items():
            rows.append({"cycle": last, "initiative_id": ident, "team": team, "demand_days": days})
    demand = pd.DataFrame(rows, columns=["cycle", "initiative_id", "team", "demand_days"])
    under_way = demand.merge(live[["cycle", "initiative_id"]], on=["cycle", "initiative_id"])
    load = under_way.groupby(["cycle", "team"])["demand_days"].sum()
    capacity = []
    teams = sorted(set(_TEAMS.values()))
    for n, cyc in enumerate(cycles["cycle"]):
        for team in teams:
            days = float(load.get((cyc, team), 0.0))
            target = rng.uniform(0.62, 0.8)
            if team == OVERLOADED_TEAM and n == len(cycles) - 1:
                target = 0.93
            elif team in _ROOMY_TEAMS and n == len(cycles) - 1:  # room for one of the competing proposals
                target = _ROOMY_TEAMS[team]
            elif team == OVERLOADED_TEAM and n == len(cycles) - 2:
                target = 0.84
            capacity.append({"cycle": cyc, "team": team,
                             "capacity_days": max(round(days / target / 10) * 10, 100)})
    return frame, pd.DataFrame(capacity), demand


def _initiatives(rng: np.random.Generator, n_cycles: int) -> pd.DataFrame:
    rows = []
    n = 0
    for goal, names in _NAMES.items():
        for name in names:
            n += 1
            rows.append({"initiative_id": f"I-{n:03d}", "name": name, "goal_id": goal})
    # put the troubled programme at a stable id
    frame = pd.DataFrame(rows)
    cdp = frame.index[frame["name"] == "Customer Data Platform"][0]
    frame.loc[[cdp, 6], ["name", "goal_id"]] = frame.loc[[6, cdp], ["name", "goal_id"]].to_numpy()
    k = len(frame)
    frame["kind"] = np.where(frame["goal_id"].isin(["G1", "G2"]) & (rng.random(k) < 0.8), "product", "project")
    frame["owner"] = rng.choice(_OWNERS, size=k)
    earlier = 91 * (n_cycles - 6)  # a longer history starts initiatives earlier, at the same pace
    start = pd.Timestamp("2024-10-01") - pd.Timedelta(days=earlier) + pd.to_timedelta(
        rng.integers(0, 540 + earlier, size=k), unit="D")
    frame["start_date"] = start
    length = np.where(frame["kind"] == "product", 720, rng.integers(180, 480, size=k))
    frame["planned_end_date"] = start + pd.to_timedelta(length, unit="D")
    today = pd.Timestamp("2026-09-30")
    status = np.where(frame["planned_end_date"] < today, "closed", "active")
    status = np.where(start > today, "proposed", status)
    frame["status"] = status
    slip = rng.normal(5, 20, size=k).round()
    frame["actual_end_date"] = pd.NaT
    closed = frame["status"] == "closed"
    frame.loc[closed, "actual_end_date"] = (frame.loc[closed, "planned_end_date"]
                                            + pd.to_timedelta(slip[closed.to_numpy()], unit="D"))
    late_close = closed & (frame["actual_end_date"] > today)
    frame.loc[late_close, ["status", "actual_end_date"]] = ["active", pd.NaT]
    frame["forecast_end_date"] = frame["planned_end_date"] + pd.to_timedelta(np.maximum(slip, 0), unit="D")
    frame.loc[frame["status"] == "closed", "forecast_end_date"] = frame["actual_end_date"]
    for idx, state in [(3, "on_hold"), (30, "cancelled"), (26, "proposed")]:
        frame.loc[idx, "status"] = state
        frame.loc[idx, "actual_end_date"] = pd.NaT
    frame.loc[frame["status"] == "proposed", "start_date"] = pd.Timestamp("2026-10-01")
    frame.loc[frame["status"] == "proposed", "planned_end_date"] = pd.Timestamp("2027-09-30")
    frame.loc[frame["status"] == "proposed", "forecast_end_date"] = pd.Timestamp("2027-09-30")
    t = frame["initiative_id"] == TROUBLED
    frame.loc[t, ["kind", "status", "start_date", "planned_end_date"]] = [
        "project", "active", pd.Timestamp("2025-01-15"), pd.Timestamp("2026-12-31")]
    frame.loc[t, "forecast_end_date"] = pd.Timestamp("2027-06-30")
    frame.loc[t, "actual_end_date"] = pd.NaT
    size = np.where(frame["kind"] == "product", rng.uniform(1.2e6, 3.5e6, k), rng.uniform(3e5, 2.2e6, k))
    frame["bac"] = (size / 1e4).round() * 1e4
    frame.loc[t, "bac"] = 4.8e6
    return frame[["initiative_id", "name", "kind", "goal_id", "owner", "status", "start_date",
                  "planned_end_date", "forecast_end_date", "actual_end_date", "bac"]]


def _financials(rng, initiatives, cycles, starts, ends) -> pd.DataFrame:
    rows = []
    for ini in initiatives.itertuples():
        if ini.status in ("proposed",):
            continue
        finish = ini.actual_end_date if pd.notna(ini.actual_end_date) else ini.planned_end_date
        days_total = max((ini.planned_end_date - ini.start_date).days, 1)
        quality = rng.normal(1.0, 0.05)
        pv = ev = ac = 0.0
        for n, cyc in enumerate(cycles["cycle"]):
            i = n - (len(cycles) - 6)  # position counted so that the last six cycles are 0..5
            if n < len(cycles) - 6 and ini.initiative_id == TROUBLED:
                continue
            if ini.start_date > ends[n] or (pd.notna(ini.actual_end_date) and ini.actual_end_date < starts[n]):
                continue
            if ini.status == "cancelled" and i >= 3:
                continue
            elapsed = min(max((ends[n] - ini.start_date).days, 0), days_total) / days_total
            pv_now = ini.bac * elapsed
            if ini.initiative_id == TROUBLED:
                spi, cpi = [0.98, 0.95, 0.9, 0.84, 0.78, 0.72][i], [0.99, 0.96, 0.9, 0.83, 0.77, 0.71][i]
            else:
                spi = float(np.clip(quality + rng.normal(0, 0.03), 0.85, 1.1))
                cpi = float(np.clip(quality + rng.normal(0.01, 0.03), 0.85, 1.12))
            pv = max(pv, pv_now)
            ev = max(ev, min(pv * spi, ini.bac))
            ac = max(ac, ev / cpi)
            budget = ini.bac * 90 / days_total * (1.0 if finish > ends[n] else 0.5)
            if i >= 3 and ini.goal_id == "G1":
                budget *= 1.35  # funding moved to digital self-service in 2026
            if i >= 3 and ini.goal_id == "G4":
                budget *= 0.6
            rows.append({"cycle": cyc, "initiative_id": ini.initiative_id, "budget": round(budget, -3),
                         "planned_value": pv, "earned_value": ev, "actual_cost": ac})
    return pd.DataFrame(rows)


def _feedback(rng, initiatives, financials) -> pd.DataFrame:
    products = set(initiatives.loc[initiatives["kind"].eq("product") | initiatives["initiative_id"].eq(TROUBLED),
                                   "initiative_id"])
    rows = []
    cycle_index = {c: i for i, c in enumerate(dict.fromkeys(financials["cycle"]))}
    appeal = {i: rng.normal(7.6, 0.8) for i in sorted(products)}
    for fin in financials.itertuples():
        if fin.initiative_id not in products:
            continue
        lift = 0.12 * cycle_index[fin.cycle]
        base = appeal[fin.initiative_id] + lift - (0.35 * cycle_index[fin.cycle] if fin.initiative_id == TROUBLED else 0)
        for r in range(int(rng.integers(12, 25))):
            nps = int(np.clip(np.round(rng.normal(base, 1.9)), 0, 10))
            csat = int(np.clip(np.round(1 + (nps / 10) * 4 + rng.normal(0, 0.6)), 1, 5))
            rows.append({"cycle": fin.cycle, "initiative_id": fin.initiative_id,
                         "respondent_id": f"C{rng.integers(10000, 99999)}", "nps": nps,
                         "csat": "" if rng.random() < 0.05 else csat})
    return pd.DataFrame(rows)


def _work_items(rng, initiatives, starts, ends) -> pd.DataFrame:
    first, last = starts.iloc[0], ends.iloc[-1]
    rows = []
    n = 0
    types = np.array(["feature", "defect", "risk", "debt"])
    for ini in initiatives.itertuples():
        if ini.status == "proposed":
            continue
        begin = max(ini.start_date, first)
        stop = min(ini.actual_end_date if pd.notna(ini.actual_end_date) else last, last)
        span = (stop - begin).days
        if span <= 0:
            continue
        count = int(span / 365 * rng.integers(80, 160))
        created = begin + pd.to_timedelta(np.sort(rng.integers(0, span, size=count)), unit="D")
        progress = (created - first).days.to_numpy() / (last - first).days  # flow improves over time
        wait = rng.gamma(2.0, 3.0, size=count).round()
        flow = np.maximum(1, rng.lognormal(np.log(16) - 0.45 * progress, 0.6)).round()
        if ini.initiative_id == TROUBLED:
            flow = flow * (1 + progress)
        p = [0.55, 0.25, 0.08, 0.12]
        kinds = rng.choice(types, size=count, p=p)
        for c, w, f, k in zip(created, wait, flow, kinds):
            n += 1
            started = c + pd.Timedelta(days=int(w))
            finished = started + pd.Timedelta(days=int(f))
            rows.append({"item_id": f"W-{n:05d}", "initiative_id": ini.initiative_id, "item_type": k,
                         "created": c.date().isoformat(),
                         "started": started.date().isoformat() if started <= last else "",
                         "finished": finished.date().isoformat() if finished <= last else ""})
    frame = pd.DataFrame(rows)
    frame.loc[frame["started"] == "", "finished"] = ""
    return frame


def _benefits(rng, initiatives, financials) -> pd.DataFrame:
    bac = initiatives.set_index("initiative_id")["bac"]
    rows = []
    order = {c: i for i, c in enumerate(dict.fromkeys(financials["cycle"]))}
    for fin in financials.itertuples():
        if order[fin.cycle] < 1:
            continue
        planned = bac[fin.initiative_id] * rng.uniform(0.05, 0.12)
        rate = 0.35 if fin.initiative_id == TROUBLED else rng.uniform(0.6, 1.05) + 0.03 * order[fin.cycle]
        rows.append({"cycle": fin.cycle, "initiative_id": fin.initiative_id,
                     "planned_benefit": planned, "realized_benefit": planned * rate})
    return pd.DataFrame(rows)


def _raid(rng, initiatives, starts, ends) -> pd.DataFrame:
    active = initiatives[initiatives["status"] != "proposed"]["initiative_id"].tolist()
    titles = {"risk": ["Key supplier may miss delivery", "Specialist skills are scarce",
                       "Data quality may delay go-live", "Scope may grow during discovery"],
              "assumption": ["Budget for next cycle is confirmed", "Users are available for testing"],
              "issue": ["Integration tests failing", "Environment not ready", "Vendor contract dispute"],
              "dependency": ["Needs the identity platform release", "Waits on API gateway"]}
    rows = []
    for n in range(70):
        kind = rng.choice(["risk", "assumption", "issue", "dependency"], p=[0.5, 0.1, 0.25, 0.15])
        ini = TROUBLED if n % 9 == 0 else rng.choice(active + [None])
        raised = starts.iloc[0] + pd.Timedelta(days=int(rng.integers(0, (ends.iloc[-1] - starts.iloc[0]).days)))
        severity = rng.choice(["low", "medium", "high", "critical"], p=[0.3, 0.4, 0.22, 0.08])
        if ini == TROUBLED and raised > starts.iloc[-min(4, len(starts))]:  # the last year, or all of a short history
            severity = rng.choice(["high", "critical"])
        due = raised + pd.Timedelta(days=int(rng.integers(20, 120)))
        closed = raised + pd.Timedelta(days=int(rng.integers(10, 150)))
        is_closed = closed <= ends.iloc[-1] and not (ini == TROUBLED and severity in ("high", "critical"))
        rows.append({"raid_id": f"R-{n + 1:03d}", "kind": kind, "initiative_id": ini or "",
                     "title": rng.choice(titles[kind]), "severity": severity,
                     "status": "closed" if is_closed else "open", "owner": rng.choice(_OWNERS),
                     "raised_date": raised.date().isoformat(), "due_date": due.date().isoformat(),
                     "closed_date": closed.date().isoformat() if is_closed else ""})
    return _distinct_open_titles(pd.DataFrame(rows), titles)


def _distinct_open_titles(raid: pd.DataFrame, titles: dict[str, list[str]]) -> pd.DataFrame:
    """No initiative carries two open items of one title at once: a board reads them as a duplicate.

    An item raised while an earlier item of its initiative with the same title is still open takes the
    first title of its kind not open on that initiative then. Titles only; no draw from the generator, so
    every other value of the sample stays as it was.
    """
    raid = raid.copy()
    opened = pd.to_datetime(raid["raised_date"])
    shut = pd.to_datetime(raid["closed_date"].replace("", None))
    for i in raid.sort_values("raised_date", kind="stable").index:
        ini = raid.at[i, "initiative_id"]
        if not ini:
            continue
        earlier = raid[(raid["initiative_id"] == ini) & (opened < opened[i]) & (shut.isna() | (shut > opened[i]))]
        busy = set(earlier["title"])
        if raid.at[i, "title"] in busy:
            free = [t for t in titles[raid.at[i, "kind"]] if t not in busy]
            if free:
                raid.at[i, "title"] = free[0]
    return raid


def _initiative_status(initiatives, cycles, starts, ends) -> pd.DataFrame:
    """What was known at each cycle's end: status, and a forecast that drifts towards today's.

    The last cycle's rows repeat the initiatives table. Before that, a forecast
    slip grows with the share of the planned duration elapsed; an initiative
    is closed from the cycle in which it finished, the cancelled one from the
    cycle after which it stopped spending, and the one on hold only now.
    """
    last = len(cycles) - 1
    rows = []
    for ini in initiatives.itertuples():
        if ini.status == "proposed":
            continue
        duration = max((ini.planned_end_date - ini.start_date).days, 1)
        final_forecast = ini.actual_end_date if pd.notna(ini.actual_end_date) else ini.forecast_end_date
        final_slip = (final_forecast - ini.planned_end_date).days if pd.notna(final_forecast) else 0
        progress_now = min(max((ends.iloc[last] - ini.start_date).days / duration, 0.0), 1.0) or 1.0
        for n, cyc in enumerate(cycles["cycle"]):
            end = ends.iloc[n]
            if ini.start_date > end:
                continue
            i = n - (len(cycles) - 6)
            if n == last:
                status, forecast = ini.status, ini.forecast_end_date
            elif pd.notna(ini.actual_end_date) and ini.actual_end_date <= end:
                status, forecast = "closed", ini.actual_end_date
            else:
                status = "cancelled" if ini.status == "cancelled" and i >= 2 else "active"
                progress = min(max((end - ini.start_date).days / duration, 0.0), 1.0)
                slip = round(final_slip * min(progress / progress_now, 1.0))
                forecast = ini.planned_end_date + pd.Timedelta(days=slip)
            note = ""
            if ini.initiative_id == TROUBLED and i >= 3 and status == "active":
                note = "Recovery plan in progress; re-baseline pending"
            rows.append({"cycle": cyc, "initiative_id": ini.initiative_id, "status": status,
                         "forecast_end_date": forecast.date().isoformat() if pd.notna(forecast) else "",
                         "note": note})
    return pd.DataFrame(rows, columns=["cycle", "initiative_id", "status", "forecast_end_date", "note"])


def _governance(rng, cycles, ends, initiatives) -> tuple[pd.DataFrame, pd.DataFrame]:
    topics = [("Approve next cycle's funding", "Approved with changes"),
              ("Review Customer Data Platform recovery plan", "Recovery plan accepted; re-baseline next cycle"),
              ("Shift funding to digital self-service", "EUR 1.2m moved from efficiency projects"),
              ("Start new initiatives", "Two initiatives approved to start"),
              ("Review unaligned work", "Unaligned initiatives close at their planned end; no new ones start")]
    about = {1: (TROUBLED, "recover")}  # topic index: (initiative, decision) for decisions about one initiative
    decisions, actions = [], []
    d = a = 0
    for i, cyc in enumerate(cycles.itertuples()):
        end = pd.Timestamp(cyc.end_date)
        for k in range(3):
            d += 1
            title, outcome = topics[(i + k) % len(topics)]
            initiative, decision = about.get((i + k) % len(topics), ("", ""))
            if initiative == TROUBLED and i < 3:  # before its trouble began, the programme was reviewed as on track
                title, outcome, decision = "Review Customer Data Platform progress", "On track; continue", "continue"
            decisions.append({"decision_id": f"D-{d:03d}", "cycle": cyc.cycle,
                              "date": (end - pd.Timedelta(days=10 + k)).date().isoformat(),
                              "title": title, "owner": rng.choice(_OWNERS), "outcome": outcome,
                              "initiative_id": initiative, "decision": decision})
        for k in range(4):
            a += 1
            due = end + pd.Timedelta(days=int(rng.integers(20, 80)))
            status = "done" if i < len(cycles) - 2 and rng.random() < 0.85 else rng.choice(["open", "done", "dropped"], p=[0.6, 0.3, 0.1])
            actions.append({"action_id": f"A-{a:03d}", "cycle": cyc.cycle,
                            "title": rng.choice(["Publish the revised KPI definitions", "Re-baseline the CDP plan",
                                                 "Run the quarterly retrospective", "Collect CSAT for all products",
                                                 "Set WIP limits for platform teams", "Update the goal target mix"]),
                            "owner": rng.choice(_OWNERS), "due_date": due.date().isoformat(), "status": status})
    return pd.DataFrame(decisions), _distinct_open_actions(pd.DataFrame(actions))


def _funding_outcomes(decisions: pd.DataFrame, financials: pd.DataFrame, initiatives: pd.DataFrame) -> pd.DataFrame:
    """Funding decisions that say what the budgets show, and none taken ahead of the pack that prepares them.

    A decision at a cycle's end about the next cycle's funding is borne out by the next cycle's budgets:
    a shift to digital self-service (G1) from efficiency projects (G4) names the money that moved, or says
    none did. In the latest cycle the next cycle's funding is what the governance report's scenario
    proposes, so its funding decisions wait for the board to review that scenario. Outcome texts only.
    """
    decisions = decisions.copy()
    goal = initiatives.set_index("initiative_id")["goal_id"]
    by_goal = financials.assign(goal_id=financials["initiative_id"].map(goal)).pivot_table(
        index="goal_id", columns="cycle", values="budget", aggfunc="sum").fillna(0.0)
    order = list(dict.fromkeys(financials["cycle"]))
    for i, r in decisions.iterrows():
        if r["title"] not in ("Approve next cycle's funding", "Shift funding to digital self-service"):
            continue
        k = order.index(r["cycle"])
        if k + 1 >= len(order):
            decisions.at[i, "outcome"] = "Deferred until the board reviews the funding scenario for the next cycle"
            continue
        if r["title"] == "Shift funding to digital self-service":
            now, later = order[k], order[k + 1]
            gain = by_goal.at["G1", later] - by_goal.at["G1", now]
            loss = by_goal.at["G4", now] - by_goal.at["G4", later]
            moved = min(gain, loss)
            decisions.at[i, "outcome"] = (f"EUR {moved / 1e6:.1f}m moved from efficiency projects" if moved >= 50_000
                                          else "Not agreed; budgets stay with their goals")
    return decisions


#: Actions a cycle may raise instead of one still open; never drawn at random, so taking one moves no other value.
_SPARE_ACTION_TITLES = ["Agree a fallback for the CDP's key supplier", "Check the benefits of the initiatives that ended",
                        "Review the Operations team's load", "Close or hand over the risks of ended work"]


def _distinct_open_actions(actions: pd.DataFrame) -> pd.DataFrame:
    """No action is raised while the same action is still open.

    The sample raises actions from a short list; drawn at random, an action could repeat one still open
    ("Collect CSAT for all products" overdue and raised again), which a board reads as a duplicate. Such
    an action takes the first spare title not used by an open action or in its own cycle. Titles only;
    no draw from the generator, so every other value of the sample stays as it was.
    """
    actions = actions.copy()
    for i in actions.index:
        cycle = actions.at[i, "cycle"]
        before = actions.loc[: i - 1] if i > actions.index[0] else actions.iloc[0:0]
        still_open = set(before.loc[before["status"].eq("open"), "title"])
        if actions.at[i, "title"] in still_open:
            busy = still_open | set(actions.loc[actions["cycle"].eq(cycle), "title"])
            free = [t for t in _SPARE_ACTION_TITLES if t not in busy]
            if free:
                actions.at[i, "title"] = free[0]
    return actions


def _assessment(rng, model, cycles) -> pd.DataFrame:
    """Questionnaire answers: a latent view per respondent and dimension, plus item noise.

    Respondents' views of one dimension hang together (good reliability),
    except for continuous improvement, where practice is patchy and answers
    scatter: the report should flag its low alpha.
    """
    items = model.items
    rows = []
    lo, hi = model.scale_min, model.scale_max
    for i, cyc in enumerate(cycles["cycle"]):
        for r, role in enumerate(np.repeat(list(_ROLES), 3)):
            respondent = f"R{i + 1}{r + 1:02d}"
            leniency = rng.normal(0, 0.2)
            view = {d: rng.normal(0, 0.05 if d == "continuous_improvement" else 0.5) for d in _DIMENSION_START}
            for item in items.itertuples():
                dim = item.dimension_id
                base = _DIMENSION_START[dim] + _DIMENSION_GAIN[dim] * i * 1.3
                noise = 0.9 if dim == "continuous_improvement" else 0.4
                mean = base + _ROLES[role] + leniency + view[dim] + 0.9 * (3 - item.level) / 2 + 0.55
                score = float(np.clip(np.round(rng.normal(mean, noise)), lo, hi))
                rows.append({"cycle": cyc, "respondent_id": respondent, "role": role, "item_id": item.item_id,
                             "score": np.nan if rng.random() < 0.03 else score})
    return pd.DataFrame(rows)


def _peers(rng: np.random.Generator, model, cycles: list[str], *, n: int = 40) -> pd.DataFrame:
    """A peer file of ``n`` invented organisations, as many ``pmo benchmark export`` files gathered.

    Each organisation has a sector, an overall maturity that its dimensions
    share (so they hang together, as real organisations' do), its sector's
    strengths and weaknesses and some noise of its own, 5 to 40 respondents, and 1 to 3 consecutive cycles
    ending in one of the sample's cycles, improving a little each cycle.
    """
    import hashlib

    sectors = list(_PEER_SECTORS)
    share = np.array(list(_PEER_SECTORS.values()))
    dims = model.dimensions["dimension_id"].tolist()
    lo, hi = model.scale_min, model.scale_max
    habits = {s: {d: rng.normal(0, 0.25) for d in dims} for s in sectors}  # what a sector is good or poor at
    rows = []
    for i in range(n):
        name = f"Peer organisation {i + 1:02d}"  # invented: only its hash is written, as an export would
        code = hashlib.sha256(name.casefold().encode("utf-8")).hexdigest()[:16]
        sector = sectors[rng.choice(len(sectors), p=share / share.sum())]
        level = rng.normal(3.4, 0.5)
        accent = {d: habits[sector][d] + rng.normal(0, 0.3) for d in dims}
        last = int(rng.integers(len(cycles) // 2, len(cycles)))
        span = int(rng.integers(1, 4))
        for k, cyc in enumerate(cycles[max(0, last - span + 1):last + 1]):
            n_resp = int(rng.integers(5, 41))
            for d in dims:
                score = level + accent[d] + 0.12 * k + rng.normal(0, 0.15)
                rows.append({"org_hash": code, "sector": sector, "cycle": cyc, "dimension_id": d,
                             "score": float(np.clip(score, lo, hi)), "n_respondents": n_resp})
    return pd.DataFrame(rows, columns=["org_hash", "sector", "cycle", "dimension_id", "score", "n_respondents"])


_UNITS = ("Operations", "Digital", "Finance")


def _with_units(answers: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Give each cycle's respondents a business unit, four per unit, from a generator of their own.

    Drawn after every other draw and from a separate generator, so that no
    answer changes: the sample shows the units section without moving a score.
    """
    units = {}
    for cyc, people in answers.groupby("cycle", sort=False)["respondent_id"]:
        ids = list(dict.fromkeys(people))
        drawn = rng.permutation(np.resize(np.array(_UNITS), len(ids)))
        units.update({(cyc, r): u for r, u in zip(ids, drawn)})
    return answers.assign(unit=[units[(c, r)] for c, r in zip(answers["cycle"], answers["respondent_id"])])


def sample_workspace() -> Path:
    """Return the folder of the bundled sample workspace, generating it on first use.

    It lives in ``$PMO_CACHE_DIR`` (default ``~/.cache/pmo-kit``), keyed by
    the seed so that a new generator version never reuses stale data.
    """
    from .resources import __version__
    from .resources import TEMPLATES_DIR

    cache = Path(os.environ.get("PMO_CACHE_DIR", Path.home() / ".cache" / "pmo-kit"))
    digest = hashlib.sha256(Path(__file__).read_bytes()
                            + (Path(TEMPLATES_DIR) / "maturity_model.yaml").read_bytes()).hexdigest()[:12]
    target = cache / f"sample-{__version__}-{SEED}-{digest}"
    if (target / "pmo.yaml").is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".sample-", dir=cache))
    try:
        create_sample_workspace(tmp / "ws")
        try:
            os.replace(tmp / "ws", target)
        except OSError:
            if not (target / "pmo.yaml").is_file():  # another process did not win the race
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
