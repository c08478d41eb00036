"""Admin operations on competitions: list and find, save from the form (with the question
pool), next round, attempts and signals for review, voiding, exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from quizapp.competitions import pool
from quizapp.competitions.forms import QUOTA_CODES
from quizapp.engine import boards, signals
from quizapp.extensions import db
from quizapp.models import Attempt, Competition, Participant, Round
from quizapp.models.questions import groups_to_mask, mask_to_groups
from quizapp.shared.paging import Paging, paging
from quizapp.timezone import from_local, to_local


class CompetitionFormError(ValueError):
    """A form value the rules refuse: ``field`` names the field, the message is a code;
    ``params`` fill the message shown."""

    def __init__(self, field: str, message: str, **params) -> None:
        super().__init__(message)
        self.field = field
        self.params = params


def list_competitions() -> list[Competition]:
    """Every network competition, the latest first (schools' homework contests are run by
    their teachers, on the schools pages)."""
    return list(db.session.scalars(select(Competition).where(Competition.kind == "network")
                                   .order_by(Competition.starts_at.desc())))


def get_competition(competition_id: int) -> Competition | None:
    return db.session.get(Competition, competition_id)


def competition_attempt(attempt_id: int) -> Attempt | None:
    """A competition's attempt by id (``None`` for a practice attempt or none at all)."""
    attempt = db.session.get(Attempt, attempt_id)
    return attempt if attempt is not None and attempt.competition_id is not None else None


ATTEMPTS_PER_PAGE = 50


def attempts_page(competition: Competition, page: int | None,
                  only: set[int] | None = None) -> tuple[list[Attempt], Paging]:
    """One page of a competition's attempts, the latest first, with their participants, for
    review; ``only`` keeps just those attempt ids (e.g. the flagged ones)."""
    conditions = [Attempt.competition_id == competition.id]
    if only is not None:
        conditions.append(Attempt.id.in_(only or {0}))
    total = db.session.scalar(select(func.count(Attempt.id)).where(*conditions)) or 0
    where = paging(total, page, ATTEMPTS_PER_PAGE)
    rows = list(db.session.scalars(
        select(Attempt).where(*conditions).options(selectinload(Attempt.participant))
        .order_by(Attempt.id.desc()).limit(ATTEMPTS_PER_PAGE).offset(where.offset)))
    return rows, where


def signals_of(competition: Competition, attempt_id: int) -> list[signals.Signal]:
    """The cheating signals of a competition that name this attempt."""
    return [s for s in signals.all_signals(competition.id) if attempt_id in s.attempt_ids]


@dataclass(frozen=True)
class FlaggedAttempts:
    """A cheating signal with the attempts it names and their participants' names."""

    signal: signals.Signal
    attempts: list[tuple[int, str]]  # (attempt id, participant's name)


def signals_for_review(competition: Competition) -> list[FlaggedAttempts]:
    """Every cheating signal of a competition, with who is behind each flagged attempt."""
    found = signals.all_signals(competition.id)
    ids = {a for s in found for a in s.attempt_ids}
    names = dict(db.session.execute(
        select(Attempt.id, Participant.name)
        .join(Participant, Participant.id == Attempt.participant_id)
        .where(Attempt.id.in_(ids))).all()) if ids else {}
    return [FlaggedAttempts(s, [(a, names.get(a) or f"#{a}") for a in s.attempt_ids])
            for s in found]


SIGNALS_PER_PAGE = 20


def signal_counts(flagged: list[FlaggedAttempts]) -> dict[str, int]:
    """How many signals of each kind, in the order of :data:`signals.SIGNAL_KINDS`."""
    counts = {kind: 0 for kind in signals.SIGNAL_KINDS}
    for item in flagged:
        counts[item.signal.kind] = counts.get(item.signal.kind, 0) + 1
    return {kind: count for kind, count in counts.items() if count}


def signals_page(flagged: list[FlaggedAttempts], kind: str, page: int | None
                 ) -> tuple[list[FlaggedAttempts], Paging]:
    """One page of the signals (of ``kind`` only, when it is one)."""
    if kind in signals.SIGNAL_KINDS:
        flagged = [f for f in flagged if f.signal.kind == kind]
    where = paging(len(flagged), page, SIGNALS_PER_PAGE)
    return flagged[where.offset:where.offset + SIGNALS_PER_PAGE], where


