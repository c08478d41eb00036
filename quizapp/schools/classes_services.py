"""The classes of a teacher's schools, and their sizes (the denominator of participation rates:
a teacher knows how many students a class has; admins create the classes)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp.extensions import db
from quizapp.models import Organisation, SchoolClass

SIZE_MAX = 200  # students in one class; more is a typing slip


class ClassSizeError(ValueError):
    """A class size outside 1 … SIZE_MAX."""


def schools_with_classes(school_ids: set[int]) -> list[Organisation]:
    """The schools ``school_ids`` by name, their classes loaded (by grade and name)."""
    if not school_ids:
        return []
    return list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(list(school_ids)))
        .options(selectinload(Organisation.classes)).order_by(Organisation.name)))


def get_class(class_id: int) -> SchoolClass | None:
    return db.session.get(SchoolClass, class_id)


def set_class_size(school_class: SchoolClass, size: int | None) -> None:
    """Record how many students the class has (``None``: unknown). Committed."""
    if size is not None and not 1 <= size <= SIZE_MAX:
        raise ClassSizeError(size)
    school_class.size = size
    db.session.commit()
