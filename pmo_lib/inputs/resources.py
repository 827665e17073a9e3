"""The kit's version, and where its templates and notebooks live.

They are package data. The repository keeps them at its top, in ``templates/`` and
``notebooks/``; the wheel carries the same folders as ``pmo_lib/_data/templates`` and
``pmo_lib/_data/notebooks`` (the mapping is in ``pyproject.toml``), and an installed kit
finds them there with :mod:`importlib.resources`. A package run from the source tree (an
editable install, or ``PYTHONPATH`` pointing at a checkout) has no ``_data`` folder, and
reads the top-level folders the wheel is built from. ``PMO_TEMPLATES`` and
``PMO_NOTEBOOKS`` point at other folders (a consultant's own templates, say).

:data:`TEMPLATES_DIR` and :data:`NOTEBOOKS_DIR` are folders on disk, because nbconvert,
WeasyPrint and the notebook kernels take paths (a kit imported from a zip archive, on
Python 3.12 or later, has its data extracted to a temporary folder for the life of the
process).
"""
from __future__ import annotations

import atexit
import contextlib
import importlib.resources
import os
from pathlib import Path

from .i18n import N_

# The kit's version, here at the bottom layer so every layer can name it without
# importing the package's __init__ (which imports every layer). pyproject.toml repeats it.
__version__ = "0.1.0"

_EXTRACTED = contextlib.ExitStack()
atexit.register(_EXTRACTED.close)


def _folder(name: str, override: str) -> Path:
    """The folder of package data ``name``: the override, the installed data, or the source tree's."""
    if os.environ.get(override):
        return Path(os.environ[override])
    data = importlib.resources.files("pmo_lib") / "_data" / name
    if data.is_dir():
        return Path(_EXTRACTED.enter_context(importlib.resources.as_file(data)))
    # Not installed from a wheel: the source tree's folder, from which the wheel is built.
    return Path(__file__).resolve().parents[2] / name  # pmo_lib/inputs/resources.py → the checkout


TEMPLATES_DIR = _folder("templates", "PMO_TEMPLATES")
NOTEBOOKS_DIR = _folder("notebooks", "PMO_NOTEBOOKS")

# In execution order: the governance report reuses the maturity and KPI results of its
# cycle, and the playbook reuses all of them.
NOTEBOOKS = {
    "maturity": "01_maturity_assessment.ipynb",
    "kpis": "02_kpi_analysis.ipynb",
    "governance": "03_governance_report.ipynb",
    "playbook": "00_playbook.ipynb",
}
REPORT_TITLES = {  # translated on the cover (pmo_lib/reporting/render.py); N_ marks them for the catalogues
    "maturity": N_("Maturity assessment"),
    "kpis": N_("KPI analysis"),
    "governance": N_("Governance report"),
    "playbook": N_("PMO playbook"),
}
