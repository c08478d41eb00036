"""Schools: teachers' question sets and live class games (课堂竞赛).

A question set is a teacher's ordered list of bank questions, kept by school and shareable
with the school's other teachers. A live game plays a set to a room: every player gets an
engine attempt (kind ``class_game``) holding the game's question versions in the game's order
with their own shuffled options, so answers are recorded exactly once by the engine. The game
row is the single shared state: every worker and server reads it from the database, and its
``state_version`` goes up by one on every change so phones can wait for the next one.

Homework contests are competitions of kind ``homework`` (``quizapp.models.competitions``):
they reuse the competition attempt flow.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.accounts import User
from quizapp.models.attempts import Attempt
from quizapp.models.places import Organisation, SchoolClass
from quizapp.models.questions import Question
from quizapp.models.types import UTCDateTime, utcnow

# lobby → question_open → question_closed → revealed → question_open … → finished;
# paused from lobby, question_open, question_closed or revealed (back to where it was).
GAME_STATES = ("lobby", "question_open", "question_closed", "revealed", "paused", "finished")


class QuestionSet(db.Model):
    """A teacher's ordered list of bank questions, kept by school."""

    __tablename__ = "question_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Shared sets are visible to (and can be copied or played by) the school's other teachers;
    # only the owner edits a set.
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[QuestionSetItem]] = relationship(
        back_populates="question_set", order_by="QuestionSetItem.position",
        cascade="all, delete-orphan")
    school: Mapped[Organisation] = relationship()
    owner: Mapped[User | None] = relationship()


class QuestionSetItem(db.Model):
    """One question of a set, at its position (0-based)."""

    __tablename__ = "question_set_items"
    __table_args__ = (UniqueConstraint("question_set_id", "question_id"),)

    question_set_id: Mapped[int] = mapped_column(
        ForeignKey("question_sets.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)

    question_set: Mapped[QuestionSet] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


class LiveGame(db.Model):
    """A live class game: the room's shared state (which question, open until when, paused)."""

    __tablename__ = "live_games"
    __table_args__ = (
        # A join code belongs to one game at a time: codes of finished games can come back.
        Index("ux_live_games_code_unfinished", "code", unique=True,
              sqlite_where=text("status != 'finished'"),
              postgresql_where=text("status != 'finished'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # the id used in URLs
    code: Mapped[str] = mapped_column(String(8))  # the short join code students type
    title: Mapped[str] = mapped_column(String(120))
    question_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_sets.id", ondelete="SET NULL"), default=None, index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True)
    status: Mapped[str] = mapped_column(String(16), default="lobby")
    paused_status: Mapped[str | None] = mapped_column(String(16), default=None)
    # The game's questions, fixed when it is created: question version ids in playing order.
    version_ids: Mapped[list] = mapped_column(JSON, default=list)
    current_index: Mapped[int] = mapped_column(default=-1)  # -1: not started
    seconds_per_question: Mapped[int] = mapped_column(default=20)
    speed_points: Mapped[bool] = mapped_column(default=True)
    team_count: Mapped[int] = mapped_column(default=0)  # 0: every player for themselves
    calm: Mapped[bool] = mapped_column(default=False)  # no animation, no sounds
    question_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The open question's deadline for players without extra time.
    question_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Time left on the open question when the game was paused (the clock stops).
    paused_remaining_ms: Mapped[int | None] = mapped_column(default=None)
    state_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    players: Mapped[list[LivePlayer]] = relationship(
        back_populates="game", order_by="LivePlayer.id", cascade="all, delete-orphan")
    question_set: Mapped[QuestionSet | None] = relationship()
    school: Mapped[Organisation] = relationship()
    teacher: Mapped[User | None] = relationship()

    @property
    def question_count(self) -> int:
        return len(self.version_ids)


class LivePlayer(db.Model):
    """A seat in a live game: a nickname, a class, a team, and the engine attempt it answers.

    The seat is found again by ``seat_hash`` (SHA-256 of the secret kept in the phone's
    cookie), so a reload, a closed tab or a lost network rejoins the same seat and score.
    """

    __tablename__ = "live_players"
    __table_args__ = (UniqueConstraint("game_id", "nickname_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(
        ForeignKey("live_games.id", ondelete="CASCADE"), index=True)
    nickname: Mapped[str] = mapped_column(String(24))
    nickname_key: Mapped[str] = mapped_column(String(24))  # normalised: unique in the game
    school_class_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_classes.id", ondelete="SET NULL"), default=None, index=True)
    team: Mapped[int | None] = mapped_column(default=None)  # 0-based team number
    seat_hash: Mapped[str] = mapped_column(String(64), unique=True)
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), default=None, unique=True)
    extra_seconds: Mapped[int] = mapped_column(default=0)  # extra time on every question
    removed: Mapped[bool] = mapped_column(default=False)  # removed by the teacher
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    game: Mapped[LiveGame] = relationship(back_populates="players")
    school_class: Mapped[SchoolClass | None] = relationship()
    attempt: Mapped[Attempt | None] = relationship()
