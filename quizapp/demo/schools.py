"""The demo school: class sizes, two question sets by the demo teacher (one shared), a
homework contest between the three classes of 新郑市第一中学 with simulated students, and a
live game played last week, so the school board, the reports and the teacher's pages have
something to show. The live game the newcomer runs is their own (README, "A class game").

Idempotent: nothing is added when the demo teacher already has the first set.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from quizapp.demo.homework import load_demo_homework
from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.models import Organisation, QuestionSet, QuestionVersion, SchoolClass, User
from quizapp.questions_pool import class_drawable_query
from quizapp.schools import live_players, live_scoring, live_state
from quizapp.schools.sets_services import create_set, playable_versions

# (school, grade, class) → students in the class: the denominators of participation rates
# (a class of 30 and a class of 55 compete fairly by rate; quizapp.demo.homework).
CLASS_SIZES = {
    ("新郑市第一中学", 7, "1班"): 30,
    ("新郑市第一中学", 7, "2班"): 55,
    ("新郑市第一中学", 8, "1班"): 42,
    ("龙湖镇第二小学", 5, "1班"): 30,
    ("龙湖镇第二小学", 6, "1班"): 28,
}
SETS = [
    # title, description, shared, topics
    ("七年级科学·健康与安全", "健康生活与应急避险，适合课堂抢答。", True, ("health", "emergency")),
    ("八年级科学·科学方法", "科学方法与基础科学，适合作业。", False, ("method", "basic_science")),
]
QUESTIONS_PER_SET = 10
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "子涵欣怡浩然梓萱宇轩一诺雨桐俊杰思远佳怡"


def load_demo_schools(seed: int = 2026) -> None:
    """Add the demo school data unless the demo teacher already has it."""
    teacher = db.session.scalar(select(User).where(User.username == "teacher"))
    if teacher is None or not teacher.schools:
        return
    school = teacher.schools[0]
    if db.session.scalar(select(QuestionSet.id).where(
            QuestionSet.owner_id == teacher.id, QuestionSet.title == SETS[0][0])):
        return
    rng = random.Random(seed)
    _set_class_sizes()
    sets = []
    for title, description, shared, topics in SETS:
        versions = list(db.session.scalars(class_drawable_query(["youth"], clock.now()).where(
            QuestionVersion.topic.in_(topics))))
        if len(versions) < QUESTIONS_PER_SET:
            return  # no question bank loaded
        chosen = sorted(rng.sample(versions, QUESTIONS_PER_SET), key=lambda v: v.difficulty)
        sets.append(create_set(school.id, teacher.id, title, [v.question_id for v in chosen],
                               description=description, shared=shared))
    load_demo_homework(sets[1], teacher, school)
    _past_live_game(sets[0], teacher, school, rng)


def _set_class_sizes() -> None:
    for school_class in db.session.scalars(select(SchoolClass)):
        size = CLASS_SIZES.get((school_class.school.name, school_class.grade, school_class.name))
        if size is not None and school_class.size is None:
            school_class.size = size
    db.session.commit()


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])


def _past_live_game(qset: QuestionSet, teacher: User, school: Organisation,
                    rng: random.Random) -> None:
    """Last week's class game in 七年级1班, played through the live game's own services on a
    made-up clock, so its report and podium are real."""
    versions = playable_versions(qset)
    school_class = next((c for c in school.classes if (c.grade, c.name) == (7, "1班")), None)
    t = clock.now().replace(second=0, microsecond=0) - timedelta(days=7)
    game = live_state.create_game(versions, title=qset.title, school_id=school.id,
                                  teacher_id=teacher.id, question_set_id=qset.id,
                                  seconds_per_question=20, speed_points=True, team_count=0)
    players = []
    for index in range(24):
        nickname = _name(rng) if index % 3 else f"{rng.choice(SURNAMES)}同学{index}"
        try:
            player, _secret = live_players.join(
                game, nickname, school_class.id if school_class else None, now=t)
        except live_players.JoinError:
            continue
        players.append((player, rng.betavariate(5, 2)))
    t += timedelta(seconds=30)
    live_state.start(game, now=t)
    for index, version in enumerate(versions):
        for player, skill in players:
            if rng.random() < 0.05:
                continue  # did not answer in time
            item = player.attempt.items[index]
            key = set(version.answer)
            shown = [d for d, original in enumerate(item.option_order) if original in key]
            if rng.random() >= skill or not shown:
                others = [d for d in range(len(item.option_order)) if d not in shown]
                shown = [rng.choice(others)] if others else shown
            live_scoring.answer(game, player, shown,
                                now=t + timedelta(seconds=rng.uniform(2, 18)))
        t += timedelta(seconds=21)
        live_state.tick(game, now=t)
        live_state.reveal(game, now=t + timedelta(seconds=2))
        t += timedelta(seconds=25)
        live_state.next_question(game, now=t)
    if game.status != "finished":
        live_state.end(game, now=t)
