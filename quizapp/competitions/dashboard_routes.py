"""The competitions dashboard (admins), its public board, and a round's competition report
(HTML and PDF).  One service call, then render."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from quizapp.access import public, roles_required
from quizapp.competitions import admin_bp, bp, dashboard, report
from quizapp.engine import clock
from quizapp.inputs import db_int
from quizapp.shared import fonts, pdf
from quizapp.shared.downloads import private_file


def _dashboard(public_version: bool) -> dashboard.CompetitionsDashboard:
    try:
        return dashboard.dashboard(public_version,
                                   request.args.get("competition", type=db_int),
                                   request.args.get("round", type=db_int))
    except dashboard.NotFound:
        abort(404)


@admin_bp.route("/dashboard")
@roles_required("admin")
def dashboard_page():
    return render_template("competitions/dashboard.html", page=_dashboard(False),
                           rounds_of=dashboard.rounds_of, small_cell=dashboard.PUBLIC_MIN_CELL)


@bp.route("/boards/competitions")
@public
def public_dashboard():
    return render_template("competitions/dashboard.html", page=_dashboard(True),
                           rounds_of=dashboard.rounds_of, small_cell=dashboard.PUBLIC_MIN_CELL)


def _report(competition_id: int, round_id: int) -> report.CompetitionReport:
    round_ = report.get_round(competition_id, round_id)
    if round_ is None:
        abort(404)
    return report.build(round_, clock.now())


@admin_bp.route("/<int:competition_id>/rounds/<int:round_id>/report.html")
@roles_required("admin")
def report_html(competition_id: int, round_id: int):
    built = _report(competition_id, round_id)
    return private_file(report.render_html(built), "text/html", report.filename(built, "html"))


@admin_bp.route("/<int:competition_id>/rounds/<int:round_id>/report.pdf")
@roles_required("admin")
def report_pdf(competition_id: int, round_id: int):
    built = _report(competition_id, round_id)
    back = url_for("competition_admin.dashboard_page", competition=competition_id,
                   round=round_id)
    try:
        body = report.render_pdf(built)
    except fonts.FontMissing as error:
        flash(_("The PDF cannot be made on this server: %(reason)s", reason=str(error)))
        return redirect(back)
    except pdf.PdfFailed as error:
        current_app.logger.error("competition report PDF failed: %s", error)
        flash(_("The PDF could not be made just now; the HTML report has the same content."))
        return redirect(back)
    return private_file(body, "application/pdf", report.filename(built, "pdf"))
