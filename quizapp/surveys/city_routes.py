"""The city literacy dashboard: the statistics office's version (flagged small domains shown,
flagged) and the public one (they are suppressed).  One service call, then render."""

from __future__ import annotations

from flask import render_template

from quizapp.access import public, roles_required
from quizapp.shared.figures import num, pct, pct_range
from quizapp.surveys import bp, city, literacy_bp, run_pages, townships


@bp.route("/city")
@roles_required("admin", "statistician")
def city_dashboard():
    return render_template("surveys/city.html", page=city.city_page(public=False))


@literacy_bp.route("/")
@public
def index():
    return render_template("surveys/city.html", page=city.city_page(public=True))


@literacy_bp.context_processor
def _helpers():
    return {"pct": pct, "pct_range": pct_range, "num": num, "run_pages": run_pages}


@bp.route("/townships")
@roles_required("admin", "statistician")
def townships_ranking():
    return render_template("surveys/townships.html", page=townships.townships_page())
