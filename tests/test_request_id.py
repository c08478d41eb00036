"""Every response names its request's id (quizapp/request_id.py), which the access log keeps."""

from __future__ import annotations

import re

import pytest


def test_a_response_gets_a_new_id_when_the_request_has_none(client):
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_the_id_from_nginx_is_kept(client):
    response = client.get("/", headers={"X-Request-Id": "7f3a9c1e2b4d4e6f8a0b1c2d3e4f5a6b"})
    assert response.headers["X-Request-Id"] == "7f3a9c1e2b4d4e6f8a0b1c2d3e4f5a6b"


@pytest.mark.parametrize("incoming", ["a b", "x" * 65, "id\"}, {\"evil\": 1", "", "中文"])
def test_an_id_that_is_not_a_plain_token_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-Id": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])


def test_error_pages_carry_an_id_too(client):
    response = client.get("/no-such-page", headers={"X-Request-Id": "req-404"})
    assert response.status_code == 404
    assert response.headers["X-Request-Id"] == "req-404"
