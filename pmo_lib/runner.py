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

import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from . import __version__
from .exceptions import NotebookFailure, PmoError, RunLockedError
from .execute import NotebookResult, run_notebook
from .render import logo_data_uri
from .resources import NOTEBOOKS, NOTEBOOKS_DIR
from .workspace import Workspace, file_sha256, load_workspace, write_run_cache

FORMATS = ("html", "pdf")
PACKAGES = ("pmo-playbook-kit", "pandas", "numpy", "scipy", "matplotlib", "seaborn", "papermill",
            "nbconvert", "nbclient", "ipykernel", "weasyprint", "pandera", "pydantic", "openpyxl")
EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_NOTEBOOK, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
# The governance report and the playbook reuse the maturity and KPI results of their cycle.
UPSTREAM = {"governance": ("maturity", "kpis"), "playbook": ("maturity", "kpis")}


def slugify(text: str, *, fallback: str = "item") -> str:
    """A safe folder name: lower-case ASCII letters, digits and dashes.

    ``../`` and absolute paths cannot survive it, so output stays inside
    ``--out``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80] or fallback


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
                  reuse_kernels: bool = True) -> RunSummary:
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
    logo = logo_data_uri((ws.path / ws.config.branding.logo).resolve()) if ws.config.branding.logo else None
    context = {"organisation": ws.config.organisation, "date": dt.date.today().isoformat(),
               "primary_colour": ws.config.branding.primary_colour, "kit_version": __version__, "logo": logo}
    inputs = {str(p.relative_to(ws.path)) if p.is_relative_to(ws.path) else str(p): file_sha256(p)
              for p in ws.files}
    parameters = {"workspace": str(ws.path), "kernel": kernel_name, "timeout": timeout, "formats": list(formats),
                  "scheduler": scheduler or "local", "jobs": None if scheduler else jobs,
                  "reuse_kernels": reuse_kernels}
    results: list[CycleResult] = []
    with _Lock(org_dir):
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=org_dir))
        try:
            remote = scheduler is not None
            cache = write_run_cache(ws, staging / "workspace.pickle", snapshot=remote)
            tasks = []
            for cycle in selected:
                (staging / slugs[cycle]).mkdir()
                for report, nb_name in NOTEBOOKS.items():
                    tasks.append({
                        "cycle": cycle, "report": report, "notebook": nb_name,
                        "source": (NOTEBOOKS_DIR / nb_name).read_text(encoding="utf-8"),
                        "after": [(cycle, r) for r in UPSTREAM.get(report, ()) if r in NOTEBOOKS],
                        "folder": None if remote else str(staging / slugs[cycle]),
                        "workspace": str(ws.path), "cache": str(cache), "cwd": str(NOTEBOOKS_DIR),
                        "kernel": kernel_name, "timeout": timeout, "formats": tuple(formats),
                        "with_code": with_code, "reuse_kernels": reuse_kernels,
                        "context": {**context, "cycle": cycle}})
            if remote:
                backend = _Dask(scheduler, cache.read_bytes())
            else:
                backend = _Processes(jobs) if jobs > 1 and len(tasks) > 1 else _InProcess()
            show = sys.stderr.isatty() if progress is None else progress
            try:
                header = {"kit_version": __version__, "organisation": ws.config.organisation,
                          "parameters": parameters, "inputs": inputs, "packages": _package_versions(),
                          "warnings": [p.format() for p in ws.warnings]}
                for cycle, notebooks in _by_cycle(_schedule(tasks, backend), tasks, progress=show):
                    results.append(_finish_cycle(cycle, notebooks, staging / slugs[cycle], org_dir, header))
            finally:
                backend.close()
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        from .index import write_index
        _write_templates(org_dir, ws)
        index = write_index(org_dir, ws)
    code = EXIT_NOTEBOOK if any(c.status != "ok" for c in results) else EXIT_OK
    results.sort(key=lambda r: ws.cycles.index(r.cycle))
    return RunSummary(org_dir, index, results, code)


def _finish_cycle(cycle: str, notebooks: list[dict], tmp: Path, org_dir: Path, header: dict) -> CycleResult:
    """Write what the workers sent back and the manifest into the cycle's staging folder, then publish it."""
    for outcome in notebooks:
        for relative, data in outcome["files"].items():
            (tmp / relative).parent.mkdir(parents=True, exist_ok=True)
            (tmp / relative).write_bytes(data)
    records = [o["result"] for o in notebooks]
    ok = all(n["status"] == "ok" for n in records)
    manifest = {"kit_version": header["kit_version"], "organisation": header["organisation"], "cycle": cycle,
                "status": "ok" if ok else "failed", "finished": dt.datetime.now().isoformat(timespec="seconds"),
                "parameters": {**header["parameters"], "cycle": cycle}, "inputs": header["inputs"],
                "packages": header["packages"], "notebooks": records, "warnings": header["warnings"]}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    final = _publish(tmp, org_dir / tmp.name, org_dir / "_failed" / tmp.name, ok)
    return CycleResult(cycle, tmp.name, str(final), manifest["status"], [NotebookResult(**n) for n in records])


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



