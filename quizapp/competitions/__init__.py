"""City-wide network competitions (网络竞赛): registration, attempts, boards, admin."""

from flask import Blueprint

bp = Blueprint("competitions", __name__)
admin_bp = Blueprint("competition_admin", __name__)

from flask_babel import lazy_gettext as _l  # noqa: E402

from quizapp.competitions import admin_routes, routes  # noqa: E402,F401
from quizapp.competitions.demo import load_demo_competition  # noqa: E402
from quizapp.demo_hooks import HOOKS  # noqa: E402
from quizapp.main.services import EXTRA_LINKS, PUBLIC_LINKS, Link  # noqa: E402

PUBLIC_LINKS.append(Link(_l("Practice"), "practice.index"))
PUBLIC_LINKS.append(Link(_l("Competitions"), "competitions.index"))
EXTRA_LINKS.setdefault("resident", []).extend(PUBLIC_LINKS[-2:])
EXTRA_LINKS.setdefault("admin", []).append(Link(_l("Competitions"), "competition_admin.index"))
HOOKS.append(load_demo_competition)
