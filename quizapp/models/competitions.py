"""Network competitions (网络竞赛): their rules, question pool, weekly rounds and registered
participants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.places import Organisation, SchoolClass, Township
from quizapp.models.types import UTCDateTime, utcnow

REGISTRATION_FIELDS = ("name", "township", "organisation", "phone", "school_class")
# "network": a city-wide network competition (网络竞赛); "homework": a school's homework
# contest between classes, playing a teacher's question set (quizapp.models.schools).
COMPETITION_KINDS = ("network", "homework")
FIELD_MODES = ("off", "optional", "required")
COUNTING_RULES = ("best", "last")
# When participants see the right answers: after each question, after their attempt, or
# only once the competition has closed (the default: it keeps the pool's key secret while open).
REVEAL_RULES = ("after_item", "after_attempt", "after_window")
DEFAULT_POOL_SIZE = 100
# How the boards publish participants' names: masked as Chinese contests do (张*明), or in full
# when the competition says so (e.g. a contest among named officials).
BOARD_NAME_RULES = ("masked", "full")


class Competition(db.Model):
    """A competition's rules: audience, window, registration, draw, timing, attempts, scoring."""

    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    rules_text: Mapped[str] = mapped_column(Text, default="")
    audience_mask: Mapped[int] = mapped_column(default=0)  # 0 = everyone
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # {"name": "required", "township": "required", "organisation": "optional", "phone": "off"}
    registration: Mapped[dict] = mapped_column(JSON, default=dict)
    question_count: Mapped[int] = mapped_column(default=20)
    # {"type": {"true_false": 7, ...}, "topic": {...}, "difficulty": {"1": 8, ...}}
    quotas: Mapped[dict] = mapped_column(JSON, default=dict)
    seconds_per_question: Mapped[int | None] = mapped_column(default=None)
    seconds_per_attempt: Mapped[int | None] = mapped_column(default=None)
    attempts_per_day: Mapped[int | None] = mapped_column(default=None)  # None: unlimited
    counting: Mapped[str] = mapped_column(String(8), default="best")
    points_per_correct: Mapped[float] = mapped_column(default=5.0)
    reveal: Mapped[str] = mapped_column(String(16), default="after_window")
    # The competition's own question pool (rows in competition_items), drawn once with this
    # seed; attempts draw only from it and practice never shows it before the window closes.
    pool_size: Mapped[int] = mapped_column(default=DEFAULT_POOL_SIZE)
    pool_seed: Mapped[int | None] = mapped_column(BigInteger, default=None)  # None: not drawn
    published: Mapped[bool] = mapped_column(default=False)
    board_names: Mapped[str] = mapped_column(String(8), default="masked",
                                             server_default="masked")
    kind: Mapped[str] = mapped_column(String(12), default="network", server_default="network")
    # Homework contests: the set played (its questions are the pool), the school whose classes
    # take part, the teacher who opened it, and one attempt per student.
    question_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_sets.id", ondelete="SET NULL"), default=None, index=True)
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), default=None, index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    attempts_total: Mapped[int | None] = mapped_column(default=None)  # None: no overall limit
    # A scored attempt earns a certificate when its score reaches this (0: every finished
    # attempt; quizapp.engine.certificates).
    certificate_min_score: Mapped[float] = mapped_column(default=0.0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rounds: Mapped[list[Round]] = relationship(
        back_populates="competition", order_by="Round.number", cascade="all, delete-orphan")

    @property
    def max_score(self) -> float:
        return self.question_count * self.points_per_correct

    def field_mode(self, field: str) -> str:
        return self.registration.get(field, "off")


class CompetitionItem(db.Model):
    """A question in a competition's pool (its current version is what attempts draw)."""

    __tablename__ = "competition_items"

    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True)


class Round(db.Model):
    """A round (e.g. a week) of a competition, with its own window and leaderboard."""

    __tablename__ = "competition_rounds"
    __table_args__ = (UniqueConstraint("competition_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(120), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    competition: Mapped[Competition] = relationship(back_populates="rounds")


class Participant(db.Model):
    """Someone registered for a competition, by account or by anonymous device token, never
    both: an account's registration has no device, so the next person on a shared device never
    sees it (linking a device's registration to an account clears its device).

    Only the registration fields the competition asks for are stored.
    """

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("competition_id", "user_id"),
        UniqueConstraint("competition_id", "device_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    device_id: Mapped[str | None] = mapped_column(String(64), default=None)
    name: Mapped[str] = mapped_column(String(64), default="")
    township_id: Mapped[int | None] = mapped_column(
        ForeignKey("townships.id"), default=None, index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), default=None, index=True)
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    school_class_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_classes.id", ondelete="SET NULL"), default=None, index=True)
    ip: Mapped[str | None] = mapped_column(String(45), default=None)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township: Mapped[Township | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    school_class: Mapped[SchoolClass | None] = relationship()

    @property
    def display_name(self) -> str:
        return self.name or f"#{self.id}"
