"""Signals of cheating for the admin to review (never acted on automatically).

- Too fast: at least half (``FAST_SHARE``) of an attempt's timed answers, three or more, came
  less than 2 s after the question appeared, sooner than a person can read it.
- Too fast for the question: at least half of an attempt's answers to questions whose usual
  time is known (three or more) took less than a quarter (``RELATIVE_FAST_FACTOR``) of the
  median time this competition's participants took on that same question; the median needs
  five answers (``RELATIVE_MIN_ANSWERS``). A script that waits a fixed 2 s escapes the first
  rule but not this one (people took about 14 s on a typical demo question).
- Uniform timing: the per-question times of one attempt, eight or more, vary less than a
  person's do: their coefficient of variation (population standard deviation / mean) is under
  0.15 (``UNIFORM_CV``). People's times vary with the question (typically 0.4 or more); a
  script's pauses barely vary.
- Shared device or address: several participants from one device token or IP address.
- Copied answers: pairs of attempts by different participants sharing 3+ identical *wrong*
  answers to the same questions (right answers are shared by anyone who knows them; identical
  mistakes are not).

The timing and copied-answer rules look at the most recent 5,000 attempts (``COPIED_WINDOW``).
Each signal carries the figures behind it (``detail``), from which the admin page says why.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, Participant

FAST_ANSWER_SECONDS = 2.0
FAST_SHARE = 0.5
FAST_MIN_ANSWERS = 3
RELATIVE_FAST_FACTOR = 0.25
RELATIVE_MIN_ANSWERS = 5
UNIFORM_CV = 0.15
UNIFORM_MIN_ANSWERS = 8
SHARED_SOURCE_MIN = 3
COPIED_WRONG_MIN = 3
COPIED_WINDOW = 5000  # the most recent attempts compared for copied answers and timing
_MAX_GROUP = 200  # larger groups of one identical wrong answer are common mistakes, not copying

SIGNAL_KINDS = ("fast", "fast_relative", "uniform", "shared_device", "shared_ip", "copied")


@dataclass(frozen=True)
class Signal:
    kind: str  # one of SIGNAL_KINDS
    attempt_ids: tuple[int, ...]
    detail: dict = field(default_factory=dict)  # the figures behind it, for the reason shown


def judge_timing(answers: list[tuple[int, int]], medians: dict[int, float]
                 ) -> list[tuple[str, dict]]:
    """The timing rules (see the module) applied to one attempt.

    ``answers`` are (question version id, milliseconds from shown to answered); ``medians``
    the competition's median milliseconds per question version, for versions with enough
    answers. Returns (kind, detail) for each rule the attempt breaks.
    """
    found = []
    times = [ms for _, ms in answers]
    quick = sum(1 for ms in times if ms < FAST_ANSWER_SECONDS * 1000)
    if len(times) >= FAST_MIN_ANSWERS and quick >= FAST_SHARE * len(times):
        found.append(("fast", {"count": quick, "total": len(times),
                               "seconds": FAST_ANSWER_SECONDS}))
    known = [(ms, medians[version]) for version, ms in answers if version in medians]
    hurried = sum(1 for ms, median in known if ms < RELATIVE_FAST_FACTOR * median)
    if len(known) >= FAST_MIN_ANSWERS and hurried >= FAST_SHARE * len(known):
        found.append(("fast_relative", {"count": hurried, "total": len(known),
                                        "percent": round(RELATIVE_FAST_FACTOR * 100)}))
    if len(times) >= UNIFORM_MIN_ANSWERS:
        mean = statistics.fmean(times)
        spread = statistics.pstdev(times) / mean if mean > 0 else 0.0
        if spread < UNIFORM_CV:
            found.append(("uniform", {"total": len(times), "cv": round(spread, 2),
                                      "seconds": round(mean / 1000, 1)}))
    return found


def item_medians(answers: dict[int, list[tuple[int, int]]]) -> dict[int, float]:
    """Median milliseconds per question version over all ``answers`` (attempt id → list of
    (version id, ms)), for versions with at least ``RELATIVE_MIN_ANSWERS`` answers."""
    per_version: dict[int, list[int]] = defaultdict(list)
    for timed in answers.values():
        for version, ms in timed:
            per_version[version].append(ms)
    return {version: statistics.median(times) for version, times in per_version.items()
            if len(times) >= RELATIVE_MIN_ANSWERS}


def _recent_attempts(competition_id: int):
    return (select(Attempt.id).where(Attempt.competition_id == competition_id)
            .order_by(Attempt.id.desc()).limit(COPIED_WINDOW))


def timing_signals(competition_id: int) -> list[Signal]:
    """The three timing rules over the competition's recent attempts (voided ones aside)."""
    rows = db.session.execute(
        select(AttemptItem.attempt_id, AttemptItem.question_version_id, AttemptItem.elapsed_ms)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.competition_id == competition_id, Attempt.status != "voided",
               AttemptItem.elapsed_ms.is_not(None),
               Attempt.id.in_(_recent_attempts(competition_id)))).all()
    answers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for attempt_id, version_id, elapsed in rows:
        answers[attempt_id].append((version_id, elapsed))
    medians = item_medians(answers)
    found = [(kind, attempt_id, detail) for attempt_id in sorted(answers)
             for kind, detail in judge_timing(answers[attempt_id], medians)]
    return [Signal(kind, (attempt_id,), detail) for kind, attempt_id, detail
            in sorted(found, key=lambda f: (SIGNAL_KINDS.index(f[0]), f[1]))]


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
            signals.append(Signal(kind, ids, {"source": label, "count": participants}))
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
               Attempt.id.in_(_recent_attempts(competition_id)))).all()
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
    return [Signal("copied", pair, {"count": count})
            for pair, count in sorted(shared.items()) if count >= COPIED_WRONG_MIN]


def all_signals(competition_id: int) -> list[Signal]:
    """Every signal for a competition, fastest to review first."""
    return (timing_signals(competition_id) + shared_sources(competition_id)
            + copied_answers(competition_id))


def participants_by_id(ids: set[int]) -> dict[int, Participant]:
    return {p.id: p for p in db.session.scalars(select(Participant).where(Participant.id.in_(ids)))}
