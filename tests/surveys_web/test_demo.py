"""The demo survey wave: made up, drawn, in fieldwork, through the services (its simulated
fieldwork: test_demo_fieldwork.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Question, SurveyCase, SurveyFormItem, SurveyWave, User


def test_the_demo_wave_is_drawn_made_up_and_reproducible(app):
    from quizapp.demo import load_demo
    from quizapp.demo.survey import DEMO_WAVE_NAME, demo_frame_csv
    from quizapp.surveys import design

    load_demo()
    wave = db.session.scalar(select(SurveyWave))
    assert wave.name == DEMO_WAVE_NAME and wave.simulated and wave.status == "fieldwork"
    assert len({p.township_id for p in wave.frame_psus}) == 17
    assert all(p.name.endswith("（虚构）") for p in wave.frame_psus)
    assert demo_frame_csv() == demo_frame_csv()
    psus = design.sampled_psus(wave)
    assert len(psus) == 3000 // 15
    listed = [p for p in psus if p.households]
    assert len(listed) == 2  # DEMO_SURVEY_LISTED_PSUS in the tests
    # Worked in turn across the interviewers: 小李's first PSU, then 小王's (the city centre).
    workers = sorted(db.session.get(User, p.interviewer_id).username for p in listed)
    assert workers == ["interviewer", "interviewer_wang"]
    cases = db.session.scalars(select(SurveyCase)).all()
    assert len(cases) == 30
    screened = [c for c in cases if c.eligible_adults is not None]
    assert len(screened) == 21 and all(c.base_weight > 0 for c in screened)
    reserved = db.session.scalar(
        select(func.count()).select_from(SurveyFormItem)
        .join(Question, Question.current_version_id == SurveyFormItem.question_version_id)
        .where(Question.survey_reserved.is_(False)))
    assert reserved == 0
    summary = design.design_summary(wave)
    assert summary.totals["sampled_psus"] == 200 and summary.totals["cases"] == 30
