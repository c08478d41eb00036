"""The cheap answer path of competition attempts: one read, one transaction, no reloads.

Rules (issue 15, "a 10× cheaper answer path"); the outcome is the one of
:func:`quizapp.engine.attempts.record_answer`, only cheaper:
- One statement reads what an answer needs: the attempt's owner, status and deadline, the
  answered item (by attempt token and position) and the item after it. Question versions
  (immutable once active) and the competition's settings come from a per-process cache that
  lives ``CACHE_SECONDS``; mutable attempt state is never cached.
- The answer writes its own item only, ``UPDATE ... WHERE answered_at IS NULL``, so a double
  tap, a retried request or another tab counts once; in the SAME transaction it adds the
  points to the attempt and either starts the next item's clock (its ``shown_at``) or, after
  the last position, closes the attempt as finished. One commit, nothing reloaded after it.
- An item is the current one when it has been shown, is unanswered and its time is not up:
  ``shown_at`` is only ever set on the first open item (here, or by the question page for the
  first question and after a question timed out), so every earlier item is answered or timed
  out. The attempt is finished when its last position is answered.
- The question page reads the attempt and the item last shown in one statement and changes
  nothing; anything unusual (the first question, a question whose time is up, an overdue or
  closed attempt) goes the general way through :mod:`quizapp.engine.attempts`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Integer, String, and_, bindparam, case, func, literal, select, update
from sqlalchemy.orm import aliased

from quizapp.engine import clock
from quizapp.engine.attempts import GRACE, AttemptError, validated_choices
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Competition, QuestionVersion
from quizapp.models.questions import TRUE_FALSE_CHOICES, is_correct_choice

CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class VersionFacts:
    """What a question page and the scoring need of a question version (immutable once
    active, so it may be cached)."""

    id: int
    type: str
    stem: str
    options: list
    answer: list
    explanation: str
    authority: str

    @property
    def choice_count(self) -> int:
        return TRUE_FALSE_CHOICES if self.type == "true_false" else len(self.options)

    def is_correct(self, choices: list[int]) -> bool:
        """All-or-nothing, the same rule as :meth:`QuestionVersion.is_correct`."""
        return is_correct_choice(choices, self.answer)


@dataclass(frozen=True)
class CompetitionFacts:
    """The settings an answer and a question page need (cached briefly: an admin's change
    reaches running attempts within ``CACHE_SECONDS``)."""

    id: int
    slug: str
    title: str
    kind: str
    published: bool
    seconds_per_question: int | None
    points_per_correct: float
    reveal: str


@dataclass(frozen=True)
class AttemptFacts:
    """An attempt as read for one request (never cached)."""

    id: int
    token: str
    kind: str
    status: str
    competition_id: int | None
    user_id: int | None
    device_id: str | None
    started_at: datetime
    deadline: datetime | None
    question_count: int


@dataclass(frozen=True)
class ItemFacts:
    """One attempt item as read for one request."""

    id: int
    position: int
    question_version_id: int
    option_order: list
    shown_at: datetime | None
    answered_at: datetime | None
    choices: list | None = None
    correct: bool | None = None


@dataclass(frozen=True)
class Answered:
    """The outcome of an answer: ``recorded`` False for a repeat (the first answer's outcome
    is reported); ``next_item`` the question now on screen, ``None`` when the attempt is
    over; ``item`` the answered item with the choices stored."""

    recorded: bool
    correct: bool
    item: ItemFacts
    next_item: ItemFacts | None
    finished: bool


class _Cache:
    """A small per-process cache with a lifetime (thread-safe enough for gunicorn's threads:
    a lost race only loads a value twice)."""

    def __init__(self) -> None:
        self.values: dict[Any, tuple[float, Any]] = {}
        self.lock = threading.Lock()

    def get(self, key, load, lifetime: float):
        found = self.values.get(key)
        now = time.monotonic()
        if found is not None and found[0] > now:
            return found[1]
        value = load()
        with self.lock:
            if len(self.values) > 5000:
                self.values.clear()
            self.values[key] = (now + lifetime, value)
        return value


def _cache() -> _Cache:
    """This app's cache (one per app: tests that empty the tables get a fresh one)."""
    return current_app.extensions.setdefault("kexue_answer_cache", _Cache())


def _lifetime() -> float:
    return float(current_app.config.get("ANSWER_CACHE_SECONDS", CACHE_SECONDS))


def _version_rows(*where) -> dict[int, VersionFacts]:
    return {row[0]: VersionFacts(*row) for row in db.session.execute(select(
        QuestionVersion.id, QuestionVersion.type, QuestionVersion.stem,
        QuestionVersion.options, QuestionVersion.answer, QuestionVersion.explanation,
        QuestionVersion.authority).where(*where))}


