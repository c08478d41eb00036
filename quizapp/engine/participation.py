"""Participation in network competitions: by township, by week and by target group, the
distribution of counted scores, and the hardest questions.  Read by the competitions
dashboards, the competition report and the townships ranking.

Rules:

- Only network competitions count (``kind="network"``; homework contests are a school's own)
  and only scored attempts (finished, or closed at the deadline; never open or voided), of one
  competition, of one of its rounds, or of every network competition (:class:`Scope`).
- *Participants*: registrations with at least one scored attempt.  A registration belongs to
  one competition, so over all competitions someone who took part in two counts twice.
- *Person-times* (人次): scored attempts.
- *Per 10,000 residents*: participants × 10,000 ÷ the township's population
  (:func:`quizapp.engine.boards.per_10000`, the boards' rule), only where the population
  is known and above zero; otherwise none.
- *Week*: the Monday-to-Sunday week (Beijing time) in which the attempt finished.
- *Counted score*: each participant's counted attempt as the boards count it
  (:func:`quizapp.engine.boards.counted_attempts`), as a share of the competition's maximum,
  in ten bins of 10 percentage points (the last, 90–100%, includes the maximum).
- *Target group*: registrations do not ask for it, so it is read from the kind of the
  organisation registered with (our rule): school → young people, village → farmers, work
  unit → industrial workers, agency → officials and civil servants; a community or no
  organisation → not known.
- *Hardest questions*: answered items of the scored attempts, by proportion correct (lowest
  first, then most answers); :mod:`quizapp.engine.item_analysis` computes them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Integer, cast, func, select

from quizapp.engine import boards
from quizapp.engine.boards import per_10000
from quizapp.engine.item_analysis import ItemStat, compute_item_stats
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
    Competition,
    Organisation,
    Participant,
    QuestionVersion,
    Township,
)
from quizapp.models.attempts import SCORED_STATUSES
from quizapp.timezone import to_local

NETWORK = "network"
SCORE_BINS = 10
GROUP_OF_ORGANISATION_KIND = {"school": "youth", "village": "farmer", "work_unit": "worker",
                              "agency": "cadre"}
UNKNOWN_GROUP = "unknown"


@dataclass(frozen=True)
class Scope:
    """Which attempts: one competition (and one of its rounds), or every network competition
    (``competition_id=None``); ``published_only`` keeps competitions not yet published out."""

    competition_id: int | None = None
    round_id: int | None = None
    published_only: bool = False

    def conditions(self) -> list:
        found = [Attempt.status.in_(SCORED_STATUSES), Competition.kind == NETWORK]
        if self.competition_id is not None:
            found.append(Attempt.competition_id == self.competition_id)
        if self.round_id is not None:
            found.append(Attempt.round_id == self.round_id)
        if self.published_only:
            found.append(Competition.published.is_(True))
        return found

    def competitions(self) -> list[Competition]:
        query = select(Competition).where(Competition.kind == NETWORK)
        if self.competition_id is not None:
            query = query.where(Competition.id == self.competition_id)
        if self.published_only:
            query = query.where(Competition.published.is_(True))
        return list(db.session.scalars(query.order_by(Competition.starts_at, Competition.id)))


def _scored(scope: Scope, *columns):
    return (select(*columns).select_from(Attempt)
            .join(Competition, Competition.id == Attempt.competition_id)
            .where(*scope.conditions()))


@dataclass(frozen=True)
class TownshipRow:
    township_id: int
    code: str
    name: str
    population: int | None
    participants: int
    person_times: int
    per_10000: float | None


def by_township(scope: Scope) -> list[TownshipRow]:
    """Every active township (those without participants too), in the township list's order."""
    counts = {tid: (people, times) for tid, people, times in db.session.execute(
        _scored(scope, Participant.township_id,
                func.count(func.distinct(Attempt.participant_id)), func.count(Attempt.id))
        .join(Participant, Participant.id == Attempt.participant_id)
        .where(Participant.township_id.is_not(None))
        .group_by(Participant.township_id))}
    rows = []
    for t in db.session.scalars(select(Township).where(Township.active.is_(True))
                                .order_by(Township.sort_order, Township.id)):
        people, times = counts.get(t.id, (0, 0))
        rows.append(TownshipRow(t.id, t.code, t.name, t.population, people, times,
                                per_10000(people, t.population)))
    return rows


