"""The question bank in the web app: loading the files, admin pages, import/export, item stats."""

from flask import Blueprint

bp = Blueprint("questions", __name__, cli_group="questions")

from quizapp.questions import cli, routes  # noqa: E402,F401
