"""Competition rules applied to people: registration, starting, reveal."""

from __future__ import annotations

import random
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from quizapp.competitions.pool import ensure_pool
from quizapp.engine import answering, clock
from quizapp.engine.attempts import AttemptError, close_if_overdue, create_attempt
from quizapp.engine.draw import DrawError, draw_questions, max_together
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
    Competition,
    Organisation,
    Participant,
    QuestionVersion,
    Round,
    SchoolClass,
)
from quizapp.models.attempts import SCORED_STATUSES
from quizapp.models.questions import mask_to_groups
from quizapp.questions_pool import pool_draw_inputs
from quizapp.timezone import local_day_bounds

PHONE_PATTERN = re.compile(r"^1\d{10}$")


class RegistrationError(ValueError):
    """Registration data that the competition's rules refuse: ``problems`` lists every
    ``(field, code)`` found at once; ``field`` and ``code`` are the first."""

    def __init__(self, field: str, code: str,
                 problems: list[tuple[str, str]] | None = None) -> None:
        self.problems = problems or [(field, code)]
        super().__init__("; ".join(f"{f}: {c}" for f, c in self.problems))
        self.field, self.code = self.problems[0]


def visible_competitions() -> list[Competition]:
    """Published network competitions (a school's homework contests are reached by their own
    link, never listed)."""
    return list(db.session.scalars(
        select(Competition).where(Competition.published.is_(True),
                                  Competition.kind == "network")
        .order_by(Competition.starts_at.desc())))


def class_choices(competition: Competition) -> list[SchoolClass]:
    """The classes a participant may name: the contest school's own (none without a school)."""
    if competition.school_id is None:
        return []
    return list(db.session.scalars(
        select(SchoolClass).where(SchoolClass.organisation_id == competition.school_id)
        .order_by(SchoolClass.grade, SchoolClass.name)))


def by_slug(slug: str) -> Competition | None:
    return db.session.scalar(select(Competition).where(Competition.slug == slug))


def window_state(competition: Competition, now: datetime | None = None) -> str:
    """``"upcoming"``, ``"open"`` or ``"closed"``."""
    now = now or clock.now()
    if now < competition.starts_at:
        return "upcoming"
    if now >= competition.ends_at:
        return "closed"
    return "open"


def current_round(competition: Competition, now: datetime | None = None) -> Round | None:
    now = now or clock.now()
    return next((r for r in competition.rounds if r.starts_at <= now < r.ends_at), None)


def find_participant(competition: Competition, user_id: int | None,
                     device_id: str) -> Participant | None:
    """The participant for a signed-in account, or else this device's anonymous registration.

    The two never mix on their own: a signed-in account never sees or takes over the device's
    anonymous registration, and an anonymous visitor never sees an account's registration made
    on the same device (a shared phone, a school computer). Only the person's explicit action
    joins them (:func:`link_device_registration`).
    """
    if user_id is not None:
        return db.session.scalar(select(Participant).where(
            Participant.competition_id == competition.id, Participant.user_id == user_id))
    return device_registration(competition, device_id)


def device_registration(competition: Competition, device_id: str) -> Participant | None:
    """This device's anonymous registration (made without an account), if any."""
    return db.session.scalar(select(Participant).where(
        Participant.competition_id == competition.id, Participant.device_id == device_id,
        Participant.user_id.is_(None)))


def linkable_registration(competition: Competition, user_id: int | None,
                          device_id: str) -> Participant | None:
    """The device's anonymous registration that a signed-in account without a registration of
    its own may link to itself (``None`` when there is nothing to offer)."""
    if user_id is None or find_participant(competition, user_id, device_id) is not None:
        return None
    return device_registration(competition, device_id)


def link_device_registration(competition: Competition, user_id: int,
                             device_id: str) -> Participant:
    """Make this device's anonymous registration, its attempts and scores the account's, at
    the person's request. The device keeps nothing: after signing out, the next visitor on the
    device starts afresh.

    Raises :class:`RegistrationError` ``link``/``already_registered`` when the account has a
    registration of its own (two registrations are never merged) and ``link``/``nothing`` when
    the device has no anonymous registration.
    """
    if find_participant(competition, user_id, device_id) is not None:
        raise RegistrationError("link", "already_registered")
    participant = device_registration(competition, device_id)
    if participant is None:
        raise RegistrationError("link", "nothing")
    participant.user_id = user_id
    participant.device_id = None
    db.session.execute(update(Attempt).where(Attempt.participant_id == participant.id)
                       .values(user_id=user_id))
    try:
        db.session.commit()
    except IntegrityError:  # the account registered in another tab meanwhile
        db.session.rollback()
        raise RegistrationError("link", "already_registered") from None
    return participant


