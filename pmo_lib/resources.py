"""Where the kit's templates and notebooks live."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = Path(os.environ.get("PMO_TEMPLATES", ROOT / "templates"))
NOTEBOOKS_DIR = Path(os.environ.get("PMO_NOTEBOOKS", ROOT / "notebooks"))

# In execution order: the governance report reuses the maturity and KPI results of its
# cycle, and the playbook reuses all of them.
NOTEBOOKS = {
    "maturity": "01_maturity_assessment.ipynb",
    "kpis": "02_kpi_analysis.ipynb",
    "governance": "03_governance_report.ipynb",
    "playbook": "00_playbook.ipynb",
}
REPORT_TITLES = {
    "maturity": "Maturity assessment",
    "kpis": "KPI analysis",
    "governance": "Governance report",
    "playbook": "PMO playbook",
}
