"""Benchmark the report pipeline against the plain route, on this machine, in one run.

Measures, as the speed issue asks:

1. a batch: every cycle of the sample organisation with ``pmo run --jobs 2``, in seconds per
   report (execute + HTML + PDF), against the plain route (the papermill, ``jupyter
   nbconvert`` and WeasyPrint command lines, one after another) on the same notebooks;
2. one cycle: the time from the command to the cycle's complete pack;
3. the KPI engine at size (``bench/kpi_engine.py``);
4. growth with the number of cycles (1, 3 and 6).

It prints a table and writes ``bench/results.json``. Ratios compare runs made by this
script, on this machine, in this run.

    python bench/run.py [--quick]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent


def timed(cmd: list[str], **kw) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:2])} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def plain_route(workspace: Path, cycle: str, out: Path) -> tuple[float, int]:
    """The route without the kit's runner: three command-line programs per report."""
    from pmo_lib.resources import NOTEBOOKS, NOTEBOOKS_DIR

    out.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for name in NOTEBOOKS.values():
        executed = out / name
        total += timed([str(BIN / "papermill"), str(NOTEBOOKS_DIR / name), str(executed), "-p", "workspace",
                        str(workspace), "-p", "cycle", cycle, "-p", "results_dir", str(out / "results")],
                       cwd=NOTEBOOKS_DIR)
        total += timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
        total += timed([str(BIN / "weasyprint"), str(executed.with_suffix(".html")), str(executed.with_suffix(".pdf"))])
    return total, len(NOTEBOOKS)


def kit_run(workspace: Path, out: Path, *args: str) -> float:
    return timed([str(BIN / "pmo"), "run", str(workspace), "--out", str(out), *args])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller KPI sizes and no growth series")
    args = parser.parse_args()
    from pmo_lib import create_sample_workspace, load_workspace
    from pmo_lib.resources import NOTEBOOKS

    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = create_sample_workspace(tmp / "ws")
        cycles = load_workspace(ws).cycles
        n_reports = len(NOTEBOOKS)

        plain_s, reports = plain_route(ws, cycles[-1], tmp / "plain")
        results["plain_s_per_report"] = plain_s / reports

        batch_s = kit_run(ws, tmp / "batch", "--jobs", "2")
        results["batch_s_per_report"] = batch_s / (len(cycles) * n_reports)
        results["batch_throughput_ratio"] = results["plain_s_per_report"] / results["batch_s_per_report"]

        one_s = kit_run(ws, tmp / "one", "--cycle", cycles[-1])
        results["one_cycle_s"] = one_s

        if not args.quick:
            growth = {}
            for k in (1, 3):
                growth[k] = kit_run(ws, tmp / f"growth{k}", "--jobs", "2", *sum((["--cycle", c] for c in cycles[:k]), []))
            growth[len(cycles)] = batch_s  # the batch above is the all-cycles point
            results["growth_s_by_cycles"] = growth
        shutil.rmtree(tmp / "batch", ignore_errors=True)

    sizes = ["10000", "100000"] if args.quick else ["10000", "100000", "1000000"]
    engine_json = HERE / "kpi_engine.json"
    subprocess.run([sys.executable, str(HERE / "kpi_engine.py"), "--sizes", *sizes, "--out", str(engine_json)],
                   check=True)
    results["kpi_engine"] = json.loads(engine_json.read_text())

    print()
    print(f"plain route           {results['plain_s_per_report']:7.2f} s per report")
    print(f"pmo run --jobs 2      {results['batch_s_per_report']:7.2f} s per report   "
          f"throughput {results['batch_throughput_ratio']:.2f}x the plain route")
    print(f"one cycle (4 reports) {results['one_cycle_s']:7.2f} s")
    for k, s in results.get("growth_s_by_cycles", {}).items():
        print(f"{k:>2} cycles             {s:7.2f} s   ({s / k:.2f} s per cycle)")
    (HERE / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
