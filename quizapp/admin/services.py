"""Admin operations on accounts and reference data, independent of requests."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp.credentials import normalise_username
from quizapp.extensions import db
from quizapp.models import Organisation, SchoolClass, Township, User, UserRole
from quizapp.models.accounts import STAFF_ROLES


class DuplicateError(ValueError):
    """A value that must be unique is already taken."""


class SelfDisableError(ValueError):
    """An admin tried to disable their own account."""


class LastAdminError(ValueError):
    """The change would leave no active administrator."""


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def get_township(township_id: int) -> Township | None:
    return db.session.get(Township, township_id)


def get_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def get_school_class(class_id: int) -> SchoolClass | None:
    return db.session.get(SchoolClass, class_id)


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def _active_admin_ids(*, lock: bool = False) -> list[int]:
    query = select(User.id).join(UserRole).where(UserRole.role == "admin", User.active.is_(True))
    if lock:
        query = query.with_for_update(of=User)
    return list(db.session.scalars(query))


def check_admin_rules(user: User, actor: User, *, active: bool, roles: Iterable[str]) -> None:
    """Refuse a change to ``user`` by ``actor`` that would lock the administrators out.

    An admin cannot disable their own account, and the last active administrator can neither
    be disabled nor lose the role. Runs before the change is made. On PostgreSQL the active
    administrators' rows stay locked until the caller commits, so two admins disabling each
    other at the same moment cannot both succeed.
    """
    if user.id is not None and user.id == actor.id and not active:
        raise SelfDisableError(user.username)
    keeps_admin = active and "admin" in set(roles)
    if user.id is None or keeps_admin or not (user.active and "admin" in user.roles):
        return
    # Lock every active admin's row first, then count again in a new statement: the count
    # then sees whatever a concurrent change committed while this one waited for the lock.
    _active_admin_ids(lock=True)
    if not [admin_id for admin_id in _active_admin_ids() if admin_id != user.id]:
        raise LastAdminError(user.username)


def _commit_or_duplicate(value: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DuplicateError(value) from None


def save_user(user: User, *, actor: User, username: str, display_name: str,
              password: str | None, roles: list[str], active: bool, school_ids: list[int],
              township_ids: list[int]) -> User:
    """Create or update an account; only teachers keep schools, only interviewers townships.

    Usernames are unique regardless of case. A new password, disabling the account or making
    a resident staff ends every session it has. The caller has checked the password against
    the policy; raises :class:`DuplicateError`, :class:`SelfDisableError` or
    :class:`LastAdminError`.
    """
    username = normalise_username(username)
    taken = db.session.scalar(select(User.id).where(
        User.username == username, User.id != user.id))
    if taken is not None:
        raise DuplicateError(username)
    check_admin_rules(user, actor, active=active, roles=roles)
    if user.id is not None and user.active and not active:
        user.end_sessions()
    if user.id is not None and not user.is_staff and set(roles) & STAFF_ROLES:
        # A resident's remember-me cookie lasts longer than staff may keep one: a resident made
        # staff signs in again, and gets the staff cookie.
        user.end_sessions()
    user.username = username
    user.display_name = display_name or ""
    if password:
        user.set_password(password)
    user.roles = roles
    user.active = active
    user.schools = ([db.session.get(Organisation, i) for i in school_ids]
                    if "teacher" in roles else [])
    user.townships = ([db.session.get(Township, i) for i in township_ids]
                      if "interviewer" in roles else [])
    db.session.add(user)
    _commit_or_duplicate(username)
    return user


def set_active(user: User, active: bool, *, actor: User) -> User:
    """Enable or disable an account; disabling ends every session it has.

    Raises :class:`SelfDisableError` or :class:`LastAdminError` (see :func:`check_admin_rules`).
    """
    check_admin_rules(user, actor, active=active, roles=user.roles)
    if user.active and not active:
        user.end_sessions()
    user.active = active
    db.session.commit()
    return user


def save_township(township: Township, **fields) -> Township:
    """Create or update a township; code and name stay unique."""
    clash = db.session.scalar(select(Township).where(
        (Township.code == fields["code"]) | (Township.name == fields["name"]),
        Township.id != township.id))
    if clash is not None:
        raise DuplicateError(fields["name"])
    for key, value in fields.items():
        setattr(township, key, value)
    db.session.add(township)
    db.session.commit()
    return township


def save_organisation(organisation: Organisation, **fields) -> Organisation:
    """Create or update an organisation; its name is unique within its township."""
    clash = db.session.scalar(select(Organisation).where(
        Organisation.township_id == fields["township_id"],
        Organisation.name == fields["name"], Organisation.id != organisation.id))
    if clash is not None:
        raise DuplicateError(fields["name"])
    for key, value in fields.items():
        setattr(organisation, key, value)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def add_class(school: Organisation, grade: int, name: str) -> SchoolClass:
    """Add a class to a school; the same grade and name cannot appear twice."""
    exists = db.session.scalar(select(SchoolClass).where(
        SchoolClass.organisation_id == school.id, SchoolClass.grade == grade,
        SchoolClass.name == name))
    if exists is not None:
        raise DuplicateError(name)
    school_class = SchoolClass(school=school, grade=grade, name=name)
    db.session.add(school_class)
    db.session.commit()
    return school_class


def delete_class(school_class: SchoolClass) -> None:
    """Remove a school class."""
    db.session.delete(school_class)
    db.session.commit()
