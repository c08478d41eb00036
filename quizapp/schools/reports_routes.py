"""Teachers' reports: a live game's, a homework contest's, a class's over time; Excel exports.

A teacher sees only their own schools' reports (404 for any other); an admin sees all.
"""

from __future__ import annotations

from flask import Response, render_template, request

from quizapp import spreadsheets
from quizapp.access import roles_required
from quizapp.inputs import db_int
from quizapp.schools import bp, play_bp  # noqa: F401
from quizapp.schools import reports_services as reports
from quizapp.schools.ownership import my_school_ids, require_school
from quizapp.shared.labels import class_label

TEACHERS = ("teacher", "admin")


def _workbook(body: bytes, name: str) -> Response:
    return Response(body, mimetype=spreadsheets.XLSX_MIMETYPE,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def _class_filter() -> int | None:
    """The ``?class=`` narrowing a report to one class (ignored when not a valid id)."""
    return request.args.get("class", type=db_int)


@bp.route("/reports/")
@roles_required(*TEACHERS)
def reports_index():
    return render_template("schools/reports_index.html",
                           index=reports.reports_index(my_school_ids()))


def _game_or_404(game_id: int):
    found = reports.game(game_id)
    require_school(found.school_id if found is not None else None)
    return found


def _homework_or_404(competition_id: int):
    found = reports.homework(competition_id)
    require_school(found.school_id if found is not None else None)
    return found


def _class_or_404(class_id: int):
    found = reports.school_class(class_id)
    require_school(found.organisation_id if found is not None else None)
    return found


@bp.route("/reports/games/<int:game_id>")
@roles_required(*TEACHERS)
def report_game(game_id: int):
    report = reports.game_report(_game_or_404(game_id), _class_filter())
    return render_template("schools/reports_session.html", report=report,
                           reteach_below=reports.RETEACH_BELOW,
                           xlsx_endpoint="schools.report_game_xlsx",
                           xlsx_args={"game_id": game_id})


@bp.route("/reports/games/<int:game_id>.xlsx")
@roles_required(*TEACHERS)
def report_game_xlsx(game_id: int):
    report = reports.game_report(_game_or_404(game_id), _class_filter())
    return _workbook(reports.report_workbook(report), f"game-{game_id}.xlsx")


@bp.route("/reports/homework/<int:homework_id>")
@roles_required(*TEACHERS)
def report_homework(homework_id: int):
    report = reports.homework_report(_homework_or_404(homework_id), _class_filter())
    return render_template("schools/reports_session.html", report=report,
                           reteach_below=reports.RETEACH_BELOW,
                           xlsx_endpoint="schools.report_homework_xlsx",
                           xlsx_args={"homework_id": homework_id})


@bp.route("/reports/homework/<int:homework_id>.xlsx")
@roles_required(*TEACHERS)
def report_homework_xlsx(homework_id: int):
    report = reports.homework_report(_homework_or_404(homework_id), _class_filter())
    return _workbook(reports.report_workbook(report), f"homework-{homework_id}.xlsx")


@bp.route("/reports/classes/<int:class_id>")
@roles_required(*TEACHERS)
def report_class(class_id: int):
    cls = _class_or_404(class_id)
    return render_template("schools/reports_class.html", cls=cls,
                           label=class_label(cls),
                           sessions=reports.class_history(cls),
                           reteach_below=reports.RETEACH_BELOW)


@bp.route("/reports/classes/<int:class_id>.xlsx")
@roles_required(*TEACHERS)
def report_class_xlsx(class_id: int):
    cls = _class_or_404(class_id)
    return _workbook(reports.class_workbook(reports.class_history(cls)),
                     f"class-{class_id}.xlsx")
