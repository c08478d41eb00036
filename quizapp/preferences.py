"""Visitor preferences kept in cookies: language and large type.

Both work without JavaScript (a small POST form on every page) and survive across visits.
"""

from __future__ import annotations

from flask import Flask, g, request

from quizapp.extensions import LARGE_TYPE_COOKIE, select_locale
from quizapp.security import set_cookie

ONE_YEAR = 365 * 24 * 3600


def register(app: Flask) -> None:
    @app.before_request
    def read_preferences() -> None:
        g.large_type = request.cookies.get(LARGE_TYPE_COOKIE) == "1"

    @app.context_processor
    def inject_preferences() -> dict:
        return {
            "large_type": g.get("large_type", False),
            "current_language": select_locale(),
        }


def remember(response, name: str, value: str):
    """Set a long-lived preference cookie on ``response``."""
    return set_cookie(response, name, value, max_age=ONE_YEAR)
