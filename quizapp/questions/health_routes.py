"""The question bank health page (admins)."""

from __future__ import annotations

from flask import render_template

from quizapp.access import roles_required
from quizapp.engine import clock
from quizapp.questions import bp, health, item_stats
from quizapp.timezone import to_local


@bp.route("/health")
@roles_required("admin")
def health_page():
    return render_template("questions/health.html", min_answers=item_stats.MIN_ANSWERS,
                           page=health.bank_health(to_local(clock.now()).date()))
