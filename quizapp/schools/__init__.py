"""Schools: teachers' question sets, live class games, homework contests between classes and
their reports.

``bp`` holds the teachers' pages (under ``/schools``), ``play_bp`` the students' (``/join``
and ``/play``: no account, a seat kept in a cookie).
"""

from flask import Blueprint

bp = Blueprint("schools", __name__)
play_bp = Blueprint("play", __name__)

from quizapp.extensions import limiter  # noqa: E402
from quizapp.schools import (  # noqa: E402,F401
    dashboard_routes,
    home_routes,
    homework_routes,
    live_routes,
    play_routes,
    reports_routes,
    sets_routes,
)

# No rate limit applies to the students' live-game requests (a room of 60 shares one school
# address); exempting the blueprint skips the limiter's lookups on each of them.
limiter.exempt(play_bp)