def form_to_competition(form, competition: Competition) -> Competition:
    """Copy a validated CompetitionForm onto ``competition`` and save it, drawing its
    question pool when it has none or a setting the pool depends on changed (see
    :mod:`quizapp.competitions.pool`)."""
    starts, ends = from_local(form.starts_at.data), from_local(form.ends_at.data)
    if ends <= starts:
        raise CompetitionFormError("ends_at", "ends_before_start")
    clash = db.session.scalar(select(Competition).where(
        Competition.slug == form.slug.data, Competition.id != competition.id))
    if clash is not None:
        raise CompetitionFormError("slug", "duplicate")
    type_quota = {name: getattr(form, f"quota_{name}").data
                  for name in ("true_false", "single", "multiple")
                  if getattr(form, f"quota_{name}").data}
    difficulty_quota, topic_quota = (
        {code: field.data for code, field in zip(QUOTA_CODES[dimension],
                                                 form.quota_fields(dimension), strict=True)
         if field.data}
        for dimension in ("difficulty", "topic"))
    for quota in (type_quota, difficulty_quota, topic_quota):
        if sum(quota.values()) > form.question_count.data:
            raise CompetitionFormError("question_count", "quota_too_large")
    settings_before = pool.pool_settings(competition) if competition.id else None
    competition.title = form.title.data
    competition.slug = form.slug.data
    competition.description = form.description.data or ""
    competition.rules_text = form.rules_text.data or ""
    competition.audience_mask = groups_to_mask(form.audience.data or [])
    competition.starts_at, competition.ends_at = starts, ends
    competition.registration = {field: getattr(form, f"field_{field}").data
                                for field in ("name", "township", "organisation", "phone")}
    competition.question_count = form.question_count.data
    competition.quotas = {key: value for key, value in
                          (("type", type_quota), ("difficulty", difficulty_quota),
                           ("topic", topic_quota)) if value}
    competition.seconds_per_question = form.seconds_per_question.data or None
    competition.seconds_per_attempt = form.seconds_per_attempt.data or None
    competition.attempts_per_day = form.attempts_per_day.data or None
    competition.counting = form.counting.data
    competition.points_per_correct = form.points_per_correct.data
    competition.reveal = form.reveal.data
    competition.certificate_min_score = form.certificate_min_score.data or 0.0
    competition.published = form.published.data
    competition.board_names = form.board_names.data
    competition.pool_size = form.pool_size.data
    db.session.add(competition)
    try:
        pool.save_pool(competition, settings_before)
    except pool.PoolError as error:
        db.session.rollback()
        params = {} if error.available is None else {"available": error.available}
        raise CompetitionFormError("pool_size", f"pool_{error.code}", **params) from None
    db.session.commit()
    boards.forget(competition.id)  # the boards' names follow board_names at once
    return competition


def competition_to_form(competition: Competition, form) -> None:
    """Fill a CompetitionForm from a saved competition (for editing)."""
    for name in ("title", "slug", "description", "rules_text", "question_count",
                 "seconds_per_question", "seconds_per_attempt", "attempts_per_day", "counting",
                 "points_per_correct", "reveal", "published", "pool_size", "board_names",
                 "certificate_min_score"):
        getattr(form, name).data = getattr(competition, name)
    form.audience.data = mask_to_groups(competition.audience_mask)
    form.starts_at.data = to_local(competition.starts_at).replace(tzinfo=None)
    form.ends_at.data = to_local(competition.ends_at).replace(tzinfo=None)
    for field in ("name", "township", "organisation", "phone"):
        getattr(form, f"field_{field}").data = competition.field_mode(field)
    type_quota = competition.quotas.get("type", {})
    for name in ("true_false", "single", "multiple"):
        getattr(form, f"quota_{name}").data = type_quota.get(name)
    for dimension in ("difficulty", "topic"):
        quota = competition.quotas.get(dimension, {})
        for code, field in zip(QUOTA_CODES[dimension], form.quota_fields(dimension),
                               strict=True):
            field.data = quota.get(code)


def next_round_defaults(competition: Competition) -> tuple[str, object, object]:
    """A proposal for the next round: the week after the last round (or from the opening)."""
    number = len(competition.rounds) + 1
    start = competition.rounds[-1].ends_at if competition.rounds else competition.starts_at
    end = min(start + timedelta(days=7), competition.ends_at)
    return f"第{number}周", start, end


def add_round(competition: Competition, title: str, starts_local, ends_local) -> Round:
    """Add the next round; it must lie inside the competition and not overlap another."""
    starts, ends = from_local(starts_local), from_local(ends_local)
    if ends <= starts:
        raise CompetitionFormError("ends_at", "ends_before_start")
    if starts < competition.starts_at or ends > competition.ends_at:
        raise CompetitionFormError("starts_at", "outside_window")
    if any(starts < r.ends_at and r.starts_at < ends for r in competition.rounds):
        raise CompetitionFormError("starts_at", "overlap")
    round_ = Round(competition=competition, number=len(competition.rounds) + 1, title=title,
                   starts_at=starts, ends_at=ends)
    db.session.add(round_)
    db.session.commit()
    boards.forget(competition.id)
    return round_


ATTEMPT_COLUMNS = ("attempt", "status", "round", "name", "township", "organisation",
                   "started_at", "finished_at", "seconds", "correct", "score", "ip", "void_reason")


def attempt_rows(competition: Competition) -> list[list]:
    """One row per attempt that is not open, for the organisers' records (times in Beijing)."""
    query = (select(Attempt).where(Attempt.competition_id == competition.id,
                                   Attempt.status != "open")
             .options(selectinload(Attempt.round),
                      selectinload(Attempt.participant).selectinload(Participant.township),
                      selectinload(Attempt.participant).selectinload(Participant.organisation))
             .order_by(Attempt.finished_at))
    rows = []
    for a in db.session.scalars(query):
        p: Participant | None = a.participant
        rows.append([
            a.id, a.status, a.round.number if a.round else "", p.display_name if p else "",
            p.township.name if p and p.township else "",
            p.organisation.name if p and p.organisation else "",
            to_local(a.started_at).strftime("%Y-%m-%d %H:%M:%S"),
            to_local(a.finished_at).strftime("%Y-%m-%d %H:%M:%S") if a.finished_at else "",
            round((a.duration_ms or 0) / 1000, 1), a.correct_count, a.score, a.ip or "",
            a.void_reason or ""])
    return rows


PARTICIPATION_COLUMNS = ("rank", "name", "participants", "person_times", "per_10000",
                         "mean_score", "perfect_share")


def participation_rows(competition: Competition, by: str) -> list[list]:
    return [[r.rank, r.name, r.participants, r.person_times,
             None if r.per_10000 is None else round(r.per_10000, 2), round(r.mean_score, 2),
             round(r.perfect_share, 4)]
            for r in boards.group_board(competition, by)]
