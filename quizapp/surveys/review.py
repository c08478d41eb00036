"""The data-quality review: the statistician accepts or rejects flagged interviews.

``record_interview`` flags an interview with ``surveys.check_quality`` (too fast, straight-
lining, duplicate respondent in the same PSU, outside the assigned PSU, many answer changes):
a complete interview without a flag is accepted at once (``review_reason`` "auto"), a flagged
one waits (``pending``).  The queue lists the complete interviews that wait; only complete
interviews can go on to part 2, so a partial's review would decide nothing.

A decision (accept or reject) always carries a reason of 1 to 300 characters without control
characters, with who took it and when.  **The last decision wins**: deciding again replaces
the status, reason, person and time (no history is kept).  Any interview of the wave can be
decided, so an unflagged, automatically accepted interview can still be rejected (e.g. after
a failed back-check).  Review is possible during fieldwork and after the wave closes.

:func:`accepted_complete_cases` is what goes on to part 2 (weights and estimates): the cases
whose interview is complete and accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import surveys
from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.inputs import CONTROL_CHARACTERS
from quizapp.models import (
    SurveyCase,
    SurveyFramePSU,
    SurveyInterview,
    SurveySampledPSU,
    SurveyWave,
    User,
)
from quizapp.surveys import labels
from quizapp.surveys.closing import pending_reviews
from quizapp.surveys.services import WaveRefused, require_status
from quizapp.timezone import to_local

DECISIONS = ("accepted", "rejected")
REASON_MAX = 300
AUTO_REASON = "auto"  # record_interview's reason for an unflagged complete interview
RECENT_DECISIONS = 50
QUEUE_PAGE = 100  # waiting interviews shown at once; deciding one brings up the next


class ReviewRefused(WaveRefused):
    """A decision that cannot be stored; the message is for the page."""


@dataclass(frozen=True)
class FlagLine:
    """One flag of an interview: its name and its reason, in the page's language."""

    code: str
    name: str
    reason: str


@dataclass(frozen=True)
class ReviewEntry:
    """An interview as the review pages show it (never a name, phone or address)."""

    interview: SurveyInterview
    township: str
    psu: str
    interviewer: str
    reviewer: str
    reviewed: str  # when, in the city's time, or ""
    level: str  # the level's name, or ""
    minutes: float
    flags: tuple[FlagLine, ...]


def flag_lines(flags: object, case_id: int, language: str | None = None
               ) -> tuple[FlagLine, ...]:
    """The stored flags (``[{code, evidence}]``) as names and reasons in ``language`` (default:
    the page's), built by ``surveys.QualityFlag.reason`` from the stored evidence; a flag whose
    evidence does not fill the sentence shows its name only."""
    language = language or labels.language()
    lines = []
    for flag in flags if isinstance(flags, list) else []:
        if not isinstance(flag, dict):
            continue
        code = str(flag.get("code", ""))
        try:
            known = surveys.FlagCode(code)
        except ValueError:
            lines.append(FlagLine(code, _("Data-quality flag"), ""))
            continue
        name = surveys.label(known, language)
        try:
            reason = surveys.QualityFlag(str(case_id), known,
                                         dict(flag.get("evidence"))).reason(language)
        except (KeyError, ValueError, TypeError, IndexError):
            reason = ""
        lines.append(FlagLine(code, name, reason))
    return tuple(lines)


def _entries(interviews: list[SurveyInterview]) -> list[ReviewEntry]:
    people = {i.interviewer_id for i in interviews} | {i.reviewed_by_id for i in interviews}
    people.discard(None)
    names = {uid: display or username for uid, display, username in db.session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(people)))
    } if people else {}
    language = labels.language()
    entries = []
    for interview in interviews:
        frame_psu = interview.case.sampled_psu.frame_psu
        entries.append(ReviewEntry(
            interview=interview, township=frame_psu.township.name,
            psu=frame_psu.name or frame_psu.code,
            interviewer=names.get(interview.interviewer_id, ""),
            reviewer=names.get(interview.reviewed_by_id, ""),
            reviewed=("" if interview.reviewed_at is None
                      else to_local(interview.reviewed_at).strftime("%Y-%m-%d %H:%M")),
            level=labels.code_label(surveys.Level, interview.level) if interview.level else "",
            minutes=max(0.0, (interview.ended_at - interview.started_at).total_seconds() / 60),
            flags=flag_lines(interview.flags, interview.case_id, language)))
    return entries