def version_facts(version_id: int, competition_id: int | None = None) -> VersionFacts:
    """A question version's facts, cached (versions do not change once active). With a
    competition, every version its attempts draw from is loaded at once, in one statement."""
    if competition_id is not None:
        from quizapp.models import CompetitionItem, Question

        pool = _cache().get(("pool-versions", competition_id), lambda: _version_rows(
            QuestionVersion.question_id.in_(
                select(CompetitionItem.question_id)
                .where(CompetitionItem.competition_id == competition_id)),
            QuestionVersion.id.in_(select(Question.current_version_id))), _lifetime())
        if version_id in pool:
            return pool[version_id]
    return _cache().get(("version", version_id),
                        lambda: _version_rows(QuestionVersion.id == version_id)[version_id],
                        _lifetime())


def competition_facts(competition_id: int) -> CompetitionFacts | None:
    """A competition's settings, cached for ``CACHE_SECONDS``."""
    def load() -> CompetitionFacts | None:
        row = db.session.execute(select(
            Competition.id, Competition.slug, Competition.title, Competition.kind,
            Competition.published, Competition.seconds_per_question,
            Competition.points_per_correct, Competition.reveal,
        ).where(Competition.id == competition_id)).one_or_none()
        return CompetitionFacts(*row) if row is not None else None
    return _cache().get(("competition", competition_id), load, _lifetime())


def cached(key, load):
    """Any other per-process value with the same short lifetime (e.g. a competition's pool)."""
    return _cache().get(key, load, _lifetime())


def _owned(attempt: AttemptFacts, user_id: int | None, device_id: str) -> bool:
    """The rule of :func:`quizapp.engine.attempts.owned_attempt`."""
    if attempt.user_id is not None:
        return attempt.user_id == user_id
    return user_id is None and attempt.device_id == device_id


_ATTEMPT_COLUMNS = (Attempt.id, Attempt.token, Attempt.kind, Attempt.status,
                    Attempt.competition_id, Attempt.user_id, Attempt.device_id,
                    Attempt.started_at, Attempt.deadline, Attempt.question_count)


def _item_columns(alias) -> tuple:
    return (alias.id, alias.position, alias.question_version_id, alias.option_order,
            alias.shown_at, alias.answered_at, alias.choices, alias.correct)


def _split(row, start: int) -> ItemFacts | None:
    values = row[start:start + 8]
    return ItemFacts(*values) if values[0] is not None else None


_STATEMENTS: dict[str, Any] = {}


def _statement(name: str, build):
    """A statement built once per process: building an ORM select with aliases costs more
    CPU than running it (SQLAlchemy caches the SQL, not the Python objects)."""
    found = _STATEMENTS.get(name)
    if found is None:
        found = _STATEMENTS[name] = build()
    return found


def _answer_read():
    this, following = aliased(AttemptItem), aliased(AttemptItem)
    position = bindparam("position", type_=Integer)
    return (select(*_ATTEMPT_COLUMNS, *_item_columns(this), *_item_columns(following))
            .outerjoin(this, and_(this.attempt_id == Attempt.id, this.position == position))
            .outerjoin(following, and_(following.attempt_id == Attempt.id,
                                       following.position == position + 1))
            .where(Attempt.token == bindparam("token", type_=String)))


def _screen_read():
    last_shown = (select(func.max(AttemptItem.position))
                  .where(AttemptItem.attempt_id == Attempt.id, AttemptItem.shown_at.is_not(None))
                  .correlate(Attempt).scalar_subquery())
    item = aliased(AttemptItem)
    return (select(*_ATTEMPT_COLUMNS, *_item_columns(item))
            .outerjoin(item, and_(item.attempt_id == Attempt.id, item.position == last_shown))
            .where(Attempt.token == bindparam("token", type_=String)))


def read_for_answer(token: str, position: int
                    ) -> tuple[AttemptFacts, ItemFacts | None, ItemFacts | None] | None:
    """The attempt, its item at ``position`` and the item after it, in one statement."""
    row = db.session.execute(_statement("answer", _answer_read),
                             {"token": token, "position": position}).one_or_none()
    if row is None:
        return None
    width = len(_ATTEMPT_COLUMNS)
    return AttemptFacts(*row[:width]), _split(row, width), _split(row, width + 8)


def read_on_screen(token: str) -> tuple[AttemptFacts, ItemFacts | None] | None:
    """The attempt and the item shown last (the highest position with ``shown_at``), in one
    statement."""
    row = db.session.execute(_statement("screen", _screen_read),
                             {"token": token}).one_or_none()
    if row is None:
        return None
    width = len(_ATTEMPT_COLUMNS)
    return AttemptFacts(*row[:width]), _split(row, width)


def owned_competition_attempt(found, user_id: int | None, device_id: str):
    """``found`` (a read above) if its attempt is a competition attempt of this person."""
    if found is None or found[0].kind != "competition" or not _owned(found[0], user_id,
                                                                      device_id):
        return None
    return found


