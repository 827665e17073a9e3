"""Printing HTML to an A4 PDF with WeasyPrint, and embedding a logo in a page.

The questionnaire (an input the kit sends out) and the reports both print, so the
printer sits at the bottom layer; :mod:`pmo_lib.reporting.render` re-exports it.
"""
from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from .resources import TEMPLATES_DIR


def logo_data_uri(path: Path | None) -> str | None:
    """Embed a logo file as a data URI, so the HTML needs no other file."""
    if path is None:
        return None
    mime = mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def render_pdf(html: str, target: str | Path) -> Path:
    """Print an HTML report to an A4 PDF with WeasyPrint."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    target = Path(target)
    HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf(target)
    return target
