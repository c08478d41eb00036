"""Running an attempt: start, present, answer exactly once, finish, close at the deadline.

The server owns the clock and the key. Deadlines are stored on the attempt; an answer after
the deadline (plus a small grace for slow networks) is refused; an attempt nobody finishes is
closed at its deadline by :func:`close_if_overdue` (its own pages) or :func:`close_overdue`
(boards, exports), whenever that runs, with ``finished_at`` set to the deadline itself.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from quizapp.engine import clock
from quizapp.engine.draw import shuffled_option_order
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, QuestionVersion

# Answers arriving this long after a deadline still count: slow phones, slow networks.
GRACE = timedelta(seconds=2)


class AttemptError(ValueError):
    """A request the attempt cannot accept; ``code`` says why (shown to the person)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


@dataclass(frozen=True)
class AnswerResult:
    """What happened to an answer: ``recorded`` is False when it was already answered."""

    recorded: bool
    correct: bool
    item: AttemptItem


def new_token() -> str:
    return secrets.token_urlsafe(16)


def build_attempt(*, kind: str, versions: list[QuestionVersion], rng: random.Random,
                  started_at: datetime, deadline: datetime | None, **fields) -> Attempt:
    """An open attempt with its items in draw order and shuffled options, added to the
    session but not committed (the caller commits it with whatever belongs with it)."""
    attempt = Attempt(kind=kind, token=new_token(), started_at=started_at, deadline=deadline,
                      question_count=len(versions), **fields)
    for position, version in enumerate(versions):
        attempt.items.append(AttemptItem(
            position=position, question_version_id=version.id,
            option_order=shuffled_option_order(version.choice_count, version.type, rng)))
    db.session.add(attempt)
    return attempt


def create_attempt(*, kind: str, versions: list[QuestionVersion], rng: random.Random,
                   started_at: datetime, deadline: datetime | None, **fields) -> Attempt:
    """Create an open attempt with its items in draw order and shuffled options.

    Raises :class:`AttemptError` ``already_open`` when the participant already has an open
    attempt (the database's partial unique index decides, so two tabs cannot both start).
    """
    attempt = build_attempt(kind=kind, versions=versions, rng=rng, started_at=started_at,
                            deadline=deadline, **fields)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AttemptError("already_open") from None
    return attempt


def owned_attempt(token: str, user_id: int | None, device_id: str) -> Attempt | None:
    """The attempt with this token if it belongs to this account or device, else ``None``.

    Signed-in people own their attempts by account, visitors without an account by device,
    whatever the kind: a signed-in person never opens the device's anonymous attempts (a
    shared phone), and a visitor never opens an account's.
    """
    attempt = db.session.scalar(select(Attempt).where(Attempt.token == token))
    if attempt is None:
        return None
    if attempt.user_id is not None:
        return attempt if attempt.user_id == user_id else None
    return attempt if user_id is None and attempt.device_id == device_id else None


def item_deadline(attempt: Attempt, item: AttemptItem, seconds_per_question: int | None
                  ) -> datetime | None:
    """When an item stops taking answers: its own limit from when it was shown, capped by
    the attempt's deadline."""
    limits = [d for d in (attempt.deadline,) if d is not None]
    if seconds_per_question and item.shown_at is not None:
        limits.append(item.shown_at + timedelta(seconds=seconds_per_question))
    return min(limits) if limits else None


def _still_open(attempt: Attempt, item: AttemptItem, seconds_per_question: int | None,
                now: datetime) -> bool:
    """Unanswered and not timed out (an unanswered item past its limit counts as wrong)."""
    if item.answered_at is not None:
        return False
    limit = item_deadline(attempt, item, seconds_per_question)
    return item.shown_at is None or limit is None or now <= limit + GRACE


def _first_open(attempt: Attempt, seconds_per_question: int | None,
                now: datetime) -> AttemptItem | None:
    return next((i for i in attempt.items if _still_open(attempt, i, seconds_per_question, now)),
                None)


def first_open_item(attempt: Attempt, seconds_per_question: int | None = None,
                    now: datetime | None = None) -> AttemptItem | None:
    """The first item still open (unanswered and not timed out), changing nothing: unlike
    :func:`current_item` it does not mark the item shown, so its clock does not start."""
    return _first_open(attempt, seconds_per_question, now or clock.now())


def current_item(attempt: Attempt, seconds_per_question: int | None = None,
                 now: datetime | None = None) -> AttemptItem | None:
    """The first item still open (unanswered and not timed out), marking it shown."""
    now = now or clock.now()
    item = _first_open(attempt, seconds_per_question, now)
    if item is not None and item.shown_at is None:
        db.session.execute(update(AttemptItem).where(
            AttemptItem.id == item.id, AttemptItem.shown_at.is_(None)).values(shown_at=now))
        db.session.commit()
        db.session.refresh(item)
    return item


