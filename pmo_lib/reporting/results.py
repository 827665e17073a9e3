"""Machine-readable results: what notebooks record for the runner and for tests."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from ..inputs import i18n

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote.

    Numbers are left alone: only text columns are touched.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    return out


def record(frame: pd.DataFrame, name: str, results_dir: str | Path | None) -> pd.DataFrame:
    """Write a result table to ``results_dir/<name>.csv``, deterministically.

    Parameters
    ----------
    frame : DataFrame
    name : str
        File stem, e.g. ``"kpis"``.
    results_dir : str or Path or None
        Folder to write into; ``None`` (an interactive run) writes nothing.

    Returns
    -------
    DataFrame
        ``frame`` unchanged, so a cell can record and display in one line.

    Notes
    -----
    Texts the kit writes into a result (the register's descriptions, made with
    :func:`pmo_lib.inputs.i18n.say`) are English in the CSV, whatever the
    report's language. Their messages go beside it, in ``<name>.texts.json``,
    so that :func:`read_result` gives them back able to be said in any language.
    """
    if results_dir is None:
        return frame
    folder = Path(results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.csv"
    tmp = target.with_suffix(".csv.tmp")
    neutralise_formulas(frame).to_csv(tmp, index=False, float_format="%.12g", lineterminator="\n")
    texts, sidecar = i18n.texts_of(frame), folder / f"{name}.texts.json"
    if texts:
        sidecar.with_suffix(".tmp").write_text(json.dumps(texts, ensure_ascii=False, allow_nan=False) + "\n",
                                               encoding="utf-8")
        os.replace(sidecar.with_suffix(".tmp"), sidecar)
    elif sidecar.exists():
        sidecar.unlink()
    os.replace(tmp, target)
    return frame


def read_result(results_dir: str | Path, name: str) -> pd.DataFrame:
    """Read a result table written by :func:`record`, its recorded texts able to be said in any language."""
    frame = pd.read_csv(Path(results_dir) / f"{name}.csv", keep_default_na=False, na_values=[""])
    sidecar = Path(results_dir) / f"{name}.texts.json"
    if sidecar.is_file():
        from . import report  # noqa: F401  (the formatters the texts may call)
        frame = i18n.with_texts(frame, json.loads(sidecar.read_text(encoding="utf-8")))
    return frame


def reuse_result(name: str, results_dir: str | Path | None, compute) -> pd.DataFrame:
    """Read a result another notebook recorded for this cycle, or compute it.

    The governance report reuses the maturity and KPI results of its cycle
    rather than computing them again; run on its own it computes them.
    """
    if results_dir is not None and (Path(results_dir) / f"{name}.csv").is_file():
        return read_result(results_dir, name)
    return compute()
