"""``pmo run --watch`` with real file changes, in a subprocess.

An edited CSV rebuilds its cycle; a broken CSV prints the validation error and the
packs stay byte-identical. ``--watch-max-runs`` stops the command after that many
runs that follow a change, so the test never has to kill it.
"""
from __future__ import annotations

import hashlib
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pmo_lib.reporting.manifest import Manifest
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[2]


class _Lines:
    """The subprocess's output, line by line, read on a thread so a wait can time out."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(proc,), daemon=True).start()

    def _pump(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float, after: int = 0) -> int:
        """Wait until a line (from index ``after`` on) contains ``text``; return the index after it."""
        for i, line in enumerate(self.seen[after:], start=after):
            if text in line:
                return i + 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if text in line:
                return len(self.seen)
        raise AssertionError(f"no line with {text!r} within {timeout} s; output:\n{''.join(self.seen)}")


def _hashes(folder: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.notebook
def test_watch_rebuilds_an_edited_cycle_and_keeps_the_packs_on_bad_input(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(DATA / "tiny", ws)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pmo_lib.cli", "run", str(ws), "--out", str(out), "--cycle", "C3", "--format", "html",
         "--watch", "--watch-max-runs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    lines = _Lines(proc)
    try:
        at = lines.wait_for("Watching", timeout=300)
        pack = out / "tiny-test-org" / "c3"
        first = Manifest.read(pack).finished, Manifest.read(pack).fingerprint

        financials = ws / "data" / "financials.csv"  # C3, I1: actual cost 60000 -> 61000
        financials.write_text(financials.read_text().replace("C3,I1,20000,60000,48000,60000",
                                                             "C3,I1,20000,60000,48000,61000"))
        at = lines.wait_for("Changed: data/financials.csv", timeout=60, after=at)
        at = lines.wait_for("C3", timeout=300, after=at)
        assert " ok " in lines.seen[at - 1], lines.seen[at - 1]
        at = lines.wait_for("Watching", timeout=60, after=at)
        assert Manifest.read(pack).fingerprint != first[1]

        before = _hashes(out)
        financials.write_text(financials.read_text().replace("61000", "lots"))
        at = lines.wait_for("error:", timeout=60, after=at)
        lines.wait_for("actual_cost", timeout=10, after=at - 1)
        assert proc.wait(timeout=60) == 0
        assert _hashes(out) == before
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ctrl_c_stops_watching_with_exit_code_0(tmp_path):
    """SIGINT while waiting for changes: a clean exit, code 0 (a bad workspace, so nothing runs first)."""
    import signal

    ws = tmp_path / "ws"
    shutil.copytree(DATA / "tiny", ws)
    (ws / "data" / "cycles.csv").write_text("cycle,start_date,end_date\nC1,not a date,2026-03-31\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "pmo_lib.cli", "run", str(ws), "--out", str(tmp_path / "out"),
                             "--watch"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = _Lines(proc)
    try:
        at = lines.wait_for("error:", timeout=120)
        lines.wait_for("Watching", timeout=60, after=at)
        time.sleep(0.5)  # the watcher is set up right after the line is printed
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert not (tmp_path / "out").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
