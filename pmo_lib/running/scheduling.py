"""Where the tasks of a run execute: this process, local worker processes, or a Dask cluster.

One loop, :func:`schedule`, hands out tasks for all three, so dependencies,
retries and failures behave the same wherever the notebooks run.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from ..inputs.exceptions import Failure, PmoError
from ..inputs.resources import __version__
from .contracts import Backend, Outcome, Status, Task, TaskFuture, TaskResult, Upstream
from .execute import run_notebook

# A task whose worker process dies is run again up to this many times, as Dask's scheduler
# does by default (distributed.scheduler.allowed-failures).
LOST_WORKER_RETRIES = 3


def _lost(task: Task, exc: BaseException) -> TaskResult:
    """A task that never returned (its worker died, or Dask gave up on it) counts as a failed notebook."""
    failure = Failure(task.notebook, None, type(exc).__name__, (str(exc).strip().splitlines() or [""])[0][:500])
    return TaskResult(task.cycle, Outcome(task.report, task.notebook, Status.FAILED, 0.0, failure, path=task.path,
                                          origin=task.origin, sha256=task.sha256, title=task.title))


def schedule(tasks: list[Task], backend: Backend) -> Iterator[tuple[Task, TaskResult]]:
    """Hand out tasks whose upstream tasks are done, earliest cycle first; yield each as it ends.

    The same loop drives local processes and Dask, so dependencies, retries and
    failures work alike: a task starts once its upstream tasks have ended, well
    or not (a governance report whose KPI notebook failed computes the KPIs
    itself); a task lost with its worker is tried again, then recorded as failed.
    """
    order = {t.key: i for i, t in enumerate(tasks)}
    pending = list(tasks)
    done: dict[tuple[str, str], TaskResult] = {}
    running: dict[TaskFuture, Task] = {}
    attempts: dict[tuple[str, str], int] = {}
    try:
        while pending or running:
            ready = [t for t in pending if all(k in done for k in t.after)]
            for task in ready[:max(backend.capacity - len(running), 0)]:
                pending.remove(task)
                submitted, upstream = task.given([done[k] for k in task.after])
                running[backend.submit(submitted, upstream, priority=len(tasks) - order[task.key])] = task
            for future in backend.wait_first(list(running)):
                task = running.pop(future)
                try:
                    result = future.result()
                except backend.lost_worker as exc:
                    attempts[task.key] = attempts.get(task.key, 0) + 1
                    if attempts[task.key] <= LOST_WORKER_RETRIES:
                        backend.recover()
                        pending.append(task)
                        pending.sort(key=lambda t: order[t.key])
                        continue
                    result = _lost(task, exc)
                except Exception as exc:  # Dask gave up on the task (KilledWorker), or a bug in the worker
                    result = _lost(task, exc)
                done[task.key] = result
                yield task, result
    except BaseException:
        backend.cancel(list(running))
        raise


class InProcess:
    """One job: run each task in this process, one after another."""

    capacity = 1
    lost_worker: tuple[type[BaseException], ...] = ()

    def submit(self, task: Task, upstream: Sequence[Upstream], priority: int) -> Future[TaskResult]:
        future: Future[TaskResult] = Future()
        try:
            future.set_result(run_notebook(task, None, *upstream))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def wait_first(self, futures: list[Any]) -> Iterable[Future[TaskResult]]:
        return futures

    def recover(self) -> None:
        pass

    def cancel(self, futures: list[Any]) -> None:
        pass

    def close(self) -> None:
        pass


class Processes:
    """``jobs`` worker processes; a pool broken by a dead worker is replaced.

    With ``warm`` (a kernel name) the workers start at once, each with a warm kernel of that name
    (:func:`~pmo_lib.running.execute.warm_worker`), while the caller goes on validating and preparing;
    otherwise a worker starts with its first task and starts its kernel then.
    """

    def __init__(self, jobs: int, warm: str | None = None) -> None:
        self.capacity = jobs
        self.warm = warm
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        import multiprocessing as mp
        import os

        from .execute import start_worker

        pool = ProcessPoolExecutor(max_workers=self.capacity, mp_context=mp.get_context("spawn"),
                                   initializer=start_worker, initargs=(self.warm,))
        if self.warm is not None:
            for _ in range(self.capacity):  # a pool starts a worker per task while none is idle: start them all now
                pool.submit(os.getpid)
        return pool

    @property
    def lost_worker(self) -> type[BaseException]:
        from concurrent.futures.process import BrokenProcessPool

        return BrokenProcessPool

    def submit(self, task: Task, upstream: Sequence[Upstream], priority: int) -> Future[TaskResult]:
        try:
            return self.pool.submit(run_notebook, task, None, *upstream)
        except self.lost_worker:
            self.recover()
            return self.pool.submit(run_notebook, task, None, *upstream)

    def wait_first(self, futures: list[Any]) -> Iterable[Future[TaskResult]]:
        return wait(futures, return_when=FIRST_COMPLETED).done

    def recover(self) -> None:
        """Replace the pool once a dead worker has broken it."""
        if getattr(self.pool, "_broken", False):
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()

    def cancel(self, futures: list[Any]) -> None:
        """On Ctrl-C or SIGTERM: stop the workers now; their kernels notice and exit."""
        for future in futures:
            future.cancel()
        for process in list(getattr(self.pool, "_processes", {}).values()):
            process.terminate()

    def close(self) -> None:
        """Let the workers stop their kernels and exit while the caller publishes; Python waits for them at exit."""
        self.pool.shutdown(wait=False, cancel_futures=True)


class Dask:
    """A Dask distributed cluster: tasks and the validated workspace go out, results come back."""

    lost_worker: tuple[type[BaseException], ...] = ()  # Dask re-runs tasks of lost workers itself, and raises KilledWorker when it gives up

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

    def submit(self, task: Task, upstream: Sequence[Upstream], priority: int) -> TaskFuture:
        key = f"pmo-{self.run_id}-{task.slug}-{task.report}-{task.step}"  # a notebook's two steps: two keys
        future: TaskFuture = self.client.submit(run_notebook, task, self.blob, *upstream, pure=False,
                                                priority=priority, key=key)
        return future

    def wait_first(self, futures: list[Any]) -> Iterable[TaskFuture]:
        from distributed import wait as dask_wait

        return dask_wait(futures, return_when="FIRST_COMPLETED").done

    def recover(self) -> None:
        pass

    def cancel(self, futures: list[Any]) -> None:
        self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()


def _check_workers(client: Any, address: str) -> None:
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


if TYPE_CHECKING:  # the three backends are Backends: a type checker holds them to the protocol
    _BACKENDS: tuple[type[Backend], ...] = (InProcess, Processes, Dask)
