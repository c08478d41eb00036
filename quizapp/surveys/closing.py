"""Closing a wave: the end of fieldwork, when the personal data collected for it is deleted.

China's Personal Information Protection Law (art. 19, 47) wants personal information kept no
longer than its purpose needs; names, phone numbers and addresses were needed to find and
call back the sampled people, and that ends with fieldwork.  :func:`close_wave`:

* sets the wave's status to ``closed`` (no further visit, interview or invitation);
* **deletes** every :class:`~quizapp.models.SurveyCaseContact` of the wave (names, phones,
  addresses);
* blanks every household listing line's dwelling description (``SurveyHousehold.label``) and
  every visit note (``SurveyContactAttempt.note``);
* deletes every invitation code (``SurveyInvitation.code`` set to NULL: a letter found later
  opens nothing) and the answers a respondent saved to resume (``progress``);
* reduces the interviews' paradata to the keys :data:`PARADATA_KEPT`, with the device reduced
  to its kind (:func:`coarse_device`): a full browser identification string of a
  self-completing respondent, with versions and build numbers, helps single out a person's
  phone; "Android" does not.  Keys added by other code that this module does not know are
  dropped, and the report lists them.

It keeps the design, the answers, scores, dispositions, the review and the (reduced)
paradata.  Running it again on a closed wave changes nothing and reports zeros.

**Pending review blocks closing**: the back-check of a flagged interview (calling the
respondent again) needs the phone number this deletes, so a wave with complete interviews
still waiting for review is refused until the statistician has accepted or rejected each.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from quizapp.extensions import db
from quizapp.models import (
    SurveyCase,
    SurveyCaseContact,
    SurveyContactAttempt,
    SurveyHousehold,
    SurveyInterview,
    SurveyInvitation,
    SurveySampledPSU,
    SurveyWave,
)
from quizapp.surveys.services import WaveRefused

#: The paradata keys the interviews module writes (``record_interview``), none personal;
#: everything else is dropped when the wave closes.
PARADATA_KEPT = frozenset({
    "started_at", "ended_at", "consent_at", "page_ms", "item_order", "option_orders",
    "item_ms", "item_changes", "answer_changes", "positions", "device", "broken_off",
})
#: What :func:`coarse_device` answers: the platform's kind only.
DEVICE_KINDS = ("android", "harmonyos", "ios", "windows", "macos", "linux", "other")
_DEVICE_WORDS = (
    ("harmonyos", "harmonyos"), ("openharmony", "harmonyos"), ("android", "android"),
    ("iphone", "ios"), ("ipad", "ios"), ("ipod", "ios"), ("ios", "ios"),
    ("windows", "windows"), ("macintosh", "macos"), ("mac os", "macos"), ("macos", "macos"),
    ("linux", "linux"),
)


def coarse_device(device: object) -> str:
    """The kind of device from a browser identification string (one of
    :data:`DEVICE_KINDS`), ``""`` when none was recorded."""
    if not isinstance(device, str) or not device.strip():
        return ""
    text = device.lower()
    for word, kind in _DEVICE_WORDS:
        if word in text:
            return kind
    return "other"


class ClosingRefused(WaveRefused):
    """The wave cannot be closed now; the message says why."""


@dataclass(frozen=True)
class ClosingReport:
    """What closing changed (all zeros when the wave was closed already)."""

    wave_id: int
    was_closed: bool
    contacts_deleted: int
    labels_blanked: int
    notes_blanked: int
    codes_deleted: int
    progress_cleared: int
    paradata_reduced: int
    paradata_keys_dropped: tuple[str, ...]
    interviews_kept: int


def pending_reviews(wave: SurveyWave) -> int:
    """Complete interviews of the wave still waiting for the statistician's decision."""
    return db.session.scalar(
        select(func.count(SurveyInterview.id))
        .where(SurveyInterview.wave_id == wave.id, SurveyInterview.complete.is_(True),
               SurveyInterview.review_status == "pending")) or 0


def _reduced(paradata: object) -> dict:
    kept = {k: v for k, v in paradata.items() if k in PARADATA_KEPT} if isinstance(
        paradata, dict) else {}
    if "device" in kept:
        kept["device"] = coarse_device(kept["device"])
    return kept


def close_wave(wave: SurveyWave) -> ClosingReport:
    """Close the wave and delete its personal data (module docstring); idempotent.

    Raises :class:`ClosingRefused` for a wave still being designed, or one with interviews
    waiting for review.
    """
    if wave.status == "design":
        raise ClosingRefused(_("Only a wave in fieldwork can be closed."))
    was_closed = wave.status == "closed"
    if not was_closed:
        pending = pending_reviews(wave)
        if pending:
            raise ClosingRefused(_(
                "%(n)s interviews still wait for review: accept or reject each first (the "
                "back-check may need the contact details closing deletes).", n=pending))
    cases = select(SurveyCase.id).where(SurveyCase.wave_id == wave.id)
    psus = select(SurveySampledPSU.id).where(SurveySampledPSU.wave_id == wave.id)
    contacts = db.session.execute(
        delete(SurveyCaseContact).where(SurveyCaseContact.case_id.in_(cases))
        .execution_options(synchronize_session=False)).rowcount
    labels = db.session.execute(
        update(SurveyHousehold).where(SurveyHousehold.sampled_psu_id.in_(psus),
                                      SurveyHousehold.label != "")
        .values(label="").execution_options(synchronize_session=False)).rowcount
    notes = db.session.execute(
        update(SurveyContactAttempt).where(SurveyContactAttempt.case_id.in_(cases),
                                           SurveyContactAttempt.note != "")
        .values(note="").execution_options(synchronize_session=False)).rowcount
    codes = db.session.execute(
        update(SurveyInvitation).where(SurveyInvitation.wave_id == wave.id,
                                       SurveyInvitation.code.is_not(None))
        .values(code=None).execution_options(synchronize_session=False)).rowcount
    progress = 0
    for invitation in db.session.scalars(
            select(SurveyInvitation).where(SurveyInvitation.wave_id == wave.id)):
        if invitation.progress:
            invitation.progress = {}
            progress += 1
    reduced, dropped, kept = 0, set(), 0
    for interview in db.session.scalars(
            select(SurveyInterview).where(SurveyInterview.wave_id == wave.id)):
        kept += 1
        new = _reduced(interview.paradata)
        if new != interview.paradata:
            if isinstance(interview.paradata, dict):
                dropped.update(k for k in interview.paradata if k not in PARADATA_KEPT)
            interview.paradata = new
            reduced += 1
    wave.status = "closed"
    db.session.commit()
    # The bulk statements bypassed the session: later reads must not see stale objects.
    db.session.expire_all()
    return ClosingReport(
        wave_id=wave.id, was_closed=was_closed, contacts_deleted=contacts,
        labels_blanked=labels, notes_blanked=notes, codes_deleted=codes,
        progress_cleared=progress, paradata_reduced=reduced,
        paradata_keys_dropped=tuple(sorted(dropped)), interviews_kept=kept)
