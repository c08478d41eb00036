"""Which schools a signed-in teacher may see, and the object-level checks every view makes.

A teacher sees only the schools they are assigned to (``User.schools``), and everything that
belongs to one: sets, games, homework contests, reports. An admin sees every school. Anything
else is a 404, so another school's ids cannot even be confirmed to exist.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Organisation


def my_school_ids() -> set[int]:
    """The ids of the schools the signed-in person may see (every school for an admin)."""
    if current_user.has_any_role("admin"):
        return set(db.session.scalars(
            select(Organisation.id).where(Organisation.kind == "school")))
    return {school.id for school in current_user.schools if school.kind == "school"}


def my_schools() -> list[Organisation]:
    """The schools the signed-in person may see, by name."""
    ids = my_school_ids()
    if not ids:
        return []
    return list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)))


def require_school(school_id: int | None) -> None:
    """404 unless the signed-in person may see the school ``school_id``."""
    if school_id is None or school_id not in my_school_ids():
        abort(404)
