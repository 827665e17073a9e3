"""One task of a run: execute one notebook of one cycle, then render its HTML and PDF.

The same function runs in the local worker processes and on Dask workers, so
a notebook fails, records and renders the same way wherever it runs.

Kernels are reused. Starting a kernel and importing pmo_lib and its stack
costs about four seconds of CPU, more than executing a short report, so each
worker keeps one warm kernel and resets it between notebooks: the user
namespace, figures, matplotlib settings, pandas options, warning filters,
``sys.path``, environment, working folder, NumPy's global random state and the
execution counter go back to what a fresh kernel has after ``import
pmo_lib``. A kernel whose notebook failed is shut down, never reused, and a
kernel is replaced after :data:`REUSE_LIMIT` notebooks. ``reuse_kernels=False``
gives every notebook a new kernel, for notebooks that change other
process-wide state.
"""
from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..inputs.exceptions import Failure
from ..inputs.resources import REPORT_TITLES
from ..inputs.workspace import RUN_CACHE_ENV
from .contracts import RENDER, Outcome, Status, Task, TaskResult, Upstream

REUSE_LIMIT = 12
_STATE = "_pmo_kernel_state"

# Run silently in a new kernel: import what every notebook imports, and remember
# the process state a fresh kernel has at that point.
_WARM_UP = f"""
def _pmo_warm_up():
    import os, sys, types, warnings
    import matplotlib, numpy
    import pmo_lib  # noqa: F401
    state = types.ModuleType({_STATE!r})
    state.rc = {{k: v for k, v in matplotlib.rcParams.items() if not k.startswith("backend")}}
    state.warnings = list(warnings.filters)
    state.path = list(sys.path)
    state.random = numpy.random.get_state()
    state.environ = dict(os.environ)
    sys.modules[{_STATE!r}] = state
_pmo_warm_up()
del _pmo_warm_up
"""

# Run silently before each notebook in a kernel that has run one already.
_RESET = f"""
get_ipython().run_line_magic("reset", "-f")
def _pmo_reset():
    import os, sys, warnings
    import matplotlib, matplotlib.pyplot, numpy, pandas
    state = sys.modules[{_STATE!r}]
    matplotlib.pyplot.close("all")
    matplotlib.rcParams.update(state.rc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pandas.reset_option("all")
    warnings.filters[:] = state.warnings
    sys.path[:] = state.path
    numpy.random.set_state(state.random)
    os.environ.clear()
    os.environ.update(state.environ)
    get_ipython().history_manager.reset(new_session=True)  # else IPython prints a history error into the next cell
    get_ipython().execution_count = 1
_pmo_reset()
del _pmo_reset
"""

_PREPARE = """
import os as _pmo_os
_pmo_os.chdir({cwd!r})
_pmo_os.environ[{var!r}] = {cache!r}
del _pmo_os
"""


# --------------------------------------------------------------------------- kernels

