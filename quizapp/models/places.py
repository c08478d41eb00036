"""Reference data an admin manages: townships and the organisations within them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db

TOWNSHIP_KINDS = ("subdistrict", "town", "township")
ORGANISATION_KINDS = ("school", "village", "community", "work_unit", "agency")


class Township(db.Model):
    """A subdistrict (街道), town (镇) or township (乡) of the city."""

    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    airport_zone: Mapped[bool] = mapped_column(default=False)
    population: Mapped[int | None] = mapped_column(default=None)
    population_source: Mapped[str | None] = mapped_column(String(200), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    organisations: Mapped[list[Organisation]] = relationship(
        back_populates="township", order_by="Organisation.name"
    )

    def __repr__(self) -> str:
        return f"<Township {self.code} {self.name}>"


class Organisation(db.Model):
    """A school, village, community, work unit or agency, belonging to one township."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    township: Mapped[Township] = relationship(back_populates="organisations")
    classes: Mapped[list[SchoolClass]] = relationship(
        back_populates="school",
        order_by="(SchoolClass.grade, SchoolClass.name)",
        cascade="all, delete-orphan",
    )


class SchoolClass(db.Model):
    """A class (班) in a school, e.g. grade 7, class "3班"."""

    __tablename__ = "school_classes"
    __table_args__ = (UniqueConstraint("organisation_id", "grade", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    grade: Mapped[int]
    name: Mapped[str] = mapped_column(String(32))
    # Students in the class (the denominator of homework participation rates); None: unknown.
    size: Mapped[int | None] = mapped_column(default=None)

    school: Mapped[Organisation] = relationship(back_populates="classes")