def _with_place():
    return selectinload(SurveyInterview.case).selectinload(SurveyCase.sampled_psu).selectinload(
        SurveySampledPSU.frame_psu).selectinload(SurveyFramePSU.township)


def review_queue(wave: SurveyWave, limit: int | None = None) -> list[ReviewEntry]:
    """Complete interviews waiting for a decision, oldest first (the first ``limit``)."""
    return _entries(list(db.session.scalars(
        select(SurveyInterview).options(_with_place())
        .where(SurveyInterview.wave_id == wave.id, SurveyInterview.complete.is_(True),
               SurveyInterview.review_status == "pending")
        .order_by(SurveyInterview.received_at, SurveyInterview.id).limit(limit))))


@dataclass(frozen=True)
class ReviewPage:
    """The review queue page: the first :data:`QUEUE_PAGE` waiting interviews, how many wait
    in all, and the latest decisions."""

    queue: list[ReviewEntry]
    waiting: int
    decided: list[ReviewEntry]


def review_page(wave: SurveyWave) -> ReviewPage:
    """What the review queue page shows."""
    return ReviewPage(queue=review_queue(wave, QUEUE_PAGE), waiting=pending_reviews(wave),
                      decided=recent_decisions(wave))


def recent_decisions(wave: SurveyWave, limit: int = RECENT_DECISIONS) -> list[ReviewEntry]:
    """The latest decisions a person took (not the automatic acceptances), newest first."""
    return _entries(list(db.session.scalars(
        select(SurveyInterview).options(_with_place())
        .where(SurveyInterview.wave_id == wave.id, SurveyInterview.reviewed_by_id.is_not(None))
        .order_by(SurveyInterview.reviewed_at.desc(), SurveyInterview.id.desc())
        .limit(limit))))


def get_interview(wave: SurveyWave, interview_id: int) -> SurveyInterview | None:
    """The interview if it belongs to the wave."""
    interview = db.session.get(SurveyInterview, interview_id)
    return interview if interview is not None and interview.wave_id == wave.id else None


def interview_of_case(wave: SurveyWave, case_id: int) -> SurveyInterview | None:
    """The interview of the wave's case ``case_id``, if there is one."""
    return db.session.scalar(select(SurveyInterview).where(
        SurveyInterview.wave_id == wave.id, SurveyInterview.case_id == case_id))


def review_entry(interview: SurveyInterview) -> ReviewEntry:
    """One interview as the review page shows it."""
    return _entries([interview])[0]


def check_reason(reason: object) -> str:
    """The reason, trimmed; refused when empty, longer than :data:`REASON_MAX` or holding a
    control character (a line break included: it is one line)."""
    if not isinstance(reason, str):
        raise ReviewRefused(_("Give a reason for the decision."))
    text = reason.strip()
    if not text:
        raise ReviewRefused(_("Give a reason for the decision."))
    if len(text) > REASON_MAX:
        raise ReviewRefused(_("The reason may have at most %(n)s characters.", n=REASON_MAX))
    if CONTROL_CHARACTERS.search(text) or any(c in text for c in "\t\r\n"):
        raise ReviewRefused(_("The reason must be one line of ordinary text."))
    return text


def review_interview(interview: SurveyInterview, decision: str, reason: str,
                     by_user_id: int) -> SurveyInterview:
    """Accept or reject ``interview`` with ``reason``, recording who (``by_user_id``) and when;
    replaces any earlier decision (the last decision wins).  Raises :class:`ReviewRefused`
    for an unknown decision or a bad reason, :class:`WaveRefused` while the wave is being
    designed."""
    if decision not in DECISIONS:
        raise ReviewRefused(_("Choose to accept or to reject the interview."))
    text = check_reason(reason)
    require_status(db.session.get(SurveyWave, interview.wave_id), "fieldwork", "closed")
    interview.review_status = decision
    interview.review_reason = text
    interview.reviewed_by_id = by_user_id
    interview.reviewed_at = clock.now()
    db.session.commit()
    return interview


def accepted_complete_cases(wave: SurveyWave) -> list[SurveyCase]:
    """The cases that go on to part 2: complete interviews the review accepted (automatically,
    for an unflagged one, or by the statistician), by case id."""
    return list(db.session.scalars(
        select(SurveyCase).join(SurveyInterview, SurveyInterview.case_id == SurveyCase.id)
        .where(SurveyCase.wave_id == wave.id, SurveyInterview.complete.is_(True),
               SurveyInterview.review_status == "accepted")
        .order_by(SurveyCase.id)))
