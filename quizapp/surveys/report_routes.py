"""The survey report of a published estimate run: the HTML file and the PDF (statistics office
and admins).  One service call, then the file."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _

from quizapp.access import roles_required
from quizapp.shared import fonts, pdf
from quizapp.shared.downloads import private_file
from quizapp.surveys import bp, estimate_runs, report, services

office = roles_required("admin", "statistician")


def _report(wave_id: int, run_id: int) -> report.SurveyReport:
    wave = services.get_wave(wave_id)
    run = None if wave is None else estimate_runs.get_run(wave, run_id)
    if run is None:
        abort(404)
    try:
        return report.build(wave, run)
    except report.ReportRefused:
        abort(404)


@bp.route("/<int:wave_id>/estimates/<int:estimate_run_id>/report.html")
@office
def report_html(wave_id: int, estimate_run_id: int):
    built = _report(wave_id, estimate_run_id)
    return private_file(report.render_html(built), "text/html",
                        report.filename(built, "html"))


@bp.route("/<int:wave_id>/estimates/<int:estimate_run_id>/report.pdf")
@office
def report_pdf(wave_id: int, estimate_run_id: int):
    built = _report(wave_id, estimate_run_id)
    try:
        body = report.render_pdf(built)
    except fonts.FontMissing as error:
        flash(_("The PDF cannot be made on this server: %(reason)s", reason=str(error)))
        return redirect(url_for("surveys.city_dashboard"))
    except pdf.PdfFailed as error:
        current_app.logger.error("survey report PDF failed: %s", error)
        flash(_("The PDF could not be made just now; the HTML report has the same content."))
        return redirect(url_for("surveys.city_dashboard"))
    return private_file(body, "application/pdf", report.filename(built, "pdf"))
