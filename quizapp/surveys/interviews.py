"""Fieldwork records, each stored exactly once: contact attempts, dispositions and interviews.

The interviewer's sync endpoint, the self-completion pages, the demo and the tests all call
:func:`record_contact` and :func:`record_interview`; nothing else writes these rows.

Exactly once: every record carries a ``client_id`` the phone (or invitation page) generated
before sending.  The id is unique in the database, and a case has at most one interview, so a
resend, a double tap, two tabs or two servers racing all end with one row: the loser's
``INSERT`` fails on the unique index, is rolled back, and the stored row is returned with
``created=False``.

Every rule is the plain-Python ``surveys`` package's: the score (``surveys.score_form`` with
the wave's boundary), the interview's disposition (``surveys.disposition_of_interview``), the
respondent's derived profile (``surveys.derive_profile``) and the quality flags
(``surveys.check_quality``).  The answers are an attempt of kind ``survey`` in the shared
engine's tables, which keep the order items and options were shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

import surveys
from quizapp.engine.attempts import new_token
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
    QuestionVersion,
    SurveyCase,
    SurveyContactAttempt,
    SurveyFormItem,
    SurveyInterview,
    SurveyWave,
)
from quizapp.surveys.services import WaveRefused, require_status

# What a visit can end in, and the case's AAPOR disposition while that visit is its latest and
# no interview exists (AAPOR 2023, in-person household surveys).
CONTACT_OUTCOMES: Mapping[str, surveys.Disposition] = {
    "no_contact": surveys.Disposition.NON_CONTACT,  # nobody at home (2.20)
    "appointment": surveys.Disposition.NON_CONTACT,  # respondent asks to come back (2.20)
    "refusal": surveys.Disposition.REFUSAL,  # household or respondent refuses (2.11)
    "consent_refused": surveys.Disposition.REFUSAL,  # declined at the consent screen (2.11)
    "unable": surveys.Disposition.OTHER,  # ill, language, away all fieldwork (2.30)
    "not_eligible": surveys.Disposition.NOT_ELIGIBLE,  # vacant, no one aged 18-69 (4.0)
    "not_found": surveys.Disposition.UNKNOWN_HOUSEHOLD,  # not located, no access (3.10)
    "no_reply": surveys.Disposition.UNKNOWN_OTHER,  # invitation letter unanswered (3.90)
}
INTERVIEW_OUTCOME = "interview"  # the contact attempt an interview records for itself
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,60}")
PROFILE_FIELDS = ("sex", "birth_year", "birth_month", "education", "occupation", "township",
                  "urban_rural")
MAX_ITEM_MS = 24 * 3600 * 1000
MAX_CHANGES = 1000


class FieldworkRefused(WaveRefused):
    """A record the case cannot take; ``code`` is stable for the phone, the message for
    people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ContactRecord:
    """One visit or event as the phone recorded it."""

    client_id: str
    outcome: str
    attempted_at: datetime
    note: str = ""
    mode: str = "capi"


@dataclass(frozen=True)
class AnswerRecord:
    """One presented item: the order it and its options were shown in, and the answer as
    *original* option indexes (or ``"dont_know"`` / ``"blank"``)."""

    question_version_id: int
    position: int
    option_order: tuple[int, ...]
    answer: tuple[int, ...] | str
    elapsed_ms: int | None = None
    changes: int = 0


@dataclass(frozen=True)
class InterviewSubmission:
    """A finished or broken-off interview as the phone or invitation page sends it.

    ``profile``: the demographic module's answers by :data:`PROFILE_FIELDS` (codes of
    ``surveys.Sex``, ``EducationDetail``, ``Occupation``, ``UrbanRural``, the township code;
    optionally ``in_city_since_year``/``_month``; for self-completion also
    ``household_adults``, the number of residents aged 18-69).  ``answers``: presented items
    only; items missing were not presented.  ``page_ms``: time on each page in the order
    shown.  Never a name, phone number or address.
    """

    client_id: str
    mode: str
    consent_at: datetime
    started_at: datetime
    ended_at: datetime
    profile: Mapping[str, object]
    answers: tuple[AnswerRecord, ...]
    broken_off: bool = False
    page_ms: tuple[int, ...] = ()
    device: str = ""
    recorded_psu_code: str | None = None
    extra_paradata: Mapping[str, object] = field(default_factory=dict)


