"""The reporters' plan pages (``/plan/``): an account an admin assigned to targets lists them,
enters their yearly figures by form or upload, and nothing else. Any staff role may hold an
assignment, so the views admit every staff role and check the target against the signed-in
account's own (another target, or none: 404, as for another school's things)."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user

from quizapp import spreadsheets
from quizapp.access import roles_required
from quizapp.models.accounts import STAFF_ROLES
from quizapp.plan import mine_bp, report, services, transfer
from quizapp.plan.routes import figure_page, file_response, upload_page

staff_only = roles_required(*sorted(STAFF_ROLES))


@mine_bp.route("/mine")
@staff_only
def index():
    return render_template("plan/mine.html", targets=services.targets_of(current_user.id),
                           year=services.default_year(), **report.page_helpers())


@mine_bp.route("/<int:target_id>/figure", methods=["GET", "POST"])
@staff_only
def figure(target_id: int):
    target = services.reported_target(target_id, current_user.id)
    if target is None:
        abort(404)
    return figure_page(target, url_for("plan_mine.index"))


@mine_bp.route("/upload", methods=["GET", "POST"])
@staff_only
def upload():
    allowed = {t.id for t in services.targets_of(current_user.id)}
    if not allowed:
        abort(404)
    return upload_page(url_for("plan_mine.index"), url_for("plan_mine.template_xlsx"), allowed)


@mine_bp.route("/template.xlsx")
@staff_only
def template_xlsx():
    targets = services.targets_of(current_user.id)
    if not targets:
        abort(404)
    return file_response(transfer.template_xlsx(targets), spreadsheets.XLSX_MIMETYPE,
                         "plan-figures.xlsx")
