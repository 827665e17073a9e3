"""Where the kit's templates and notebooks live."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = Path(os.environ.get("PMO_TEMPLATES", ROOT / "templates"))
NOTEBOOKS_DIR = Path(os.environ.get("PMO_NOTEBOOKS", ROOT / "notebooks"))

NOTEBOOKS = {
    "maturity": "01_maturity_assessment.ipynb",
    "kpis": "02_kpi_analysis.ipynb",
    "governance": "03_governance_report.ipynb",
}
REPORT_TITLES = {
    "maturity": "Maturity assessment",
    "kpis": "KPI analysis",
    "governance": "Governance report",
}
