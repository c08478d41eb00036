"""Certificates of competition attempts, each with a short public code to check it by.

A certificate keeps what it says as it was issued (the name, the competition's title, the
score, the date), so renaming a competition or editing a registration never changes a
certificate already handed out; it stays tied to its attempt, so voiding the attempt
withdraws it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.attempts import Attempt
from quizapp.models.types import UTCDateTime, utcnow


def format_code(code: str) -> str:
    """A stored code as people read it: ``K7Q2M9XPRA`` as ``K7Q2M-9XPRA``."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


class Certificate(db.Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # random, shown as XXXXX-XXXXX
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(120), default="")
    score: Mapped[float] = mapped_column(default=0.0)
    max_score: Mapped[float] = mapped_column(default=0.0)
    achieved_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the attempt closed
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship()

    @property
    def display_code(self) -> str:
        return format_code(self.code)
