"""The runner: execute, render and publish every report of every cycle.

A cycle's pack is built in a temporary folder next to its final place and
moved there only when complete, so an interrupted or failed run never
destroys the previous good pack. A lock file refuses a second run on the same
output folder.

Exit codes (also those of ``pmo run``):

== =====================================================================
0  every report of every cycle was produced
1  another error the kit reports (bad option, unknown cycle)
2  the workspace has input problems; nothing ran
3  at least one notebook failed; the other reports were still produced
4  another run holds the lock on the output folder
130 interrupted (Ctrl-C); finished cycles are kept, the rest untouched
== =====================================================================
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from . import __version__
from .exceptions import NotebookFailure, PmoError, RunLockedError
from .resources import NOTEBOOKS, NOTEBOOKS_DIR, REPORT_TITLES
from .workspace import RUN_CACHE_ENV, Workspace, file_sha256, load_workspace, write_run_cache

FORMATS = ("html", "pdf")
PACKAGES = ("pmo-playbook-kit", "pandas", "numpy", "scipy", "matplotlib", "seaborn", "papermill",
            "nbconvert", "nbclient", "ipykernel", "weasyprint", "pandera", "pydantic", "openpyxl")
EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_NOTEBOOK, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


def slugify(text: str, *, fallback: str = "item") -> str:
    """A safe folder name: lower-case ASCII letters, digits and dashes.

    ``../`` and absolute paths cannot survive it, so output stays inside
    ``--out``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80] or fallback


@dataclass
class NotebookResult:
    report: str
    notebook: str
    status: str  # "ok" or "failed"
    seconds: float
    error: dict | None = None
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class CycleResult:
    cycle: str
    slug: str
    folder: str
    status: str
    notebooks: list[NotebookResult]

    @property
    def failures(self) -> list[NotebookFailure]:
        return [NotebookFailure(n.notebook, n.error.get("cell"), n.error["ename"], n.error["evalue"],
                                Path(self.folder) / n.outputs.get("ipynb", ""), n.error.get("source", ""))
                for n in self.notebooks if n.status != "ok" and n.error]


@dataclass
class RunSummary:
    """What a run produced.

    Attributes
    ----------
    organisation_dir : Path
        ``<out>/<org-slug>``.
    index : Path
        The cycle index page.
    cycles : list of CycleResult
    exit_code : int
    """

    organisation_dir: Path
    index: Path
    cycles: list[CycleResult]
    exit_code: int

    @property
    def failures(self) -> list[NotebookFailure]:
        return [f for c in self.cycles for f in c.failures]


# --------------------------------------------------------------------------- lock

class _Lock:
    def __init__(self, folder: Path) -> None:
        self.path = folder / ".pmo-run.lock"

    def __enter__(self) -> _Lock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                if self._stale():
                    self.path.unlink(missing_ok=True)
                    continue
                raise RunLockedError(
                    f"another run is writing to {self.path.parent} (lock file {self.path}, "
                    f"{self.path.read_text().strip() or 'no owner recorded'}); wait for it to finish, "
                    "or delete the lock file if no run is active") from None
            with os.fdopen(fd, "w") as fh:
                fh.write(f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}\n")
            return self
        raise RunLockedError(f"cannot take the lock {self.path}")

    def _stale(self) -> bool:
        try:
            pid = int(self.path.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- one cycle

def _package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _failure_of(exc: Exception, nb_path: Path) -> dict:
    """Where a notebook failed: cell position (1-based, as the analyst sees the notebook), name and value.

    Timeouts and dead kernels carry no cell, so the executed notebook is read
    for the cell papermill marked as running or failed.
    """
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = str(getattr(exc, "evalue", str(exc))).strip()
    cell, source = _failing_cell(nb_path)
    return {"cell": cell, "source": source, "ename": str(ename),
            "evalue": evalue.splitlines()[0][:500] if evalue else "", "executed_notebook": nb_path.name}


def _failing_cell(nb_path: Path) -> tuple[int | None, str]:
    """Position and first source line of the cell that failed, counting the notebook's own cells."""
    import nbformat

    if not nb_path.exists():
        return None, ""
    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except Exception:  # a half-written notebook is no reason to hide the failure itself
        return None, ""
    own = [c for c in nb.cells if not {"papermill-error-cell-tag", "injected-parameters"}
           & set(c.get("metadata", {}).get("tags", []))]
    started = [(position, c) for position, c in enumerate(own, start=1) if c.cell_type == "code"
               and c.get("metadata", {}).get("papermill", {}).get("start_time")]
    failed = [(p, c) for p, c in started if c.metadata["papermill"].get("exception")]
    if not (failed or started):
        return None, ""
    position, c = (failed or started)[-1]  # after a timeout or a dead kernel: the last cell that started
    first = next((line for line in c.source.splitlines() if line.strip()), "")
    return position, first[:120]


@contextlib.contextmanager
def _kernel_output(log: Path):
    """Send what the kernel and papermill print to ``log`` instead of the terminal.

    Kernels inherit the process's file descriptors, so the redirection is
    done at descriptor level and undone afterwards.
    """
    import logging

    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    handler = logging.FileHandler(log, encoding="utf-8")
    papermill_log = logging.getLogger("papermill")
    papermill_log.addHandler(handler)
    papermill_log.propagate = False
    try:
        with open(log, "ab") as fh:
            os.dup2(fh.fileno(), 1)
            os.dup2(fh.fileno(), 2)
            yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)
        papermill_log.removeHandler(handler)
        papermill_log.propagate = True
        handler.close()


