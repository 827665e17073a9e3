"""The runner: execute, render and publish every report of every cycle.

A cycle's pack is built in a temporary folder next to its final place and
moved there only when complete, so an interrupted or failed run never
destroys the previous good pack. A lock file refuses a second run on the same
output folder.

A run's exit code (also that of ``pmo run``) is the ``exit_code`` of the error
class that describes it, listed in :mod:`pmo_lib.inputs.exceptions`: 0 when every
report was produced, :class:`~pmo_lib.inputs.exceptions.NotebookError`'s when a
notebook failed.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import TracebackType

from ..inputs.exceptions import EXIT_OK, Failure, NotebookError, PmoError, RunLockedError
from ..inputs.resources import NOTEBOOKS, __version__
from ..inputs.workspace import Workspace, file_sha256, load_workspace, write_run_cache
from ..inputs.sources import manifest_snapshot
from ..reporting.index import _cycle_slugs, slugify, write_index  # noqa: F401  (slugify: re-exported)
from ..reporting.render import logo_data_uri
from .contracts import EXECUTE, RENDER, Backend, Manifest, Outcome, Status, Task, TaskResult
from .fingerprint import common_parts, fingerprint, fingerprint_parts
from .notebooks import report_notebooks
from .scheduling import Dask, InProcess, Processes, schedule

FORMATS = ("html", "pdf")
PACKAGES = ("pmo-playbook-kit", "pandas", "numpy", "scipy", "matplotlib", "seaborn", "papermill",
            "nbconvert", "nbclient", "ipykernel", "weasyprint", "pandera", "pydantic", "openpyxl")
# The governance report and the playbook reuse the maturity and KPI results of their cycle.
UPSTREAM = {"governance": ("maturity", "kpis"), "playbook": ("maturity", "kpis")}


@dataclass(frozen=True)
class CycleResult:
    """One cycle's pack: where it was published, and how each notebook ended."""

    cycle: str
    slug: str
    folder: str
    status: Status
    notebooks: list[Outcome]

    @property
    def failures(self) -> list[Failure]:
        """The failed notebooks, each with the path its executed notebook was kept at."""
        return [dataclasses.replace(n.failure, executed_path=Path(self.folder) / n.outputs["ipynb"]
                                    if "ipynb" in n.outputs else None)
                for n in self.notebooks if n.failure is not None]


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
        0, or the exit code of :attr:`error`.
    """

    organisation_dir: Path
    index: Path
    cycles: list[CycleResult]
    exit_code: int

    @property
    def failures(self) -> list[Failure]:
        return [f for c in self.cycles for f in c.failures]

    @property
    def error(self) -> NotebookError | None:
        """What failed, as the error the command line reports; None when every notebook ran."""
        failures = self.failures
        return NotebookError(failures) if failures else None


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

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
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
                  progress: bool | None = None, scheduler: str | None = None,
                  reuse_kernels: bool = True, force: bool = False,
                  workers: Processes | None = None) -> RunSummary:
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
        Notebooks run at the same time in local worker processes.
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
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``): run
        one task per notebook on its workers instead of local processes.
    reuse_kernels : bool
        Reset and reuse a worker's kernel between notebooks (the default)
        rather than start a new one for each.
    force : bool
        Rebuild every requested cycle. By default a cycle whose pack is complete,
        did not fail and records the fingerprint the cycle has now
        (:mod:`pmo_lib.running.fingerprint`) is kept untouched and reported with
        the status ``up to date``.
    workers : Processes, optional
        Local worker processes started beforehand (:func:`start_workers`), so that their kernels
        started while the workspace was validated; used for ``jobs`` > 1 without a scheduler, and
        closed when the run ends either way.

    Returns
    -------
    RunSummary
        Its ``cycles`` say which packs were built and which kept (``Status.UP_TO_DATE``).
        When every pack is up to date nothing under ``out`` is written. Its ``exit_code`` is 0, or :class:`NotebookError`'s (3) when a notebook failed.

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
    logo = logo_data_uri((ws.path / ws.config.branding.logo).resolve()) if ws.config.branding.logo else None
    context = {"organisation": ws.config.organisation, "date": dt.date.today().isoformat(),
               "primary_colour": ws.config.branding.primary_colour, "kit_version": __version__, "logo": logo,
               "language": ws.config.language, "locale": ws.config.locale}  # the renderer needs no pmo.yaml
    inputs = {str(p.relative_to(ws.path)) if p.is_relative_to(ws.path) else str(p): file_sha256(p)
              for p in ws.files}
    parameters = {"workspace": str(ws.path), "kernel": kernel_name, "timeout": timeout, "formats": list(formats),
                  "scheduler": scheduler or "local", "jobs": None if scheduler else jobs,
                  "reuse_kernels": reuse_kernels}
    results: list[CycleResult] = []
    plan = report_notebooks(ws)
    sources = {nb.report: nb.read() for nb in plan}
    shared = common_parts(ws, notebooks={r: sha for r, (_, sha) in sources.items()},
                          parameters={**parameters, "with_code": with_code})
    parts = {c: fingerprint_parts(ws, ws.cycle(c), notebooks={}, parameters={}, common=shared) for c in selected}
    prints = {c: fingerprint(p) for c, p in parts.items()}
    with _Lock(org_dir):
        kept = [] if force else [c for c in selected if _up_to_date(org_dir, slugs[c], prints[c])]
        for cycle in kept:
            manifest = Manifest.read(org_dir / slugs[cycle])
            results.append(CycleResult(cycle, slugs[cycle], str(org_dir / slugs[cycle]), Status.UP_TO_DATE,
                                       list(manifest.notebooks)))
        todo = [c for c in selected if c not in kept]
        if workers is None and todo and scheduler is None and jobs > 1 and reuse_kernels:
            workers = start_workers(jobs, kernel_name)  # their kernels start while the run's files are written
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=org_dir)) if todo else None
        try:
            remote = scheduler is not None
            cache = write_run_cache(ws, staging / "workspace.pickle", snapshot=remote) if staging else Path()
            tasks: list[Task] = []
            for cycle in todo:
                assert staging is not None
                (staging / slugs[cycle]).mkdir()
                executions = []
                for nb in plan:
                    # the kit's reports reuse each other's results; a workspace's own notebook runs after them all
                    after = UPSTREAM.get(nb.report, ()) if nb.report in NOTEBOOKS else tuple(NOTEBOOKS)
                    source, sha256 = sources[nb.report]
                    executions.append(Task(
                        cycle=cycle, slug=slugs[cycle], report=nb.report, notebook=nb.name, source=source,
                        workspace=str(ws.path), cache=str(cache), cwd=str(nb.path.parent),
                        folder=None if remote else str(staging / slugs[cycle]),
                        after=tuple((cycle, r) for r in after if r in NOTEBOOKS),
                        kernel=kernel_name, timeout=timeout, formats=tuple(formats), with_code=with_code,
                        reuse_kernels=reuse_kernels,
                        context={**context, "cycle": cycle, "as_of": _as_of(ws, cycle)},
                        path=str(nb.path), origin=nb.origin, title=nb.title, sha256=sha256))
                # a cycle's executions first: the reports that reuse results start while PDFs are printed
                tasks += executions + [t.rendering() for t in executions]
            backend: Backend
            if not tasks:
                backend = InProcess()
            elif scheduler is not None:
                backend = Dask(scheduler, cache.read_bytes())
            elif jobs > 1 and len(tasks) > 1:
                backend = workers if workers is not None and workers.capacity == jobs else Processes(jobs)
            else:
                backend = InProcess()
            if workers is not None and backend is not workers:
                workers.close()
            # the consultant's templates are printed while the notebooks run
            templates = _in_background(_write_templates, org_dir, ws) if tasks or not (org_dir / "templates").is_dir() \
                else None
            show = sys.stderr.isatty() if progress is None else progress
            try:
                # What every cycle's manifest shares; each cycle adds its own status, notebooks and time.
                common = Manifest(cycle="", status=Status.OK, notebooks=(), kit_version=__version__,
                                  organisation=ws.config.organisation, parameters=parameters, inputs=inputs,
                                  packages=_package_versions(), warnings=tuple(p.format() for p in ws.warnings),
                                  snapshot=manifest_snapshot(ws))
                # ... and its own warnings: the data as it stood at the cycle's end, as its reports show them
                warned = {c: tuple(p.format() for p in ws.warnings_for(c)) for c in todo}
                for cycle, done in _by_cycle(schedule(tasks, backend), tasks, progress=show):
                    assert staging is not None
                    results.append(_finish_cycle(cycle, done, staging / slugs[cycle], org_dir, dataclasses.replace(
                        common, warnings=warned[cycle], fingerprint=prints[cycle], fingerprint_parts=parts[cycle])))
            finally:
                backend.close()
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
        index = org_dir / "index.html"
        if templates is not None:  # nothing rebuilt: every file stays as it was
            templates.result()
        if todo or not index.is_file():
            index = write_index(org_dir, ws, kept=kept)
    code = NotebookError.exit_code if any(c.status is Status.FAILED for c in results) else EXIT_OK
    results.sort(key=lambda r: ws.cycles.index(r.cycle))
    return RunSummary(org_dir, index, results, code)


def _finish_cycle(cycle: str, done: list[TaskResult], tmp: Path, org_dir: Path, common: Manifest) -> CycleResult:
    """Write what the workers sent back and the manifest into the cycle's staging folder, then publish it."""
    for result in done:
        for relative, data in result.files.items():
            (tmp / relative).parent.mkdir(parents=True, exist_ok=True)
            (tmp / relative).write_bytes(data)
    outcomes = [r.outcome for r in done]
    ok = all(o.ok for o in outcomes)
    manifest = dataclasses.replace(common, cycle=cycle, status=Status.OK if ok else Status.FAILED,
                                   finished=dt.datetime.now().isoformat(timespec="seconds"),
                                   parameters={**common.parameters, "cycle": cycle}, notebooks=tuple(outcomes))
    manifest.write(tmp)
    final = _publish(tmp, org_dir / tmp.name, org_dir / "_failed" / tmp.name, ok)
    return CycleResult(cycle, tmp.name, str(final), manifest.status, outcomes)


