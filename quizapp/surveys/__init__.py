"""The annual literacy survey's pages for the statistics office: waves, their parallel forms,
the sampling frame, the allocation, the drawn sample, household listings and cases.

The rules are the plain-Python ``surveys`` package's; ``services`` and ``design`` store what it
returns; the views call one service each and render.

Four blueprints, one per audience: ``surveys`` (the statistics office, under
``/statistics/surveys``), ``fieldwork`` (interviewers, under ``/fieldwork``), ``respond``
(self-completion respondents with an invitation code, under ``/survey``) and ``literacy``
(the public city literacy dashboard, under ``/literacy``).
"""

from flask import Blueprint

bp = Blueprint("surveys", __name__)
fieldwork_bp = Blueprint("fieldwork", __name__)
respond_bp = Blueprint("respond", __name__)
literacy_bp = Blueprint("literacy", __name__)

from quizapp.surveys import (  # noqa: E402,F401
    assign_routes,
    capi_routes,
    city_routes,
    fieldwork_routes,
    invitation_routes,
    monitor_routes,
    report_routes,
    respond_routes,
    routes,
    weighting_routes,
)
