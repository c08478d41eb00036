"""Signing in, the session id, and ending sessions."""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.credentials import normalise_username
from quizapp.extensions import db
from quizapp.models import User

# Checked against when the username is unknown, so both paths cost one slow hash.
_DUMMY_HASH = None


def authenticate(username: str, password: str) -> User | None:
    """The active account with these credentials, or ``None``; usernames ignore case.

    Unknown usernames still pay for one password hash so response times do not reveal which
    usernames exist.
    """
    global _DUMMY_HASH
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.active or not user.check_password(password):
        return None
    return user


def load_session_user(session_id: str) -> User | None:
    """The account a session or remember-me cookie names, if that session is still valid.

    ``session_id`` is ``User.get_id()``: the user id and the account's session token. A token
    that no longer matches (signed out, password changed, account disabled or reset since)
    signs nobody in; a disabled account is never authenticated (``User.is_active``).
    """
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


def end_sessions(user: User) -> None:
    """Sign ``user`` out everywhere: every session and remember-me cookie stops working."""
    user.end_sessions()
    db.session.commit()


def remember_duration(user: User) -> timedelta:
    """How long "keep me signed in" lasts for ``user``: shorter for staff than for residents."""
    key = "STAFF_REMEMBER_COOKIE_DURATION" if user.is_staff else "REMEMBER_COOKIE_DURATION"
    return current_app.config[key]
