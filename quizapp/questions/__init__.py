"""The question bank in the web app: loading the files, admin pages, import/export, item stats."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from quizapp import demo_hooks
from quizapp.main.services import EXTRA_LINKS, Link
from quizapp.questions.services import sync_bank_for_demo

bp = Blueprint("questions", __name__, cli_group="questions")

# The competition demo draws from the loaded bank, so this hook runs first.
if sync_bank_for_demo not in demo_hooks.HOOKS:
    demo_hooks.HOOKS.insert(0, sync_bank_for_demo)
EXTRA_LINKS.setdefault("admin", []).extend([
    Link(_l("Questions"), "questions.index"),
    Link(_l("Import questions"), "questions.import_upload"),
])
EXTRA_LINKS.setdefault("statistician", []).append(Link(_l("Item statistics"), "questions.items"))

from quizapp.questions import cli, routes  # noqa: E402,F401
