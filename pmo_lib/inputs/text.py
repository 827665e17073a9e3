"""Words every layer needs for the messages it writes: a count with its noun.

It lives at the bottom layer because the input checks, the engagement checklist and the
command line count things too; :mod:`pmo_lib.reporting.theme` re-exports it.
"""
from __future__ import annotations


def plural(n: float, word: str, many: str | None = None) -> str:
    """``3 initiatives``, ``1 initiative``, ``1 day``; whole numbers get thousands separators."""
    count = float(n)
    text = f"{int(count):,}" if count.is_integer() else f"{count:,.1f}"
    return f"{text} {word if count == 1 else (many or word + 's')}"
