"""Demo data for a newcomer's first run (``flask demo load``, ``make run``), in one place.

Idempotent: loading it again adds nothing and changes nothing. The steps run in this order
because each needs the one before: accounts and places, then the shipped question bank, then a
competition that draws from the bank (and made-up township populations for its rates per
10,000 residents), the demo school (class sizes, question sets, a homework
contest between its classes and a class game played last week), then
the demo survey wave (made-up frame, forms from the bank's survey-reserved questions, a drawn
sample, cases and simulated fieldwork), and an earlier demo wave (2024), finished and closed,
to compare with, and the plan's other targets with made-up yearly figures. The
simulated *survey file* for
the estimator is not here: it is ``surveys/demo/simulated_survey.csv``.
"""

from __future__ import annotations

from quizapp.demo.accounts import load_demo_accounts
from quizapp.demo.competition import load_demo_competition
from quizapp.demo.earlier import load_earlier_wave
from quizapp.demo.plan import load_demo_plan
from quizapp.demo.populations import load_demo_populations
from quizapp.demo.schools import load_demo_schools
from quizapp.demo.survey import load_demo_survey
from quizapp.questions.services import sync_bank


def load_demo() -> dict[str, str]:
    """Load the demo rows that are missing; return the demo accounts' passwords."""
    passwords = load_demo_accounts()
    sync_bank()
    load_demo_competition()
    load_demo_populations()
    load_demo_schools()
    load_earlier_wave()
    load_demo_survey()
    load_demo_plan()
    return passwords
