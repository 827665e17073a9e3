"""Benchmark the report pipeline against the plain route, on this machine, in one run.

Measures, as the speed issue asks:

1. a batch: every cycle of the sample organisation with ``pmo run --jobs 2``, in seconds per
   report (execute + HTML + PDF), against the plain route (the papermill, ``jupyter
   nbconvert`` and WeasyPrint command lines, one after another) on the same notebooks;
2. one cycle: the time from the command to its first complete report and to the whole pack;
3. the levers, each before and after: the validated workspace handed to the notebooks
   (re-validating is before) and chart text as SVG text (glyph paths is before); with
   ``--levers`` also warm kernels (the batch with ``--fresh-kernels`` is before) and a cycle's
   notebooks side by side (one cycle with ``--jobs 1`` is before), which keeps ``make bench``
   under ten minutes without them;
4. incremental runs and the issue's goals, as ratios with the goal beside each
   (:func:`goals`): a three-cycle batch of a small workspace (``tests/data/tiny``) and the
   sample's six cycles against the plain chain, a rerun with nothing changed against the
   first run (and how many files it rewrote), one appended cycle against that cycle alone,
   and one cycle from a cold start against the plain chain for the same cycle;
5. growth: a 12-cycle sample run once, timing when each cycle's pack is published, and the
   KPI engine at 10,000 to 1,000,000 work items (``bench/kpi_engine.py``), each with a
   straight-line fit to say whether time grows linearly.

It prints tables and writes ``bench/results.json``. Every ratio compares runs made by this
script, on this machine, in this run.

    python bench/run.py [--quick] [--levers]
"""
from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def timed(cmd: list[str], **kw) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:2])} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def plain_route(workspace: Path, cycle: str, out: Path) -> float:
    """Seconds per report without the kit's runner: three command-line programs per report."""
    from pmo_lib.inputs.resources import NOTEBOOKS, NOTEBOOKS_DIR

    out.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for name in NOTEBOOKS.values():
        executed = out / name
        total += timed([str(BIN / "papermill"), str(NOTEBOOKS_DIR / name), str(executed), "-p", "workspace",
                        str(workspace), "-p", "cycle", cycle, "-p", "results_dir", str(out / "results")],
                       cwd=NOTEBOOKS_DIR)
        total += timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
        total += timed([str(BIN / "weasyprint"), str(executed.with_suffix(".html")), str(executed.with_suffix(".pdf"))])
    return total / len(NOTEBOOKS)


def kit_run(workspace: Path, out: Path, *args: str) -> dict:
    """Run ``pmo run`` and watch its output folder.

    Returns the total seconds, the seconds to the first complete report (its PDF
    written) and the seconds at which each cycle's pack was published.
    """
    cmd = [str(BIN / "pmo"), "run", str(workspace), "--out", str(out), *args]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    first_report = None
    packs: dict[str, float] = {}
    while proc.poll() is None:
        now = time.perf_counter() - started
        if first_report is None and any(out.glob("*/.staging-*/*/*.pdf")):
            first_report = now
        for manifest in out.glob("*/*/manifest.json"):
            packs.setdefault(manifest.parent.name, now)
        time.sleep(0.1)
    total = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.read()[-2000:]}")
    for manifest in out.glob("*/*/manifest.json"):
        packs.setdefault(manifest.parent.name, total)
    return {"seconds": total, "first_report_s": first_report or total, "packs_s": sorted(packs.values())}


def files_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its modification time and size: what a run rewrote shows here."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in folder.rglob("*") if p.is_file()}


def rebuilt_cycles(out: Path, before: dict[str, str]) -> list[str]:
    """The packs whose manifest was written after ``before`` (cycle → finished time) was taken."""
    now = {m.parent.name: json.loads(m.read_text())["finished"] for m in out.glob("*/*/manifest.json")}
    return sorted(c for c, t in now.items() if before.get(c) != t)


def finished_times(out: Path) -> dict[str, str]:
    return {m.parent.name: json.loads(m.read_text())["finished"] for m in out.glob("*/*/manifest.json")}


