"""The ``pmo`` command line: init, questionnaire, collect-responses, status, validate, pull, run, demo, notebook,
check and benchmark.

A :class:`~pmo_lib.inputs.exceptions.PmoError` becomes a short message on standard
error and the exit code of its class; only a bug shows a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .inputs.resources import __version__
from .inputs.exceptions import EXIT_OK, InputError, PmoError, RunInterrupted
from .running.contracts import Status

if TYPE_CHECKING:  # the runner (pandas, pandera, pydantic) loads when a command runs, not for --help
    from .running.runner import RunSummary

#: ``pmo check``: some cell carries stray output (print, stderr, warnings), which the client report leaves out.
STRAY_OUTPUT = 1


def _print_problems(exc: InputError) -> None:
    print(f"error: {exc.args[0].splitlines()[0]}", file=sys.stderr)
    for problem in exc.problem_list:
        print(f"  - {problem.format()}", file=sys.stderr)


def _cmd_init(args: argparse.Namespace) -> int:
    from .inputs.scaffold import init_workspace

    path = init_workspace(args.directory, organisation=args.organisation)
    print(f"Created the workspace {path}:")
    for name in ("pmo.yaml", "data.xlsx", "questionnaire.xlsx", "questionnaire.pdf", "maturity_model.example.yaml"):
        print(f"  {path / name}")
    print("Next: send questionnaire.xlsx to the respondents and fill in data.xlsx (or put CSV files in "
          f"{path / 'data'}/); collect the returned questionnaires with: pmo collect-responses {path} FOLDER; "
          f"see what is still missing with: pmo status {path}")
    return EXIT_OK


def _cmd_questionnaire(args: argparse.Namespace) -> int:
    from .inputs.scaffold import refresh_questionnaire

    for written in refresh_questionnaire(args.workspace):
        print(f"Wrote {written}")
    return EXIT_OK


def _cmd_collect(args: argparse.Namespace) -> int:
    from .inputs.engagement import validation_lines
    from .inputs.collect import collect_responses

    done = collect_responses(args.workspace, args.folder, cycle=args.cycle)
    for line in done.summary():
        print(line)
    ok, head, _ = validation_lines(Path(args.workspace), limit=0)
    print(f"The workspace is {head}." if ok else
          f"The workspace is not complete yet: {head}; see pmo validate {args.workspace}.")
    return EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    from .inputs.engagement import status_lines

    for line in status_lines(args.workspace, cycle=args.cycle):
        print(line)
    return EXIT_OK  # a checklist: problems are listed, not failed on


def _cmd_validate(args: argparse.Namespace) -> int:
    from .inputs.text import plural
    from .inputs.workspace import load_workspace

    ws = load_workspace(args.workspace, from_sources=True)
    tables = ", ".join(f"{t} ({plural(len(ws[t]), 'row')}{_origin(ws, t)})" for t in ws.tables if ws.has(t))
    span = ws.cycles[0] if len(ws.cycles) == 1 else f"{ws.cycles[0]} to {ws.cycles[-1]}"
    print(f"{ws.path}: valid. {ws.config.organisation}, {plural(len(ws.cycles), 'cycle')} ({span}).")
    print(f"Tables: {tables}.")
    if ws.peers is not None:  # the peer benchmark's file (benchmark: in pmo.yaml)
        print(f"Peers: {plural(ws.peers['org_hash'].nunique(), 'organisation')} in {ws.config.benchmark}.")
    for warning in ws.warnings:
        print(f"  warning: {warning.format()}")
    return EXIT_OK


def _origin(ws, table: str) -> str:
    """", from Jira CSV export exports/jira.csv" for a table read from a source; nothing for the workspace's own."""
    from .inputs.sources import sourced_description

    record = ws.snapshot.get("tables", {}).get(table)
    return f", from {sourced_description(record)}" if record else ""


def _cmd_pull(args: argparse.Namespace) -> int:
    from .inputs.sources import pull_workspace, sourced_description
    from .inputs.text import plural

    done = pull_workspace(args.workspace)
    for table, record in done.tables.items():
        print(f"  {table:<18} {plural(record['rows'], 'row'):>10}  from {sourced_description(record)}")
    print(f"Pulled {plural(len(done.tables), 'table')} into {done.workspace / 'data'}; "
          f"the snapshot is recorded in {done.sources_file}")
    return EXIT_OK


def _report_summary(summary: RunSummary) -> int:
    for cycle in summary.cycles:
        mark = {Status.OK: "ok", Status.UP_TO_DATE: "up to date"}.get(cycle.status, "FAILED")
        seconds = sum(n.seconds for n in cycle.notebooks)
        if cycle.status is Status.UP_TO_DATE:  # kept as it was: nothing ran
            print(f"  {cycle.cycle:<12} {mark:<10} {cycle.folder}")
            continue
        print(f"  {cycle.cycle:<12} {mark:<10} {seconds:6.1f}s  {cycle.folder}")
    if summary.error is not None:
        print(str(summary.error), file=sys.stderr)
    print(f"Reports: {summary.index}")
    return summary.exit_code


