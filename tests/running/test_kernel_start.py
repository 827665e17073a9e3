"""A kernel that dies while starting (two workers picked the same free port) is started again."""
from __future__ import annotations

import pytest

from pmo_lib.running import execute


def test_a_kernel_that_dies_while_starting_is_started_again(monkeypatch):
    calls = []

    class Flaky:
        def __init__(self, name, cwd, env):
            calls.append(name)
            if len(calls) < 2:
                raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(execute, "_Kernel", Flaky)
    assert isinstance(execute._start_kernel("python3", ".", {}), Flaky)
    assert len(calls) == 2


def test_other_errors_and_a_kernel_that_keeps_dying_are_not_hidden(monkeypatch):
    class Dead:
        def __init__(self, name, cwd, env):
            raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(execute, "_Kernel", Dead)
    with pytest.raises(RuntimeError, match="died"):
        execute._start_kernel("python3", ".", {})

    class Missing:
        def __init__(self, name, cwd, env):
            raise RuntimeError("No such kernel named nope")

    monkeypatch.setattr(execute, "_Kernel", Missing)
    with pytest.raises(RuntimeError, match="No such kernel"):
        execute._start_kernel("nope", ".", {})


def _kernel_state() -> tuple[bool, int]:
    """In a worker: whether it has a warm kernel, and how many notebooks it ran."""
    kernel = execute._KERNELS.kernel
    return kernel is not None, 0 if kernel is None else kernel.uses


def test_warm_workers_start_their_kernels_before_any_notebook_asks():
    """``start_workers`` (what ``pmo run`` does while it validates a workspace): each worker holds a kernel
    that has imported the kit and ran no notebook, so the first notebook needs no reset."""
    from pmo_lib.running.runner import start_workers

    workers = start_workers(2)
    try:
        states = [workers.pool.submit(_kernel_state).result(timeout=180) for _ in range(4)]
    finally:
        workers.close()
    assert states == [(True, 0)] * 4


def test_a_kernel_that_does_not_start_leaves_the_worker_usable():
    from pmo_lib.running.scheduling import Processes

    workers = Processes(1, warm="no-such-kernel")
    try:
        assert workers.pool.submit(_kernel_state).result(timeout=180) == (False, 0)
    finally:
        workers.close()