# --------------------------------------------------------------------------- scheduling

# A task whose worker process dies is run again up to this many times, as Dask's scheduler
# does by default (distributed.scheduler.allowed-failures).
LOST_WORKER_RETRIES = 3


def _by_cycle(outcomes, tasks: list[dict], *, progress: bool):
    """Group finished notebooks by cycle, yielding each cycle as soon as all its notebooks are done."""
    from tqdm import tqdm

    expected: dict[str, int] = {}
    for task in tasks:
        expected[task["cycle"]] = expected.get(task["cycle"], 0) + 1
    order = list(NOTEBOOKS)
    finished: dict[str, list[dict]] = {}
    bar = tqdm(total=len(tasks), unit="report", desc="reports", disable=not progress, file=sys.stderr)
    try:
        for task, outcome in outcomes:
            bar.set_postfix_str(task["cycle"])
            bar.update()
            done = finished.setdefault(task["cycle"], [])
            done.append(outcome)
            if len(done) == expected[task["cycle"]]:
                yield task["cycle"], sorted(done, key=lambda o: order.index(o["report"]))
    finally:
        bar.close()


def _lost(task: dict, exc: BaseException) -> dict:
    """A task that never returned (its worker died, or Dask gave up on it) counts as a failed notebook."""
    error = {"cell": None, "source": "", "ename": type(exc).__name__,
             "evalue": (str(exc).strip().splitlines() or [""])[0][:500], "executed_notebook": task["notebook"]}
    return {"cycle": task["cycle"], "report": task["report"], "files": {},
            "result": asdict(NotebookResult(task["report"], task["notebook"], "failed", 0.0, error))}


def _key(task: dict) -> tuple[str, str]:
    return task["cycle"], task["report"]


def _schedule(tasks: list[dict], backend):
    """Hand out tasks whose upstream tasks are done, earliest cycle first; yield each as it ends.

    The same loop drives local processes and Dask, so dependencies, retries and
    failures work alike: a task starts once its upstream tasks have ended, well
    or not (a governance report whose KPI notebook failed computes the KPIs
    itself); a task lost with its worker is tried again, then recorded as failed.
    """
    order = {_key(t): i for i, t in enumerate(tasks)}
    pending = list(tasks)
    done: dict[tuple[str, str], dict] = {}
    running: dict = {}
    attempts: dict[tuple[str, str], int] = {}
    try:
        while pending or running:
            ready = [t for t in pending if all(k in done for k in t["after"])]
            for task in ready[:max(backend.capacity - len(running), 0)]:
                pending.remove(task)
                upstream = [_recorded(done[k]) for k in task["after"]]
                running[backend.submit(task, upstream, priority=len(tasks) - order[_key(task)])] = task
            for future in backend.wait_first(list(running)):
                task = running.pop(future)
                try:
                    outcome = future.result()
                except backend.lost_worker as exc:
                    attempts[_key(task)] = attempts.get(_key(task), 0) + 1
                    if attempts[_key(task)] <= LOST_WORKER_RETRIES:
                        backend.recover()
                        pending.append(task)
                        pending.sort(key=lambda t: order[_key(t)])
                        continue
                    outcome = _lost(task, exc)
                except Exception as exc:  # Dask gave up on the task (KilledWorker), or a bug in the worker
                    outcome = _lost(task, exc)
                done[_key(task)] = outcome
                yield task, outcome
    except BaseException:
        backend.cancel(list(running))
        raise


