"""Admin pages: accounts, townships, organisations and school classes."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from quizapp.admin import routes  # noqa: E402,F401
