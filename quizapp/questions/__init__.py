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

bp = Blueprint("questions", __name__, cli_group="questions")

from quizapp.questions import (  # noqa: E402,F401
    bank_routes,
    cli,
    health_routes,
    item_routes,
    transfer_routes,
)
