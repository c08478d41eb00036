"""The statistician's estimates page: the survey estimator (``analysis/``) run from the web app."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from quizapp.main.services import EXTRA_LINKS, Link

bp = Blueprint("estimates", __name__)

for _role in ("statistician", "admin"):
    EXTRA_LINKS.setdefault(_role, []).append(Link(_l("Literacy estimate"), "estimates.index"))

from quizapp.estimates import routes  # noqa: E402,F401
