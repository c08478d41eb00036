"""State that two workers or app servers must agree on is not kept in one process's memory or
on one server's disk (docs/deploy.md, "Several app servers")."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import make_app
from tests.support import IN_CI

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        (pytest.fail if IN_CI else pytest.skip)(f"Redis not reachable at {REDIS_URL}")


@pytest.mark.redis
def test_a_question_upload_previewed_on_one_server_is_confirmed_on_another(
        tmp_path, migrated_database):
    from quizapp.questions import transfer

    _require_redis()
    first = make_app(migrated_database, str(tmp_path / "server-a"), REDIS_URL=REDIS_URL)
    second = make_app(migrated_database, str(tmp_path / "server-b"), REDIS_URL=REDIS_URL)
    token = uuid.uuid4().hex
    with first.app_context():
        transfer._stage(token, b"id,stem\n", "questions.csv")
    with second.app_context():
        assert transfer._take(token) == (b"id,stem\n", "questions.csv")
        assert transfer._take(token) is None  # used up
    with first.app_context():
        assert transfer._take(token) is None
    assert not (tmp_path / "server-a" / "question_imports").exists()


def test_without_redis_an_upload_is_staged_in_the_instance_folder(tmp_path, migrated_database):
    from quizapp.questions import transfer

    app = make_app(migrated_database, str(tmp_path / "instance"))
    token = uuid.uuid4().hex
    with app.app_context():
        transfer._stage(token, "题目\n".encode(), "题库.csv")
        assert (tmp_path / "instance" / "question_imports" / f"{token}.data").exists()
        assert transfer._take(token) == ("题目\n".encode(), "题库.csv")
        assert transfer._take(token) is None