def _has_scored_attempt(participant: Participant) -> bool:
    return db.session.scalar(select(Attempt.id).where(
        Attempt.participant_id == participant.id,
        Attempt.status.in_(SCORED_STATUSES)).limit(1)) is not None


def _checked(competition: Competition, *, user_id: int | None, device_id: str, name: str,
             township_id: int | None, organisation_id: int | None, phone: str,
             school_class_id: int | None, now: datetime | None
             ) -> tuple[dict, Participant | None]:
    """The values to store and the existing registration, or :class:`RegistrationError`."""
    if window_state(competition, now) == "closed":
        raise RegistrationError("name", "closed")
    values = {"name": (name or "").strip(), "township": township_id,
              "organisation": organisation_id, "phone": (phone or "").strip(),
              "school_class": school_class_id}
    problems: list[tuple[str, str]] = []
    organisation = None
    if values["organisation"] and competition.field_mode("organisation") != "off":
        organisation = db.session.get(Organisation, values["organisation"])
        if organisation is None:
            problems.append(("organisation", "invalid"))
        elif not values["township"]:  # the organisation says where it is
            values["township"] = organisation.township_id
    for field, value in values.items():
        mode = competition.field_mode(field)
        if mode == "required" and not value:
            problems.append((field, "required"))
        if mode == "off":
            values[field] = None
    if values["phone"] and not PHONE_PATTERN.match(values["phone"]):
        problems.append(("phone", "invalid"))
    if organisation is not None:
        values["township"] = values["township"] or organisation.township_id
        if values["township"] != organisation.township_id:
            problems.append(("organisation", "other_township"))
    if values["school_class"] and values["school_class"] not in {
            c.id for c in class_choices(competition)}:
        problems.append(("school_class", "invalid"))
    participant = find_participant(competition, user_id, device_id)
    if participant is not None and _has_scored_attempt(participant):
        if (values["township"] or None) != participant.township_id \
                or (values["organisation"] or None) != participant.organisation_id:
            problems.append(("township", "locked"))
        if (values["school_class"] or None) != participant.school_class_id:
            problems.append(("school_class", "class_locked"))
    if problems:
        raise RegistrationError(*problems[0], problems=problems)
    return values, participant


def registration_problems(competition: Competition, *, user_id: int | None, device_id: str,
                          name: str, township_id: int | None, organisation_id: int | None,
                          phone: str, school_class_id: int | None = None,
                          now: datetime | None = None) -> list[tuple[str, str]]:
    """Every ``(field, code)`` that :func:`register` would refuse, all at once (empty: none)."""
    try:
        _checked(competition, user_id=user_id, device_id=device_id, name=name,
                 township_id=township_id, organisation_id=organisation_id, phone=phone,
                 school_class_id=school_class_id, now=now)
    except RegistrationError as error:
        return error.problems
    return []


def register(competition: Competition, *, user_id: int | None, device_id: str, name: str,
             township_id: int | None, organisation_id: int | None, phone: str,
             ip: str | None, school_class_id: int | None = None,
             now: datetime | None = None) -> Participant:
    """Register someone, keeping only the fields the competition asks for.

    Raises :class:`RegistrationError` for a closed competition, or with every problem at
    once: a missing required field (a township is implied by the organisation), a malformed
    phone, a class not of the contest's school, or a change of township, organisation or
    class after a scored attempt (which would move that score between boards).
    """
    values, participant = _checked(
        competition, user_id=user_id, device_id=device_id, name=name, township_id=township_id,
        organisation_id=organisation_id, phone=phone, school_class_id=school_class_id, now=now)
    if participant is None:
        participant = Participant(competition_id=competition.id, user_id=user_id,
                                  device_id=None if user_id is not None else device_id)
    participant.name = values["name"] or ""
    participant.township_id = values["township"] or None
    participant.organisation_id = values["organisation"] or None
    participant.phone = values["phone"] or None
    participant.school_class_id = values["school_class"] or None
    participant.ip = ip
    db.session.add(participant)
    try:
        db.session.commit()
    except IntegrityError:  # the same registration submitted twice at once
        db.session.rollback()
        return find_participant(competition, user_id, device_id)
    return participant


def open_attempt(participant: Participant) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.participant_id == participant.id, Attempt.status == "open"))


def attempts_today(participant: Participant, now: datetime) -> int:
    start, end = local_day_bounds(now)
    return db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.participant_id == participant.id, Attempt.started_at >= start,
        Attempt.started_at < end)) or 0


def attempts_used(participant: Participant) -> int:
    """Every attempt the participant has started, whatever became of it."""
    return db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.participant_id == participant.id)) or 0


