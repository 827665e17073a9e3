"""Tables that live elsewhere: a database, tool exports, Jira; pulled into a snapshot that reports are built from.

``pmo.yaml`` names the sources (``sources:``, see docs/input-format.md). Two ways to
read a workspace that has them:

* **From the snapshot** (every run): the tables pulled last, in ``data/<table>.csv``,
  with ``data/_sources.json`` saying where each came from, when, and the sha256 of
  its rows. A report is thus always built from a snapshot, and its manifest names it.
* **Live** (``pmo validate``, ``pmo pull``): every source is read again and mapped,
  and problems name the source's own key: the Jira issue, the export's line, the
  database table and primary key.

:func:`pull_workspace` reads live, validates, and only then replaces the snapshot, at once.
"""
from __future__ import annotations

from .read import Sourced, read_with_sources
from .snapshot import (SOURCES_FILE, PullResult, manifest_snapshot, pull_workspace, read_snapshot, snapshot_changes,
                       sourced_description)

__all__ = ["SOURCES_FILE", "PullResult", "Sourced", "manifest_snapshot", "pull_workspace", "read_snapshot",
           "read_with_sources", "snapshot_changes", "sourced_description"]