@dataclass(frozen=True)
class CountRow:
    """A row of counts: a week (its Monday), a target group or a score bin."""

    key: str
    participants: int
    person_times: int


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def by_week(scope: Scope) -> list[CountRow]:
    """Participants and person-times per week (key: the Monday, ``YYYY-MM-DD``), in order."""
    people: dict[date, set[int]] = defaultdict(set)
    times: dict[date, int] = defaultdict(int)
    for participant_id, finished in db.session.execute(
            _scored(scope, Attempt.participant_id, Attempt.finished_at)
            .where(Attempt.finished_at.is_not(None))):
        week = week_start(to_local(finished).date())
        people[week].add(participant_id)
        times[week] += 1
    return [CountRow(week.isoformat(), len(people[week]), times[week]) for week in sorted(times)]


def group_of(organisation_kind: str | None) -> str:
    """The target group a registration is counted in (see the module's rule)."""
    return GROUP_OF_ORGANISATION_KIND.get(organisation_kind or "", UNKNOWN_GROUP)


def by_group(scope: Scope) -> dict[str, CountRow]:
    """Participants and person-times per target group (every group, zeros included)."""
    people: dict[str, int] = defaultdict(int)
    times: dict[str, int] = defaultdict(int)
    for kind, count, attempts in db.session.execute(
            _scored(scope, Organisation.kind, func.count(func.distinct(Attempt.participant_id)),
                    func.count(Attempt.id))
            .join(Participant, Participant.id == Attempt.participant_id)
            .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
            .group_by(Organisation.kind)):
        people[group_of(kind)] += count
        times[group_of(kind)] += attempts
    groups = [*dict.fromkeys(GROUP_OF_ORGANISATION_KIND.values()), UNKNOWN_GROUP]
    return {g: CountRow(g, people[g], times[g]) for g in groups}


def score_bin(score: float, max_score: float) -> int:
    """The bin (0-9) of a score: 10 percentage points of the maximum each, the maximum in 9."""
    if max_score <= 0:
        return 0
    return min(max(int(SCORE_BINS * score / max_score + 1e-9), 0), SCORE_BINS - 1)


def bin_label(index: int) -> str:
    """A bin's label, in percent of the maximum score: ``0–9`` … ``90–100``."""
    width = 100 // SCORE_BINS
    low = index * width
    return f"{low}–{low + width if index == SCORE_BINS - 1 else low + width - 1}"


def score_distribution(scope: Scope) -> list[int]:
    """How many participants' counted scores fall in each of the ten bins."""
    bins = [0] * SCORE_BINS
    for competition in scope.competitions():
        counted = boards.counted_attempts(competition, scope.round_id)
        for (score,) in db.session.execute(select(counted.c.score)):
            bins[score_bin(score, competition.max_score)] += 1
    return bins


@dataclass(frozen=True)
class ItemRow:
    """An item's statistics with its question's code and stem."""

    stat: ItemStat
    code: str
    stem: str


def item_rows(scope: Scope) -> list[ItemRow]:
    """Every answered item of the scope's attempts, hardest first (lowest proportion correct,
    then most answers, then the question's code)."""
    answers = db.session.execute(
        _scored(scope, AttemptItem.attempt_id, AttemptItem.question_version_id,
                cast(AttemptItem.correct, Integer))
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .where(AttemptItem.correct.is_not(None))).all()
    if not answers:
        return []
    stats = compute_item_stats([a[0] for a in answers], [a[1] for a in answers],
                               [bool(a[2]) for a in answers])
    versions = {v.id: v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(list(stats))))}
    rows = [ItemRow(stat, versions[k].question.code, versions[k].stem)
            for k, stat in stats.items()]
    rows.sort(key=lambda r: (r.stat.p, -r.stat.answered, r.code))
    return rows


def totals(scope: Scope) -> tuple[int, int]:
    """(participants, person-times) of the whole scope, with or without a township."""
    people, times = db.session.execute(
        _scored(scope, func.count(func.distinct(Attempt.participant_id)),
                func.count(Attempt.id))).one()
    return int(people or 0), int(times or 0)
