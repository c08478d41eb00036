"""Homework boards on a hand-computed example: classes ranked by participation rate
(students who took part ÷ class size), then mean score; the school board over contests.

The example (contest 1: ten questions, 10 points each):
- 7/1班, 30 students: 15 took part, 10 with 8 right and 5 with 5 right (one of those closed
  at the deadline) → rate 15/30 = 50%, mean score (10×80 + 5×50)/15 = 70.
- 7/2班, 55 students: 33 took part, 22 with 7 right and 11 with 4 → 33/55 = 60%, mean
  (22×70 + 11×40)/33 = 60.
- 8/1班, 40 students: 20 took part, all 9 right → 20/40 = 50%, mean 90.
- 8/2班, size unknown: 5 took part, all 10 right → no rate, not ranked.
So 7/2班 leads on rate although its mean is the lowest; 8/1班 and 7/1班 tie on rate and 8/1班's
higher mean puts it second. Rows that must not count: a voided attempt (7/1班), an unfinished
one (7/2班), a registration without an attempt (8/1班), a student with no class, another
contest's attempts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Participant
from quizapp.schools import homework_services
from tests.schools.homework_fixtures import (  # noqa: F401
    bank,
    class_of,
    homework,
    make_set,
    now,
    qset,
    schools,
    seeded_draws,
    teachers,
    took_part,
)


def _fill_contest_one(contest, school):
    a, b = class_of(school, 7, "1班"), class_of(school, 7, "2班")
    c, d = class_of(school, 8, "1班"), class_of(school, 8, "2班")
    for _ in range(10):
        took_part(contest, a, 8, 10)
    for index in range(5):
        took_part(contest, a, 5, 10, status="expired" if index == 0 else "finished")
    for _ in range(22):
        took_part(contest, b, 7, 10)
    for _ in range(11):
        took_part(contest, b, 4, 10)
    for _ in range(20):
        took_part(contest, c, 9, 10)
    for _ in range(5):
        took_part(contest, d, 10, 10)
    # None of these count:
    took_part(contest, a, 10, 10, status="voided")
    took_part(contest, b, 10, 10, status="open")
    db.session.add(Participant(competition_id=contest.id, device_id="registered-only",
                               name="只报名", school_class_id=c.id))
    took_part(contest, None, 10, 10)
    db.session.commit()


def _rows(rows):
    return [(r.rank, f"{r.grade}/{r.name}", r.size, r.participants,
             None if r.rate is None else round(r.rate, 6),
             None if r.mean_score is None else round(r.mean_score, 6),
             None if r.mean_percent is None else round(r.mean_percent, 6)) for r in rows]


@pytest.fixture
def second_contest(schools, teachers, bank, now):
    """A five-question homework of the same school: 7/1班 all 30 took part with 3 right
    (60%), 7/2班 11 with 5 right (100%), nobody from 8/1班 or 8/2班."""
    qset2 = make_set(schools[0], teachers[0], bank[10:15], title="电与磁")
    contest = homework_services.open_homework(
        qset2, teacher_id=teachers[0].id, school_id=schools[0].id, title="第二周作业",
        starts_at=now.value - timedelta(hours=1), ends_at=now.value + timedelta(days=2))
    for _ in range(30):
        took_part(contest, class_of(schools[0], 7, "1班"), 3, 5)
    for _ in range(11):
        took_part(contest, class_of(schools[0], 7, "2班"), 5, 5)
    return contest


def test_class_board_ranks_by_participation_rate_then_mean_score(homework, schools):
    _fill_contest_one(homework, schools[0])
    assert _rows(homework_services.class_board(homework)) == [
        (1, "7/2班", 55, 33, 0.6, 60.0, 60.0),
        (2, "8/1班", 40, 20, 0.5, 90.0, 90.0),
        (3, "7/1班", 30, 15, 0.5, 70.0, 70.0),
        (None, "8/2班", None, 5, None, 100.0, 100.0),
    ]


def test_another_contests_attempts_do_not_count(homework, second_contest, schools):
    _fill_contest_one(homework, schools[0])
    rows = {f"{r.grade}/{r.name}": r for r in homework_services.class_board(homework)}
    assert rows["7/1班"].participants == 15
    assert rows["7/2班"].participants == 33


def test_equal_classes_share_a_rank(homework, schools):
    a, b = class_of(schools[0], 7, "1班"), class_of(schools[0], 8, "1班")
    a.size, b.size = 20, 40  # 6/20 and 12/40 are both 30%, both with mean score 50
    for _ in range(6):
        took_part(homework, a, 5, 10)
    for _ in range(12):
        took_part(homework, b, 5, 10)
    took_part(homework, class_of(schools[0], 7, "2班"), 10, 10)  # 1/55: last on rate
    assert [(r.rank, f"{r.grade}/{r.name}") for r in homework_services.class_board(homework)] \
        == [(1, "7/1班"), (1, "8/1班"), (3, "7/2班"), (None, "8/2班")]


def test_student_board_lists_a_class(homework, schools):
    a = class_of(schools[0], 7, "1班")
    took_part(homework, a, 8, 10)
    took_part(homework, a, 9, 10)
    took_part(homework, a, 3, 10, status="open")
    rows = homework_services.student_board(homework, a.id)
    assert [(r.score, r.correct, r.total, r.status) for r in rows] == [
        (90.0, 9, 10, "finished"), (80.0, 8, 10, "finished"), (None, None, 10, "open")]
    assert homework_services.student_board(homework, class_of(schools[0], 7, "2班").id) == []


def test_school_board_over_two_contests(homework, second_contest, schools):
    """7/1班: (15 + 30) / (30 × 2) = 75%, mean % (10×80 + 5×50 + 30×60)/45 = 63.33;
    7/2班: (33 + 11) / (55 × 2) = 40%, (33×60 + 11×100)/44 = 70; 8/1班: 20/80 = 25%, 90;
    8/2班: size unknown. Ranked by rate: 7/1班, 7/2班, 8/1班."""
    _fill_contest_one(homework, schools[0])
    board = homework_services.school_board(schools[0].id)
    assert [c.title for c in board.chosen] == ["第二周作业", "第一周作业"]
    assert _rows(board.rows) == [
        (1, "7/1班", 30, 45, 0.75, 63.333333, 63.333333),
        (2, "7/2班", 55, 44, 0.4, 70.0, 70.0),
        (3, "8/1班", 40, 20, 0.25, 90.0, 90.0),
        (None, "8/2班", None, 5, None, 100.0, 100.0),
    ]
    assert all(r.contests == 2 for r in board.rows)


def test_school_board_of_chosen_contests(homework, second_contest, schools):
    """Only the second contest: 7/1班 30/30 = 100% (60%), 7/2班 11/55 = 20% (100%),
    8/1班 0/40 = 0% (no score)."""
    _fill_contest_one(homework, schools[0])
    board = homework_services.school_board(schools[0].id, {second_contest.id})
    assert _rows(board.rows) == [
        (1, "7/1班", 30, 30, 1.0, 60.0, 60.0),
        (2, "7/2班", 55, 11, 0.2, 100.0, 100.0),
        (3, "8/1班", 40, 0, 0.0, None, None),
        (None, "8/2班", None, 0, None, None, None),
    ]


def test_school_board_ignores_another_schools_contest(homework, second_contest, schools,
                                                       teachers, bank):
    other_set = make_set(schools[1], teachers[1], bank[20:22], title="别校题组")
    other = homework_services.open_homework(
        other_set, teacher_id=teachers[1].id, school_id=schools[1].id, title="别校作业",
        starts_at=homework.starts_at, ends_at=homework.ends_at)
    board = homework_services.school_board(schools[0].id, {other.id})
    assert {c.id for c in board.chosen} == {homework.id, second_contest.id}  # forged: all
    assert other.id not in {c.id for c in board.contests}
