"""Helpers for tests: signing in, reading CSRF tokens and form errors, a throw-away PostgreSQL
database."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape

import pytest

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI") == "true"


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def field_errors(html: str) -> list[str]:
    """The form errors a page shows next to its fields, in page order."""
    return [unescape(text) for text in re.findall(r'<p class="error" role="alert">(.*?)</p>', html)]


def without_csrf(html: str) -> str:
    """``html`` with its CSRF tokens blanked, to compare two renderings of one page."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", html)


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client) -> None:
        self.client = client

    def login(self, username: str, password: str = "correct horse 42"):
        page = self.client.get("/login")
        return self.client.post("/login", data={
            "username": username, "password": password, "csrf_token": csrf_token(page.text)})

    def logout(self):
        page = self.client.get("/")
        return self.client.post("/logout", data={"csrf_token": csrf_token(page.text)})


def _postgres_unavailable_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except Exception as error:  # any failure means: not reachable here
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {error.__class__.__name__}"


def require_postgres() -> None:
    """Skip when PostgreSQL is unreachable; in CI (CI=true) fail instead."""
    reason = _postgres_unavailable_reason()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, dropped afterwards."""
    import psycopg

    require_postgres()
    name = f"kexue_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,))
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