def goals(tmp: Path, ws: Path, cycles: list[str], plain_per_report: float, batch: dict, one: dict,
          per_cycle: int) -> dict:
    """The issue's five goals, each measured in this run as a ratio, with the goal beside it."""
    sys.path.insert(0, str(HERE.parent))
    from tests.running.history import append_cycle, workspace_at

    from pmo_lib import load_workspace

    out: dict = {}
    tiny = HERE.parent / "tests" / "data" / "tiny"
    tiny_cycles = load_workspace(tiny).cycles
    plain_tiny = sum(plain_route(tiny, c, tmp / f"plain-tiny-{c}") * per_cycle for c in tiny_cycles)
    tiny_batch = kit_run(tiny, tmp / "tiny", "--jobs", "2")
    out["small batch"] = {"measured": plain_tiny / tiny_batch["seconds"], "goal": ">= 6x",
                          "met": plain_tiny / tiny_batch["seconds"] >= 6,
                          "detail": f"{len(tiny_cycles)} cycles, {len(tiny_cycles) * per_cycle} reports: plain chain "
                                    f"{plain_tiny:.1f} s, pmo run --jobs 2 {tiny_batch['seconds']:.1f} s"}
    sample = plain_per_report / (batch["seconds"] / (len(cycles) * per_cycle))
    out["sample batch"] = {"measured": sample, "goal": ">= 8x", "met": sample >= 8,
                           "detail": f"{len(cycles)} cycles: plain chain {plain_per_report * len(cycles) * per_cycle:.1f} s "
                                     f"(measured on one cycle), pmo run --jobs 2 {batch['seconds']:.1f} s"}
    state = files_state(tmp / "batch")
    rerun = kit_run(ws, tmp / "batch", "--jobs", "2")
    rewritten = [k for k, v in files_state(tmp / "batch").items() if state.get(k) != v]
    share = rerun["seconds"] / batch["seconds"]
    out["nothing changed"] = {"measured": share, "goal": "<= 5% of the first run, no file rewritten",
                              "met": share <= 0.05 and not rewritten, "files_rewritten": len(rewritten),
                              "detail": f"rerun {rerun['seconds']:.1f} s against {batch['seconds']:.1f} s; "
                                        f"{len(rewritten)} files rewritten"}
    past = workspace_at(ws, tmp / "past", cycles[-2])
    kit_run(past, tmp / "append", "--jobs", "2")
    before = finished_times(tmp / "append")
    append_cycle(ws, past)
    appended = kit_run(past, tmp / "append", "--jobs", "2")
    rebuilt = rebuilt_cycles(tmp / "append", before)
    ratio = appended["seconds"] / one["seconds"]
    out["one appended cycle"] = {"measured": ratio, "goal": "<= 1.3x that cycle alone", "met": ratio <= 1.3,
                                 "rebuilt": rebuilt,
                                 "detail": f"{appended['seconds']:.1f} s against {one['seconds']:.1f} s for the cycle "
                                           f"alone; rebuilt {', '.join(rebuilt)}"}
    cold = one["seconds"] / (plain_per_report * per_cycle)
    out["one cold cycle"] = {"measured": cold, "goal": "<= 0.25 of the plain chain", "met": cold <= 0.25,
                             "detail": f"{one['seconds']:.1f} s against {plain_per_report * per_cycle:.1f} s"}
    return out


def print_goals(results: dict) -> None:
    """The issue's goals, each as a ratio measured in this run, with the goal beside it."""
    print()
    print(f"{'goal':<20} {'measured':>9}  {'goal':<42} met")
    for name, g in results["goals"].items():
        measured = f"{g['measured']:.1%}" if name == "nothing changed" else f"{g['measured']:.2f}x"
        print(f"{name:<20} {measured:>9}  {g['goal']:<42} {'yes' if g['met'] else 'NO'}   ({g['detail']})",
              flush=True)


def linear_fit(x, y) -> dict:
    """Least-squares line through (x, y) and its R²: how well 'linear' describes the growth."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    r2 = 1 - (residual ** 2).sum() / ((y - y.mean()) ** 2).sum()
    return {"slope": float(slope), "intercept": float(intercept), "r2": float(r2)}


def validation_lever(workspace: Path) -> dict:
    """Seconds a notebook spends getting its workspace: validating it, or loading the run's copy."""
    import os

    from pmo_lib.inputs.workspace import RUN_CACHE_ENV, load_workspace, write_run_cache

    def best(fn, repeat=3):
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return min(times)

    validate = best(lambda: load_workspace(workspace))
    with tempfile.TemporaryDirectory() as tmp:
        cache = write_run_cache(load_workspace(workspace), Path(tmp) / "ws.pickle")
        os.environ[RUN_CACHE_ENV] = str(cache)
        try:
            cached = best(lambda: load_workspace(workspace))
        finally:
            del os.environ[RUN_CACHE_ENV]
    return {"before_s": validate, "after_s": cached}