def _check_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        raise FieldworkRefused("bad_client_id", _("The record's id is not valid."))
    return client_id


def _contact_by_client_id(client_id: str) -> SurveyContactAttempt | None:
    return db.session.scalar(
        select(SurveyContactAttempt).where(SurveyContactAttempt.client_id == client_id))


def interview_of(case: SurveyCase) -> SurveyInterview | None:
    """The case's interview, if one is stored."""
    return db.session.scalar(select(SurveyInterview).where(SurveyInterview.case_id == case.id))


def _interview_by_client_id(client_id: str) -> SurveyInterview | None:
    return db.session.scalar(
        select(SurveyInterview).where(SurveyInterview.client_id == client_id))


def _latest_contact_disposition(case: SurveyCase) -> surveys.Disposition | None:
    latest = db.session.scalar(
        select(SurveyContactAttempt)
        .where(SurveyContactAttempt.case_id == case.id,
               SurveyContactAttempt.outcome != INTERVIEW_OUTCOME)
        .order_by(SurveyContactAttempt.attempted_at.desc(), SurveyContactAttempt.id.desc())
        .limit(1))
    return None if latest is None else CONTACT_OUTCOMES[latest.outcome]


def record_contact(case: SurveyCase, record: ContactRecord, *,
                   interviewer_id: int | None = None, commit: bool = True
                   ) -> tuple[SurveyContactAttempt, bool]:
    """Store one visit and set the case's disposition from its latest visit (by the time it
    happened, so a visit synced late does not overwrite a newer one), unless the case already
    has an interview.  Returns the row and whether it was created (False: a resend).

    ``commit=False`` only flushes, leaving the commit to the caller (the demo's batches); a
    record that collides with another then raises ``IntegrityError`` (a rollback here would
    lose the caller's batch)."""
    client_id = _check_client_id(record.client_id)
    stored = _contact_by_client_id(client_id)
    if stored is not None:
        if stored.case_id != case.id:
            raise FieldworkRefused("client_id_reused", _("The record's id is already used."))
        return stored, False
    if record.outcome not in CONTACT_OUTCOMES:
        raise FieldworkRefused("bad_outcome", _("Choose what came of the visit."))
    note = record.note.strip()
    if len(note) > 200 or any(ord(c) < 32 for c in note):
        raise FieldworkRefused("bad_note", _("The note must be one line of at most 200 "
                                             "characters."))
    require_status(case_wave(case), "fieldwork")
    attempt = SurveyContactAttempt(case_id=case.id, client_id=client_id,
                                   attempted_at=record.attempted_at, outcome=record.outcome,
                                   mode=record.mode, interviewer_id=interviewer_id, note=note)
    db.session.add(attempt)
    try:
        db.session.flush()
        if interview_of(case) is None:
            case.disposition = _latest_contact_disposition(case).value
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except IntegrityError:
        if not commit:
            raise
        db.session.rollback()
        stored = _contact_by_client_id(client_id)
        if stored is None or stored.case_id != case.id:
            raise
        return stored, False
    return attempt, True


def case_wave(case: SurveyCase) -> SurveyWave:
    return db.session.get(SurveyWave, case.wave_id)


