"""Homework contests: a teacher's question set open for a window, self-paced, one attempt per
student, between the classes of a school.

A homework contest is a competition of kind ``homework``: students take it through the
competition pages (``/competitions/<slug>``), registering with their name and class, so the
engine's per-person draw, stored option order, exactly-once answers and server clock all apply.
Its pool is the set's questions, written here once; the competition pool code never draws it.

Boards, and the rule that ranks them:
- A class's **participants** are the distinct registered students of the class with a scored
  attempt (finished, or closed at the deadline; voided and unfinished ones do not count).
- **Participation rate** = participants ÷ class size (unknown size: no rate, not ranked), so a
  class of 30 and a class of 55 compete fairly.
- **Mean score**: the mean of those attempts' scores, and of their percentages of full marks.
- Classes rank by participation rate, then mean score (higher first); equal classes share a
  rank. The school board does the same over several contests: participations summed over the
  contests ÷ (class size × contests), and the mean percentage of all their attempts (contests
  of different lengths compare by percentage).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quizapp.engine import clock
from quizapp.engine.attempts import close_overdue
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    Competition,
    CompetitionItem,
    Organisation,
    Participant,
    SchoolClass,
)
from quizapp.models.attempts import SCORED_STATUSES
from quizapp.models.schools import QuestionSet
from quizapp.schools.sets_services import SetError, playable_versions

POINTS_PER_CORRECT = 10.0


class HomeworkError(ValueError):
    """A homework contest the rules refuse; ``code``: ``empty`` (no playable question in the
    set), ``window`` (the end is not after the start), ``past`` (the end has passed)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ClassRow:
    """One class on a board. ``rank`` is ``None`` when the class size is unknown."""

    rank: int | None
    class_id: int
    grade: int
    name: str
    size: int | None
    participants: int
    rate: float | None  # participants ÷ size (÷ contests on the school board)
    mean_score: float | None
    mean_percent: float | None
    contests: int = 1


@dataclass(frozen=True)
class StudentRow:
    """A registered student of a class and their attempt, if any."""

    participant_id: int
    name: str
    status: str  # "finished", "expired", "open", "voided" or "none"
    score: float | None
    correct: int | None
    total: int | None
    seconds: float | None


@dataclass(frozen=True)
class SchoolBoard:
    contests: list[Competition]
    chosen: list[Competition]
    rows: list[ClassRow]


def open_homework(qset: QuestionSet, *, teacher_id: int | None, school_id: int, title: str,
                  starts_at: datetime, ends_at: datetime,
                  seconds_per_question: int | None = None,
                  now: datetime | None = None) -> Competition:
    """Open the set as a homework contest of ``school_id`` (see the module's rules).

    Raises :class:`HomeworkError`.
    """
    now = now or clock.now()
    if ends_at <= starts_at:
        raise HomeworkError("window")
    if ends_at <= now:
        raise HomeworkError("past")
    try:
        versions = playable_versions(qset)
    except SetError:
        raise HomeworkError("empty") from None
    contest = Competition(
        kind="homework", slug=f"hw-{secrets.token_hex(6)}", title=title.strip(),
        description="", rules_text="", audience_mask=0, starts_at=starts_at, ends_at=ends_at,
        registration={"name": "required", "school_class": "required"},
        question_count=len(versions), quotas={}, seconds_per_question=seconds_per_question,
        seconds_per_attempt=None, attempts_per_day=None, attempts_total=1, counting="best",
        points_per_correct=POINTS_PER_CORRECT, reveal="after_attempt",
        pool_size=len(versions), pool_seed=secrets.randbits(62), published=True,
        question_set_id=qset.id, school_id=school_id, created_by_id=teacher_id)
    db.session.add(contest)
    db.session.flush()
    for version in versions:
        db.session.add(CompetitionItem(competition_id=contest.id,
                                       question_id=version.question_id))
    db.session.commit()
    return contest


def contests_for(school_ids: set[int]) -> list[Competition]:
    """The homework contests of these schools, the latest first."""
    if not school_ids:
        return []
    return list(db.session.scalars(
        select(Competition).where(Competition.kind == "homework",
                                  Competition.school_id.in_(school_ids))
        .order_by(Competition.starts_at.desc(), Competition.id.desc())))


def get_homework(competition_id: int) -> Competition | None:
    """A homework contest by id (``None`` for a network competition or nothing)."""
    contest = db.session.get(Competition, competition_id)
    return contest if contest is not None and contest.kind == "homework" else None


def get_set(set_id: int) -> QuestionSet | None:
    return db.session.get(QuestionSet, set_id)


def get_school(school_id: int) -> Organisation | None:
    return db.session.get(Organisation, school_id)


def school_classes(school_id: int) -> list[SchoolClass]:
    return list(db.session.scalars(
        select(SchoolClass).where(SchoolClass.organisation_id == school_id)
        .order_by(SchoolClass.grade, SchoolClass.name)))


def window_state(contest: Competition, now: datetime | None = None) -> str:
    """``"upcoming"``, ``"open"`` or ``"closed"``."""
    now = now or clock.now()
    if now < contest.starts_at:
        return "upcoming"
    return "closed" if now >= contest.ends_at else "open"


