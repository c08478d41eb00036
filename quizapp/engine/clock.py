"""The server's clock, in one place so tests can move time."""

from __future__ import annotations

from datetime import datetime

from quizapp.models.types import utcnow


def now() -> datetime:
    """The current UTC time (tests replace this function to move time)."""
    return utcnow()
