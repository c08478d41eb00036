"""The statistician's estimates page: the survey estimator (``analysis/``) run from the web app."""

from flask import Blueprint

bp = Blueprint("estimates", __name__)

from quizapp.estimates import routes  # noqa: E402,F401
