"""Account look-ups used when signing in."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User

# Checked against when the username is unknown, so both paths cost one slow hash.
_DUMMY_HASH = None


def authenticate(username: str, password: str) -> User | None:
    """The active account with these credentials, or ``None``.

    Unknown usernames still pay for one password hash so response times do not reveal which
    usernames exist.
    """
    global _DUMMY_HASH
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        if _DUMMY_HASH is None:
            from werkzeug.security import generate_password_hash

            _DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")
        from werkzeug.security import check_password_hash

        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.active or not user.check_password(password):
        return None
    return user