def start_workers(jobs: int, kernel_name: str = "python3") -> Processes:
    """Start ``jobs`` local worker processes, each starting a warm kernel, for :func:`run_workspace`'s ``workers``."""
    return Processes(jobs, warm=kernel_name)


def _in_background(fn: Callable[..., object], *args: object) -> Future[object]:
    """Run ``fn`` in a thread of its own; its ``result()`` waits for it and raises what it raised."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pmo-background")
    try:
        return pool.submit(fn, *args)
    finally:
        pool.shutdown(wait=False)


def _up_to_date(org_dir: Path, slug: str, fingerprint: str) -> bool:
    """Whether a cycle's pack can be kept: complete, not failed, and made from the inputs it would be made from now.

    A cycle whose last attempt failed (a pack parked under ``_failed``) is always rebuilt.
    """
    folder = org_dir / slug
    if (org_dir / "_failed" / slug).exists():
        return False
    try:
        manifest = Manifest.read(folder)
    except (OSError, ValueError, KeyError):
        return False
    if not manifest.ok or not manifest.fingerprint or manifest.fingerprint != fingerprint:
        return False
    files = [folder / name for n in manifest.notebooks for name in n.outputs.values()]
    return bool(manifest.notebooks) and all(n.ok for n in manifest.notebooks) and all(f.is_file() for f in files)


def _write_templates(org_dir: Path, ws: Workspace) -> None:
    """Write the consultant's templates next to the reports, for the playbook to link to."""
    from ..inputs.scaffold import write_input_workbook, write_questionnaire_files

    folder = org_dir / "templates"
    folder.mkdir(exist_ok=True)
    write_input_workbook(folder / "input_workbook.xlsx", model=ws.model, roles=ws.config.questionnaire.roles)
    write_questionnaire_files(ws.config, ws.model, ws.path, folder)


