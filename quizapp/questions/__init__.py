"""The question bank in the web app: loading the files, admin pages, import/export, item stats.

Where "questions" live:

- ``question_bank/``: the bank's YAML files, their rules and the spreadsheet reader, with no
  Flask (``python -m question_bank check``);
- ``quizapp/questions/`` (this package): the admin feature. ``services`` (load the files, list,
  edit, review), ``transfer`` (spreadsheet import and export), ``item_stats``; the pages in
  ``bank_routes``, ``transfer_routes`` and ``item_routes``; ``flask questions ...`` in ``cli``;
- ``quizapp/questions_pool.py``: which question versions competitions and practice may draw;
- ``quizapp/models/questions.py``: the tables (``Question``, ``QuestionVersion``).
"""

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

from quizapp.questions import bank_routes, cli, item_routes, transfer_routes  # noqa: E402,F401
