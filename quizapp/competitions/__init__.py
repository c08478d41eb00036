"""City-wide network competitions (网络竞赛): registration, attempts, boards, admin."""

from flask import Blueprint

bp = Blueprint("competitions", __name__)
admin_bp = Blueprint("competition_admin", __name__)

from quizapp.competitions import (  # noqa: E402,F401
    admin_routes,
    certificate_routes,
    dashboard_routes,
    routes,
)