class _Kernel:
    """A started kernel, its control client and the file its own output goes to."""

    def __init__(self, kernel_name: str, cwd: str, env: dict[str, str]) -> None:
        from jupyter_client.blocking import BlockingKernelClient
        from jupyter_core.utils import run_sync

        self.kernel_name = kernel_name
        self.uses = 0
        fd, self.log = tempfile.mkstemp(prefix="pmo-kernel-", suffix=".log")
        os.close(fd)
        self.km = _manager_class()(kernel_name=kernel_name)
        with open(self.log, "ab") as out:  # the kernel keeps its own descriptor
            run_sync(self.km.start_kernel)(cwd=cwd, env=env, stdout=out, stderr=out)
        # The manager as parent: a slow start is told from a dead kernel by its process, not by a
        # heartbeat that has not beaten yet. A session of its own: a socket identity of its own, so
        # no reply meant for this client goes to a notebook's client, or the other way round.
        self.kc = BlockingKernelClient(parent=self.km)
        self.kc.load_connection_info(self.km.get_connection_info())
        try:
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=60)
        except BaseException:
            self.shutdown()
            raise

    def run(self, code: str, timeout: float = 120) -> None:
        """Run ``code`` silently, outside the notebook's history and numbering."""
        reply = self.kc.execute_interactive(code, silent=True, store_history=False, timeout=timeout,
                                            output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")

    def log_size(self) -> int:
        return os.path.getsize(self.log)

    def close_notebook_clients(self) -> None:
        """Stop the channels papermill opened for a notebook; the kernel outlives them."""
        while self.km.clients:
            with contextlib.suppress(Exception):
                self.km.clients.pop().stop_channels()

    def log_since(self, offset: int) -> bytes:
        with open(self.log, "rb") as fh:
            fh.seek(offset)
            return fh.read()

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            run_sync(self.km.shutdown_kernel)(now=True)
        with contextlib.suppress(OSError):
            os.unlink(self.log)


#: A kernel that dies while starting is started again this many times. Kernels started at the same moment in
#: several worker processes can pick the same free port (jupyter_client finds ports by binding and releasing
#: them), and the loser exits before it replies; no notebook code has run, so a new start is safe.
KERNEL_START_RETRIES = 2


def _start_kernel(kernel_name: str, cwd: str, env: dict[str, str]) -> _Kernel:
    for attempt in range(KERNEL_START_RETRIES + 1):
        try:
            return _Kernel(kernel_name, cwd, env)
        except RuntimeError as exc:
            if "died" not in str(exc) or attempt == KERNEL_START_RETRIES:
                raise
            logging.getLogger(__name__).info("kernel died while starting (%s); starting it again", exc)
    raise AssertionError("unreachable")


@functools.lru_cache(maxsize=None)
def _manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class Manager(AsyncKernelManager):
        """A kernel manager that remembers the clients it made, to close them after each notebook."""

        def client(self, **kwargs):
            client = super().client(**kwargs)
            self.clients.append(client)
            return client

        @property
        def clients(self) -> list:
            return self.__dict__.setdefault("clients", [])

    return Manager


class _Kernels(threading.local):
    """The warm kernel of the current thread (a worker process, or a Dask worker thread)."""

    kernel: _Kernel | None = None

    def acquire(self, kernel_name: str, cwd: str, cache: str, *, reuse: bool) -> _Kernel:
        kernel = self.kernel
        if kernel is not None and (not reuse or kernel.kernel_name != kernel_name or kernel.uses >= REUSE_LIMIT):
            self.discard()
            kernel = None
        if kernel is None:
            kernel = self.kernel = _start_kernel(kernel_name, cwd, {**os.environ, RUN_CACHE_ENV: cache})
            _LIVE.add(kernel)
            try:
                if reuse:
                    kernel.run(_WARM_UP)
            except Exception:  # pmo_lib does not import: the notebook's own first cell will say why
                kernel.uses = REUSE_LIMIT
        elif kernel.uses:
            kernel.run(_RESET)
        kernel.run(_PREPARE.format(cwd=cwd, var=RUN_CACHE_ENV, cache=cache))
        kernel.uses += 1
        return kernel

    def warm(self, kernel_name: str) -> None:
        """Start this worker's kernel and import the kit in it before any task asks for it."""
        if self.kernel is None:
            env = {k: v for k, v in os.environ.items() if k != RUN_CACHE_ENV}
            kernel = self.kernel = _start_kernel(kernel_name, tempfile.gettempdir(), env)
            _LIVE.add(kernel)
            kernel.run(_WARM_UP)

    def release(self, *, keep: bool) -> None:
        if not keep:
            self.discard()

    def discard(self) -> None:
        if self.kernel is not None:
            self.kernel.shutdown()
            _LIVE.discard(self.kernel)
            self.kernel = None


_KERNELS = _Kernels()
_LIVE: set[_Kernel] = set()


def start_worker(warm: str | None) -> None:
    """A local worker process's first step (``ProcessPoolExecutor``'s initializer).

    It arranges a quick exit (:func:`_leave`) and, with ``warm`` (a kernel name), starts the warm kernel
    at once (:func:`warm_worker`).
    """
    atexit.register(_leave)
    if warm is not None:
        warm_worker(warm)


def _leave() -> None:
    """A worker process's last step, once its pool is shut down: stop its kernels and leave at once.

    Tearing down an interpreter that loaded the kit, ZeroMQ and the PDF printer takes about two seconds,
    for nothing (every result was sent when its task ended), and the run waits for its workers to exit.
    """
    import sys

    _shutdown_kernels()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def warm_worker(kernel_name: str) -> None:
    """A worker process's first step (``ProcessPoolExecutor``'s initializer): start its warm kernel now.

    The runner starts its workers before it has validated the workspace and written the run's files,
    so the kernels start meanwhile. A kernel that does not start is no reason to lose the worker: its
    first task starts one and reports what went wrong.
    """
    threading.Thread(target=_warm_printing, name="pmo-warm-printing", daemon=True).start()
    try:
        _KERNELS.warm(kernel_name)
    except Exception:  # noqa: BLE001  (the first notebook's own start reports it)
        _KERNELS.discard()


def _warm_printing() -> None:
    """Import nbconvert and WeasyPrint and print a page, while the kernel starts: the first PDF is then no slower."""
    with contextlib.suppress(Exception):
        from ..reporting.render import render_html, render_pdf  # noqa: F401
        import nbconvert  # noqa: F401

        with tempfile.TemporaryDirectory(prefix="pmo-warm-") as folder:
            render_pdf("<html><body><h1>Warm</h1><table><tr><td>1</td></tr></table></body></html>",
                       Path(folder) / "warm.pdf")


@atexit.register
def _shutdown_kernels() -> None:
    for kernel in list(_LIVE):
        kernel.shutdown()
    _LIVE.clear()


# --------------------------------------------------------------------------- failures

def failure_of(exc: BaseException, nb_path: Path) -> Failure:
    """Where a notebook failed: cell position (1-based, as the analyst sees the notebook), name and value.

    Timeouts and dead kernels carry no cell, so the executed notebook is read
    for the cell papermill marked as running or failed.
    """
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = str(getattr(exc, "evalue", str(exc))).strip()
    cell, source = _failing_cell(nb_path)
    return Failure(nb_path.name, cell, str(ename), evalue.splitlines()[0][:500] if evalue else "", source)


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
def _papermill_log(log: Path) -> Iterator[None]:
    """Send papermill's log records of this thread to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log, encoding="utf-8")
    thread = threading.get_ident()
    handler.addFilter(lambda record: record.thread == thread)
    papermill_log = logging.getLogger("papermill")
    papermill_log.addHandler(handler)
    papermill_log.propagate = False
    try:
        yield
    finally:
        papermill_log.removeHandler(handler)
        if not papermill_log.handlers:
            papermill_log.propagate = True
        handler.close()


# --------------------------------------------------------------------------- the task

def run_notebook(task: Task, workspace_blob: bytes | None = None, *upstream: Upstream) -> TaskResult:
    """Execute one notebook of one cycle, or render the notebook it executed (``task.step``).

    Parameters
    ----------
    task : Task
        Built by the runner. With ``task.folder`` None the task works in a
        private folder and sends its files back.
    workspace_blob : bytes, optional
        The validated workspace, pickled, for workers that cannot read the
        runner's staging folder.
    upstream : mapping of path to bytes
        What the tasks this one waits for hand it (:meth:`Task.given`): the
        recorded tables of the reports it reuses, or, to render, the executed
        notebook and its log. They are put in this task's folder first.

    Returns
    -------
    TaskResult
        The step's outcome and, when the task worked in a private folder,
        the files it made or changed (paths relative to the cycle folder, to their bytes).
    """
    with contextlib.ExitStack() as stack:
        shared = task.folder is not None
        folder = Path(task.folder) if task.folder is not None else Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="pmo-task-")))
        results_dir = folder / "results"
        results_dir.mkdir(parents=True, exist_ok=True)
        given: dict[str, bytes] = {}
        for handed in upstream:
            for relative, data in handed.items():
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                (folder / relative).write_bytes(data)
                given[relative] = data
        if task.step == RENDER:
            outcome = _render(task, folder)
        else:
            cache = task.cache
            if workspace_blob is not None:
                cache = str(folder / ".workspace.pickle")
                Path(cache).write_bytes(workspace_blob)
            outcome = _execute(task, folder, results_dir, cache)
        files = {}
        if not shared:
            files = {relative: data for relative, data in (
                (p.relative_to(folder).as_posix(), p.read_bytes()) for p in sorted(folder.rglob("*"))
                if p.is_file() and p.name != ".workspace.pickle") if given.get(relative) != data}
        return TaskResult(task.cycle, outcome, files)


def _execute(task: Task, folder: Path, results_dir: Path, cache: str) -> Outcome:
    """Run the notebook in a warm kernel; the executed notebook and the kernel's output stay in ``folder``."""
    import nbformat
    import papermill as pm

    report, nb_name = task.report, task.notebook
    executed = folder / nb_name
    log = folder / "logs" / f"{report}.log"
    cwd = task.cwd if Path(task.cwd).is_dir() else str(folder)
    started = time.perf_counter()
    phases: dict[str, float] = {}  # seconds of each step, for pmo run --timings
    failure: Failure | None = None
    kernel = None
    try:
        with _papermill_log(log):
            kernel = _KERNELS.acquire(task.kernel, cwd, cache, reuse=task.reuse_kernels)
            phases["kernel"] = time.perf_counter() - started
            offset = kernel.log_size()
            try:
                pm.execute_notebook(
                    nbformat.reads(task.source, as_version=4), str(executed),
                    parameters={"workspace": task.workspace, "cycle": task.cycle,
                                "results_dir": str(results_dir)},
                    kernel_name=task.kernel, km=kernel.km, execution_timeout=task.timeout,
                    progress_bar=False, log_output=False, report_mode=False,
                )
            finally:
                kernel.close_notebook_clients()
                with open(log, "ab") as fh:
                    fh.write(kernel.log_since(offset))
    except Exception as exc:  # papermill's own errors, nbclient's timeouts and dead kernels, a kernel that never started
        failure = failure_of(exc, executed)
    except BaseException:  # Ctrl-C: leave no kernel behind
        _KERNELS.discard()
        raise
    _KERNELS.release(keep=failure is None and task.reuse_kernels)
    seconds = time.perf_counter() - started
    phases["execute"] = seconds - phases.get("kernel", 0.0)
    outputs = {"ipynb": nb_name} if executed.exists() else {}
    if log.is_file():
        outputs["log"] = f"logs/{report}.log"
    status = Status.OK if failure is None else Status.FAILED
    return Outcome(report, nb_name, status, round(seconds, 2), failure, outputs, path=task.path, origin=task.origin,
                   sha256=task.sha256, title=task.title, phases={k: round(v, 2) for k, v in phases.items()})


def _render(task: Task, folder: Path) -> Outcome:
    """Turn the executed notebook into the client's HTML and PDF; its working output goes to its log.

    A notebook that failed is rendered too, with the failure (``task.context["failure"]``) on its first
    page; one that never ran has nothing to render.
    """
    import nbformat

    from ..reporting.render import render_html, render_pdf
    from ..reporting.working_output import left_out as stray, left_out_sentence, log_text, working_output

    report, nb_name = task.report, task.notebook
    executed = folder / nb_name
    log = folder / "logs" / f"{report}.log"
    started = time.perf_counter()
    phases: dict[str, float] = {}
    outputs = {}
    left_out = 0
    if executed.exists():
        nb = nbformat.read(str(executed), as_version=4)
        # print, stderr and warnings go to the log, with their cell numbers, never to the client
        working = working_output(nb)
        dropped = stray(working)  # what untagged cells printed: the appendix counts it
        left_out = sum(w.lines for w in dropped)
        if working:
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(log_text(working, report=nb_name))
        context = {**task.context, "title": task.title or REPORT_TITLES.get(report, report),
                   "left_out": left_out_sentence(dropped) if dropped else None}
        stem = nb_name.removesuffix(".ipynb")
        html = render_html(nb, context=context)
        if "html" in task.formats:
            (folder / f"{stem}.html").write_text(html, encoding="utf-8")
            outputs["html"] = f"{stem}.html"
        phases["html"] = time.perf_counter() - started
        if "pdf" in task.formats:
            step = time.perf_counter()
            render_pdf(html, folder / f"{stem}.pdf")
            outputs["pdf"] = f"{stem}.pdf"
            phases["pdf"] = time.perf_counter() - step
        if task.with_code:
            (folder / f"{stem}.code.html").write_text(render_html(nb, context=context, with_code=True),
                                                      encoding="utf-8")
            outputs["code_html"] = f"{stem}.code.html"
    if log.is_file():
        outputs["log"] = f"logs/{report}.log"
    return Outcome(report, nb_name, Status.OK, round(time.perf_counter() - started, 2), None, outputs,
                   path=task.path, origin=task.origin, sha256=task.sha256, title=task.title, left_out=left_out,
                   phases={k: round(v, 2) for k, v in phases.items()})


def worker_environment() -> str:
    """The kit version a (Dask) worker runs, to check it matches the client's."""
    from ..inputs.resources import __version__

    return __version__
