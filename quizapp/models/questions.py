"""Questions and their versions.

A question keeps a stable code (``health-0001``); its content lives in versions. Editing an
active question adds a version, and every recorded answer points at the version the person
saw, so history never changes under it. Draws use each question's *current* version.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from question_bank.schema import (
    DIMENSIONS,
    GROUPS,
    MAX_ENEMY_GROUPS_TEXT,
    QUESTION_TYPES,
    STATUSES,
    TOPICS,
    TRUE_FALSE_CHOICES,
    groups_to_mask,
    mask_to_groups,
)
from quizapp.extensions import db
from quizapp.models.types import UTCDateTime, utcnow

# The vocabulary is defined once, in the Flask-free question bank package.
__all__ = ["DIMENSIONS", "GROUPS", "QUESTION_TYPES", "STATUSES", "TOPICS", "TRUE_FALSE_CHOICES",
           "Question", "QuestionVersion", "format_enemy_groups", "groups_to_mask", "mask_to_groups",
           "parse_enemy_groups"]


class Question(db.Model):
    """A question's identity: its code, whether it is held for the survey, its current version.

    Also the bank's metadata, which is not content (no new version when it changes): the
    question's enemy groups (no two questions sharing one are drawn into the same attempt) and
    its review-by date (a time-sensitive fact an admin should check again by then).
    """

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    source: Mapped[str] = mapped_column(String(8), default="bank")  # "bank" file or "ui"
    survey_reserved: Mapped[bool] = mapped_column(default=False, index=True)
    # Space-separated group names, NULL for none (most questions): see ``enemy_group_names``.
    enemy_groups: Mapped[str | None] = mapped_column(String(MAX_ENEMY_GROUPS_TEXT), default=None)
    review_by: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A bank question as the YAML files last loaded it (content hash, status, survey flag):
    # ``flask questions load`` compares with it to tell a change made in the UI, which it
    # never overwrites, from a change made in the files (quizapp.questions.services.sync_bank).
    bank_content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    bank_status: Mapped[str | None] = mapped_column(String(10), default=None)
    bank_survey: Mapped[bool | None] = mapped_column(default=None)

    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", foreign_keys="QuestionVersion.question_id",
        order_by="QuestionVersion.version", cascade="all, delete-orphan")
    current: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True)

    @property
    def enemy_group_names(self) -> tuple[str, ...]:
        return parse_enemy_groups(self.enemy_groups)


def parse_enemy_groups(stored: str | None) -> tuple[str, ...]:
    """The stored ``enemy_groups`` column as a sorted tuple of names."""
    return tuple(sorted((stored or "").split()))


def format_enemy_groups(names) -> str | None:
    """Group names as stored in ``Question.enemy_groups`` (``None`` for none)."""
    return " ".join(sorted(names)) or None


class QuestionVersion(db.Model):
    """The content of one version of a question, with its review status."""

    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "version"),
        Index("ix_question_versions_draw", "status", "topic", "type", "difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    type: Mapped[str] = mapped_column(String(12))
    topic: Mapped[str] = mapped_column(String(20))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)  # [] for true/false
    answer: Mapped[list] = mapped_column(JSON)  # sorted correct choice indexes
    explanation: Mapped[str] = mapped_column(Text)
    authority: Mapped[str] = mapped_column(String(200))
    groups_mask: Mapped[int] = mapped_column(default=0)
    dimension: Mapped[str] = mapped_column(String(1))
    benchmark: Mapped[int | None] = mapped_column(default=None)
    difficulty: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who wrote this version in the UI, who last changed its content there, and who marked it
    # reviewed (all None for versions loaded from the bank files or imported from the command
    # line). Neither writer may review or activate it: another person does.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)

    question: Mapped[Question] = relationship(
        back_populates="versions", foreign_keys=[question_id])

    @property
    def groups(self) -> list[str]:
        return mask_to_groups(self.groups_mask)

    @property
    def choice_count(self) -> int:
        return TRUE_FALSE_CHOICES if self.type == "true_false" else len(self.options)

    def is_correct(self, choices: list[int] | set[int]) -> bool:
        """All-or-nothing: the chosen set equals the keyed set (:func:`is_correct_choice`)."""
        return is_correct_choice(choices, self.answer)


def is_correct_choice(choices: list[int] | set[int], key: list[int] | None) -> bool:
    """The scoring rule, all-or-nothing: the chosen set of ORIGINAL options equals the keyed
    set. For callers that read the key without loading the version (live answers)."""
    return sorted(set(choices)) == sorted(key or ())