def _run_one_cycle(job: dict) -> dict:
    """Execute and render every report of one cycle into ``job['tmp']``.

    Runs in a worker process; returns plain data.
    """
    tmp = Path(job["tmp"])
    results_dir = tmp / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    previous_cache = os.environ.get(RUN_CACHE_ENV)
    os.environ[RUN_CACHE_ENV] = job["cache"]  # kernels inherit it and skip re-validating the workspace
    try:
        return {"cycle": job["cycle"], "notebooks": _run_notebooks(job, tmp, results_dir)}
    finally:
        if previous_cache is None:
            os.environ.pop(RUN_CACHE_ENV, None)
        else:
            os.environ[RUN_CACHE_ENV] = previous_cache


def _run_notebooks(job: dict, tmp: Path, results_dir: Path) -> list[dict]:
    import nbformat
    import papermill as pm

    from .render import logo_data_uri, render_html, render_pdf

    notebooks = []
    for report, nb_name in NOTEBOOKS.items():
        executed = tmp / nb_name
        started = time.perf_counter()
        error = None
        try:
            with _kernel_output(tmp / "logs" / f"{report}.log"):
                pm.execute_notebook(
                    str(Path(job["notebooks_dir"]) / nb_name), str(executed),
                    parameters={"workspace": job["workspace"], "cycle": job["cycle"],
                                "results_dir": str(results_dir)},
                    kernel_name=job["kernel"], execution_timeout=job["timeout"], progress_bar=False,
                    log_output=False, cwd=job["notebooks_dir"], report_mode=False,
                )
        except Exception as exc:  # papermill raises its own errors and nbclient's timeouts and deaths
            error = _failure_of(exc, executed)
        seconds = time.perf_counter() - started
        outputs = {"ipynb": nb_name} if executed.exists() else {}
        if executed.exists():
            nb = nbformat.read(str(executed), as_version=4)
            context = {**job["context"], "title": REPORT_TITLES[report], "failure": error,
                       "logo": logo_data_uri(Path(job["logo"])) if job["logo"] else None}
            stem = nb_name.removesuffix(".ipynb")
            html = render_html(nb, context=context)
            if "html" in job["formats"]:
                (tmp / f"{stem}.html").write_text(html, encoding="utf-8")
                outputs["html"] = f"{stem}.html"
            if "pdf" in job["formats"]:
                render_pdf(html, tmp / f"{stem}.pdf")
                outputs["pdf"] = f"{stem}.pdf"
            if job["with_code"]:
                (tmp / f"{stem}.code.html").write_text(render_html(nb, context=context, with_code=True),
                                                       encoding="utf-8")
                outputs["code_html"] = f"{stem}.code.html"
        notebooks.append(asdict(NotebookResult(report, nb_name, "failed" if error else "ok",
                                               round(seconds, 2), error, outputs)))
    return notebooks


def _publish(tmp: Path, final: Path, failed_dir: Path, ok: bool) -> Path:
    """Move a finished pack into place without ever losing the last good pack."""
    if not ok and final.exists():
        # keep the previous good pack; park the failed attempt beside it
        shutil.rmtree(failed_dir, ignore_errors=True)
        failed_dir.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, failed_dir)
        return failed_dir
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(failed_dir, ignore_errors=True)
    return final


# --------------------------------------------------------------------------- the run

