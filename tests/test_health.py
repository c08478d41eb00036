"""``/healthz`` and ``/readyz`` (quizapp/health): the probes a load balancer and a monitor ask."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tests.support import IN_CI

# A database the app cannot open: a file in a folder that does not exist.
UNREACHABLE_DATABASE = "sqlite:////nonexistent-kexue-dir/nowhere/kexue.sqlite3"
# Nothing listens on port 1 of the loopback address.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_healthz_answers_without_the_database(tmp_path):
    app = make_app(UNREACHABLE_DATABASE, str(tmp_path / "instance"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok",
                                   "redis": "not configured"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_naming_the_database_when_it_cannot_be_reached(tmp_path):
    app = make_app(UNREACHABLE_DATABASE, str(tmp_path / "instance"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["database"] == "failed: OperationalError"


def test_readyz_is_503_when_a_query_fails(client, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from quizapp.extensions import db

    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(db.engine, "connect", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "failed: OperationalError"


def test_readyz_is_503_naming_redis_when_it_is_configured_and_down(tmp_path, migrated_database):
    app = make_app(migrated_database, str(tmp_path / "instance"), REDIS_URL=UNREACHABLE_REDIS)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["redis"] == "failed: ConnectionError"


@pytest.mark.redis
def test_readyz_checks_the_configured_redis(tmp_path, migrated_database):
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        (pytest.fail if IN_CI else pytest.skip)(f"Redis not reachable at {url}")
    app = make_app(migrated_database, str(tmp_path / "instance"), REDIS_URL=url)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["redis"] == "ok"


def test_the_probes_are_not_rate_limited(tmp_path, migrated_database):
    app = make_app(migrated_database, str(tmp_path / "instance"), RATELIMIT_DEFAULT="2/minute")
    client = app.test_client()
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/readyz").status_code for _ in range(5)] == [200] * 5
