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
