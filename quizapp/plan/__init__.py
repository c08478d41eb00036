"""The plan's other measurable targets (issue 14): the admins' overview with progress bars and
a status per target, yearly figures entered by form or Excel upload, and the plan progress
report (PDF and XLSX)."""

from flask import Blueprint

bp = Blueprint("plan", __name__)

from quizapp.plan import routes  # noqa: E402,F401
