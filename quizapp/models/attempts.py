"""Attempts at a quiz (practice or competition) and the items in them.

Every answer is recorded against the question *version* shown. An item is answered at most
once: the answer is written with ``UPDATE ... WHERE answered_at IS NULL``, so a double tap or a
retried request cannot count twice. At most one attempt per participant is open at a time (a
partial unique index), so two tabs cannot run two attempts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.competitions import Competition, Participant, Round
from quizapp.models.questions import QuestionVersion
from quizapp.models.types import UTCDateTime, utcnow

# The column is a plain string (no CHECK constraint). Homework contests are competitions;
# "class_game" is a player's seat in a live class game (quizapp.models.schools).
ATTEMPT_KINDS = ("practice", "competition", "survey", "class_game")
ATTEMPT_STATUSES = ("open", "finished", "expired", "voided")
# Attempts whose score stands: finished by the person, or closed at the deadline.
SCORED_STATUSES = ("finished", "expired")


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = (
        Index("ux_attempts_one_open_per_participant", "participant_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        Index("ix_attempts_board", "competition_id", "status", "participant_id"),
        Index("ix_attempts_open_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # the id used in URLs
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="open")
    competition_id: Mapped[int | None] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), default=None)
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("competition_rounds.id", ondelete="SET NULL"), default=None, index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), default=None)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    device_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    label: Mapped[str] = mapped_column(String(32), default="")  # e.g. the practice group
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    question_count: Mapped[int] = mapped_column(default=0)
    correct_count: Mapped[int] = mapped_column(default=0)
    score: Mapped[float] = mapped_column(default=0.0)
    duration_ms: Mapped[int | None] = mapped_column(default=None)
    ip: Mapped[str | None] = mapped_column(String(45), default=None)
    void_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan")
    competition: Mapped[Competition | None] = relationship()
    round: Mapped[Round | None] = relationship()
    participant: Mapped[Participant | None] = relationship()


class AttemptItem(db.Model):
    __tablename__ = "attempt_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("question_versions.id"), index=True)
    # Display order: option_order[k] is the original index of the option shown k-th.
    option_order: Mapped[list] = mapped_column(JSON, default=list)
    choices: Mapped[list | None] = mapped_column(JSON, default=None)  # original indexes
    correct: Mapped[bool | None] = mapped_column(default=None)
    points: Mapped[float] = mapped_column(default=0.0)
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Milliseconds from the question appearing to the answer (reading speed signals).
    elapsed_ms: Mapped[int | None] = mapped_column(default=None)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question_version: Mapped[QuestionVersion] = relationship()
