"""A pack's record: what ran for one cycle, how each notebook ended, and from which inputs.

The runner writes it as ``manifest.json`` into every pack; the cycle index reads
it back. It lives here, below the runner, because the index (reporting) reads
it and imports go down only. The JSON on disk keeps its keys and their order,
so packs written before these types existed still read, and new packs read as
they always did.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ..inputs.exceptions import Failure

MANIFEST = "manifest.json"


class Status(str, Enum):
    """How a notebook, or a cycle's pack, ended. The value is what the manifest records."""

    OK = "ok"
    FAILED = "failed"
    #: A run found the pack's fingerprint unchanged and kept the pack as it was (never written to a manifest).
    UP_TO_DATE = "up to date"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Outcome:
    """One notebook's result: its status, the files it produced, how long it took and, when failed, why.

    ``outputs`` maps a format (``ipynb``, ``html``, ``pdf``, ``code_html``, ``log``)
    to a file name in the pack. ``failure`` is set exactly when ``status`` is failed.

    Which code made the report: ``path`` is the notebook file that ran,
    ``origin`` ``kit`` or ``workspace`` (a notebook listed under ``notebooks:``
    in ``pmo.yaml``), ``sha256`` the checksum of the file as it ran, and
    ``title`` the report's title. ``left_out`` counts the lines of working
    output (print, stderr, warnings) kept in the log instead of the client
    report. Packs of older kits lack them: they read as empty, and an outcome
    without them writes the JSON those kits wrote.
    """

    report: str
    notebook: str
    status: Status
    seconds: float = 0.0
    failure: Failure | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    path: str = ""
    origin: str = ""
    sha256: str = ""
    title: str = ""
    left_out: int = 0
    #: Seconds of each step (kernel, execute, html, pdf), as ``pmo run --timings`` prints them.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "report": self.report, "notebook": self.notebook, "status": self.status.value, "seconds": self.seconds,
            "error": None if self.failure is None else self.failure.to_json(), "outputs": dict(self.outputs)}
        provenance = {"path": self.path, "origin": self.origin, "sha256": self.sha256, "title": self.title,
                      "left_out": self.left_out, "phases": dict(self.phases)}
        data.update({k: v for k, v in provenance.items() if v})
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        error = data.get("error")
        notebook = str(data.get("notebook", ""))
        return cls(report=str(data["report"]), notebook=notebook, status=Status(data["status"]),
                   seconds=float(data.get("seconds") or 0.0),
                   failure=None if not error else Failure.from_json(error, notebook=notebook),
                   outputs={str(k): str(v) for k, v in (data.get("outputs") or {}).items()},
                   path=str(data.get("path") or ""), origin=str(data.get("origin") or ""),
                   sha256=str(data.get("sha256") or ""), title=str(data.get("title") or ""),
                   left_out=int(data.get("left_out") or 0),
                   phases={str(k): float(v) for k, v in (data.get("phases") or {}).items()})


@dataclass(frozen=True)
class Manifest:
    """A pack's record, as ``manifest.json`` holds it.

    ``parameters`` are the run's options (workspace, kernel, timeout, formats,
    scheduler, jobs, kernel reuse, cycle), ``inputs`` the sha256 of every input
    file, ``packages`` the versions the run used, ``warnings`` the workspace's
    warnings as the user read them, ``snapshot`` the pulled sources the tables
    came from (``data/_sources.json``; None for a workspace without sources),
    ``fingerprint`` what a later run compares to keep the pack when nothing it depends on changed.
    Fields a pack of an older kit lacks read as empty.
    """

    cycle: str
    status: Status
    notebooks: tuple[Outcome, ...]
    kit_version: str = ""
    organisation: str = ""
    finished: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    packages: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    snapshot: dict[str, Any] | None = None
    #: sha256 of everything the pack's reports depend on (pmo_lib.running.fingerprint), and each part's digest.
    fingerprint: str = ""
    fingerprint_parts: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    def to_json(self) -> dict[str, Any]:
        return {"kit_version": self.kit_version, "organisation": self.organisation, "cycle": self.cycle,
                "status": self.status.value, "finished": self.finished, "parameters": dict(self.parameters),
                "inputs": dict(self.inputs), "packages": dict(self.packages),
                "notebooks": [n.to_json() for n in self.notebooks], "warnings": list(self.warnings),
                **({"snapshot": self.snapshot} if self.snapshot is not None else {}),
                **({"fingerprint": self.fingerprint, "fingerprint_parts": dict(self.fingerprint_parts)}
                   if self.fingerprint else {})}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        return cls(cycle=str(data.get("cycle", "")), status=Status(data["status"]),
                   notebooks=tuple(Outcome.from_json(n) for n in data.get("notebooks") or ()),
                   kit_version=str(data.get("kit_version", "")), organisation=str(data.get("organisation", "")),
                   finished=str(data.get("finished") or ""), parameters=dict(data.get("parameters") or {}),
                   inputs=dict(data.get("inputs") or {}), packages=dict(data.get("packages") or {}),
                   warnings=tuple(data.get("warnings") or ()), snapshot=data.get("snapshot"),
                   fingerprint=str(data.get("fingerprint") or ""),
                   fingerprint_parts=dict(data.get("fingerprint_parts") or {}))

    def write(self, folder: Path) -> Path:
        """Write ``manifest.json`` into a pack's folder."""
        path = folder / MANIFEST
        path.write_text(json.dumps(self.to_json(), indent=2, default=str), encoding="utf-8")
        return path

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read the ``manifest.json`` of a pack's folder."""
        return cls.from_json(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
