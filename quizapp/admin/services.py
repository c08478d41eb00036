"""Admin operations on accounts and reference data, independent of requests."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Organisation, SchoolClass, Township, User


class DuplicateError(ValueError):
    """A value that must be unique is already taken."""


def save_user(user: User, *, username: str, display_name: str, password: str | None,
              roles: list[str], active: bool, school_ids: list[int],
              township_ids: list[int]) -> User:
    """Create or update an account; only teachers keep schools, only interviewers townships."""
    taken = db.session.scalar(select(User).where(User.username == username, User.id != user.id))
    if taken is not None:
        raise DuplicateError(username)
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