def _recorded(outcome: dict) -> dict:
    """What a downstream task needs of an upstream one: its recorded result tables."""
    return {"files": {name: data for name, data in outcome["files"].items() if name.startswith("results/")}}


class _InProcess:
    """One job: run each task in this process, one after another."""

    capacity = 1
    lost_worker = ()

    def submit(self, task: dict, upstream: list[dict], priority: int):
        from concurrent.futures import Future

        future: Future = Future()
        try:
            future.set_result(run_notebook(task, None, *upstream))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def wait_first(self, futures):
        return futures

    def recover(self) -> None:
        pass

    def cancel(self, futures) -> None:
        pass

    def close(self) -> None:
        pass


class _Processes:
    """``jobs`` worker processes; a pool broken by a dead worker is replaced."""

    def __init__(self, jobs: int) -> None:
        self.capacity = jobs
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        import multiprocessing as mp

        return ProcessPoolExecutor(max_workers=self.capacity, mp_context=mp.get_context("spawn"))

    @property
    def lost_worker(self):
        from concurrent.futures.process import BrokenProcessPool

        return BrokenProcessPool

    def submit(self, task: dict, upstream: list[dict], priority: int):
        try:
            return self.pool.submit(run_notebook, task, None, *upstream)
        except self.lost_worker:
            self.recover()
            return self.pool.submit(run_notebook, task, None, *upstream)

    def wait_first(self, futures):
        return wait(futures, return_when=FIRST_COMPLETED).done

    def recover(self) -> None:
        """Replace the pool once a dead worker has broken it."""
        if getattr(self.pool, "_broken", False):
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()

    def cancel(self, futures) -> None:
        """On Ctrl-C or SIGTERM: stop the workers now; their kernels notice and exit."""
        for future in futures:
            future.cancel()
        for process in list(getattr(self.pool, "_processes", {}).values()):
            process.terminate()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Dask:
    """A Dask distributed cluster: tasks and the validated workspace go out, results come back."""

    lost_worker = ()  # Dask re-runs tasks of lost workers itself, and raises KilledWorker when it gives up

    def __init__(self, address: str, workspace_blob: bytes) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise PmoError("--scheduler needs Dask: pip install 'pmo-playbook-kit[dask]'") from None
        import uuid

        try:
            self.client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise PmoError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        try:
            _check_workers(self.client, address)
            self.blob = self.client.scatter(workspace_blob, broadcast=True)
        except BaseException:
            self.client.close()
            raise
        self.capacity = 1 << 30  # Dask queues and orders the tasks itself, by priority
        self.run_id = uuid.uuid4().hex[:8]

    def submit(self, task: dict, upstream: list[dict], priority: int):
        return self.client.submit(run_notebook, task, self.blob, *upstream, pure=False, priority=priority,
                                  key=f"pmo-{self.run_id}-{slugify(task['cycle'])}-{task['report']}")

    def wait_first(self, futures):
        from distributed import wait as dask_wait

        return dask_wait(futures, return_when="FIRST_COMPLETED").done

    def recover(self) -> None:
        pass

    def cancel(self, futures) -> None:
        self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()


def _check_workers(client, address: str) -> None:
    from .execute import worker_environment

    try:
        client.wait_for_workers(1, timeout=60)
    except TimeoutError:
        raise PmoError(f"the Dask scheduler at {address} has no workers; start some with "
                       f"'dask worker {address}'") from None
    try:
        found = client.run(worker_environment)
    except Exception as exc:
        raise PmoError(f"a Dask worker of {address} cannot run the kit ({type(exc).__name__}: {exc}); "
                       "install pmo-playbook-kit in the workers' environment") from None
    wrong = {w: v for w, v in found.items() if v != __version__}
    if wrong:
        listed = ", ".join(f"{w} has {v}" for w, v in sorted(wrong.items()))
        raise PmoError(f"Dask workers must run pmo-playbook-kit {__version__}: {listed}")
