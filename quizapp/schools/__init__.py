"""Schools: teachers' question sets, live class games, homework contests between classes and
their reports.

``bp`` holds the teachers' pages (under ``/schools``), ``play_bp`` the students' (``/join``
and ``/play``: no account, a seat kept in a cookie).
"""

from flask import Blueprint

bp = Blueprint("schools", __name__)
play_bp = Blueprint("play", __name__)

from quizapp.schools import (  # noqa: E402,F401
    home_routes,
    homework_routes,
    live_routes,
    play_routes,
    reports_routes,
    sets_routes,
)