def record_answer(attempt: Attempt, position: int, displayed_choices: list[int], *,
                  points_per_correct: float = 1.0, seconds_per_question: int | None = None,
                  now: datetime | None = None) -> AnswerResult:
    """Record the answer to the item at ``position``, exactly once.

    Only the current item (the first still open) may be answered, and only once it has been
    shown (:func:`current_item`): an item not yet on screen cannot be answered ahead, which
    would skip its own timer (``not_current``). ``displayed_choices`` are indexes into the
    options *as shown*; they are mapped back to the original options through the item's
    ``option_order``. Scoring is all-or-nothing. A second answer to the same item (a double
    tap, a retried request, another tab) changes nothing and returns ``recorded=False`` with
    the first answer's outcome.
    """
    now = now or clock.now()
    if attempt.status != "open":
        raise AttemptError("closed")
    if close_if_overdue(attempt, now):
        raise AttemptError("time_up")
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None:
        raise AttemptError("unknown_item")
    version = item.question_version
    choices = validated_choices(version.type, item.option_order, displayed_choices)
    if item.answered_at is None:
        limit = item_deadline(attempt, item, seconds_per_question)
        if limit is not None and now > limit + GRACE:
            raise AttemptError("time_up")
        current = _first_open(attempt, seconds_per_question, now)
        if current is None or current.id != item.id or item.shown_at is None:
            raise AttemptError("not_current")

    correct = version.is_correct(choices)
    written = write_answer(item.id, attempt.id, choices, correct=correct,
                           points=points_per_correct if correct else 0.0,
                           shown_at=item.shown_at or now, now=now)
    db.session.commit()
    db.session.refresh(item)
    db.session.refresh(attempt)
    if not any(_still_open(attempt, i, seconds_per_question, now) for i in attempt.items):
        close_attempt(attempt, "finished", now)
    return AnswerResult(recorded=written, correct=bool(item.correct), item=item)


def write_answer(item_id: int, attempt_id: int, choices: list[int], *, correct: bool,
                 points: float, shown_at: datetime, now: datetime) -> bool:
    """Write one item's answer exactly once, without committing; True if this call wrote it.

    ``UPDATE ... WHERE answered_at IS NULL`` takes the answer only if none is stored, and the
    points go to the attempt with an atomic ``UPDATE`` in the same transaction, so a double
    tap, a retried request or another tab counts once (the caller reports the first answer's
    outcome for the others). The elapsed time runs from ``shown_at``.
    """
    elapsed_ms = max(int((now - shown_at).total_seconds() * 1000), 0)
    written = db.session.execute(
        update(AttemptItem)
        .where(AttemptItem.id == item_id, AttemptItem.answered_at.is_(None))
        .values(choices=choices, correct=correct, points=points, answered_at=now,
                shown_at=shown_at, elapsed_ms=elapsed_ms)
        .execution_options(synchronize_session=False)
    ).rowcount
    if written == 1 and (points or correct):
        db.session.execute(
            update(Attempt).where(Attempt.id == attempt_id)
            .values(score=Attempt.score + points,
                    correct_count=Attempt.correct_count + (1 if correct else 0))
            .execution_options(synchronize_session=False))
    return written == 1


def validated_choices(kind: str, option_order: list[int], displayed: list[int]) -> list[int]:
    """The ORIGINAL options of the options tapped as shown (``displayed``: positions on
    screen), sorted; ``bad_choice`` for an empty, repeated or out-of-range tap, or more than
    one for a single-answer question."""
    count = len(option_order)
    if not displayed or any(not 0 <= d < count for d in displayed):
        raise AttemptError("bad_choice")
    if len(set(displayed)) != len(displayed):
        raise AttemptError("bad_choice")
    if kind in ("single", "true_false") and len(displayed) != 1:
        raise AttemptError("bad_choice")
    return sorted(option_order[d] for d in displayed)


def close_attempt(attempt: Attempt, status: str, finished_at: datetime) -> bool:
    """Close an open attempt once (finished by the person, or expired at its deadline)."""
    duration = int((finished_at - attempt.started_at).total_seconds() * 1000)
    closed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "open")
        .values(status=status, finished_at=finished_at, duration_ms=max(duration, 0))
    ).rowcount
    db.session.commit()
    db.session.refresh(attempt)
    return closed == 1


def close_if_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """Close this attempt at its own deadline if that (plus grace) has passed."""
    now = now or clock.now()
    if attempt.status != "open" or attempt.deadline is None or now <= attempt.deadline + GRACE:
        return False
    return close_attempt(attempt, "expired", attempt.deadline)


def close_overdue(now: datetime | None = None, competition_id: int | None = None) -> int:
    """Close every open attempt whose deadline (plus grace) has passed; return how many.

    Each closes at its own deadline, so the result does not depend on when this runs.
    """
    now = now or clock.now()
    query = select(Attempt).where(Attempt.status == "open", Attempt.deadline.is_not(None),
                                  Attempt.deadline < now - GRACE)
    if competition_id is not None:
        query = query.where(Attempt.competition_id == competition_id)
    closed = 0
    for attempt in db.session.scalars(query).all():
        closed += close_attempt(attempt, "expired", attempt.deadline)
    return closed


def void_attempt(attempt: Attempt, reason: str, by_user_id: int,
                 now: datetime | None = None) -> None:
    """Void an attempt: kept for audit, removed from every board."""
    attempt.status = "voided"
    attempt.void_reason = reason
    attempt.voided_by_id = by_user_id
    attempt.voided_at = now or clock.now()
    if attempt.finished_at is None:
        attempt.finished_at = attempt.voided_at
    db.session.commit()
    from quizapp.engine import boards

    boards.forget(attempt.competition_id)
