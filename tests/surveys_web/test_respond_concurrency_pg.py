"""One completion per code under real concurrency, on PostgreSQL: many tabs (threads) press
"finish" on the same invitation at once and exactly one interview is stored."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.surveys_web.conftest import ONE_STRATUM_CSV, POOL, make_question

pytestmark = pytest.mark.postgres
THREADS = 8


def _invitation_on_the_last_page(app) -> int:
    """A wave in fieldwork, one case invited, its questionnaire answered up to "finish"."""
    import surveys
    from quizapp.extensions import db
    from quizapp.models import SurveyInvitation
    from quizapp.reference_data import seed_townships
    from quizapp.surveys import design, invitations, services

    with app.app_context():
        for dimension, count in POOL.items():
            for k in range(count):
                make_question(f"survey-{dimension}-{k:03d}", dimension, 1 + k % 3,
                              reserved=True)
        db.session.commit()
        seed_townships()
        wave = services.create_wave(services.WaveSettings(
            name="并发", year=2027, reference_date=date(2027, 6, 1),
            instrument_version="2027.1", target_sample_size=4, seed=99))
        services.assemble_forms(wave)
        design.import_frame(wave, ONE_STRATUM_CSV, "frame.csv")
        design.fix_design(wave, surveys.DesignSpec(interviews=4, take=2,
                                                   method="proportional", min_psus=2))
        design.draw_sample(wave)
        services.start_fieldwork(wave)
        psu = design.sampled_psus(wave)[0]
        design.list_households(wave, psu, [f"{k}号" for k in range(1, 9)])
        invitations.issue_invitations(wave, sampled_psu_id=psu.id)
        invitation = db.session.scalar(select(SurveyInvitation).limit(1))
        invitations.accept_consent(invitation)
        invitations.save_profile(invitation, {
            "sex": "male", "birth_year": 1990, "birth_month": 1, "education": "bachelor",
            "occupation": "professional", "township": "longhu", "urban_rural": "urban",
            "in_city_since_year": 2015, "household_adults": 3}, "")
        shown = invitations.questionnaire(invitation)
        for page, (_dimension, items) in enumerate(shown.sections, start=1):
            answers = {item.version_id: [0] for item in items}
            invitations.save_section(invitation, page, answers, "", move=1)
        return invitation.id


def test_many_tabs_finishing_at_once_store_one_interview(pg_app):
    from quizapp.extensions import db
    from quizapp.models import Attempt, SurveyInterview, SurveyInvitation
    from quizapp.surveys import invitations

    invitation_id = _invitation_on_the_last_page(pg_app)
    barrier = threading.Barrier(THREADS)
    stored: list[int] = []
    errors: list[BaseException] = []

    def finish(_index):
        try:
            with pg_app.app_context():
                invitation = db.session.get(SurveyInvitation, invitation_id)
                barrier.wait(timeout=10)
                stored.append(invitations.finish(invitation, "tab").id)
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=finish, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(stored) == THREADS and len(set(stored)) == 1
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyInterview)) == 1
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
        invitation = db.session.get(SurveyInvitation, invitation_id)
        assert invitation.used_at is not None
        interview = db.session.scalar(select(SurveyInterview))
        assert interview.client_id == invitation.client_id and interview.complete
        assert invitation.case.eligible_adults == 3