def _profile(wave: SurveyWave, case: SurveyCase, raw: Mapping[str, object]
             ) -> tuple[dict, surveys.Profile]:
    missing = [name for name in PROFILE_FIELDS if raw.get(name) in (None, "")]
    if missing:
        raise FieldworkRefused("bad_profile", _("Answer every question of the personal "
                                                "section (%(fields)s).",
                                                fields=", ".join(missing)))
    since = None
    if raw.get("in_city_since_year") not in (None, ""):
        since = (raw.get("in_city_since_year"), raw.get("in_city_since_month") or 1)
    try:
        derived = surveys.derive_profile(
            reference=wave.reference_date, birth_year=raw["birth_year"],
            birth_month=raw["birth_month"], sex=raw["sex"], education=raw["education"],
            occupation=raw["occupation"], urban_rural=raw["urban_rural"], in_city_since=since)
    except (surveys.SurveyInputError, TypeError, ValueError):
        raise FieldworkRefused("bad_profile", _("Some answers of the personal section are "
                                                "not valid.")) from None
    if not derived.eligible:
        raise FieldworkRefused("not_eligible", _(
            "The respondent is %(age)s; the survey is for residents aged %(low)s to %(high)s.",
            age=derived.age, low=wave.age_min, high=wave.age_max))
    stored = {name: raw[name] for name in PROFILE_FIELDS}
    for name in ("in_city_since_year", "in_city_since_month", "household_adults"):
        if raw.get(name) not in (None, ""):
            stored[name] = raw[name]
    stored.update(age=derived.age, age_band=derived.age_band.value,
                  education_level=derived.education.value, group=derived.group.value,
                  years_in_city=derived.years_in_city)
    return stored, derived


def _check_answers(case: SurveyCase, answers: tuple[AnswerRecord, ...]) -> dict[int, object]:
    """The form's versions by id, after checking every answer belongs to the case's form and
    shows a valid option order and choice."""
    versions = dict(db.session.execute(
        select(SurveyFormItem.question_version_id, QuestionVersion)
        .join(QuestionVersion, SurveyFormItem.question_version_id == QuestionVersion.id)
        .where(SurveyFormItem.form_id == case.form_id)
        .order_by(SurveyFormItem.position)).all())
    seen_versions: set[int] = set()
    seen_positions: set[int] = set()
    for answer in answers:
        version = versions.get(answer.question_version_id)
        bad = (version is None or answer.question_version_id in seen_versions
               or answer.position in seen_positions
               or not 0 <= answer.position < len(versions))
        if not bad:
            count = version.choice_count
            bad = sorted(answer.option_order) != list(range(count)) or (
                not isinstance(answer.answer, str)
                and any(not 0 <= choice < count for choice in answer.answer))
            bad = bad or (isinstance(answer.answer, str)
                          and answer.answer not in (surveys.NonAnswer.DONT_KNOW,
                                                    surveys.NonAnswer.BLANK))
            bad = bad or not 0 <= answer.changes <= MAX_CHANGES or (
                answer.elapsed_ms is not None and not 0 <= answer.elapsed_ms <= MAX_ITEM_MS)
        if bad:
            raise FieldworkRefused("bad_answers", _(
                "Item %(n)s does not fit this case's form.", n=answer.position + 1))
        seen_versions.add(answer.question_version_id)
        seen_positions.add(answer.position)
    return versions


def _score(wave: SurveyWave, versions: dict, answers: tuple[AnswerRecord, ...],
           broken_off: bool) -> surveys.FormScore:
    given = {a.question_version_id: a for a in answers}
    responses = []
    for version_id, version in versions.items():
        answer = given.get(version_id)
        if answer is None:
            chosen: object = surveys.NonAnswer.NOT_PRESENTED
        elif isinstance(answer.answer, str):
            chosen = answer.answer
        else:
            chosen = frozenset(answer.answer) or surveys.NonAnswer.BLANK
        responses.append(surveys.ItemResponse(str(version_id), version.dimension,
                                              frozenset(version.answer), chosen))
    return surveys.score_form(responses, broken_off=broken_off,
                              rule=surveys.ScoringRule(boundary=wave.boundary))


def _quality_record(interview: SurveyInterview, case: SurveyCase,
                    correct: tuple[bool, ...] = ()) -> surveys.InterviewRecord:
    profile = interview.profile
    paradata = interview.paradata
    return surveys.InterviewRecord(
        case_id=str(case.id),
        duration_seconds=max(0.0, (interview.ended_at - interview.started_at).total_seconds()),
        items_presented=interview.items_presented,
        positions=tuple(paradata.get("positions", ())), correct=correct,
        answer_changes=int(paradata.get("answer_changes", 0)),
        assigned_psu=case.sampled_psu.frame_psu.code,
        interview_psu=interview.recorded_psu_code,
        sex=profile.get("sex"), birth_year=profile.get("birth_year"),
        birth_month=profile.get("birth_month"), education=profile.get("education"),
        township=profile.get("township"))


