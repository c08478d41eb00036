"""The plan's other measurable targets (issue 14): the admins' overview with progress bars and
a status per target, yearly figures entered by form or Excel upload, the plan progress report
(PDF and XLSX), and who reports each target; the reporters' own pages (``mine_bp``: their
targets' figures only)."""

from flask import Blueprint

bp = Blueprint("plan", __name__)
mine_bp = Blueprint("plan_mine", __name__)

from quizapp.plan import mine_routes, routes  # noqa: E402,F401
