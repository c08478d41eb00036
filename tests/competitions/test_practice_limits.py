"""Practice shows answers, so starting rounds is rate-limited, keyed on what a client cannot
shed: its account and its address (an IPv6 client by its /64), never its device cookie, which
a script simply drops. Low limits for the tests."""


import pytest

from tests.conftest import make_app
from tests.support import csrf_token


@pytest.fixture
def app_config():
    return {"PRACTICE_RATE_LIMIT": "2 per hour", "PRACTICE_ADDRESS_RATE_LIMIT": "3 per hour"}


def _start(client, address="10.0.0.1"):
    where = {"REMOTE_ADDR": address}
    page = client.get("/practice/", environ_base=where)
    return client.post("/practice/start", environ_base=where, data={
        "csrf_token": csrf_token(page.text), "group": "youth"}).status_code


def test_dropping_the_device_cookie_gives_no_fresh_allowance(app, client, bank):
    statuses = [_start(app.test_client()) for _ in range(4)]  # a new device every time
    assert statuses == [302, 302, 302, 429]
    assert _start(app.test_client(), "10.0.0.2") == 302, "another address has its own"


def test_an_account_is_limited_wherever_it_practises_from(app, client, bank, make_user):
    from tests.support import AuthActions

    make_user("reader")
    statuses = []
    for n in range(3):
        device = app.test_client()
        AuthActions(device).login("reader")
        statuses.append(_start(device, f"10.0.1.{n}"))
    assert statuses == [302, 302, 429]


def test_an_ipv6_client_is_limited_by_its_64(app, client, bank):
    statuses = [_start(app.test_client(), f"2001:db8:0:1::{n}") for n in range(1, 5)]
    assert statuses == [302, 302, 302, 429]
    assert _start(app.test_client(), "2001:db8:0:2::1") == 302




@pytest.mark.redis
def test_workers_count_practice_rounds_together_through_redis(migrated_database, tmp_path,
                                                              redis_url):
    workers = [make_app(migrated_database, str(tmp_path / f"i{n}"), RATELIMIT_STORAGE_URI=redis_url,
                        PRACTICE_ADDRESS_RATE_LIMIT="3 per hour") for n in range(2)]
    from quizapp.extensions import db

    statuses = []
    for attempt in range(4):
        worker = workers[attempt % 2]
        with worker.app_context():
            statuses.append(_start(worker.test_client()))
    for worker in workers:
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()
    assert statuses == [302, 302, 302, 429]
