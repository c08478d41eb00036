"""Leaderboard rules: tie-breaks, best or last attempt, township and organisation figures."""

from datetime import timedelta

from quizapp.engine import boards
from quizapp.extensions import db
from quizapp.models import Attempt, Organisation, Participant, Round, Township


def _person(competition, name, township=None, organisation=None):
    participant = Participant(competition_id=competition.id, device_id=name, name=name,
                              township_id=township and township.id,
                              organisation_id=organisation and organisation.id)
    db.session.add(participant)
    db.session.commit()
    return participant


def _scored(competition, participant, score, seconds, finished, status="finished", round_=None):
    attempt = Attempt(kind="competition", token=f"{participant.id}-{finished.timestamp()}-{score}",
                      competition_id=competition.id, participant_id=participant.id,
                      round_id=round_ and round_.id, status=status, score=score,
                      started_at=finished - timedelta(seconds=seconds), finished_at=finished,
                      duration_ms=seconds * 1000, question_count=6)
    db.session.add(attempt)
    db.session.commit()
    boards.forget(competition.id)
    return attempt


def test_ties_break_on_time_then_finish(competition, now):
    t = now.value
    a, b, c, d = (_person(competition, n) for n in ("甲", "乙", "丙", "丁"))
    _scored(competition, a, 25, 100, t)
    _scored(competition, b, 30, 120, t + timedelta(minutes=5))
    _scored(competition, c, 30, 90, t + timedelta(minutes=9))
    _scored(competition, d, 30, 90, t + timedelta(minutes=1))
    board = boards.individual_board(competition)
    assert [r.name for r in board] == ["丁*", "丙*", "乙*", "甲*"]  # published masked
    assert [r.rank for r in board] == [1, 2, 3, 4]
    assert boards.rank_of(competition, c.id).rank == 2
    assert boards.rank_of(competition, a.id).rank == 4


def test_best_attempt_counts_or_last_one(competition, now):
    t = now.value
    person = _person(competition, "甲")
    _scored(competition, person, 30, 100, t)
    _scored(competition, person, 20, 50, t + timedelta(days=1))
    _scored(competition, person, 30, 80, t + timedelta(days=2), status="voided")
    assert [(r.score, r.duration_ms) for r in boards.individual_board(competition)] == \
        [(30, 100_000)]
    competition.counting = "last"
    db.session.commit()
    boards.forget(competition.id)
    assert [r.score for r in boards.individual_board(competition)] == [20]


def test_open_attempts_do_not_count(competition, now):
    person = _person(competition, "甲")
    _scored(competition, person, 30, 10, now.value, status="open")
    assert boards.individual_board(competition) == []
    assert boards.rank_of(competition, person.id) is None


def test_township_and_organisation_figures(competition, township, now):
    other = Township(code="other", name="八千乡", kind="township")
    db.session.add(other)
    school = Organisation(name="一中", kind="school", township=township)
    db.session.add(school)
    db.session.commit()
    t = now.value
    people = [_person(competition, f"p{i}", township, school if i < 2 else None)
              for i in range(3)]
    lone = _person(competition, "q", other)
    _scored(competition, people[0], 30, 60, t)  # perfect (6 questions × 5)
    _scored(competition, people[0], 10, 60, t + timedelta(days=1))
    _scored(competition, people[1], 20, 60, t)
    _scored(competition, people[2], 25, 60, t)
    _scored(competition, lone, 30, 60, t)
    rows = {r.name: r for r in boards.group_board(competition, "township")}
    xuedian = rows["薛店镇"]
    assert (xuedian.participants, xuedian.person_times) == (3, 4)
    assert xuedian.per_10000 == 3 * 10000 / 50000
    assert xuedian.mean_score == (30 + 20 + 25) / 3
    assert xuedian.perfect_share == 1 / 3
    assert rows["八千乡"].per_10000 is None and rows["八千乡"].perfect_share == 1.0
    assert [r.name for r in boards.group_board(competition, "township")] == ["薛店镇", "八千乡"]
    (one_school,) = boards.group_board(competition, "organisation")
    assert (one_school.name, one_school.participants, one_school.person_times) == ("一中", 2, 3)


def test_round_boards_only_count_their_round(competition, now):
    t = now.value
    first = Round(competition=competition, number=1, starts_at=t - timedelta(days=1),
                  ends_at=t + timedelta(days=6))
    second = Round(competition=competition, number=2, starts_at=t + timedelta(days=6),
                   ends_at=t + timedelta(days=10))
    db.session.add_all([first, second])
    db.session.commit()
    a, b = _person(competition, "甲"), _person(competition, "乙")
    _scored(competition, a, 30, 60, t, round_=first)
    _scored(competition, b, 20, 60, t + timedelta(days=7), round_=second)
    assert [r.name for r in boards.individual_board(competition, first.id)] == ["甲*"]
    assert [r.name for r in boards.individual_board(competition, second.id)] == ["乙*"]
    assert [r.name for r in boards.individual_board(competition)] == ["甲*", "乙*"]


def test_last_attempt_counts_on_every_board(competition, township, now):
    competition.counting = "last"
    db.session.commit()
    t = now.value
    a, b = _person(competition, "甲", township), _person(competition, "乙", township)
    _scored(competition, a, 30, 60, t)
    _scored(competition, a, 10, 60, t + timedelta(days=1))  # a's last
    _scored(competition, b, 20, 60, t)
    assert [(r.name, r.score) for r in boards.individual_board(competition)] == \
        [("乙*", 20), ("甲*", 10)]
    assert boards.rank_of(competition, a.id).rank == 2
    (row,) = boards.group_board(competition, "township")
    assert (row.participants, row.person_times, row.mean_score) == (2, 3, 15.0)
    assert row.perfect_share == 0.0


def test_rank_of_agrees_with_the_board_for_every_participant(competition, now):
    import random

    rng = random.Random(4)
    people = [_person(competition, f"p{i}") for i in range(25)]
    for person in people:
        for day in range(rng.randint(1, 3)):
            _scored(competition, person, rng.choice((10, 20, 30)), rng.choice((50, 60)),
                    now.value + timedelta(days=day, minutes=rng.randint(0, 3)))
    board = boards.individual_board(competition, limit=100)
    assert [boards.rank_of(competition, row.participant_id).rank for row in board] == \
        list(range(1, 26))