def _run_args(args: argparse.Namespace) -> dict:
    from .running.runner import FORMATS

    chosen = ",".join(FORMATS) if args.format is None else args.format
    formats = tuple(f.strip() for f in chosen.split(",") if f.strip())
    return {"cycles": None if args.all_cycles else (args.cycle or None), "out": args.out, "jobs": args.jobs,
            "formats": formats, "timeout": args.timeout, "kernel_name": args.kernel, "with_code": args.with_code,
            "scheduler": args.scheduler, "reuse_kernels": not args.fresh_kernels, "force": args.force}


def _run(workspace: Path | str, args: argparse.Namespace) -> int:
    """Validate, say where each notebook comes from, then run."""
    if getattr(args, "watch", False):
        return _watch(workspace, args)
    import contextlib
    import time

    from .inputs.workspace import load_workspace
    from .running.notebooks import report_notebooks
    from .running.runner import run_workspace, start_workers

    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        workers = None
        if args.jobs > 1 and not args.scheduler and not args.fresh_kernels and _first_run(Path(args.out)):
            # nothing to keep in the output folder: start the workers' kernels while the workspace is validated
            workers = start_workers(args.jobs, args.kernel)
            stack.callback(workers.close)
        ws = load_workspace(workspace)
        if ws.snapshot:  # the sources moved on since the pull (a new export, a hand edit): the reports say so too
            from .inputs.sources import snapshot_changes

            for change in snapshot_changes(ws.path, ws.snapshot):
                print(f"warning: {change.format()}")
        print("Notebooks:")
        for nb in report_notebooks(ws):
            print(f"  {nb.report:<22} {nb.describe()}")
        summary = run_workspace(ws, **_run_args(args), workers=workers)
    if getattr(args, "timings", False):
        _print_timings(summary, time.perf_counter() - started)
    return _report_summary(summary)


def _first_run(out: Path) -> bool:
    """Whether ``out`` holds no pack yet, so that a run certainly has notebooks to execute."""
    return not any(out.glob("*/*/manifest.json"))


def _print_timings(summary: RunSummary, wall: float) -> None:
    """Where each report's time went: kernel start (or reset), execution, HTML, PDF; and the run's wall time."""
    steps = ("kernel", "execute", "html", "pdf")
    print("Timings (seconds):")
    print(f"  {'cycle':<12} {'report':<22} " + " ".join(f"{s:>8}" for s in steps))
    totals = dict.fromkeys(steps, 0.0)
    for cycle in summary.cycles:
        if cycle.status is Status.UP_TO_DATE:
            continue
        for n in cycle.notebooks:
            print(f"  {cycle.cycle:<12} {n.report:<22} " + " ".join(f"{n.phases.get(s, 0.0):8.2f}" for s in steps))
            for s in steps:
                totals[s] += n.phases.get(s, 0.0)
    print(f"  {'all':<12} {'':<22} " + " ".join(f"{totals[s]:8.2f}" for s in steps))
    busy = sum(totals.values())
    print(f"  wall time of the run {wall:.2f} s; the steps above add up to {busy:.2f} s of worker time "
          "(the rest: validation, fingerprints, worker start, publishing)")


def _watch(workspace: Path | str, args: argparse.Namespace) -> int:
    """Run, then run again after each change to the workspace's files, until Ctrl-C (exit 0).

    Each run re-validates: bad input is printed as ``pmo validate`` prints it and the
    packs stay as they were; the next change tries again. Fingerprints make a rerun
    rebuild only the cycles the change affects. ``--watch-max-runs N`` (for tests)
    stops after N runs that follow a change.
    """
    from .running.watch import workspace_changes

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each line as it happens
    folder = Path(workspace).expanduser().resolve()
    limit = args.watch_max_runs

    def once() -> None:
        args.watch = False
        try:
            _run(folder, args)
        except InputError as exc:
            _print_problems(exc)
            print("The last good reports stay as they were; fix the input and save to run again.", flush=True)
        except PmoError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
        finally:
            args.watch = True
        print(f"Watching {folder} for changes (Ctrl-C to stop)", flush=True)

    runs = 0
    try:
        changes = workspace_changes(folder, ignore=[Path(args.out)])
        next(changes)  # the watcher is set up: what changes during the first run comes in its first batch
        once()
        if limit is not None and limit <= 0:
            return EXIT_OK
        for changed in changes:
            if not changed:
                continue
            shown = ", ".join(str(p.relative_to(folder)) if p.is_relative_to(folder) else str(p) for p in changed[:5])
            print(f"Changed: {shown}{' …' if len(changed) > 5 else ''}", flush=True)
            once()
            runs += 1
            if limit is not None and runs >= limit:
                break
    except KeyboardInterrupt:
        print("Stopped watching.", flush=True)
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    if args.pull:
        _cmd_pull(args)
    return _run(args.workspace, args)


