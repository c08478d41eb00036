"""The schools dashboard (teachers: their own schools; admins: every school)."""

from __future__ import annotations

from flask import render_template, request

from quizapp.access import roles_required
from quizapp.inputs import db_int
from quizapp.schools import bp
from quizapp.schools import dashboard_services as dashboard
from quizapp.schools.ownership import my_school_ids, require_school


@bp.route("/dashboard")
@roles_required("teacher", "admin")
def dashboard_page():
    school_ids = my_school_ids()
    chosen = None
    if "school" in request.args:
        chosen = request.args.get("school", type=db_int)
        require_school(chosen)  # another school's id: 404
    return render_template("schools/dashboard.html",
                           page=dashboard.school_dashboard(school_ids, chosen))
