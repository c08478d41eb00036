"""A set never offers or plays a question of an unclosed network competition's pool: the
teacher sees the key and a class game reveals it to the room, so the pool would leak before
the competition closes. Homework pools do not count (homework shows each student the key after
their attempt anyway), and a pool returns to sets when its competition closes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.models import Competition, CompetitionItem
from quizapp.schools import sets_services as s
from quizapp.schools.sets_services import SetError
from tests.schools.sets_fixtures import *  # noqa: F403

FIRST, SECOND = "洗手要搓多少秒", "发烧时应当怎样用药"


def _pool(kind: str, question_ids: list[int], ends_in: timedelta) -> Competition:
    now = clock.now()
    competition = Competition(slug=f"pool-{kind}-{ends_in.days}", title="池", kind=kind,
                              starts_at=now - timedelta(days=1), ends_at=now + ends_in,
                              published=True)
    db.session.add(competition)
    db.session.flush()
    db.session.add_all([CompetitionItem(competition_id=competition.id, question_id=q)
                        for q in question_ids])
    db.session.commit()
    return competition


def _stems(versions) -> list[str]:
    return [v.stem for v in versions]


def test_an_open_network_pool_is_not_offered_added_or_played(schools, teachers, sets_bank):
    first, second = sets_bank[0], sets_bank[1]
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "课", [first.question_id])
    _pool("network", [first.question_id], timedelta(days=3))

    offered = _stems(s.candidate_questions(limit=50))
    assert FIRST not in offered and SECOND in offered
    other = s.create_set(schools["a"].id, teachers["wang"].id, "另一课", [second.question_id])
    with pytest.raises(SetError) as refused:
        s.add_questions(other, [first.question_id])
    assert refused.value.code == "not_offered"
    # Already in the set before the competition opened: kept in place, not played.
    with pytest.raises(SetError) as empty:
        s.playable_versions(qset)
    assert empty.value.code == "empty"


def test_a_closed_network_pool_and_a_homework_pool_are_offered(schools, teachers, sets_bank):
    first, second = sets_bank[0], sets_bank[1]
    _pool("network", [first.question_id], timedelta(days=-0.5))  # closed 12 hours ago
    _pool("homework", [second.question_id], timedelta(days=3))
    offered = _stems(s.candidate_questions(limit=50))
    assert FIRST in offered and SECOND in offered
    qset = s.create_set(schools["a"].id, teachers["wang"].id, "课",
                        [first.question_id, second.question_id])
    assert _stems(s.playable_versions(qset)) == [FIRST, SECOND]
