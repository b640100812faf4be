"""The monthly report as PDF, drawn on the server by WeasyPrint.

WeasyPrint draws text with pango, a system library (Debian: libpango-1.0-0,
libpangoft2-1.0-0) and finds fonts through fontconfig (fonts-noto-core). ./dev installs
them; where they are missing, the import fails and the download says what to install
instead of failing with a 500.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from canhgiac.web.reports.monthly import MonthlyReport

STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "report.css"
DEBIAN_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core"


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here (pango or the package itself is missing)."""


def render(report: MonthlyReport) -> bytes:
    try:
        # Imported here: without pango the import itself fails (OSError from cffi), and
        # every other page must keep working.
        from weasyprint import CSS, HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc)) from exc
    with translation.override("vi"):
        html = render_to_string("reports/monthly_print.html", {"r": report})
    document = HTML(string=html, base_url=str(STYLESHEET.parent))
    pdf: bytes = document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
    return pdf