def attempts_left(competition: Competition, participant: Participant) -> int | None:
    """How many attempts the competition's overall limit still allows (``None``: no limit)."""
    if competition.attempts_total is None:
        return None
    return max(competition.attempts_total - attempts_used(participant), 0)


# Between two questions with their own limits: the page loads, and the 时间到 step after a
# question that ran out of time (a few seconds before it goes on by itself).
BETWEEN_QUESTIONS = timedelta(seconds=10)


def attempt_deadline(competition: Competition, started_at: datetime,
                     round_: Round | None) -> datetime:
    """The whole-attempt limit; else, with a limit per question, questions × (that limit +
    ``BETWEEN_QUESTIONS``), so the way from one question to the next never costs the last
    questions their time; capped by the round's and the window's end."""
    limits = [competition.ends_at]
    if round_ is not None:
        limits.append(round_.ends_at)
    if competition.seconds_per_attempt:
        limits.append(started_at + timedelta(seconds=competition.seconds_per_attempt))
    elif competition.seconds_per_question:
        limits.append(started_at + competition.question_count * (
            timedelta(seconds=competition.seconds_per_question) + BETWEEN_QUESTIONS))
    return min(limits)


def start_attempt(competition: Competition, participant: Participant, *, ip: str | None,
                  device_id: str | None, now: datetime | None = None,
                  rng: random.Random | None = None) -> Attempt:
    """Start an attempt, or return the participant's open one (a reload or a second tab).

    Raises :class:`AttemptError` with code ``not_open`` (outside the window or any round),
    ``already_done`` (the overall limit, e.g. a homework contest's one attempt, is used up),
    ``daily_limit`` (attempts per calendar day in the city's time zone), or ``no_questions``.
    """
    now = now or clock.now()
    existing = open_attempt(participant)
    if existing is not None and not close_if_overdue(existing, now):
        return existing
    if window_state(competition, now) != "open":
        raise AttemptError("not_open")
    round_ = current_round(competition, now)
    if competition.rounds and round_ is None:
        raise AttemptError("not_open")
    if attempts_left(competition, participant) == 0:
        raise AttemptError("already_done")
    if competition.attempts_per_day and attempts_today(participant, now) >= \
            competition.attempts_per_day:
        # A concurrent request (a double tap, a second tab) may have just started one.
        existing = open_attempt(participant)
        if existing is not None:
            return existing
        raise AttemptError("daily_limit")
    rng = rng or random.Random(secrets.randbits(64))
    ensure_pool(competition)
    # Kept per process for a short while (a new start on every request would query the pool
    # again); the pool itself cannot change once an attempt has started.
    candidates, versions_by_id = answering.cached(
        ("pool", competition.id, competition.audience_mask, competition.pool_seed),
        lambda: pool_draw_inputs(competition.id, mask_to_groups(competition.audience_mask)))
    count = competition.question_count
    if competition.kind == "homework":
        # Every question of the set, in an order of one's own; a question edited or retired
        # since the contest opened drops out instead of stopping everyone.
        # Questions of one enemy group in the set: each person gets one of them.
        count = min(count, max_together(candidates))
        if count == 0:
            raise AttemptError("no_questions")
    try:
        drawn = draw_questions(candidates, count, rng, competition.quotas)
    except DrawError as error:
        raise AttemptError("no_questions", str(error)) from error
    try:
        return create_attempt(
            kind="competition", versions=[versions_by_id[c.version_id] for c in drawn], rng=rng,
            started_at=now, deadline=attempt_deadline(competition, now, round_),
            competition_id=competition.id, round_id=round_.id if round_ else None,
            participant_id=participant.id, user_id=participant.user_id, device_id=device_id,
            ip=ip)
    except AttemptError as error:
        if error.code == "already_open":
            return open_attempt(participant)
        raise


def may_reveal(competition: Competition, attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether right answers may be shown for a closed attempt, by the competition's rule:
    ``after_window`` only once the competition has closed; ``after_attempt`` and
    ``after_item`` as soon as the attempt is over."""
    if attempt.status == "open":
        return False
    if competition.reveal == "after_window":
        return (now or clock.now()) >= competition.ends_at
    return True


def item_review(competition: Competition, attempt: Attempt,
                position: int | None) -> AttemptItem | None:
    """The item at ``position`` with its right answer, when the competition shows answers
    after each question and that item has been answered (else ``None``)."""
    if competition.reveal != "after_item" or position is None:
        return None
    item = next((i for i in attempt.items if i.position == position), None)
    return item if item is not None and item.answered_at is not None else None


def versions_of(attempt: Attempt) -> dict[int, QuestionVersion]:
    return {item.question_version_id: item.question_version for item in attempt.items}