def _flag_dicts(flags: tuple[surveys.QualityFlag, ...], case_id: str) -> list[dict]:
    return [{"code": f.code.value, "evidence": dict(f.evidence)}
            for f in flags if f.case_id == case_id]


def _set_flags(interview: SurveyInterview, case: SurveyCase, correct: tuple[bool, ...]
               ) -> None:
    """Flag the new interview (and any earlier complete interview in the same PSU that it
    duplicates); a flagged interview waits for review, an unflagged one is accepted (part 2
    takes only the complete ones).  ``correct``: whether each presented answer was right, in
    the order asked (a run of right answers in one position is not straight-lining)."""
    if interview.items_presented == 0:  # broken off before the first item: nothing to check
        interview.flags = []
        interview.review_status, interview.review_reason = "accepted", "auto"
        return
    others = list(db.session.scalars(
        select(SurveyInterview).join(SurveyCase, SurveyInterview.case_id == SurveyCase.id)
        .where(SurveyCase.sampled_psu_id == case.sampled_psu_id,
               SurveyInterview.id != interview.id, SurveyInterview.complete.is_(True))))
    records = [_quality_record(interview, case, correct)]
    records += [_quality_record(other, other.case) for other in others]
    flags = surveys.check_quality(records)
    interview.flags = _flag_dicts(flags, str(case.id))
    if interview.flags:
        interview.review_status = "pending"
    else:
        interview.review_status, interview.review_reason = "accepted", "auto"
    for other in others:
        # Only the duplicate flag is news for an earlier interview; its own flags stand.
        new = [f for f in _flag_dicts(flags, str(other.case_id))
               if f["code"] == surveys.FlagCode.DUPLICATE.value]
        codes = {f["code"] for f in other.flags}
        added = [f for f in new if f["code"] not in codes]
        if added:
            other.flags = other.flags + added
            if other.review_status == "accepted" and other.reviewed_by_id is None:
                other.review_status, other.review_reason = "pending", ""


def _apply_household_adults(case: SurveyCase, profile: dict) -> None:
    """Self-completion: the household reports its adults aged 18-69 and the adult with the
    next birthday answers; that count gives the within-household probability 1/n."""
    adults = profile.get("household_adults")
    if case.eligible_adults is not None or adults is None:
        return
    if isinstance(adults, bool) or not isinstance(adults, int) or not 1 <= adults <= 20:
        raise FieldworkRefused("bad_profile", _("Give the number of residents aged 18 to 69 "
                                                "(1 to 20)."))
    psu = case.sampled_psu
    case.eligible_adults = adults
    case.within_probability = 1 / adults
    case.base_weight = surveys.base_weight(psu.pi1, case.household.pi2, adults)
    case.status = "ready"


