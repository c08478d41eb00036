"""Leaderboards: individuals, townships and organisations, per round or overall.

Rules:
- Only scored attempts count (finished, or closed at the deadline); voided ones never do.
- Each participant has one counted attempt: with ``counting="best"`` the highest score, then
  the shorter total time, then the earlier finish; with ``"last"`` the latest finished.
- Individuals rank by score (higher first), then total time (shorter first), then finish time
  (earlier first).
- Names are published masked (张*明, :func:`quizapp.shared.names.mask_name`) unless the
  competition's ``board_names`` is ``"full"``: every name this module returns is the published
  one, so no page or export built on it can show more.
- Townships and organisations: participants (people with a counted attempt), person-times
  (all scored attempts), participation per 10,000 residents where the population is known,
  mean counted score, and the share of participants whose counted score is perfect.

Boards are computed in SQL (fast with 100,000 attempts: ``benchmarks/leaderboard.py``) and
cached for a few seconds per process. Finishing attempts do not clear the cache (during a busy
contest it would never hit); voiding an attempt and adding a round do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from quizapp.extensions import db
from quizapp.models import Attempt, Competition, Organisation, Participant, Township
from quizapp.models.attempts import SCORED_STATUSES
from quizapp.shared.names import mask_name

CACHE_SECONDS = 5.0
PER = 10_000


def per_10000(participants: int, population: int | None) -> float | None:
    """Participants per 10,000 residents; ``None`` when the population is unknown or not
    above zero."""
    if not population or population <= 0:
        return None
    return participants * PER / population


def published_name(competition: Competition, name: str | None, participant_id: int) -> str:
    """A participant's name as the competition's boards publish it (``#id`` without one)."""
    if not (name or "").strip():
        return f"#{participant_id}"
    return name if competition.board_names == "full" else mask_name(name)


@dataclass(frozen=True)
class PersonRow:
    rank: int
    participant_id: int
    name: str
    township: str | None
    organisation: str | None
    score: float
    duration_ms: int
    finished_at: datetime


@dataclass(frozen=True)
class GroupRow:
    rank: int
    group_id: int
    name: str
    participants: int
    person_times: int
    per_10000: float | None
    mean_score: float
    perfect_share: float


def _cache() -> dict[tuple, tuple[float, object]]:
    """This app's board cache (kept per app, so apps in one process never share boards)."""
    return current_app.extensions.setdefault("kexue_board_cache", {})


def forget(competition_id: int | None) -> None:
    """Drop the cached boards of a competition (voiding an attempt, adding a round)."""
    cache = _cache()
    for key in [k for k in cache if k[0] == competition_id]:
        cache.pop(key, None)


def _cached(key: tuple, compute):
    cache = _cache()
    hit = cache.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    value = compute()
    cache[key] = (time.monotonic() + CACHE_SECONDS, value)
    return value


def _scored(competition: Competition, round_id: int | None):
    conditions = [Attempt.competition_id == competition.id,
                  Attempt.status.in_(SCORED_STATUSES)]
    if round_id is not None:
        conditions.append(Attempt.round_id == round_id)
    return conditions


def counted_attempts(competition: Competition, round_id: int | None = None):
    """A subquery of each participant's counted attempt (see the module's rules)."""
    if competition.counting == "last":
        order = [Attempt.finished_at.desc(), Attempt.id.desc()]
    else:
        order = [Attempt.score.desc(), Attempt.duration_ms.asc(), Attempt.finished_at.asc(),
                 Attempt.id.asc()]
    ranked = (
        select(Attempt.id, Attempt.participant_id, Attempt.score, Attempt.duration_ms,
               Attempt.finished_at,
               func.row_number().over(partition_by=Attempt.participant_id,
                                      order_by=order).label("pick"))
        .where(*_scored(competition, round_id))
        .subquery())
    return select(ranked).where(ranked.c.pick == 1).subquery()


def _board_order(columns) -> list:
    return [columns.score.desc(), columns.duration_ms.asc(), columns.finished_at.asc(),
            columns.participant_id.asc()]


def individual_board(competition: Competition, round_id: int | None = None,
                     limit: int = 100, offset: int = 0) -> list[PersonRow]:
    """``limit`` participants from rank ``offset + 1`` on (cached briefly; see
    :func:`ranked_rows`)."""
    return _cached((competition.id, round_id, "people", limit, offset),
                   lambda: ranked_rows(competition, round_id, limit, offset))


def ranked_rows(competition: Competition, round_id: int | None = None, limit: int = 100,
                offset: int = 0) -> list[PersonRow]:
    """``limit`` participants from rank ``offset + 1`` on, read now (ranked first, names
    joined for those rows only)."""
    counted = counted_attempts(competition, round_id)
    top = (select(counted).order_by(*_board_order(counted.c))
           .limit(limit).offset(offset).subquery())
    query = (
        select(top.c.participant_id, Participant.name, Township.name, Organisation.name,
               top.c.score, top.c.duration_ms, top.c.finished_at)
        .join(Participant, Participant.id == top.c.participant_id)
        .outerjoin(Township, Township.id == Participant.township_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .order_by(*_board_order(top.c)))
    return [PersonRow(rank, pid, published_name(competition, name, pid), township,
                      organisation, score, duration or 0, finished)
            for rank, (pid, name, township, organisation, score, duration, finished)
            in enumerate(db.session.execute(query), start=offset + 1)]


def participant_count(competition: Competition, round_id: int | None = None) -> int:
    """How many participants have a scored attempt (the people board's length)."""
    def compute():
        return db.session.scalar(
            select(func.count(func.distinct(Attempt.participant_id)))
            .where(*_scored(competition, round_id))) or 0
    return _cached((competition.id, round_id, "count"), compute)


def _beats(score, duration, finished, participant_id, columns):
    """SQL: the row in ``columns`` ranks before (score, duration, finished, participant)."""
    return or_(
        columns.score > score,
        and_(columns.score == score, columns.duration_ms < duration),
        and_(columns.score == score, columns.duration_ms == duration,
             columns.finished_at < finished),
        and_(columns.score == score, columns.duration_ms == duration,
             columns.finished_at == finished, columns.participant_id < participant_id))


def rank_of(competition: Competition, participant_id: int,
            round_id: int | None = None) -> PersonRow | None:
    """A participant's own row and rank, wherever they stand (``None`` without a score).

    With ``counting="best"`` someone is ahead exactly when *any* of their scored attempts
    beats my counted one, so they are counted straight from the attempts, without ranking
    everyone first.
    """
    counted = counted_attempts(competition, round_id)
    mine = db.session.execute(
        select(counted.c.score, counted.c.duration_ms, counted.c.finished_at)
        .where(counted.c.participant_id == participant_id)).first()
    if mine is None:
        return None
    score, duration, finished = mine
    if competition.counting == "best":
        ahead = db.session.scalar(
            select(func.count(func.distinct(Attempt.participant_id)))
            .where(*_scored(competition, round_id), Attempt.participant_id != participant_id,
                   _beats(score, duration, finished, participant_id, Attempt)))
    else:
        ahead = db.session.scalar(
            select(func.count()).select_from(counted)
            .where(_beats(score, duration, finished, participant_id, counted.c)))
    participant = db.session.get(Participant, participant_id)
    return PersonRow(ahead + 1, participant_id,
                     published_name(competition, participant.name, participant_id),
                     participant.township.name if participant.township else None,
                     participant.organisation.name if participant.organisation else None,
                     score, duration or 0, finished)


def _per_person(competition: Competition, round_id: int | None):
    """Per participant: the counted score and the number of scored attempts (person-times).

    With ``"best"`` the counted score is simply the maximum, one aggregate pass; with
    ``"last"`` it comes from :func:`counted_attempts`.
    """
    times = func.count(Attempt.id).label("times")
    if competition.counting == "best":
        return (select(Attempt.participant_id, func.max(Attempt.score).label("score"), times)
                .where(*_scored(competition, round_id))
                .group_by(Attempt.participant_id).subquery())
    counted = counted_attempts(competition, round_id)
    return (select(counted.c.participant_id, func.max(counted.c.score).label("score"), times)
            .join(Attempt, and_(Attempt.participant_id == counted.c.participant_id,
                                *_scored(competition, round_id)))
            .group_by(counted.c.participant_id).subquery())


def group_board(competition: Competition, by: str, round_id: int | None = None
                ) -> list[GroupRow]:
    """Townships (``by="township"``) or organisations (``by="organisation"``), ranked by
    participants, then mean score."""
    def compute():
        column = Participant.township_id if by == "township" else Participant.organisation_id
        model = Township if by == "township" else Organisation
        person = _per_person(competition, round_id)
        perfect = case((person.c.score >= competition.max_score - 1e-9, 1), else_=0)
        people = db.session.execute(
            select(column, func.count(), func.avg(person.c.score), func.sum(perfect),
                   func.sum(person.c.times))
            .select_from(person)
            .join(Participant, Participant.id == person.c.participant_id)
            .where(column.is_not(None)).group_by(column)).all()
        names = {row.id: row for row in db.session.scalars(
            select(model).where(model.id.in_([p[0] for p in people])))}
        rows = []
        for group_id, participants, mean, perfect_count, times in people:
            population = getattr(names[group_id], "population", None)
            rows.append((group_id, names[group_id].name, participants, int(times or 0),
                         per_10000(participants, population),
                         float(mean or 0), (perfect_count or 0) / participants))
        rows.sort(key=lambda r: (-r[2], -r[5], r[1]))
        return [GroupRow(rank, *row) for rank, row in enumerate(rows, start=1)]
    return _cached((competition.id, round_id, by), compute)


BOARD_VIEWS = ("people", "township", "organisation")