def svg_text_lever() -> dict:
    """Seconds WeasyPrint takes for a page of eight charts whose text is glyph paths, or SVG text."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from pmo_lib.reporting.charts import set_theme
    from pmo_lib.reporting.render import render_pdf

    def page(fonttype: str) -> str:
        set_theme()
        plt.rcParams["svg.fonttype"] = fonttype
        figures = []
        for k in range(8):
            fig, ax = plt.subplots()
            cycles = [f"2026-Q{q}" for q in range(1, 5)] * 3
            ax.bar(range(12), np.linspace(1, 3, 12) + k)
            ax.set_xticks(range(12), cycles, rotation=45)
            ax.set_title(f"Chart {k}: maturity score by dimension and cycle", loc="left")
            ax.set_xlabel("Planning cycle")
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg")
            plt.close(fig)
            figures.append(buffer.getvalue()[buffer.getvalue().index("<svg"):])
        set_theme()
        return "<html><body>" + "".join(f"<figure>{svg}</figure>" for svg in figures) + "</body></html>"

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, fonttype in (("before_s", "path"), ("after_s", "none")):
            html = page(fonttype)
            render_pdf(html, Path(tmp) / "warm-up.pdf")
            started = time.perf_counter()
            render_pdf(html, Path(tmp) / f"{fonttype}.pdf")
            out[label] = time.perf_counter() - started
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller KPI sizes and no 12-cycle run")
    parser.add_argument("--levers", action="store_true",
                        help="also run the batch with fresh kernels and one cycle with one job (about 4 more minutes)")
    args = parser.parse_args()
    from pmo_lib import create_sample_workspace, load_workspace
    from pmo_lib.inputs.resources import NOTEBOOKS

    results: dict = {"machine": {"cpus": __import__("os").cpu_count()}}
    levers: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = create_sample_workspace(tmp / "ws")
        cycles = load_workspace(ws).cycles
        per_cycle = len(NOTEBOOKS)

        results["plain_s_per_report"] = plain_route(ws, cycles[-1], tmp / "plain")
        batch = kit_run(ws, tmp / "batch", "--jobs", "2")
        results["batch"] = batch
        results["batch_s_per_report"] = batch["seconds"] / (len(cycles) * per_cycle)
        results["batch_throughput_ratio"] = results["plain_s_per_report"] / results["batch_s_per_report"]

        one = kit_run(ws, tmp / "one", "--cycle", cycles[-1], "--jobs", "2")
        results["one_cycle"] = {"first_report_s": one["first_report_s"], "all_reports_s": one["seconds"]}
        if args.levers:
            fresh = kit_run(ws, tmp / "fresh", "--jobs", "2", "--fresh-kernels")
            levers["warm kernels (batch, --jobs 2)"] = {"before_s": fresh["seconds"], "after_s": batch["seconds"]}
            serial = kit_run(ws, tmp / "serial", "--cycle", cycles[-1], "--jobs", "1")
            levers["a cycle's notebooks side by side (one cycle)"] = {"before_s": serial["seconds"],
                                                                      "after_s": one["seconds"]}
        results["goals"] = goals(tmp, ws, cycles, results["plain_s_per_report"], batch, one, per_cycle)
        levers["validated workspace handed to each notebook"] = validation_lever(ws)
        levers["chart text as SVG text (PDF of 8 charts)"] = svg_text_lever()
        results["levers"] = {name: {**v, "speed_up": v["before_s"] / v["after_s"]} for name, v in levers.items()}

        if not args.quick:
            long = create_sample_workspace(tmp / "ws12", cycles=12)
            growth = kit_run(long, tmp / "growth", "--jobs", "2")
            points = growth["packs_s"]
            results["growth_by_cycles"] = {"packs_published_s": points,
                                           "fit": linear_fit(range(1, len(points) + 1), points)}

    sizes = ["10000", "100000"] if args.quick else ["10000", "100000", "1000000"]
    engine_json = HERE / "kpi_engine.json"
    print_goals(results)  # first: a failure of the KPI engine's bench below must not lose them
    (HERE / "results.json").write_text(json.dumps(results, indent=2))
    done = subprocess.run([sys.executable, str(HERE / "kpi_engine.py"), "--sizes", *sizes, "--out", str(engine_json)])
    if done.returncode != 0:
        print("KPI engine bench failed (see above); the figures above are complete")
        return
    engine = json.loads(engine_json.read_text())
    results["kpi_engine"] = engine
    results["kpi_engine_growth"] = {
        "loglog_slope": float(np.polyfit(np.log([e["items"] for e in engine]), np.log([e["engine_s"] for e in engine]), 1)[0])}

    print()
    print(f"plain route              {results['plain_s_per_report']:7.2f} s per report")
    print(f"pmo run --jobs 2 (batch) {results['batch_s_per_report']:7.2f} s per report   "
          f"throughput {results['batch_throughput_ratio']:.2f}x the plain route "
          f"({len(cycles)} cycles, {batch['seconds']:.1f} s, first pack after {batch['packs_s'][0]:.1f} s)")
    print(f"one cycle                first report after {one['first_report_s']:.1f} s, "
          f"all {per_cycle} reports after {one['seconds']:.1f} s")
    print_goals(results)
    print()
    print(f"{'lever':<48} {'before s':>9} {'after s':>9} {'speed-up':>9}")
    for name, v in results["levers"].items():
        print(f"{name:<48} {v['before_s']:>9.2f} {v['after_s']:>9.2f} {v['speed_up']:>8.2f}x")
    if "growth_by_cycles" in results:
        g = results["growth_by_cycles"]
        print()
        print("cycles published  " + " ".join(f"{k:>6}" for k in range(1, len(g["packs_published_s"]) + 1)))
        print("seconds           " + " ".join(f"{s:>6.1f}" for s in g["packs_published_s"]))
        fit = g["fit"]
        print(f"straight line: {fit['slope']:.1f} s per cycle + {fit['intercept']:.1f} s, R² {fit['r2']:.3f} "
              f"({'linear' if fit['r2'] >= 0.98 else 'not linear'})")
    slope = results["kpi_engine_growth"]["loglog_slope"]
    print(f"KPI engine: time grows as items^{slope:.2f} "
          f"({'linear or better' if slope <= 1.1 else 'faster than linear'}) between "
          f"{engine[0]['items']:,} and {engine[-1]['items']:,} items")
    (HERE / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