def _cmd_notebook_new(args: argparse.Namespace) -> int:
    from .running.notebooks import new_notebook

    path, manual = new_notebook(args.workspace, args.name)
    print(f"Wrote {path}")
    config = Path(args.workspace) / "pmo.yaml"
    if manual is None:
        print(f"Listed it under notebooks: in {config}; pmo run runs it after the kit's reports.")
    else:
        print(f"Add it to {config} so that pmo run runs it:\n  {manual}")
    print(f"Open it with JupyterLab; see which cells reach the client with: pmo check {args.workspace}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from .running.notebooks import check_notebooks_of

    checks, outputs = check_notebooks_of(args.workspace, executed=args.executed, out=args.out)
    print(f"Notebooks of {Path(args.workspace).resolve()}"
          + (f"; outputs from {outputs}" if outputs is not None else "; sources only (no executed notebooks found)"))
    print("Cells are numbered as JupyterLab shows them. Markdown cells reach the client, and code cells with what "
          "they display; print(), standard error and warnings never do.")
    for check in checks:
        for line in check.lines():
            print(line)
    stray = sum(len(c.stray) for c in checks)
    if stray:
        print(f"{stray} {'cell carries' if stray == 1 else 'cells carry'} stray output (print, standard error, warnings). It never "
              "reaches the client report: the run keeps it in the pack's logs and the report's data-quality appendix "
              "counts it. Tag such cells remove-cell, or show results with the display helpers instead.")
        return STRAY_OUTPUT
    print("Clean: no cell carries stray output.")
    return EXIT_OK


def _cmd_benchmark_export(args: argparse.Namespace) -> int:
    """Write one cycle's anonymised peer rows: the organisation's hash, sector, cycle and dimension scores only."""
    from .analysis.benchmark import benchmark_export
    from .analysis.maturity import point_scores
    from .inputs.exceptions import Problem
    from .inputs.workspace import load_workspace

    ws = load_workspace(args.workspace)
    if args.cycle is not None and args.cycle not in ws.cycles:
        raise InputError([Problem(ws.source("cycles"), "cycles", f"--cycle names a cycle that is not in the cycles "
                                  f"table; known cycles: {', '.join(ws.cycles)}", column="cycle", value=args.cycle)],
                         workspace=ws.path)
    cycle = ws.cycle(args.cycle)
    answers = cycle.rows("assessment")
    if answers["score"].notna().sum() == 0:
        raise InputError([Problem(ws.source("assessment"), "assessment", f"cycle {cycle.name} has no questionnaire "
                                  "answers to export", column="cycle", value=cycle.name)], workspace=ws.path)
    rows = benchmark_export(point_scores(answers, ws.model, options=ws.config.maturity), organisation=ws.config.organisation, cycle=cycle.name,
                            sector=ws.config.sector)
    text = rows.to_csv(index=False, lineterminator="\n")
    if args.out in (None, "-"):
        sys.stdout.write(text)
    else:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"Wrote {len(rows)} rows of {cycle.name} to {out}", file=sys.stderr)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from .inputs.sample import create_sample_workspace

    target = Path(args.workspace)
    if not (target / "pmo.yaml").is_file():
        create_sample_workspace(target)
        print(f"Generated the sample workspace in {target}")
    else:
        print(f"Using the sample workspace in {target}")
    return _run(target, args)


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cycle", action="append", metavar="C",
                        help="run this planning cycle (repeatable); default: every cycle")
    parser.add_argument("--all-cycles", action="store_true", help="run every cycle (the default)")
    parser.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports/)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="notebooks run at the same time on this machine (default: 1)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on a Dask distributed cluster, e.g. tcp://host:8786 (see the README)")
    parser.add_argument("--fresh-kernels", action="store_true",
                        help="start a new kernel for every notebook instead of resetting a warm one")
    parser.add_argument("--format", default=None, metavar="LIST",  # None: every format of the runner
                        help="output formats, comma-separated: html,pdf (default: both)")
    parser.add_argument("--timeout", type=int, default=600, metavar="S", help="seconds a cell may run (default: 600)")
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel name (default: python3)")
    parser.add_argument("--with-code", action="store_true", help="also write an HTML variant that shows the code")
    parser.add_argument("--watch", action="store_true",
                        help="keep running: after each change to the workspace's files, validate again and rebuild "
                             "the cycles the change affects; bad input is printed and the last good reports stay; "
                             "Ctrl-C stops")
    parser.add_argument("--timings", action="store_true",
                        help="print where each report's time went (kernel start, execution, HTML, PDF)")
    parser.add_argument("--watch-max-runs", type=int, default=None, help=argparse.SUPPRESS)  # tests: stop after N
    parser.add_argument("--force", action="store_true",
                        help="rebuild every cycle; by default a cycle whose inputs (data as seen at its end, "
                             "pmo.yaml, knowledge files, notebooks, kit version, options) are unchanged since its "
                             "pack was made is kept as it is and shown as 'up to date'")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pmo", description="PMO Playbook Kit: maturity, KPI and governance reports.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="create a new workspace from the templates")
    p.add_argument("directory")
    p.add_argument("--organisation", help="organisation name for pmo.yaml (default: from the folder name)")
    p.set_defaults(func=_cmd_init)
    p = sub.add_parser("validate", help="check a workspace and list every problem")
    p.add_argument("workspace")
    p.set_defaults(func=_cmd_validate)
    p = sub.add_parser("questionnaire", help="write the questionnaire again from pmo.yaml "
                                             "(organisation, branding, deadline, roles)")
    p.add_argument("workspace")
    p.set_defaults(func=_cmd_questionnaire)
    p = sub.add_parser("collect-responses", help="merge returned questionnaire workbooks into the assessment table")
    p.add_argument("workspace")
    p.add_argument("folder", help="folder of returned questionnaire workbooks (*.xlsx)")
    p.add_argument("--cycle", help="cycle the answers belong to (default: the latest of the cycles table)")
    p.set_defaults(func=_cmd_collect)
    p = sub.add_parser("status", help="engagement checklist: tables filled, questionnaires returned, "
                                      "what validate would say")
    p.add_argument("workspace")
    p.add_argument("--cycle", help="cycle whose returned questionnaires to count (default: the latest)")
    p.set_defaults(func=_cmd_status)
    p = sub.add_parser("pull", help="read the sources pmo.yaml names into data/ (a snapshot, with data/_sources.json)")
    p.add_argument("workspace")
    p.set_defaults(func=_cmd_pull)
    p = sub.add_parser("run", help="produce the reports of a workspace")
    p.add_argument("workspace")
    p.add_argument("--pull", action="store_true", help="pull the sources pmo.yaml names first (see pmo pull)")
    _add_run_options(p)
    p.set_defaults(func=_cmd_run)
    p = sub.add_parser("notebook", help="the workspace's own notebooks")
    notebook = p.add_subparsers(dest="notebook_command", required=True)
    n = notebook.add_parser("new", help="write a starter notebook into WORKSPACE/notebooks/ and list it in pmo.yaml")
    n.add_argument("workspace")
    n.add_argument("name", help="file name without .ipynb, e.g. 04_claims_focus")
    n.set_defaults(func=_cmd_notebook_new)
    p = sub.add_parser("check", help="list, per notebook, which cells reach the client and which carry stray output")
    p.add_argument("workspace")
    p.add_argument("--executed", metavar="PATH",
                   help="read outputs from these executed notebooks (a cycle's pack folder, or one .ipynb); "
                        "default: the last pack under --out, if any")
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder of the runs (default: reports/)")
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("benchmark", help="the peer benchmark: anonymised maturity scores to compare organisations")
    benchmark = p.add_subparsers(dest="benchmark_command", required=True)
    b = benchmark.add_parser("export", help="write one cycle's anonymised peer rows (a hash of the organisation's "
                                            "name, sector, cycle, dimension scores, respondent counts) as CSV")
    b.add_argument("workspace")
    b.add_argument("--cycle", metavar="C", help="cycle to export (default: the latest)")
    b.add_argument("--out", metavar="FILE", help="CSV file to write (default: standard output)")
    b.set_defaults(func=_cmd_benchmark_export)
    p = sub.add_parser("demo", help="generate the sample organisation and produce its reports")
    p.add_argument("--workspace", default="examples/sample-org", help="where to write the sample workspace")
    _add_run_options(p)
    p.set_defaults(func=_cmd_demo)
    return parser


def _stop_on_sigterm() -> None:
    """Treat SIGTERM (a scheduler stopping the job) like Ctrl-C, so the same clean-up runs."""
    import signal

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        pass


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pmo`` command."""
    args = build_parser().parse_args(argv)
    _stop_on_sigterm()
    try:
        return args.func(args)
    except InputError as exc:
        _print_problems(exc)
        return exc.exit_code
    except PmoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        interrupted = RunInterrupted()
        print(interrupted, file=sys.stderr)
        return interrupted.exit_code


if __name__ == "__main__":
    sys.exit(main())
