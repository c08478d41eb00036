"""Exactly-once under real concurrency, on PostgreSQL: many threads, one attempt."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.competitions.conftest import add_question

pytestmark = pytest.mark.postgres
THREADS = 12




def _setup(app):
    from quizapp.competitions import services
    from quizapp.competitions.pool import draw_pool
    from quizapp.engine import clock
    from quizapp.extensions import db
    from quizapp.models import Competition

    with app.app_context():
        for index in range(12):
            add_question(("true_false", "single", "multiple")[index % 3], "health")
        now = clock.now()
        competition = Competition(
            slug="race", title="并发", starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=1), registration={"name": "optional"},
            question_count=6, quotas={}, seconds_per_question=None, attempts_per_day=1,
            points_per_correct=5.0, pool_size=12, published=True)
        db.session.add(competition)
        draw_pool(competition, seed=1)
        db.session.commit()
        participant = services.register(competition, user_id=None, device_id="dev", name="",
                                        township_id=None, organisation_id=None, phone="",
                                        ip=None)
        return competition.id, participant.id


def _run_threads(target):
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def runner(index):
        try:
            barrier.wait(timeout=10)
            target(index)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_many_threads_answering_one_attempt_count_each_question_once(pg_app):
    from quizapp.competitions import services
    from quizapp.engine.attempts import AttemptError, current_item, record_answer
    from quizapp.extensions import db
    from quizapp.models import Attempt, AttemptItem, Competition, Participant

    competition_id, participant_id = _setup(pg_app)
    with pg_app.app_context():
        competition = db.session.get(Competition, competition_id)
        attempt = services.start_attempt(competition, db.session.get(Participant, participant_id),
                                         ip=None, device_id="dev")
        token = attempt.token
        right = {item.position: [item.option_order.index(c)
                                 for c in item.question_version.answer]
                 for item in attempt.items}

    recorded = []

    def answer_everything(index):
        """Answer whatever is on screen until the attempt closes, as every tab would."""
        with pg_app.app_context():
            mine = db.session.scalar(select(Attempt).where(Attempt.token == token))
            for _ in range(50):
                db.session.expire_all()
                if mine.status != "open":
                    break
                item = current_item(mine)
                if item is None:
                    break
                try:
                    result = record_answer(mine, item.position, right[item.position],
                                           points_per_correct=5.0)
                    recorded.append(result.recorded)
                except AttemptError as error:
                    assert error.code in ("closed", "not_current")
                    db.session.rollback()
            db.session.remove()

    assert _run_threads(answer_everything) == []
    with pg_app.app_context():
        final = db.session.scalar(select(Attempt).where(Attempt.token == token))
        assert recorded.count(True) == 6
        assert final.score == 30.0 and final.correct_count == 6
        assert final.status == "finished"
        answered = db.session.scalar(select(func.count(AttemptItem.id)).where(
            AttemptItem.attempt_id == final.id, AttemptItem.answered_at.is_not(None)))
        assert answered == 6


def test_many_threads_starting_at_once_get_one_attempt(pg_app):
    from quizapp.competitions import services
    from quizapp.extensions import db
    from quizapp.models import Attempt, Competition, Participant

    competition_id, participant_id = _setup(pg_app)
    tokens = []

    def start(index):
        with pg_app.app_context():
            attempt = services.start_attempt(db.session.get(Competition, competition_id),
                                             db.session.get(Participant, participant_id),
                                             ip=None, device_id="dev")
            tokens.append(attempt.token)
            db.session.remove()

    assert _run_threads(start) == []
    assert len(tokens) == THREADS and len(set(tokens)) == 1
    with pg_app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
