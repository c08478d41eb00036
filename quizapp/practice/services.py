"""Practice rounds: a topic-balanced draw for a group, and replaying one's mistakes.

Practice shows the right answer after each question, so it never draws a question in the pool
of a competition that has not closed (``quizapp.questions_pool``), nor replays one as a mistake.
"""

from __future__ import annotations

import random
import secrets

from sqlalchemy import select

from quizapp.engine import clock
from quizapp.engine.attempts import create_attempt
from quizapp.engine.draw import DrawError, draw_questions, max_together, without_enemies
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Question, QuestionVersion
from quizapp.models.questions import GROUPS
from quizapp.questions_pool import as_candidates, practice_versions, reserved_question_ids

PRACTICE_SIZE = 10


def _owner_filter(user_id: int | None, device: str):
    return Attempt.user_id == user_id if user_id is not None else Attempt.device_id == device


def open_practice(user_id: int | None, device: str) -> Attempt | None:
    """The practice round this person left unfinished, if any (progress survives a reload
    and a closed browser because it lives in the database)."""
    return db.session.scalar(
        select(Attempt).where(Attempt.kind == "practice", Attempt.status == "open",
                              _owner_filter(user_id, device))
        .order_by(Attempt.started_at.desc()).limit(1))


def start_practice(group: str, user_id: int | None, device: str,
                   rng: random.Random | None = None) -> Attempt:
    """Ten questions for ``group``, one from each topic before any topic repeats."""
    if group not in GROUPS:
        raise ValueError(group)
    rng = rng or random.Random(secrets.randbits(64))
    pool = practice_versions([group], clock.now())
    if not pool:
        raise DrawError(f"no questions for {group}")
    candidates = as_candidates(pool)
    drawn = draw_questions(candidates, min(PRACTICE_SIZE, max_together(candidates)), rng)
    by_id = {v.id: v for v in pool}
    return create_attempt(kind="practice", versions=[by_id[c.version_id] for c in drawn],
                          rng=rng, started_at=clock.now(), deadline=None, label=group,
                          user_id=user_id, device_id=None if user_id else device)


def mistake_versions(user_id: int | None, device: str) -> list[QuestionVersion]:
    """The current versions of questions this person last answered wrongly in practice (none
    in an unclosed competition's pool)."""
    rows = db.session.execute(
        select(AttemptItem.question_version_id, AttemptItem.correct, QuestionVersion.question_id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(Attempt.kind == "practice", _owner_filter(user_id, device),
               AttemptItem.answered_at.is_not(None))
        .order_by(AttemptItem.answered_at)).all()
    last_outcome: dict[int, bool] = {}
    for _version_id, correct, question_id in rows:
        last_outcome[question_id] = bool(correct)
    wrong = [qid for qid, correct in last_outcome.items() if not correct]
    if not wrong:
        return []
    return list(db.session.scalars(
        select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.id.in_(wrong), QuestionVersion.status == "active",
               Question.survey_reserved.is_(False),
               Question.id.not_in(reserved_question_ids(clock.now())))))


def start_mistakes(user_id: int | None, device: str,
                   rng: random.Random | None = None) -> Attempt | None:
    """A practice round replaying up to ten questions this person got wrong (never two of one
    enemy group: the later one waits for the next round)."""
    versions = mistake_versions(user_id, device)
    if not versions:
        return None
    rng = rng or random.Random(secrets.randbits(64))
    rng.shuffle(versions)
    by_id = {v.id: v for v in versions}
    kept = [by_id[c.version_id] for c in without_enemies(as_candidates(versions))]
    return create_attempt(kind="practice", versions=kept[:PRACTICE_SIZE], rng=rng,
                          started_at=clock.now(), deadline=None, label="mistakes",
                          user_id=user_id, device_id=None if user_id else device)


__all__ = ["DrawError", "mistake_versions", "open_practice", "start_mistakes", "start_practice"]
