"""The demo competition: three weekly rounds, the current one open, its own pool of 100
questions (kept out of practice while it runs), and simulated residents who took part in the
first two rounds, so boards and item statistics have something to show.

Idempotent: nothing is added when the demo competition already exists.
"""

from __future__ import annotations

import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from quizapp.competitions.pool import draw_pool, new_seed
from quizapp.engine import clock
from quizapp.engine.attempts import new_token
from quizapp.engine.draw import draw_questions, shuffled_option_order
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
    Competition,
    Organisation,
    Participant,
    Round,
    Township,
)
from quizapp.questions_pool import as_candidates, drawable_versions, pool_versions

DEMO_SLUG = "xinzheng-2025"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅"
TYPE_QUOTA = {"true_false": 7, "single": 7, "multiple": 6}
POOL_SIZE = 100


def load_demo_competition(simulated_people: int | None = None, seed: int = 2025) -> None:
    """Add the demo competition (and its simulated residents) unless it exists."""
    if db.session.scalar(select(Competition.id).where(Competition.slug == DEMO_SLUG)):
        return
    if len(drawable_versions()) < POOL_SIZE:
        return  # no question bank loaded
    now = clock.now().replace(second=0, microsecond=0)
    start = now - timedelta(days=14)
    competition = Competition(
        slug=DEMO_SLUG, title="新郑市公民科学素质网络竞赛（示范）",
        description="面向全市居民的科普知识网络竞赛。每周一轮，答题即可参加，"
                    "个人、乡镇（街道）和单位分别排名。",
        # The page lists the rules the settings make (questions, time, attempts, ties, when
        # answers are shown); the organiser's text only adds what they do not say.
        rules_text="每次的 20 道题中有判断题 7 道、单选题 7 道、多选题 6 道。请独立作答，"
                   "不要借助他人或网络搜索。竞赛结束后，主办方将对成绩优秀的个人、"
                   "乡镇（街道）和单位进行表彰。",
        audience_mask=0, starts_at=start, ends_at=now + timedelta(days=60),
        registration={"name": "required", "township": "required", "organisation": "optional",
                      "phone": "off"},
        question_count=20, quotas={"type": TYPE_QUOTA}, seconds_per_question=30,
        attempts_per_day=1, counting="best", points_per_correct=5.0, reveal="after_window",
        pool_size=POOL_SIZE, published=True)
    for number in range(1, 4):
        round_start = start + timedelta(days=7 * (number - 1))
        competition.rounds.append(Round(number=number, title=f"第{number}周",
                                        starts_at=round_start,
                                        ends_at=round_start + timedelta(days=7)))
    db.session.add(competition)
    draw_pool(competition, new_seed())  # secret: the bank and this code are public
    db.session.commit()
    if simulated_people is None:
        simulated_people = current_app.config.get("DEMO_SIMULATED_PEOPLE", 240)
    _simulate(competition, pool_versions(competition.id), simulated_people, random.Random(seed))


def _simulate(competition: Competition, pool, people: int, rng: random.Random) -> None:
    """Residents of differing skill answering in the two past rounds."""
    townships = list(db.session.scalars(select(Township).where(Township.active.is_(True))))
    organisations = list(db.session.scalars(select(Organisation)))
    candidates = as_candidates(pool)
    by_id = {v.id: v for v in pool}
    past_rounds = competition.rounds[:2]
    for index in range(people):
        township = rng.choice(townships)
        local = [o for o in organisations if o.township_id == township.id]
        participant = Participant(
            competition_id=competition.id, device_id=f"demo-{index:04d}",
            name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
            township_id=township.id,
            organisation_id=rng.choice(local).id if local and rng.random() < 0.6 else None,
            registered_at=competition.starts_at + timedelta(minutes=rng.randint(0, 600)))
        db.session.add(participant)
        db.session.flush()
        skill = rng.betavariate(5, 2)
        for round_ in past_rounds:
            if rng.random() < 0.3:
                continue
            started = round_.starts_at + timedelta(minutes=rng.randint(60, 9000))
            attempt = Attempt(kind="competition", token=new_token(),
                              competition_id=competition.id, round_id=round_.id,
                              participant_id=participant.id, device_id=participant.device_id,
                              started_at=started, ip=f"10.{index % 7}.{index % 250}.{index % 97}",
                              question_count=20)
            elapsed = 0
            for position, drawn in enumerate(draw_questions(candidates, 20, rng,
                                                            {"type": TYPE_QUOTA})):
                version = by_id[drawn.version_id]
                order = shuffled_option_order(version.choice_count, version.type, rng)
                easiness = {1: 0.15, 2: 0.0, 3: -0.2}[version.difficulty]
                correct = rng.random() < min(0.98, max(0.05, skill + easiness))
                if correct:
                    choices = list(version.answer)
                else:
                    wrong = [i for i in range(version.choice_count) if i not in version.answer]
                    choices = sorted(rng.sample(wrong, 1) if wrong else [0])
                    correct = sorted(choices) == sorted(version.answer)
                think = rng.randint(4, 25)
                shown = started + timedelta(seconds=elapsed)
                elapsed += think
                attempt.items.append(AttemptItem(
                    position=position, question_version_id=version.id, option_order=order,
                    choices=choices, correct=correct, points=5.0 if correct else 0.0,
                    shown_at=shown, answered_at=shown + timedelta(seconds=think),
                    elapsed_ms=think * 1000))
            attempt.correct_count = sum(1 for i in attempt.items if i.correct)
            attempt.score = 5.0 * attempt.correct_count
            attempt.status = "finished"
            attempt.finished_at = started + timedelta(seconds=elapsed)
            attempt.duration_ms = elapsed * 1000
            db.session.add(attempt)
    db.session.commit()
