"""Third-party browser assets served by the app itself, never from a CDN (the pages must work
on networks that cannot reach one).

Plotly's JavaScript comes from the installed ``plotly`` package, so its version follows
``pyproject.toml``; the item-statistics and literacy-estimate pages load it from
``url_for("assets.plotly_js")``.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Response, request

from quizapp.access import roles_required

bp = Blueprint("assets", __name__)


@cache
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


@bp.route("/plotly.min.js")
@roles_required("admin", "statistician")  # only their pages draw charts
def plotly_js():
    response = Response(_plotly_js(), mimetype="application/javascript")
    response.cache_control.private = True
    response.cache_control.max_age = 7 * 24 * 3600
    response.add_etag()
    return response.make_conditional(request)
