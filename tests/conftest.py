"""Shared fixtures: small workspaces copied to a temporary folder per test."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"
OPTIONAL = ["goals", "feedback", "work_items", "benefits", "raid", "decisions", "actions"]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep the generated sample workspace out of the user's home."""
    monkeypatch.setenv("PMO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "pmo-cache"))


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A copy of tests/data/tiny that a test may change."""
    target = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny", target)
    return target


@pytest.fixture
def minimal(tmp_path) -> Path:
    """The tiny workspace with only the required tables and no goals."""
    target = tmp_path / "minimal"
    shutil.copytree(DATA / "tiny", target)
    for table in OPTIONAL:
        (target / "data" / f"{table}.csv").unlink()
    ini = pd.read_csv(target / "data" / "initiatives.csv", dtype=str, keep_default_na=False)
    ini["goal_id"] = ""
    ini.to_csv(target / "data" / "initiatives.csv", index=False)
    return target


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Path:
    """The generated sample organisation (session-wide, read-only)."""
    from pmo_lib import create_sample_workspace

    return create_sample_workspace(tmp_path_factory.mktemp("sample") / "ws")


def edit_csv(workspace: Path, table: str, func) -> None:
    """Apply ``func`` to a table's raw text frame and write it back."""
    path = workspace / "data" / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = func(frame)
    frame.to_csv(path, index=False)
