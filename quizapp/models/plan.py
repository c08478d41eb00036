"""The 2021–2025 plan's other measurable targets (issue 14) and the yearly figures that the
units leading them report.

A target's lead unit is free text, not an :class:`~quizapp.models.places.Organisation`: the
plan's lead units are city bureaus (教育局, 人社局, 科协…), while an organisation belongs to one
township; and no role ties an account to a unit, so only admins enter figures.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.accounts import User
from quizapp.models.types import UTCDateTime, utcnow

# How a target is measured (labels in quizapp.plan.labels):
# cumulative: each year's figure is what was added that year; progress is their sum;
# yearly: a figure to reach every year; share: a count out of a denominator, in per cent.
TARGET_KINDS = ("cumulative", "yearly", "share")
PLAN_FIRST_YEAR, PLAN_LAST_YEAR = 2021, 2025

# Who reports a target's figures: accounts an admin assigned (staff only, never a resident).
plan_reporters = Table(
    "plan_reporters",
    db.metadata,
    Column("target_id", ForeignKey("plan_targets.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class PlanTarget(db.Model):
    """One measurable target of the plan, with the unit that leads it."""

    __tablename__ = "plan_targets"
    __table_args__ = (CheckConstraint("target_value > 0", name="target_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    # The 2025 target: a count, or for a share the per cent (2.0 for 2%).
    target_value: Mapped[float]
    unit_zh: Mapped[str] = mapped_column(String(32), default="")
    unit_en: Mapped[str] = mapped_column(String(32), default="")
    # For a share: what the denominator counts (常住人口, 中小学校).
    denominator_zh: Mapped[str] = mapped_column(String(64), default="")
    denominator_en: Mapped[str] = mapped_column(String(64), default="")
    lead_unit: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(default=0)

    figures: Mapped[list[PlanFigure]] = relationship(
        back_populates="target", order_by="PlanFigure.year", cascade="all, delete-orphan")
    # The accounts that enter this target's figures besides the admins.
    reporters: Mapped[list[User]] = relationship(secondary=plan_reporters,
                                                 order_by=User.username)


class PlanFigure(db.Model):
    """A target's figure for one year, as its lead unit reported it."""

    __tablename__ = "plan_figures"
    __table_args__ = (UniqueConstraint("target_id", "year"),
                      CheckConstraint("value >= 0", name="value_not_negative"),
                      CheckConstraint("denominator IS NULL OR denominator > 0",
                                      name="denominator_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(
        ForeignKey("plan_targets.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    value: Mapped[int]
    denominator: Mapped[int | None] = mapped_column(default=None)
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    target: Mapped[PlanTarget] = relationship(back_populates="figures")
    entered_by: Mapped[User | None] = relationship()
