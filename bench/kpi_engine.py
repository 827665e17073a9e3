"""Benchmark: the KPI engine's flow metrics at size against a minimal hand-written pandas baseline.

Both compute, for every one of 6 cycles: throughput, flow time p50 and p85, WIP and the
flow distribution, from N work items across 2,000 initiatives. Times are medians of
repeated runs; peak memory is measured with tracemalloc in a separate pass. Results are
reported as ratios against the baseline measured in the same run on the same machine.

    python bench/kpi_engine.py [--sizes 10000 100000 1000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_lib.analysis.kpis import kpi_history
from pmo_lib.inputs.catalog import KpiCatalog, load_catalog
from pmo_lib.inputs.cycles import Cycle
from pmo_lib.inputs.tables import TABLES
from pmo_lib.inputs.workspace import _empty

FLOW_KPIS = ["throughput", "flow_time_p50", "flow_time_p85", "wip", "flow_distribution_feature",
             "flow_distribution_defect", "flow_distribution_risk", "flow_distribution_debt"]


def make_tables(n_items: int, *, n_initiatives: int = 2000, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    starts = pd.date_range("2025-01-01", periods=6, freq="QS")
    cycles = pd.DataFrame({"cycle": [f"C{i + 1}" for i in range(6)], "start_date": starts,
                           "end_date": starts + pd.offsets.QuarterEnd(0)})
    created = pd.Timestamp("2024-12-01") + pd.to_timedelta(rng.integers(0, 540, n_items), unit="D")
    started = created + pd.to_timedelta(rng.integers(0, 10, n_items), unit="D")
    finished = started + pd.to_timedelta(rng.lognormal(2.7, 0.6, n_items).round(), unit="D")
    finished = finished.where(rng.random(n_items) > 0.08)
    items = pd.DataFrame({
        "item_id": np.arange(n_items).astype(str),
        "initiative_id": rng.integers(0, n_initiatives, n_items).astype(str),
        "item_type": rng.choice(["feature", "defect", "risk", "debt"], n_items, p=[0.55, 0.25, 0.08, 0.12]),
        "created": created, "started": started, "finished": finished})
    return {"cycles": cycles, "work_items": items}


def baseline(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A minimal hand-written pandas computation of the same flow metrics."""
    items, rows = tables["work_items"], []
    for c in tables["cycles"].itertuples():
        done = items[(items["finished"] >= c.start_date) & (items["finished"] <= c.end_date)]
        days = (done["finished"] - done["started"]).dt.days
        wip = ((items["started"] <= c.end_date) & (items["finished"].isna() | (items["finished"] > c.end_date))).sum()
        shares = done["item_type"].value_counts(normalize=True)
        rows.append({"cycle": c.cycle, "throughput": len(done), "p50": days.quantile(0.5), "p85": days.quantile(0.85),
                     "wip": wip, **{t: shares.get(t, 0.0) for t in ["feature", "defect", "risk", "debt"]}})
    return pd.DataFrame(rows)


def engine(tables: dict[str, pd.DataFrame], catalog: KpiCatalog) -> pd.DataFrame:
    """The kit's KPI history up to the last cycle, each cycle as known at its end."""
    every = {name: _empty(spec) for name, spec in TABLES.items()} | tables  # the tables a workspace without them has
    return kpi_history(Cycle.of(every, present={"cycles", "work_items"}), catalog)


def measure(func, *args, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    func(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 2 ** 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(Path(__file__).with_name("kpi_engine.json")))
    args = parser.parse_args()
    full = load_catalog()
    catalog = KpiCatalog(full.table[full.table["kpi_id"].isin(FLOW_KPIS)].reset_index(drop=True))
    results = []
    print(f"{'items':>10} {'engine s':>9} {'baseline s':>10} {'ratio':>6} {'engine MiB':>10} {'baseline MiB':>12}")
    for n in args.sizes:
        tables = make_tables(n)
        ours = engine(tables, catalog).pivot(index="cycle", columns="kpi_id", values="value")
        ref = baseline(tables).set_index("cycle")
        assert np.allclose(ours["throughput"], ref["throughput"]) and np.allclose(ours["wip"], ref["wip"])
        assert np.allclose(ours["flow_time_p85"], ref["p85"])
        t_e, m_e = measure(engine, tables, catalog, repeat=args.repeat)
        t_b, m_b = measure(baseline, tables, repeat=args.repeat)
        results.append({"items": n, "engine_s": t_e, "baseline_s": t_b, "ratio": t_e / t_b,
                        "engine_peak_mib": m_e, "baseline_peak_mib": m_b})
        print(f"{n:>10,} {t_e:>9.3f} {t_b:>10.3f} {t_e / t_b:>6.2f} {m_e:>10.1f} {m_b:>12.1f}")
    Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
