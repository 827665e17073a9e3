"""The scheduling loop shared by local runs and Dask: order, dependencies, retries, lost workers."""
from __future__ import annotations

from concurrent.futures import Future

from pmo_lib.running.contracts import Backend, Outcome, Status, Task, TaskResult
from pmo_lib.running.scheduling import LOST_WORKER_RETRIES, schedule


class Lost(Exception):
    pass


class FakeBackend:
    """Runs tasks when asked to wait, two at a time, and records what it was given."""

    capacity = 2
    lost_worker = Lost

    def __init__(self, dies: dict[tuple[str, str], int] | None = None) -> None:
        self.dies = dict(dies or {})
        self.started: list[tuple[str, str]] = []
        self.upstream: dict[tuple[str, str], list[dict]] = {}
        self.recovered = 0
        self.pending: dict[Future, tuple] = {}

    def submit(self, task, upstream, priority):
        key = task.key
        self.started.append(key)
        self.upstream[key] = upstream
        future = Future()
        self.pending[future] = key
        return future

    def wait_first(self, futures):
        future = futures[0]
        key = self.pending.pop(future)
        if self.dies.get(key, 0) > 0:
            self.dies[key] -= 1
            future.set_exception(Lost("worker died"))
        else:
            future.set_result(TaskResult(key[0], Outcome(key[1], f"{key[1]}.ipynb", Status.OK, 1.0),
                                         {f"results/{key[1]}.csv": b"x", f"{key[1]}.pdf": b"%PDF"}))
        return [future]

    def recover(self):
        self.recovered += 1

    def cancel(self, futures):
        pass

    def close(self):
        pass


def tasks_for(*cycles):
    after = {"governance": ["maturity", "kpis"], "playbook": ["maturity", "kpis"]}
    return [Task(cycle=c, slug=c.lower(), report=r, notebook=f"{r}.ipynb", source="{}", workspace="ws", cache="c",
                 cwd=".", after=tuple((c, u) for u in after.get(r, [])))
            for c in cycles for r in ("maturity", "kpis", "governance", "playbook")]


def test_the_fake_backend_is_a_backend():
    assert isinstance(FakeBackend(), Backend)


def test_tasks_start_after_their_upstream_and_earliest_cycle_first():
    backend = FakeBackend()
    done = [t.key for t, _ in schedule(tasks_for("C1", "C2"), backend)]
    assert len(done) == 8
    started = backend.started
    for cycle in ("C1", "C2"):
        for report in ("governance", "playbook"):
            assert started.index((cycle, report)) > done.index((cycle, "maturity"))
            assert started.index((cycle, report)) > done.index((cycle, "kpis"))
    # no slot stays idle, but once ready C1's governance and playbook go before C2's remaining notebooks
    assert started[:3] == [("C1", "maturity"), ("C1", "kpis"), ("C2", "maturity")]
    assert started.index(("C1", "playbook")) < started.index(("C2", "kpis"))
    # downstream tasks get the recorded tables of their upstream tasks, nothing else
    assert backend.upstream[("C1", "governance")] == [{"results/maturity.csv": b"x"}, {"results/kpis.csv": b"x"}]


def test_a_task_lost_with_its_worker_is_tried_again():
    backend = FakeBackend(dies={("C1", "kpis"): LOST_WORKER_RETRIES})
    outcomes = {t.key: r for t, r in schedule(tasks_for("C1"), backend)}
    assert outcomes[("C1", "kpis")].outcome.status is Status.OK
    assert backend.started.count(("C1", "kpis")) == LOST_WORKER_RETRIES + 1 and backend.recovered == 3


def test_a_task_lost_too_often_is_a_failed_notebook_and_the_rest_still_runs():
    backend = FakeBackend(dies={("C1", "kpis"): LOST_WORKER_RETRIES + 1})
    outcomes = {t.key: r for t, r in schedule(tasks_for("C1"), backend)}
    failed = outcomes[("C1", "kpis")].outcome
    assert failed.status is Status.FAILED and failed.failure is not None and failed.failure.ename == "Lost"
    assert failed.failure.evalue == "worker died" and failed.failure.cell is None
    assert failed.failure.notebook == "kpis.ipynb" and outcomes[("C1", "kpis")].files == {}
    # the governance report still runs, without KPI results to reuse: it computes them itself
    assert outcomes[("C1", "governance")].outcome.status is Status.OK
    assert backend.upstream[("C1", "governance")][1] == {}


def test_a_notebook_is_rendered_after_it_ran_and_the_reports_reusing_it_do_not_wait_for_its_pdf():
    """The runner's task list: a cycle's executions, then their renderings (``Task.rendering``)."""
    executions = tasks_for("C1")
    backend = FakeBackend()
    done = [t.key for t, _ in schedule(executions + [t.rendering() for t in executions], backend)]
    started = backend.started
    for report in ("maturity", "kpis", "governance", "playbook"):
        assert started.index(("C1", f"{report}:render")) > done.index(("C1", report))
    # governance and playbook wait for the KPI and maturity executions only, not for their PDFs
    assert started.index(("C1", "governance")) < started.index(("C1", "kpis:render"))
    # a rendering gets its notebook's files (to render them) and how its execution ended (to show a failure)
    assert backend.upstream[("C1", "kpis:render")] == [{"results/kpis.csv": b"x", "kpis.pdf": b"%PDF"}]
