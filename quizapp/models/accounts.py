"""Accounts, their roles, and which schools and townships staff are assigned to."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.extensions import db
from quizapp.models.places import Organisation, Township
from quizapp.models.types import UTCDateTime, utcnow

# Every role but "resident": people who work with other people's data.
STAFF_ROLES = frozenset({"admin", "statistician", "teacher", "interviewer"})


def new_session_token() -> str:
    """A fresh random session token (see :attr:`User.session_token`)."""
    return secrets.token_hex(16)


teacher_schools = Table(
    "teacher_schools",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)

interviewer_townships = Table(
    "interviewer_townships",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("township_id", ForeignKey("townships.id", ondelete="CASCADE"), primary_key=True),
)


class UserRole(db.Model):
    """One role held by one account; an account can hold several."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class User(UserMixin, db.Model):
    """A signed-in person: staff (admin, statistician, teacher, interviewer) or a resident."""

    __tablename__ = "users"
    # Usernames are stored in lower case, so "Admin" and "admin" are one account and the
    # unique constraint on username is case-insensitive.
    __table_args__ = (CheckConstraint("username = lower(username)", name="username_lower_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the id kept in the session and the remember-me cookie (see get_id): replacing it
    # ends every session of the account at once, remembered or not.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    schools: Mapped[list[Organisation]] = relationship(secondary=teacher_schools)
    townships: Mapped[list[Township]] = relationship(secondary=interviewer_townships)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.active

    @validates("username")
    def _normalise_username(self, _key: str, username: str) -> str:
        return username.strip().lower()

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and the remember-me cookie."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """End every session of this account, on every device (commit to take effect)."""
        self.session_token = new_session_token()

    @property
    def is_staff(self) -> bool:
        """Whether the account holds any role but "resident"."""
        return bool(self.roles & STAFF_ROLES)

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    @roles.setter
    def roles(self, roles: set[str] | list[str]) -> None:
        wanted = set(roles)
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        for role in sorted(wanted - {row.role for row in self.role_rows}):
            self.role_rows.append(UserRole(role=role))

    def has_any_role(self, *roles: str) -> bool:
        """Whether the account holds at least one of ``roles``."""
        return bool(self.roles & set(roles))

    def set_password(self, password: str) -> None:
        """Store a slow, salted hash (scrypt) of ``password`` and end every existing session.

        Callers check the password policy first (:func:`quizapp.credentials.password_problem`).
        """
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username}>"

