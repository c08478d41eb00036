"""A person's own attempts: what the home page and 我的 (mine) list, and the mistakes to
practise again.

Ownership is the rule of :func:`quizapp.engine.attempts.owned_attempt`: a signed-in person owns
the attempts of their account, a visitor without an account the anonymous attempts of their
device. An account's attempt made on this device (a competition attempt keeps its device) is
never the device's: after signing out, the next person on a shared phone sees none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, func, select
from sqlalchemy.orm import selectinload

from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Question, QuestionVersion
from quizapp.questions_pool import reserved_question_ids
from quizapp.timezone import local_day_bounds


@dataclass(frozen=True)
class Owner:
    """Whose attempts: an account (``user_id``), else an anonymous device (``None``: a new
    visitor, who owns nothing yet)."""

    user_id: int | None
    device_id: str | None

    def owns(self) -> ColumnElement[bool]:
        """The condition an attempt of this owner meets."""
        if self.user_id is not None:
            return Attempt.user_id == self.user_id
        if self.device_id is None:
            return false()
        return and_(Attempt.user_id.is_(None), Attempt.device_id == self.device_id)


def competition_attempts(owner: Owner, limit: int = 50) -> list[Attempt]:
    """The owner's closed competition attempts (voided ones too: the person should see that),
    newest first, with their competitions."""
    return list(db.session.scalars(
        select(Attempt).where(owner.owns(), Attempt.kind == "competition",
                              Attempt.status != "open")
        .options(selectinload(Attempt.competition))
        .order_by(Attempt.finished_at.desc(), Attempt.id.desc()).limit(limit)))


def open_competition_attempts(owner: Owner) -> list[Attempt]:
    """The owner's competition attempts still open (one per competition at most)."""
    return list(db.session.scalars(
        select(Attempt).where(owner.owns(), Attempt.kind == "competition",
                              Attempt.status == "open")))


def practice_rounds(owner: Owner, limit: int = 20) -> list[Attempt]:
    """The owner's practice rounds, finished or not, newest first."""
    return list(db.session.scalars(
        select(Attempt).where(owner.owns(), Attempt.kind == "practice")
        .order_by(Attempt.started_at.desc(), Attempt.id.desc()).limit(limit)))


def open_practice(owner: Owner) -> Attempt | None:
    """The practice round the owner left unfinished, if any."""
    return db.session.scalar(
        select(Attempt).where(owner.owns(), Attempt.kind == "practice", Attempt.status == "open")
        .order_by(Attempt.started_at.desc()).limit(1))


def answered_today(owner: Owner, now: datetime | None = None) -> int:
    """How many practice questions the owner answered today (the city's calendar day)."""
    start, end = local_day_bounds(now or clock.now())
    return db.session.scalar(
        select(func.count(AttemptItem.id)).join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(owner.owns(), Attempt.kind == "practice", AttemptItem.answered_at >= start,
               AttemptItem.answered_at < end)) or 0


def mistake_versions(owner: Owner) -> list[QuestionVersion]:
    """The current versions of the questions the owner last answered wrongly in practice, in
    the order they were last answered (never a survey question, nor one in the pool of a
    competition that has not closed: practice shows answers)."""
    rows = db.session.execute(
        select(AttemptItem.correct, QuestionVersion.question_id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(Attempt.kind == "practice", owner.owns(), AttemptItem.answered_at.is_not(None))
        .order_by(AttemptItem.answered_at, AttemptItem.id)).all()
    last_outcome: dict[int, bool] = {}
    for correct, question_id in rows:
        last_outcome.pop(question_id, None)  # keep the order of the last answer
        last_outcome[question_id] = bool(correct)
    wrong = [qid for qid, correct in last_outcome.items() if not correct]
    if not wrong:
        return []
    versions = {v.question_id: v for v in db.session.scalars(
        select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.id.in_(wrong), QuestionVersion.status == "active",
               Question.survey_reserved.is_(False),
               Question.id.not_in(reserved_question_ids(clock.now()))))}
    return [versions[qid] for qid in wrong if qid in versions]