def record_interview(case: SurveyCase, submission: InterviewSubmission, *,
                     interviewer_id: int | None = None, commit: bool = True
                     ) -> tuple[SurveyInterview, bool]:
    """Check, score and store one interview with its answers, paradata, flags and the case's
    new disposition.  Returns the interview and whether it was created: ``False`` when this
    ``client_id`` was stored before (a resend).  Raises :class:`FieldworkRefused` when the case
    already has another interview or the submission does not fit the case.  ``commit=False``:
    as for :func:`record_contact`."""
    client_id = _check_client_id(submission.client_id)
    stored = _interview_by_client_id(client_id)
    if stored is not None:
        if stored.case_id != case.id:
            raise FieldworkRefused("client_id_reused", _("The record's id is already used."))
        return stored, False
    if interview_of(case) is not None:
        raise FieldworkRefused("already_interviewed",
                               _("This case already has an interview."))
    wave = case_wave(case)
    require_status(wave, "fieldwork")
    if submission.mode not in ("capi", "cawi"):
        raise FieldworkRefused("bad_mode", _("Unknown interview mode."))
    if submission.mode == "capi" and case.status != "ready":
        raise FieldworkRefused("not_screened", _("Record the household's adults first."))
    if not submission.consent_at <= submission.started_at <= submission.ended_at:
        raise FieldworkRefused("bad_times", _("The interview's times are not in order."))
    profile, _derived = _profile(wave, case, submission.profile)
    if submission.mode == "cawi":
        _apply_household_adults(case, profile)
    versions = _check_answers(case, submission.answers)
    score = _score(wave, versions, submission.answers, submission.broken_off)
    disposition = surveys.disposition_of_interview(score)

    ordered = sorted(submission.answers, key=lambda a: a.position)
    attempt = Attempt(
        # No user_id: the interviewer is on the interview row, and a person's own attempt
        # pages (practice history) must never list survey answers.
        kind="survey", token=new_token(), status="finished", label=f"survey-{wave.id}",
        started_at=submission.started_at,
        finished_at=submission.ended_at, question_count=len(versions),
        correct_count=sum(d.correct for d in score.dimensions),
        score=score.total or 0.0,
        duration_ms=int((submission.ended_at - submission.started_at).total_seconds() * 1000))
    positions: list[int | None] = []
    rights: list[bool] = []
    item_rows: list[dict] = []
    for answer in ordered:
        version = versions[answer.question_version_id]
        choices = None if isinstance(answer.answer, str) else sorted(set(answer.answer))
        correct = bool(choices) and version.is_correct(choices)
        item_rows.append(dict(
            position=answer.position, question_version_id=answer.question_version_id,
            option_order=list(answer.option_order), choices=choices, correct=correct,
            points=1.0 if correct else 0.0, shown_at=None, answered_at=submission.ended_at,
            elapsed_ms=answer.elapsed_ms))
        # The checks read the *shown* position of a single choice (straight-lining).
        positions.append(answer.option_order.index(choices[0])
                         if choices and len(choices) == 1 else None)
        rights.append(correct)
    paradata = {
        "started_at": submission.started_at.isoformat(),
        "ended_at": submission.ended_at.isoformat(),
        "consent_at": submission.consent_at.isoformat(),
        "page_ms": list(submission.page_ms),
        "item_order": [a.question_version_id for a in ordered],
        "option_orders": {str(a.question_version_id): list(a.option_order) for a in ordered},
        "item_ms": {str(a.question_version_id): a.elapsed_ms for a in ordered},
        "item_changes": {str(a.question_version_id): a.changes for a in ordered if a.changes},
        "answer_changes": sum(a.changes for a in ordered),
        "positions": positions,
        "device": submission.device[:200],
        "broken_off": submission.broken_off,
        **dict(submission.extra_paradata),
    }
    interview = SurveyInterview(
        wave_id=wave.id, case_id=case.id, client_id=client_id, mode=submission.mode,
        form_id=case.form_id, interviewer_id=interviewer_id, consent_at=submission.consent_at,
        started_at=submission.started_at, ended_at=submission.ended_at,
        recorded_psu_code=submission.recorded_psu_code, profile=profile, paradata=paradata,
        items_presented=score.presented, total=score.total,
        level=None if score.level is None else score.level.value,
        dimension_scores={d.dimension.value: d.points for d in score.dimensions},
        complete=score.complete)
    db.session.add(attempt)
    db.session.add(interview)
    db.session.add(SurveyContactAttempt(
        case_id=case.id, client_id=f"{client_id}-i", attempted_at=submission.started_at,
        outcome=INTERVIEW_OUTCOME, mode=submission.mode, interviewer_id=interviewer_id))
    try:
        db.session.flush()
        if item_rows:
            # One multi-row INSERT for the ~50 answers instead of 50 ORM objects: most of a
            # stored interview's time went there (the demo's load stores ~100,000).
            db.session.execute(insert(AttemptItem),
                               [{**row, "attempt_id": attempt.id} for row in item_rows])
        interview.attempt_id = attempt.id
        case.attempt_id = attempt.id
        case.disposition = disposition.value
        _set_flags(interview, case, tuple(rights))
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except IntegrityError:
        if not commit:
            raise
        db.session.rollback()
        stored = _interview_by_client_id(client_id)
        if stored is not None and stored.case_id == case.id:
            return stored, False
        if stored is None and interview_of(case) is not None:
            raise FieldworkRefused("already_interviewed",
                                   _("This case already has an interview.")) from None
        raise
    return interview, True
