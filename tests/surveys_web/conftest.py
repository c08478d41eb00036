"""Fixtures for the survey pages and services: a reserved item pool, the townships, a wave."""

from __future__ import annotations

from datetime import date

import pytest

# Reserved items per dimension: enough for two forms (36 K, 18 M, 18 S, 18 A) and a few spare.
POOL = {"K": 40, "M": 20, "S": 20, "A": 20}


def make_question(code: str, dimension: str, difficulty: int, *, reserved: bool,
                  status: str = "active"):
    from quizapp.extensions import db
    from quizapp.models import Question, QuestionVersion

    question = Question(code=code, source="ui", survey_reserved=reserved)
    version = QuestionVersion(
        version=1, status=status, type="true_false", topic="health", stem=f"{code}?",
        options=[], answer=[0], explanation="-", authority="-", groups_mask=0,
        dimension=dimension, difficulty=difficulty, content_hash=code)
    question.versions.append(version)
    db.session.add(question)
    db.session.flush()
    question.current_version_id = version.id
    return version


@pytest.fixture
def pool(app):
    """Reserved active items (difficulties 1, 2, 3 in turn), plus 30 ordinary active items, a
    reserved draft and a reserved item whose current version is retired."""
    from quizapp.extensions import db

    reserved = []
    for dimension, count in POOL.items():
        for k in range(count):
            reserved.append(make_question(f"survey-{dimension}-{k:03d}", dimension, 1 + k % 3,
                                          reserved=True))
    ordinary = [make_question(f"open-{k:03d}", "KMSA"[k % 4], 1 + k % 3, reserved=False)
                for k in range(30)]
    draft = make_question("survey-draft", "K", 1, reserved=True, status="draft")
    retired = make_question("survey-retired", "M", 2, reserved=True, status="retired")
    db.session.commit()
    return {"reserved": reserved, "ordinary": ordinary, "draft": draft, "retired": retired}


@pytest.fixture
def townships(app):
    from quizapp.reference_data import seed_townships

    seed_townships()


@pytest.fixture
def make_wave(app):
    from quizapp.surveys import services

    def factory(name: str = "2027 年度调查", seed: int = 12345, **settings):
        values = dict(name=name, year=2027, reference_date=date(2027, 6, 1),
                      instrument_version="2027.1", target_sample_size=40, seed=seed)
        values.update(settings)
        return services.create_wave(services.WaveSettings(**values))

    return factory


# A small frame: 龙湖街道 (by name) with four communities, 新村镇 (by code) with five villages.
FRAME_CSV = """township,psu,name,urban_rural,size,households
龙湖街道,L1,甲社区,urban,600,300
龙湖街道,L2,乙社区,urban,100,60
龙湖街道,L3,丙社区,城镇,300,150
龙湖街道,L4,丁社区,urban,200,100
xincun,X1,一村,rural,150,80
xincun,X2,二村,乡村,250,120
xincun,X3,三村,rural,350,160
xincun,X4,四村,210,450,200
xincun,X5,五村,rural,50,40
""".encode()


# One stratum of three PSUs: P600 is certain, one more is drawn; 8 households listed, 2 taken.
ONE_STRATUM_CSV = """township,psu,name,urban_rural,size,households
龙湖街道,P100,小,urban,100,10
龙湖街道,P300,中,urban,300,10
龙湖街道,P600,大,urban,600,10
""".encode()


@pytest.fixture
def fieldwork_wave(pool, townships, make_wave):
    """A wave in fieldwork: forms assembled, 2 PSUs drawn, each listed (8 households, 2
    cases), the first case of each PSU screened (3 adults) and ready to interview."""
    import surveys
    from quizapp.surveys import design, services

    wave = make_wave()
    services.assemble_forms(wave)
    design.import_frame(wave, ONE_STRATUM_CSV, "frame.csv")
    design.fix_design(wave, surveys.DesignSpec(interviews=4, take=2, method="proportional",
                                               min_psus=2))
    design.draw_sample(wave)
    services.start_fieldwork(wave)
    for psu in design.sampled_psus(wave):
        design.list_households(wave, psu, [f"{k}号" for k in range(1, 9)])
        design.record_adults(wave, design.cases_of(psu)[0],
                             design.parse_adults("男 50\n女 48\n女 20"))
    return wave


def interview_submission(case, client_id: str = "client-0001", *, right: int | None = None,
                         presented: int | None = None, broken_off: bool = False,
                         seconds: int = 1200, **profile):
    """A submission for ``case``: its form's items in listing order, options rotated by
    position, the first ``right`` answered correctly (default all) and the rest wrong, only
    the first ``presented`` items presented (default all)."""
    from datetime import UTC, datetime, timedelta

    from quizapp.surveys.interviews import AnswerRecord, InterviewSubmission

    items = case.form.items
    right = len(items) if right is None else right
    presented = len(items) if presented is None else presented
    answers = []
    for position, item in enumerate(items[:presented]):
        version = item.question_version
        key = tuple(version.answer)
        wrong = tuple(c for c in range(version.choice_count) if c not in key)[:1]
        count = version.choice_count
        shown = tuple((k + position) % count for k in range(count))  # no straight lines
        answers.append(AnswerRecord(version.id, position, shown,
                                    key if position < right else wrong, elapsed_ms=20000))
    start = datetime(2027, 6, 10, 9, 0, tzinfo=UTC)
    values = dict(sex="female", birth_year=1980, birth_month=5, education="senior_secondary",
                  occupation="agriculture", township="longhu", urban_rural="urban")
    values.update(profile)
    return InterviewSubmission(
        client_id=client_id, mode="capi", consent_at=start, started_at=start,
        ended_at=start + timedelta(seconds=seconds), profile=values, answers=tuple(answers),
        broken_off=broken_off, page_ms=(60000,) * 6, device="test")