def run_workspace(workspace: str | Path | Workspace | None, *, cycles: list[str] | None = None,
                  out: str | Path = "reports", jobs: int = 1, formats: tuple[str, ...] = FORMATS,
                  timeout: int = 600, kernel_name: str = "python3", with_code: bool = False,
                  progress: bool | None = None) -> RunSummary:
    """Produce every report of the requested cycles, and the cycle index.

    Parameters
    ----------
    workspace : path, Workspace or None
        The workspace; ``None`` is the bundled sample organisation.
    cycles : list of str, optional
        Cycles to run; default every cycle.
    out : path
        Output folder; reports go to ``<out>/<org-slug>/<cycle-slug>/``.
    jobs : int
        Cycles run in parallel.
    formats : tuple of str
        Any of ``"html"`` and ``"pdf"``.
    timeout : int
        Seconds a single cell may run.
    kernel_name : str
        Jupyter kernel that executes the notebooks.
    with_code : bool
        Also write an HTML variant with code, for analysts.
    progress : bool, optional
        Show a progress bar; default when standard error is a terminal.

    Returns
    -------
    RunSummary
        Its ``exit_code`` is 0, or 3 when a notebook failed.

    Raises
    ------
    InputError
        Before anything runs, when the workspace has problems.
    RunLockedError
        When another run writes to the same output folder.
    """
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise PmoError(f"--format {','.join(formats)!s} is not valid; choose from html, pdf (comma-separated)")
    if jobs < 1:
        raise PmoError(f"--jobs must be 1 or more, got {jobs}")
    selected = [ws.resolve_cycle(c) for c in cycles] if cycles else list(ws.cycles)
    selected = list(dict.fromkeys(selected))
    org_dir = Path(out).resolve() / slugify(ws.config.organisation, fallback="organisation")
    slugs = _cycle_slugs(ws.cycles)
    context = {"organisation": ws.config.organisation, "date": dt.date.today().isoformat(),
               "primary_colour": ws.config.branding.primary_colour, "kit_version": __version__}
    logo = str((ws.path / ws.config.branding.logo).resolve()) if ws.config.branding.logo else None
    inputs = {str(p.relative_to(ws.path)) if p.is_relative_to(ws.path) else str(p): file_sha256(p)
              for p in ws.files}
    results: list[CycleResult] = []
    with _Lock(org_dir):
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=org_dir))
        cache = write_run_cache(ws, staging / "workspace.pickle")
        try:
            jobs_data = []
            for cycle in selected:
                tmp = staging / slugs[cycle]
                tmp.mkdir()
                jobs_data.append({"cycle": cycle, "tmp": str(tmp), "workspace": str(ws.path), "cache": str(cache),
                                  "notebooks_dir": str(NOTEBOOKS_DIR), "kernel": kernel_name,
                                  "timeout": timeout, "formats": tuple(formats), "with_code": with_code,
                                  "context": {**context, "cycle": cycle}, "logo": logo})
            show = sys.stderr.isatty() if progress is None else progress
            for job, outcome in _execute(jobs_data, jobs=jobs, progress=show):
                tmp = Path(job["tmp"])
                ok = all(n["status"] == "ok" for n in outcome["notebooks"])
                manifest = {
                    "kit_version": __version__, "organisation": ws.config.organisation, "cycle": job["cycle"],
                    "status": "ok" if ok else "failed",
                    "finished": dt.datetime.now().isoformat(timespec="seconds"),
                    "parameters": {"workspace": str(ws.path), "cycle": job["cycle"], "kernel": kernel_name,
                                   "timeout": timeout, "formats": list(formats)},
                    "inputs": inputs, "packages": _package_versions(),
                    "notebooks": outcome["notebooks"],
                    "warnings": [p.format() for p in ws.warnings],
                }
                (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
                final = _publish(tmp, org_dir / slugs[job["cycle"]], org_dir / "_failed" / slugs[job["cycle"]], ok)
                results.append(CycleResult(job["cycle"], slugs[job["cycle"]], str(final),
                                           manifest["status"], [NotebookResult(**n) for n in outcome["notebooks"]]))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        from .index import write_index
        _write_templates(org_dir, ws)
        index = write_index(org_dir, ws)
    code = EXIT_NOTEBOOK if any(c.status != "ok" for c in results) else EXIT_OK
    results.sort(key=lambda r: ws.cycles.index(r.cycle))
    return RunSummary(org_dir, index, results, code)


def _write_templates(org_dir: Path, ws: Workspace) -> None:
    """Write the consultant's templates next to the reports, for the playbook to link to."""
    from .questionnaire import write_questionnaire, write_questionnaire_pdf
    from .scaffold import write_input_workbook

    folder = org_dir / "templates"
    folder.mkdir(exist_ok=True)
    write_input_workbook(folder / "input_workbook.xlsx")
    write_questionnaire(ws.model, folder / "questionnaire.xlsx")
    write_questionnaire_pdf(ws.model, folder / "questionnaire.pdf")


def _cycle_slugs(cycles: list[str]) -> dict[str, str]:
    slugs: dict[str, str] = {}
    for cycle in cycles:
        slug = slugify(cycle, fallback="cycle")
        while slug in slugs.values() or slug.startswith("_"):
            slug += "-x"
        slugs[cycle] = slug
    return slugs


def _execute(jobs_data: list[dict], *, jobs: int, progress: bool):
    """Run cycle jobs, in worker processes when ``jobs`` > 1, yielding as each ends."""
    from tqdm import tqdm

    bar = tqdm(total=len(jobs_data), unit="cycle", desc="reports", disable=not progress, file=sys.stderr)
    try:
        if jobs == 1 or len(jobs_data) == 1:
            for job in jobs_data:
                bar.set_postfix_str(job["cycle"])
                yield job, _run_one_cycle(job)
                bar.update()
            return
        import multiprocessing as mp

        with ProcessPoolExecutor(max_workers=min(jobs, len(jobs_data)), mp_context=mp.get_context("spawn")) as pool:
            futures = {pool.submit(_run_one_cycle, job): job for job in jobs_data}
            try:
                for future in as_completed(futures):
                    job = futures[future]
                    bar.set_postfix_str(job["cycle"])
                    yield job, future.result()
                    bar.update()
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    finally:
        bar.close()
