"""Enemy groups: no attempt ever holds two questions that give each other away.

Every path that puts questions into one attempt or form is checked with seeded draws: the
engine's draw, competition attempts, practice rounds, the mistakes round, homework and the
survey's forms. The groups are large on purpose, so that a draw ignoring them would put two
enemies together in almost every attempt.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.competitions import services
from quizapp.engine import clock
from quizapp.engine.draw import Candidate, DrawError, draw_questions, max_together, without_enemies
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    Organisation,
    Question,
    QuestionSet,
    QuestionSetItem,
    SchoolClass,
    Township,
)
from quizapp.practice.services import start_mistakes, start_practice
from tests.competitions.conftest import add_question

TYPES = ("true_false", "single", "multiple")
TOPICS = ("health", "emergency", "method", "sts", "agriculture")


def _pool(grouped: int = 40, groups: int = 8, size: int = 60) -> list[Candidate]:
    """``size`` candidates; the first ``grouped`` fall into ``groups`` groups (mixed types)."""
    return [Candidate(i, TYPES[i % 3], TOPICS[i % 5], 1 + (i // 3) % 3,
                      (f"g{i % groups}",) if i < grouped else ()) for i in range(size)]


def _clashes(groups_per_item) -> list[str]:
    counts = Counter(name for names in groups_per_item for name in names)
    return [name for name, count in counts.items() if count > 1]


# --- the engine ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(30))
def test_a_draw_never_holds_two_of_one_group_and_keeps_its_quotas(seed):
    quotas = {"type": {"true_false": 7, "single": 7, "multiple": 6}}
    drawn = draw_questions(_pool(), 20, random.Random(seed), quotas)
    assert len({c.version_id for c in drawn}) == 20
    assert _clashes(c.enemies for c in drawn) == []
    assert Counter(c.type for c in drawn) == {"true_false": 7, "single": 7, "multiple": 6}


@pytest.mark.parametrize("seed", range(10))
def test_topic_quotas_hold_with_enemy_groups(seed):
    quotas = {"topic": {"health": 4, "emergency": 4, "method": 4, "sts": 4, "agriculture": 4}}
    drawn = draw_questions(_pool(), 20, random.Random(seed), quotas)
    assert Counter(c.topic for c in drawn) == dict.fromkeys(TOPICS, 4)
    assert _clashes(c.enemies for c in drawn) == []


def test_every_member_of_a_group_gets_its_turn_across_people():
    """One per attempt, not always the same one (per-person draws differ)."""
    seen = Counter()
    for seed in range(200):
        for c in draw_questions(_pool(), 20, random.Random(seed)):
            if c.enemies == ("g0",):
                seen[c.version_id] += 1
    assert set(seen) == {0, 8, 16, 24, 32}


def test_how_many_can_go_together():
    pool = _pool()
    assert max_together(pool) == 20 + 8
    assert [c.version_id for c in without_enemies(pool)][:9] == [0, 1, 2, 3, 4, 5, 6, 7, 40]
    # A question in two groups blocks both.
    two = [Candidate(1, "single", "health", 1, ("a", "b")), Candidate(2, "single", "health", 1,
           ("a",)), Candidate(3, "single", "health", 1, ("b",))]
    assert [c.version_id for c in without_enemies(two)] == [1]
    assert max_together(two) == 2


def test_a_draw_larger_than_the_groups_allow_says_so():
    with pytest.raises(DrawError, match="at most 28 questions can be drawn together"):
        draw_questions(_pool(), 30, random.Random(1))


# --- the database paths -------------------------------------------------------------------------

def _group(versions, groups: int) -> None:
    """Put the questions of ``versions`` into ``groups`` enemy groups, round robin."""
    for index, version in enumerate(versions):
        db.session.get(Question, version.question_id).enemy_groups = f"grp{index % groups}"
    db.session.commit()


def _groups_of(attempt: Attempt) -> list[tuple[str, ...]]:
    return [db.session.get(Question, item.question_version.question_id).enemy_group_names
            for item in attempt.items]


def test_competition_attempts_never_hold_two_enemies(competition, bank, now):
    _group(bank[:48], 5)  # 48 of the 60 in 5 groups: pools of 30 hold about 24 of them
    for person in range(12):
        participant = services.register(
            competition, user_id=None, device_id=f"dev-{person}", name=f"人{person}",
            township_id=None, organisation_id=None, phone="", ip=None)
        attempt = services.start_attempt(competition, participant, ip=None,
                                         device_id=participant.device_id, now=now.value,
                                         rng=random.Random(person))
        assert attempt.question_count == 6
        assert sorted(i.question_version.type for i in attempt.items) == [
            "multiple"] * 2 + ["single"] * 2 + ["true_false"] * 2
        assert _clashes(_groups_of(attempt)) == [], person


def test_practice_rounds_never_hold_two_enemies(app, bank, now):
    _group(bank[:48], 5)
    for seed in range(12):
        attempt = start_practice("elder", None, f"device-{seed}", rng=random.Random(seed))
        assert attempt.question_count == 10
        assert _clashes(_groups_of(attempt)) == [], seed


def test_a_practice_round_shrinks_rather_than_pairing_enemies(app, now):
    versions = [add_question("single", TOPICS[i % 4]) for i in range(12)]
    _group(versions[:10], 2)  # ten in two groups + two alone: at most four together
    attempt = start_practice("elder", None, "device", rng=random.Random(3))
    assert attempt.question_count == 4
    assert _clashes(_groups_of(attempt)) == []


def test_the_mistakes_round_never_holds_two_enemies(app, bank, now):
    from quizapp.engine.attempts import create_attempt

    wrong = create_attempt(kind="practice", versions=bank[:30], rng=random.Random(1),
                           started_at=now.value, deadline=None, label="elder",
                           device_id="device")
    for item in wrong.items:
        item.choices, item.correct, item.answered_at = [3], False, now.value
    wrong.status = "finished"
    db.session.commit()
    _group(bank[:30], 4)  # thirty mistakes in four groups: four may be replayed together
    replay = start_mistakes(None, "device", rng=random.Random(2))
    assert replay.question_count == 4
    assert sorted(_groups_of(replay)) == [("grp0",), ("grp1",), ("grp2",), ("grp3",)]


def _open_homework_of(versions):
    """A school with one class and a homework contest of ``versions``, open for a week."""
    from quizapp.schools.homework_services import open_homework

    town = Township(code="enemy-town", name="敌组镇", kind="town")
    school = Organisation(name="敌组中学", kind="school", township=town)
    school.classes = [SchoolClass(grade=7, name="1班", size=30)]
    qset = QuestionSet(school=school, title="成对的题", shared=False)
    qset.items = [QuestionSetItem(position=i, question_id=v.question_id)
                  for i, v in enumerate(versions)]
    db.session.add_all([town, school, qset])
    db.session.commit()
    start = clock.now()
    contest = open_homework(qset, teacher_id=None, school_id=school.id, title="作业",
                            starts_at=start - timedelta(minutes=5),
                            ends_at=start + timedelta(days=7))
    return contest, school.classes[0]


def test_homework_gives_each_student_one_of_a_pair(app, bank, now):
    contest, school_class = _open_homework_of(bank[:5])
    _group(bank[:2], 1)  # the first two questions of the set give each other away
    seen = set()
    for person in range(8):
        participant = services.register(
            contest, user_id=None, device_id=f"hw-{person}", name=f"学生{person}",
            township_id=None, organisation_id=None, phone="", ip=None,
            school_class_id=school_class.id)
        attempt = services.start_attempt(contest, participant, ip=None, device_id=None,
                                         now=now.value,
                                         rng=random.Random(person))
        questions = {i.question_version.question_id for i in attempt.items}
        assert attempt.question_count == 4
        assert {v.question_id for v in bank[2:5]} <= questions
        pair = questions & {bank[0].question_id, bank[1].question_id}
        assert len(pair) == 1
        seen |= pair
    assert seen == {bank[0].question_id, bank[1].question_id}


def test_the_survey_forms_are_assembled_from_one_question_per_group(app):
    from quizapp.surveys.services import form_pool, reserved_pool

    reserved = [add_question("single", survey=True, stem=f"调查题{i}") for i in range(5)]
    _group(reserved[:3], 1)
    assert len(reserved_pool()) == 5
    kept = form_pool()
    assert [v.id for v in kept] == [reserved[0].id, reserved[3].id, reserved[4].id]
    assert db.session.scalar(select(Question.enemy_groups).where(
        Question.id == reserved[1].question_id)) == "grp0"
