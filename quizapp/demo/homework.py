"""The demo homework contest: the demo teacher's shared question set of ten questions, opened
as homework for the demo school's classes (with their sizes), and simulated students of each
class who took it, so the class board and the school board have something to show.

Idempotent: nothing is added when the demo school already has a homework contest.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from quizapp.engine import clock
from quizapp.engine.attempts import new_token
from quizapp.engine.draw import shuffled_option_order
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
    Competition,
    Organisation,
    Participant,
    QuestionSet,
    QuestionSetItem,
    User,
)
from quizapp.questions_pool import drawable_versions
from quizapp.schools.homework_services import POINTS_PER_CORRECT, open_homework

DEMO_SET_TITLE = "示范题组：健康生活与应急常识"
QUESTIONS = 10
# (students in the class, how many of them took part): by rate the 55-student class leads.
CLASS_TURNOUT = ((30, 15), (55, 33), (42, 21))
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅"


def load_demo_homework(seed: int = 2026) -> None:
    """Add the demo set and homework contest (and its simulated students) unless they exist."""
    teacher = db.session.scalar(select(User).where(User.username == "teacher"))
    school = next((s for s in (teacher.schools if teacher else []) if s.kind == "school"), None)
    if school is None or db.session.scalar(select(Competition.id).where(
            Competition.kind == "homework", Competition.school_id == school.id).limit(1)):
        return
    rng = random.Random(seed)
    versions = sorted(drawable_versions(), key=lambda v: v.id)
    if len(versions) < QUESTIONS:
        return  # no question bank loaded
    qset = QuestionSet(school_id=school.id, owner_id=teacher.id, title=DEMO_SET_TITLE,
                       description="七、八年级科学课课后练习。", shared=True)
    for position, version in enumerate(rng.sample(versions, QUESTIONS)):
        qset.items.append(QuestionSetItem(position=position, question_id=version.question_id))
    db.session.add(qset)
    db.session.commit()
    now = clock.now().replace(second=0, microsecond=0)
    contest = open_homework(qset, teacher_id=teacher.id, school_id=school.id,
                            title="第一周科学作业竞赛（示范）", starts_at=now - timedelta(days=3),
                            ends_at=now + timedelta(days=4), seconds_per_question=60, now=now)
    _simulate(contest, qset, school, rng)


def _simulate(contest: Competition, qset: QuestionSet, school: Organisation,
              rng: random.Random) -> None:
    """Students of each class who took the homework, with made-up answers."""
    versions = {v.question_id: v for v in drawable_versions()}
    pool = [versions[item.question_id] for item in qset.items if item.question_id in versions]
    for school_class, (size, took_part) in zip(school.classes, CLASS_TURNOUT, strict=False):
        if school_class.size is None:
            school_class.size = size
        skill_base = rng.uniform(0.55, 0.8)
        for index in range(took_part):
            participant = Participant(
                competition_id=contest.id, device_id=f"demo-hw-{school_class.id}-{index:03d}",
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                school_class_id=school_class.id,
                registered_at=contest.starts_at + timedelta(minutes=rng.randint(0, 2000)))
            db.session.add(participant)
            db.session.flush()
            started = participant.registered_at + timedelta(minutes=1)
            attempt = Attempt(kind="competition", token=new_token(), competition_id=contest.id,
                              participant_id=participant.id, device_id=participant.device_id,
                              started_at=started, question_count=len(pool))
            elapsed = 0
            for position, version in enumerate(rng.sample(pool, len(pool))):
                correct = rng.random() < skill_base
                wrong = [i for i in range(version.choice_count) if i not in version.answer]
                choices = list(version.answer) if correct or not wrong else [rng.choice(wrong)]
                think = rng.randint(6, 40)
                shown = started + timedelta(seconds=elapsed)
                elapsed += think
                attempt.items.append(AttemptItem(
                    position=position, question_version_id=version.id,
                    option_order=shuffled_option_order(version.choice_count, version.type, rng),
                    choices=sorted(choices), correct=version.is_correct(choices),
                    points=POINTS_PER_CORRECT if version.is_correct(choices) else 0.0,
                    shown_at=shown, answered_at=shown + timedelta(seconds=think),
                    elapsed_ms=think * 1000))
            attempt.correct_count = sum(1 for item in attempt.items if item.correct)
            attempt.score = POINTS_PER_CORRECT * attempt.correct_count
            attempt.status = "finished"
            attempt.finished_at = started + timedelta(seconds=elapsed)
            attempt.duration_ms = elapsed * 1000
            db.session.add(attempt)
    db.session.commit()