def _scored_attempts(contest_ids: list[int]) -> list[tuple[int, int, int | None, float, int, int]]:
    """(contest, participant, class, score, correct, questions) of every scored attempt."""
    if not contest_ids:
        return []
    for contest_id in contest_ids:
        close_overdue(competition_id=contest_id)
    return [tuple(row) for row in db.session.execute(
        select(Attempt.competition_id, Attempt.participant_id, Participant.school_class_id,
               Attempt.score, Attempt.correct_count, Attempt.question_count)
        .join(Participant, Participant.id == Attempt.participant_id)
        .where(Attempt.competition_id.in_(contest_ids), Attempt.kind == "competition",
               Attempt.status.in_(SCORED_STATUSES)))]


def _ranked(rows: list[ClassRow]) -> list[ClassRow]:
    """Rank by participation rate, then mean score; ties share a rank; no rate, no rank."""
    def key(row: ClassRow) -> tuple[float, float]:
        return (-row.rate, -(row.mean_score if row.mean_score is not None else -1.0))

    ranked = sorted((r for r in rows if r.rate is not None), key=key)
    unranked = sorted((r for r in rows if r.rate is None), key=lambda r: (r.grade, r.name))
    out: list[ClassRow] = []
    for index, row in enumerate(ranked):
        rank = out[-1].rank if out and key(ranked[index - 1]) == key(row) else index + 1
        out.append(_with_rank(row, rank))
    return out + unranked


def _with_rank(row: ClassRow, rank: int | None) -> ClassRow:
    return ClassRow(rank, row.class_id, row.grade, row.name, row.size, row.participants,
                    row.rate, row.mean_score, row.mean_percent, row.contests)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _percent(correct: int, total: int) -> float | None:
    return 100.0 * correct / total if total else None


def class_board(contest: Competition) -> list[ClassRow]:
    """Every class of the contest's school, ranked (see the module's rules)."""
    attempts = _scored_attempts([contest.id])
    rows = []
    for school_class in school_classes(contest.school_id):
        mine = [a for a in attempts if a[2] == school_class.id]
        participants = len({a[1] for a in mine})
        percents = [p for p in (_percent(a[4], a[5]) for a in mine) if p is not None]
        rows.append(ClassRow(
            None, school_class.id, school_class.grade, school_class.name, school_class.size,
            participants, participants / school_class.size if school_class.size else None,
            _mean([a[3] for a in mine]), _mean(percents)))
    return _ranked(rows)


def student_board(contest: Competition, school_class_id: int) -> list[StudentRow]:
    """The class's registered students: those with a score first (higher score, then shorter
    time), then those still answering or not started."""
    close_overdue(competition_id=contest.id)
    participants = list(db.session.scalars(
        select(Participant).where(Participant.competition_id == contest.id,
                                  Participant.school_class_id == school_class_id)))
    latest: dict[int, Attempt] = {}
    for attempt in db.session.scalars(
            select(Attempt).where(Attempt.competition_id == contest.id,
                                  Attempt.participant_id.in_([p.id for p in participants]))
            .order_by(Attempt.id)):
        if attempt.participant_id not in latest or attempt.status in SCORED_STATUSES:
            latest[attempt.participant_id] = attempt
    rows = []
    for participant in participants:
        attempt = latest.get(participant.id)
        scored = attempt is not None and attempt.status in SCORED_STATUSES
        rows.append(StudentRow(
            participant.id, participant.display_name,
            attempt.status if attempt is not None else "none",
            attempt.score if scored else None, attempt.correct_count if scored else None,
            attempt.question_count if attempt is not None else None,
            (attempt.duration_ms or 0) / 1000 if scored else None))
    return sorted(rows, key=lambda r: (r.score is None, -(r.score or 0),
                                       r.seconds or 0, r.name))


def school_board(school_id: int, contest_ids: set[int] | None = None) -> SchoolBoard:
    """The school's classes compared over its homework contests (all of them, or those of
    ``contest_ids`` that belong to the school; see the module's rules)."""
    contests = contests_for({school_id})
    chosen = [c for c in contests if not contest_ids or c.id in contest_ids] or contests
    attempts = _scored_attempts([c.id for c in chosen])
    by_class: dict[int | None, list] = defaultdict(list)
    for attempt in attempts:
        by_class[attempt[2]].append(attempt)
    rows = []
    for school_class in school_classes(school_id):
        mine = by_class.get(school_class.id, [])
        # One participation per student per contest.
        participations = len({(a[0], a[1]) for a in mine})
        percents = [p for p in (_percent(a[4], a[5]) for a in mine) if p is not None]
        denominator = (school_class.size or 0) * len(chosen)
        mean_percent = _mean(percents)
        rows.append(ClassRow(
            None, school_class.id, school_class.grade, school_class.name, school_class.size,
            participations, participations / denominator if denominator else None,
            mean_percent, mean_percent, len(chosen)))
    return SchoolBoard(contests, chosen, _ranked(rows))
