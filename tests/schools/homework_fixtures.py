"""Fixtures for the homework contest tests: two schools with classes of known sizes, their
teachers, a question set and a homework contest opened from it.

Import the fixtures you use into the test module (``from tests.schools.homework_fixtures
import ...``), together with the competition fixtures they build on (``bank``, ``now``).
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    Competition,
    Organisation,
    Participant,
    QuestionSet,
    QuestionSetItem,
    SchoolClass,
    Township,
)
from tests.competitions.conftest import add_question, bank, now, seeded_draws  # noqa: F401

_tokens = itertools.count(1)


@pytest.fixture
def schools(app):
    """School 一中 with classes 7/1班 (30 students), 7/2班 (55), 8/1班 (40) and 8/2班 (size
    unknown); school 二中 with one class 7/1班 (45)."""
    town = Township(code="hw-town", name="作业镇", kind="town")
    first = Organisation(name="作业一中", kind="school", township=town)
    second = Organisation(name="作业二中", kind="school", township=town)
    first.classes = [SchoolClass(grade=7, name="1班", size=30),
                     SchoolClass(grade=7, name="2班", size=55),
                     SchoolClass(grade=8, name="1班", size=40),
                     SchoolClass(grade=8, name="2班", size=None)]
    second.classes = [SchoolClass(grade=7, name="1班", size=45)]
    db.session.add_all([town, first, second])
    db.session.commit()
    return first, second


def class_of(school: Organisation, grade: int, name: str) -> SchoolClass:
    return next(c for c in school.classes if c.grade == grade and c.name == name)


@pytest.fixture
def teachers(app, make_user, schools):
    """``wang`` teaches at 一中, ``li`` at 二中, ``zhao`` at 一中 too (a colleague)."""
    first, second = schools
    wang, li, zhao = (make_user(n, "teacher") for n in ("wang", "li", "zhao"))
    wang.schools, li.schools, zhao.schools = [first], [second], [first]
    db.session.commit()
    return wang, li, zhao


def make_set(school, owner, versions, *, shared=False, title="光与声") -> QuestionSet:
    qset = QuestionSet(school_id=school.id, owner_id=owner.id, title=title, shared=shared)
    qset.items = [QuestionSetItem(position=i, question_id=v.question_id)
                  for i, v in enumerate(versions)]
    db.session.add(qset)
    db.session.commit()
    return qset


@pytest.fixture
def qset(bank, schools, teachers):  # noqa: F811
    """Wang's set: five playable questions, then a survey-reserved and a draft one (neither
    may ever be played)."""
    reserved = add_question("single", survey=True, stem="调查专用题（作业）")
    draft = add_question("single", status="draft", stem="草稿题（作业）")
    return make_set(schools[0], teachers[0], [*bank[:5], reserved, draft])


@pytest.fixture
def homework(qset, schools, teachers, now):  # noqa: F811
    """Wang's set open as homework of 一中 from yesterday to in six days, 60 s a question."""
    from quizapp.schools.homework_services import open_homework

    return open_homework(qset, teacher_id=teachers[0].id, school_id=schools[0].id,
                         title="第一周作业", starts_at=now.value - timedelta(days=1),
                         ends_at=now.value + timedelta(days=6), seconds_per_question=60)


def took_part(contest: Competition, school_class: SchoolClass | None, correct: int,
              questions: int, *, status: str = "finished", points: float = 10.0) -> Participant:
    """A registered student of ``school_class`` with one attempt of ``status`` that got
    ``correct`` of ``questions`` right (written directly: the boards read only these rows)."""
    number = next(_tokens)
    participant = Participant(competition_id=contest.id, device_id=f"hw-device-{number}",
                              name=f"学生{number}",
                              school_class_id=school_class.id if school_class else None)
    db.session.add(participant)
    db.session.flush()
    db.session.add(Attempt(
        kind="competition", token=f"hw-token-{number}", status=status,
        competition_id=contest.id, participant_id=participant.id,
        device_id=participant.device_id, started_at=contest.starts_at,
        finished_at=None if status == "open" else contest.starts_at + timedelta(minutes=5),
        duration_ms=None if status == "open" else 300_000, question_count=questions,
        correct_count=correct, score=points * correct))
    db.session.commit()
    return participant
