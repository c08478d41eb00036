"""The plan progress report: the targets table with progress bars, as an A4 PDF (WeasyPrint,
the CJK font embedded, as the survey report: :mod:`quizapp.surveys.report`) and as XLSX (a
data bar on the progress column).  Every figure is the overview's
(:func:`quizapp.plan.services.overview`)."""

from __future__ import annotations

import io

from flask import render_template
from flask_babel import gettext as _

from quizapp import spreadsheets
from quizapp.plan import services
from quizapp.plan.labels import KIND_LABELS, STATUS_LABELS
from quizapp.plan.progress import PLAN_YEARS
from quizapp.shared import fonts, pdf
from quizapp.shared.charts import FONT_FAMILY

FONT_FAMILY_NAME = "KexueCJK"


def filename(overview: services.Overview, extension: str) -> str:
    """An ASCII file name: ``plan-progress-2025.pdf``."""
    return f"plan-progress-{overview.year}.{extension}"


def render_html(overview: services.Overview, *, for_pdf: bool = False, font=None,
                bold=None) -> str:
    """The report as one HTML document (``for_pdf``: with the embedded font's @font-face)."""
    family = f"{FONT_FAMILY_NAME}, {FONT_FAMILY}" if for_pdf else FONT_FAMILY
    return render_template("plan/report.html", overview=overview, for_pdf=for_pdf, font=font,
                           bold=bold, font_family=family, **page_helpers())


def render_pdf(overview: services.Overview) -> bytes:
    """The report as an A4 PDF with the CJK font embedded (:class:`fonts.FontMissing`,
    :class:`pdf.PdfFailed` as for the survey report)."""
    font = fonts.cjk_font_path()
    bold = fonts.cjk_bold_font_path()
    html = render_html(overview, for_pdf=True, font=font, bold=bold)
    return pdf.html_to_pdf(html, [p for p in (font, bold) if p is not None])


def table(overview: services.Overview) -> tuple[list[str], list[list[object]]]:
    """The targets table as header and rows, in the page's language."""
    header = [_("Plan target"), _("Lead unit"), _("Kind"), _("2025 target"),
              *(str(y) for y in PLAN_YEARS), _("Progress, per cent"),
              _("Due by %(year)s, per cent", year=overview.year), _("Status")]
    rows = []
    for row in overview.rows:
        t, p = row.target, row.progress
        rows.append([services.name(t), t.lead_unit, str(KIND_LABELS[t.kind]),
                     services.target_text(t),
                     *(services.figure_text(t, row.figures.get(y)) for y in PLAN_YEARS),
                     None if p.ratio is None else 100 * p.ratio, 100 * p.expected,
                     str(STATUS_LABELS[p.status])])
    return header, rows


def render_xlsx(overview: services.Overview) -> bytes:
    """The targets table as a workbook, with a data bar drawn on the progress column."""
    from openpyxl import load_workbook
    from openpyxl.formatting.rule import DataBarRule
    from openpyxl.utils import get_column_letter

    header, rows = table(overview)
    title = _("Plan progress %(year)s", year=overview.year)[:31]
    data = spreadsheets.xlsx_bytes({title: (header, rows)}, freeze_panes="B2")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[title]
    column = get_column_letter(len(header) - 2)
    for cells in sheet.iter_rows(min_row=2, min_col=len(header) - 2, max_col=len(header) - 1):
        for cell in cells:
            cell.number_format = "0.0"
    if rows:
        sheet.conditional_formatting.add(
            f"{column}2:{column}{len(rows) + 1}",
            DataBarRule(start_type="num", start_value=0, end_type="num", end_value=100,
                        color="0072B2"))
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 26
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def page_helpers() -> dict:
    """What the overview page and the report templates use to write figures."""
    return {"services": services, "years": PLAN_YEARS, "kind_labels": KIND_LABELS,
            "status_labels": STATUS_LABELS}