def _by_cycle(results: Iterable[tuple[Task, TaskResult]], tasks: list[Task], *,
              progress: bool) -> Iterator[tuple[str, list[TaskResult]]]:
    """Group finished tasks by cycle, yielding each cycle as soon as all its notebooks are executed and rendered.

    A notebook's two steps are joined into one result (:meth:`TaskResult.joined`).
    """
    from tqdm import tqdm

    expected: dict[str, int] = {}
    for task in tasks:
        expected[task.cycle] = expected.get(task.cycle, 0) + 1
    order = list(dict.fromkeys(task.report for task in tasks))  # the kit's reports, then the workspace's
    finished: dict[str, dict[tuple[str, str], TaskResult]] = {}
    rendered = [t for t in tasks if t.step == RENDER]
    bar = tqdm(total=len(rendered) or len(tasks), unit="report", desc="reports", disable=not progress,
               file=sys.stderr)
    try:
        for task, result in results:
            if task.step == RENDER or not rendered:
                bar.set_postfix_str(task.cycle)
                bar.update()
            done = finished.setdefault(task.cycle, {})
            done[task.key] = result
            if len(done) == expected[task.cycle]:
                joined = [done[t.key].joined(done[t.rendering().key])
                          for t in tasks if t.cycle == task.cycle and t.step == EXECUTE]
                yield task.cycle, sorted(joined, key=lambda r: order.index(r.report))
    finally:
        bar.close()


def _as_of(ws: Workspace, cycle: str) -> str:
    """The data's as-of date for a cycle's reports: the cycle's last day."""
    return ws.cycle(cycle).end.date().isoformat()
