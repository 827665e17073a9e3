"""``pmo run --watch``: wait for a workspace's files to change, then run again.

File events come from watchfiles (inotify, FSEvents or ReadDirectoryChangesW
underneath, polling only where those are missing), debounced so that a spreadsheet
saved in several writes, or a folder of CSVs copied at once, gives one rebuild.
The command line re-validates and reruns after each batch; fingerprints
(:mod:`pmo_lib.running.fingerprint`) make that rerun rebuild only the cycles the
change affects.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

#: Milliseconds of quiet after the last file event before a batch of changes is handed out.
DEBOUNCE_MS = 600
#: Milliseconds the watcher waits for a change before it yields an empty batch.
TICK_MS = 1000
#: Files a run or an editor writes next to the inputs that are no inputs.
IGNORED_NAMES = (".pmo-run.lock",)
IGNORED_PREFIXES = (".staging-", ".~lock.", "~$", ".#")


def workspace_changes(folder: Path, *, ignore: Iterable[Path] = (), debounce_ms: int = DEBOUNCE_MS,
                      stop_event: object | None = None) -> Iterator[list[Path]]:
    """Yield, after each batch of changes to ``folder``'s files, the changed files (sorted).

    The first item is an empty list, as soon as the watcher is set up: changes from
    then on are kept, even those made while the caller is busy (a run), and come
    in the next batch. Later empty lists (about one a second without changes) let
    the caller check for a stop; skip them. Files under ``ignore`` (the run's output folder, when it lies inside the
    workspace) and the lock, staging and editor files above do not count.
    Stops when ``stop_event`` (a :class:`threading.Event`) is set; Ctrl-C
    raises :class:`KeyboardInterrupt` as usual.
    """
    from watchfiles import DefaultFilter, watch

    skipped = [Path(p).resolve() for p in ignore]

    class _Inputs(DefaultFilter):
        def __call__(self, change, path: str) -> bool:
            p = Path(path)
            if p.name in IGNORED_NAMES or p.name.startswith(IGNORED_PREFIXES):
                return False
            if any(p.is_relative_to(s) for s in skipped):
                return False
            return bool(super().__call__(change, path))

    for batch in watch(folder, watch_filter=_Inputs(), debounce=debounce_ms, stop_event=stop_event,  # type: ignore[arg-type]
                       raise_interrupt=True, yield_on_timeout=True, rust_timeout=TICK_MS):
        yield sorted({Path(p) for _, p in batch})
