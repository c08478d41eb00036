"""The readiness checks behind ``/readyz``: one function per dependency, each returning
``None`` when it answers and a short reason when it does not."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import text

from quizapp.extensions import db

# Seconds a readiness check waits for Redis: a monitor asks every few seconds and must get
# an answer (503) well before its own timeout.
REDIS_TIMEOUT_SECONDS = 1.0
log = logging.getLogger(__name__)


def database_problem() -> str | None:
    """``None`` when the database answers ``SELECT 1``, else the kind of error."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not ready"
        log.warning("readiness: the database does not answer: %s", error)
        return type(error).__name__
    return None


def redis_problem() -> str | None:
    """``None`` when Redis answers ``PING`` (or no Redis is configured), else the error."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                      socket_timeout=REDIS_TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:
        log.warning("readiness: Redis does not answer: %s", error)
        return type(error).__name__
    return None


def readiness() -> tuple[dict[str, str], bool]:
    """Each dependency's state (``"ok"``, ``"failed: <error kind>"`` or ``"not configured"``)
    and whether all that are configured answer."""
    checks: dict[str, str] = {}
    ready = True
    problem = database_problem()
    checks["database"] = "ok" if problem is None else f"failed: {problem}"
    ready = ready and problem is None
    if current_app.config.get("REDIS_URL"):
        problem = redis_problem()
        checks["redis"] = "ok" if problem is None else f"failed: {problem}"
        ready = ready and problem is None
    else:
        checks["redis"] = "not configured"
    return checks, ready
