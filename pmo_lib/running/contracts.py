"""The run's contracts: what a task is, what it sends back, and what a backend that runs it must offer.

Tasks and their results cross process and Dask boundaries, so they are frozen
dataclasses that pickle. The notebook's outcome, its failure and the pack's
manifest are defined below the runner (the index reads them) and are
re-exported here, so that the runner's types are found in one place:

- :class:`Task`: what one notebook run needs;
- :class:`TaskResult`: what a task sends back, its :class:`Outcome` and its files;
- :class:`Outcome`, :class:`Status`, :class:`Failure`: how one notebook ended;
- :class:`Manifest`: a cycle pack's record, ``manifest.json``;
- :class:`Backend`: where tasks run (in process, local worker processes, Dask).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from ..inputs.exceptions import Failure
from ..reporting.manifest import Manifest, Outcome, Status

__all__ = ["EXECUTE", "RENDER", "Backend", "Failure", "Manifest", "Outcome", "Status", "Task", "TaskFuture", "TaskResult", "Upstream"]

#: What a downstream task gets of an upstream one: its recorded result tables, by path in the pack.
Upstream = Mapping[str, bytes]

#: A notebook is two tasks: its execution, then its rendering into HTML and PDF. The reports that reuse
#: its results wait for the first only, so they execute while its PDF is printed.
EXECUTE, RENDER = "execute", "render"
#: The order of a notebook's files in its manifest entry.
OUTPUT_ORDER = ("ipynb", "html", "pdf", "code_html", "log")


@dataclass(frozen=True)
class Task:
    """What one notebook run of one cycle needs, wherever it runs.

    Attributes
    ----------
    cycle, slug : str
        The cycle and its folder name.
    report, notebook : str
        The report key (``kpis``) and the notebook's file name.
    source : str
        The notebook's JSON, read by the runner (workers may not see its folder).
    workspace, cache, cwd : str
        The workspace folder, the validated workspace's run cache, and the
        folder the kernel starts in (the notebooks' folder).
    folder : str or None
        The cycle's staging folder, or None to work in a private folder and
        send the files back (Dask).
    after : tuple of (cycle, report)
        The tasks whose recorded tables this one reuses; it starts once they ended.
    kernel, timeout, formats, with_code, reuse_kernels
        The run's options: Jupyter kernel, seconds a cell may run, output
        formats, an HTML variant with code, warm kernels reused.
    context : dict
        What the report template shows: organisation, dates, branding, cycle.
    path, origin, title, sha256 : str
        Where the notebook came from: its file, ``kit`` or ``workspace``
        (``notebooks:`` in ``pmo.yaml``), the report's title, and the file's
        checksum as read for this run.
    step : str
        :data:`EXECUTE` runs the notebook; :data:`RENDER` (after its execution)
        turns the executed notebook into the HTML and PDF reports.
    """

    cycle: str
    slug: str
    report: str
    notebook: str
    source: str
    workspace: str
    cache: str
    cwd: str
    folder: str | None = None
    after: tuple[tuple[str, str], ...] = ()
    kernel: str = "python3"
    timeout: int = 600
    formats: tuple[str, ...] = ("html", "pdf")
    with_code: bool = False
    reuse_kernels: bool = True
    context: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    origin: str = "kit"
    title: str = ""
    sha256: str = ""
    step: str = EXECUTE

    @property
    def key(self) -> tuple[str, str]:
        return (self.cycle, self.report) if self.step == EXECUTE else (self.cycle, f"{self.report}:{self.step}")

    def rendering(self) -> Task:
        """The task that renders this notebook once it has executed."""
        return replace(self, step=RENDER, after=((self.cycle, self.report),))

    def given(self, upstream: Sequence[TaskResult]) -> tuple[Task, list[Upstream]]:
        """This task as submitted once its upstream tasks ended, and what each of them hands it.

        A render task takes its notebook's files (the executed notebook, its log) and how the execution
        ended, which the report shows; any other task takes the upstream reports' recorded tables.
        """
        if self.step != RENDER:
            return self, [r.recorded() for r in upstream]
        (executed,) = upstream
        failure = executed.outcome.failure
        return replace(self, context={**self.context, "failure": None if failure is None else failure.to_json()}), \
            [dict(executed.files)]


@dataclass(frozen=True)
class TaskResult:
    """What a task sends back: the notebook's outcome and, from a private folder, its files.

    ``files`` maps paths relative to the cycle's folder to their bytes; it is
    empty when the task wrote into the shared staging folder itself.
    """

    cycle: str
    outcome: Outcome
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def report(self) -> str:
        return self.outcome.report

    def recorded(self) -> dict[str, bytes]:
        """What a downstream task needs of this one: its recorded result tables."""
        return {name: data for name, data in self.files.items() if name.startswith("results/")}

    def joined(self, rendered: TaskResult) -> TaskResult:
        """One notebook's result from its execution (this) and its rendering: one outcome, all files.

        The notebook failed when either step failed; the rendering's files (the log with the working
        output added) replace the execution's.
        """
        ran, made = self.outcome, rendered.outcome
        failure = ran.failure or made.failure
        outputs = {**ran.outputs, **made.outputs}
        outcome = replace(ran, status=Status.OK if failure is None else Status.FAILED, failure=failure,
                          seconds=round(ran.seconds + made.seconds, 2), left_out=made.left_out,
                          outputs={k: outputs[k] for k in OUTPUT_ORDER if k in outputs}
                          | {k: v for k, v in outputs.items() if k not in OUTPUT_ORDER},
                          phases={**ran.phases, **made.phases})
        return TaskResult(self.cycle, outcome, {**self.files, **rendered.files})


class TaskFuture(Protocol):
    """A submitted task: a :class:`concurrent.futures.Future` or a Dask future."""

    def result(self, timeout: float | None = None) -> TaskResult: ...


@runtime_checkable
class Backend(Protocol):
    """Where the tasks of a run execute; :func:`pmo_lib.running.scheduling.schedule` drives any of them.

    ``capacity`` is how many tasks may run at once. ``lost_worker`` is the
    exception (or tuple of them) a future raises when its worker died; such a
    task is tried again after :meth:`recover`.
    """

    capacity: int

    @property
    def lost_worker(self) -> type[BaseException] | tuple[type[BaseException], ...]: ...

    def submit(self, task: Task, upstream: Sequence[Upstream], priority: int) -> TaskFuture:
        """Start a task; higher ``priority`` first where the backend queues tasks."""

    def wait_first(self, futures: list[Any]) -> Iterable[TaskFuture]:
        """Wait until one of the futures is done; return the done ones."""

    def recover(self) -> None:
        """Make the backend usable again after a worker died."""

    def cancel(self, futures: list[Any]) -> None:
        """Stop the running tasks now (Ctrl-C, SIGTERM)."""

    def close(self) -> None:
        """Release the workers once the run is over."""
