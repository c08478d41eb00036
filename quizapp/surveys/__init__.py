"""The annual literacy survey's pages for the statistics office: waves, their parallel forms,
the sampling frame, the allocation, the drawn sample, household listings and cases.

The rules are the plain-Python ``surveys`` package's; ``services`` and ``design`` store what it
returns; the views call one service each and render.
"""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from quizapp.surveys import routes  # noqa: E402,F401
