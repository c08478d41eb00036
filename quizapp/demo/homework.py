"""The demo homework contest: one of the demo teacher's question sets (``quizapp.demo.schools``)
opened as homework for the demo school's classes, and simulated students of each class who
took it, so the class board and the school board have something to show: by participation
rate the class of 55 leads the class of 30.

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
    User,
)
from quizapp.questions_pool import pool_versions
from quizapp.schools.homework_services import POINTS_PER_CORRECT, open_homework

# How many students of each class (in the school's class order) took part: 15 of 30, 33 of
# 55 and 21 of 42 (the sizes are quizapp.demo.schools.CLASS_SIZES).
CLASS_TURNOUT = (15, 33, 21)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅"


def load_demo_homework(qset: QuestionSet, teacher: User, school: Organisation,
                       seed: int = 2026) -> None:
    """Open ``qset`` as the demo homework contest and add the students who took it, unless the
    school already has a homework contest (called by ``quizapp.demo.schools``)."""
    if db.session.scalar(select(Competition.id).where(
            Competition.kind == "homework", Competition.school_id == school.id).limit(1)):
        return
    now = clock.now().replace(second=0, microsecond=0)
    contest = open_homework(qset, teacher_id=teacher.id, school_id=school.id,
                            title="第一周科学作业竞赛（示范）", starts_at=now - timedelta(days=3),
                            ends_at=now + timedelta(days=4), seconds_per_question=60, now=now)
    _simulate(contest, school, random.Random(seed))


def _simulate(contest: Competition, school: Organisation, rng: random.Random) -> None:
    """Students of each class who took the homework, with made-up answers."""
    pool = pool_versions(contest.id)
    for school_class, took_part in zip(school.classes, CLASS_TURNOUT, strict=False):
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
