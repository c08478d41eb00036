"""Signals of cheating for the admin to review (never acted on automatically).

- Too fast: answers given sooner after the question appeared than a person can read it.
- Shared device or address: several participants from one device token or IP address.
- Copied answers: pairs of attempts sharing several identical *wrong* answers to the same
  questions (right answers are shared by anyone who knows them; identical mistakes are not).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import case, func, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Participant

FAST_ANSWER_SECONDS = 2.0
FAST_SHARE = 0.5
SHARED_SOURCE_MIN = 3
COPIED_WRONG_MIN = 3
COPIED_WINDOW = 5000  # the most recent attempts compared for copied answers
_MAX_GROUP = 200  # larger groups of one identical wrong answer are common mistakes, not copying


@dataclass(frozen=True)
class Signal:
    kind: str  # "fast" | "shared_device" | "shared_ip" | "copied"
    attempt_ids: tuple[int, ...]
    detail: str


def fast_answers(competition_id: int) -> list[Signal]:
    """Attempts where at least half of 3+ answers came within 2 s of the question appearing."""
    fast = func.sum(case((AttemptItem.elapsed_ms < FAST_ANSWER_SECONDS * 1000, 1), else_=0))
    answered = func.count(AttemptItem.id)
    rows = db.session.execute(
        select(AttemptItem.attempt_id, fast, answered)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.competition_id == competition_id, Attempt.status != "voided",
               AttemptItem.elapsed_ms.is_not(None))
        .group_by(AttemptItem.attempt_id)
        .having(answered >= 3, fast * 1.0 >= answered * FAST_SHARE)
        .order_by(AttemptItem.attempt_id)).all()
    return [Signal("fast", (attempt_id,), f"{quick}/{total}")
            for attempt_id, quick, total in rows]


def shared_sources(competition_id: int) -> list[Signal]:
    """Devices and IP addresses used by three or more participants."""
    signals = []
    for kind, column in (("shared_device", Attempt.device_id), ("shared_ip", Attempt.ip)):
        rows = db.session.execute(
            select(column, func.count(func.distinct(Attempt.participant_id)))
            .where(Attempt.competition_id == competition_id, column.is_not(None),
                   Attempt.status != "voided")
            .group_by(column)
            .having(func.count(func.distinct(Attempt.participant_id)) >= SHARED_SOURCE_MIN)
        ).all()
        for source, participants in rows:
            ids = tuple(db.session.scalars(
                select(Attempt.id).where(Attempt.competition_id == competition_id,
                                         column == source, Attempt.status != "voided")))
            label = source if kind == "shared_ip" else source[:8] + "…"
            signals.append(Signal(kind, ids, f"{label}: {participants}"))
    return signals


def copied_answers(competition_id: int) -> list[Signal]:
    """Pairs of attempts by different participants with 3+ identical wrong answers, among the
    most recent 5,000 attempts (pairwise comparison grows with the square of the count)."""
    rows = db.session.execute(
        select(AttemptItem.attempt_id, Attempt.participant_id,
               AttemptItem.question_version_id, AttemptItem.choices)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.competition_id == competition_id, Attempt.status != "voided",
               AttemptItem.correct.is_(False),
               Attempt.id.in_(select(Attempt.id).where(Attempt.competition_id == competition_id)
                              .order_by(Attempt.id.desc()).limit(COPIED_WINDOW)))).all()
    groups: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for attempt_id, participant_id, version_id, choices in rows:
        groups[(version_id, tuple(choices or ()))].append((attempt_id, participant_id))
    shared: Counter = Counter()
    for members in groups.values():
        if len(members) > _MAX_GROUP:
            continue
        for (a, pa), (b, pb) in combinations(sorted(members), 2):
            if pa != pb:
                shared[(a, b)] += 1
    return [Signal("copied", pair, str(count))
            for pair, count in sorted(shared.items()) if count >= COPIED_WRONG_MIN]


def all_signals(competition_id: int) -> list[Signal]:
    """Every signal for a competition, fastest to review first."""
    return (fast_answers(competition_id) + shared_sources(competition_id)
            + copied_answers(competition_id))


def participants_by_id(ids: set[int]) -> dict[int, Participant]:
    return {p.id: p for p in db.session.scalars(select(Participant).where(Participant.id.in_(ids)))}