def item_limit(attempt: AttemptFacts, item: ItemFacts, seconds_per_question: int | None
               ) -> datetime | None:
    """When an item stops taking answers (the rule of ``attempts.item_deadline``)."""
    limits = [d for d in (attempt.deadline,) if d is not None]
    if seconds_per_question and item.shown_at is not None:
        limits.append(item.shown_at + timedelta(seconds=seconds_per_question))
    return min(limits) if limits else None


def on_screen(attempt: AttemptFacts, item: ItemFacts | None, seconds_per_question: int | None,
              now: datetime) -> bool:
    """Whether ``item`` (the one shown last) is the current question, answerable now: the
    question page can then be drawn from this read alone."""
    if attempt.status != "open" or item is None or item.answered_at is not None:
        return False
    if attempt.deadline is not None and now > attempt.deadline + GRACE:
        return False
    limit = item_limit(attempt, item, seconds_per_question)
    return limit is None or now <= limit + GRACE


def answer(attempt: AttemptFacts, item: ItemFacts | None, following: ItemFacts | None,
           displayed_choices: list[int], competition: CompetitionFacts,
           now: datetime | None = None) -> Answered:
    """Record the answer to ``item``, exactly once, in one transaction (see the rules).

    Raises :class:`AttemptError`: ``closed``, ``unknown_item``, ``bad_choice``, ``time_up``,
    ``not_current`` — and ``overdue`` when the attempt's own deadline has passed (the caller
    closes it the general way and says ``time_up``).
    """
    now = now or clock.now()
    if attempt.status != "open":
        raise AttemptError("closed")
    if attempt.deadline is not None and now > attempt.deadline + GRACE:
        raise AttemptError("overdue")
    if item is None:
        raise AttemptError("unknown_item")
    version = version_facts(item.question_version_id, attempt.competition_id)
    choices = validated_choices(version.type, item.option_order, displayed_choices)
    if item.answered_at is None:
        limit = item_limit(attempt, item, competition.seconds_per_question)
        if limit is not None and now > limit + GRACE:
            raise AttemptError("time_up")
        if item.shown_at is None:
            raise AttemptError("not_current")
    correct = version.is_correct(choices)
    points = competition.points_per_correct if correct else 0.0
    shown_at = item.shown_at or now
    written = db.session.execute(
        update(AttemptItem)
        .where(AttemptItem.id == item.id, AttemptItem.answered_at.is_(None))
        .values(choices=choices, correct=correct, points=points, answered_at=now,
                shown_at=shown_at,
                elapsed_ms=max(int((now - shown_at).total_seconds() * 1000), 0))
        .execution_options(synchronize_session=False)).rowcount == 1
    last = item.position + 1 >= attempt.question_count
    if not written:  # a repeat: the first answer stands, and its outcome is reported
        db.session.rollback()
        stored = item if item.answered_at is not None else _reread(item.id)
        next_item = following if following is not None and following.shown_at else None
        return Answered(recorded=False, correct=bool(stored.correct), item=stored,
                        next_item=None if last else next_item, finished=last)
    values: dict[str, Any] = {}
    if correct:  # the points follow the stored answer, whatever closed the attempt meanwhile
        values.update(score=Attempt.score + points, correct_count=Attempt.correct_count + 1)
    if last:  # finished, unless something closed it meanwhile (expired at its deadline)
        still_open = Attempt.status == "open"
        values.update(
            status=case((still_open, "finished"), else_=Attempt.status),
            finished_at=case((still_open, literal(now, Attempt.finished_at.type)),
                             else_=Attempt.finished_at),
            duration_ms=case((still_open, max(
                int((now - attempt.started_at).total_seconds() * 1000), 0)),
                else_=Attempt.duration_ms))
    if values:
        db.session.execute(
            update(Attempt).where(Attempt.id == attempt.id)
            .values(**values).execution_options(synchronize_session=False))
    next_item = None
    if not last and following is not None:
        db.session.execute(
            update(AttemptItem)
            .where(AttemptItem.id == following.id, AttemptItem.shown_at.is_(None))
            .values(shown_at=now).execution_options(synchronize_session=False))
        next_item = ItemFacts(following.id, following.position, following.question_version_id,
                              following.option_order, following.shown_at or now, None)
    db.session.commit()
    if last:
        from quizapp.engine import boards

        boards.forget(attempt.competition_id)
    answered = ItemFacts(item.id, item.position, item.question_version_id, item.option_order,
                         shown_at, now, choices, correct)
    return Answered(recorded=True, correct=correct, item=answered, next_item=next_item,
                    finished=last)


def _reread(item_id: int) -> ItemFacts:
    row = db.session.execute(select(*_item_columns(AttemptItem))
                             .where(AttemptItem.id == item_id)).one()
    return ItemFacts(*row)
