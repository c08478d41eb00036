"""A resident's way into a competition: the details remembered from their last registration
(so name and township are not typed again for every competition), and whether an attempt
may start now or, if not, from when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quizapp.competitions.services import attempts_left, attempts_today, window_state
from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.models import Competition, Organisation, Participant, Township, User
from quizapp.timezone import local_day_bounds


@dataclass(frozen=True)
class Remembered:
    """Details to fill a new registration with (``None``: nothing to offer)."""

    name: str
    township_id: int | None
    organisation_id: int | None


def remembered_details(user_id: int | None, device_id: str) -> Remembered | None:
    """The details of this person's most recent registration in any competition.

    The same separation as :func:`quizapp.competitions.services.find_participant`: a signed-in
    account's own registrations (else the account's name), or, without an account, only this
    device's anonymous ones, so a shared phone never shows an account's details to the next
    visitor. A township or organisation no longer in use is left out; the phone number is
    never carried over.
    """
    if user_id is not None:
        owner = Participant.user_id == user_id
    else:
        owner = (Participant.device_id == device_id) & Participant.user_id.is_(None)
    last = db.session.scalar(select(Participant).where(owner).order_by(
        Participant.registered_at.desc(), Participant.id.desc()).limit(1))
    if last is None:
        user = db.session.get(User, user_id) if user_id is not None else None
        return Remembered(user.display_name, None, None) if user and user.display_name else None
    township = db.session.get(Township, last.township_id) if last.township_id else None
    organisation = (db.session.get(Organisation, last.organisation_id)
                    if last.organisation_id else None)
    township_id = township.id if township is not None and township.active else None
    if organisation is not None and (not organisation.active
                                     or organisation.township_id != township_id):
        organisation = None
    return Remembered(last.name, township_id, organisation.id if organisation else None)


@dataclass(frozen=True)
class Availability:
    """Whether the participant may start an attempt now; if not, ``reason`` (``closed``,
    ``upcoming``, ``already_done``, ``between_rounds``, ``daily_limit``) and ``next_at``, the
    first moment another attempt may start (``None``: not within this competition)."""

    can_start: bool
    reason: str | None = None
    next_at: datetime | None = None


def _next_open_moment(competition: Competition, moment: datetime) -> datetime | None:
    """The first moment from ``moment`` on when the competition (and a round, if it has
    rounds) is open."""
    if moment >= competition.ends_at:
        return None
    moment = max(moment, competition.starts_at)
    if not competition.rounds:
        return moment
    for round_ in sorted(competition.rounds, key=lambda r: r.starts_at):
        if round_.ends_at > moment:
            start = max(moment, round_.starts_at)
            return start if start < competition.ends_at else None
    return None


def availability(competition: Competition, participant: Participant,
                 now: datetime | None = None) -> Availability:
    """The same rules as :func:`quizapp.competitions.services.start_attempt`, asked before
    offering the start button: a button that can only answer with a refusal is not shown."""
    now = now or clock.now()
    state = window_state(competition, now)
    if state == "closed":
        return Availability(False, "closed")
    if attempts_left(competition, participant) == 0:
        return Availability(False, "already_done")
    if state == "upcoming":
        return Availability(False, "upcoming", competition.starts_at)
    if competition.attempts_per_day and \
            attempts_today(participant, now) >= competition.attempts_per_day:
        return Availability(False, "daily_limit",
                            _next_open_moment(competition, local_day_bounds(now)[1]))
    opens = _next_open_moment(competition, now)
    if opens != now:
        return Availability(False, "between_rounds", opens)
    return Availability(True)
