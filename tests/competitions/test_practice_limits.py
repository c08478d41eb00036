"""Practice shows answers, so starting rounds is rate-limited (a lower limit for the test)."""

import pytest

from tests.support import csrf_token


@pytest.fixture
def app_config():
    return {"PRACTICE_RATE_LIMIT": "3 per hour"}


def test_practice_starts_are_rate_limited_per_device(client, bank):
    statuses = [client.post("/practice/start", data={
        "csrf_token": csrf_token(client.get("/practice/").text), "group": "youth"}).status_code
        for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
