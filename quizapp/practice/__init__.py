"""Practice (练习): ten questions at a time with feedback, for anyone, account or not."""

from flask import Blueprint

bp = Blueprint("practice", __name__, url_prefix="/practice")

from quizapp.practice import routes  # noqa: E402,F401
