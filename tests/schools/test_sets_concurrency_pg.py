"""Many teachers' requests changing one set at once, on PostgreSQL: the row lock serialises
them, so every addition is kept, positions stay 0…n-1, and nobody gets an error."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.competitions.conftest import add_question

pytestmark = pytest.mark.postgres
THREADS = 12


def _run_threads(target) -> list[BaseException]:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def runner(index):
        try:
            barrier.wait(timeout=10)
            target(index)
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_additions_to_one_set_are_all_kept(pg_app):
    from quizapp.extensions import db
    from quizapp.models import Organisation, Township, User
    from quizapp.models.schools import QuestionSetItem
    from quizapp.schools import sets_services

    with pg_app.app_context():
        town = Township(code="pg-town", name="并发镇", kind="town")
        school = Organisation(name="并发中学", kind="school", township=town)
        teacher = User(username="pgteacher", display_name="老师")
        teacher.set_password("correct horse 42")
        db.session.add_all([town, school, teacher])
        db.session.commit()
        ids = [add_question("single", "health").question_id for _ in range(THREADS + 2)]
        set_id = sets_services.create_set(school.id, teacher.id, "并发", ids[:2]).id
        db.session.remove()

    def add_one(index: int) -> None:
        with pg_app.app_context():
            qset = sets_services.get_set(set_id)
            sets_services.add_questions(qset, [ids[2 + index]])
            db.session.remove()

    assert _run_threads(add_one) == []

    def move_first_down(index: int) -> None:
        with pg_app.app_context():
            sets_services.move_question(sets_services.get_set(set_id), ids[0], 1)
            db.session.remove()

    assert _run_threads(move_first_down) == []
    with pg_app.app_context():
        rows = db.session.execute(
            select(QuestionSetItem.position, QuestionSetItem.question_id)
            .where(QuestionSetItem.question_set_id == set_id)
            .order_by(QuestionSetItem.position)).all()
        assert [position for position, _ in rows] == list(range(THREADS + 2))
        assert sorted(q for _, q in rows) == sorted(ids)
        # Twelve single steps down from position 0: the first question is now at 12.
        assert [q for _, q in rows].index(ids[0]) == THREADS
