"""The interviewer's offline app (CAPI): the package it downloads and the records it sends.

The phone downloads a *package* once (:func:`build_package`): the interviewer's ready cases,
their forms' items WITHOUT answer keys or explanations, the option order to show per case,
the demographic module with its labels and the consent text.  Interviews and visits are
recorded offline and queued on the phone; each is sent as JSON (:func:`sync_interview`,
:func:`sync_contact`) with the ``client_id`` the phone generated when it began, so a resend
is recognised by :func:`quizapp.surveys.interviews.record_interview` and stored only once.

The JSON is parsed strictly here, before anything reaches the database: every field has a
type, integers are bounded, datetimes are ISO 8601 *with* a time zone, strings have a
maximum length and no control characters.  Unknown fields are ignored (so a phone running a
newer app can still send to an older server); a known field of the wrong shape refuses the
whole record with ``422 {"code": "bad_payload", "message": ...}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select

import surveys
from quizapp.extensions import db
from quizapp.models import (
    SurveyCase,
    SurveyInterview,
    SurveyWave,
    Township,
)
from quizapp.surveys import assignments, design, labels
from quizapp.surveys.interviews import (
    AnswerRecord,
    ContactRecord,
    FieldworkRefused,
    InterviewSubmission,
    record_contact,
    record_interview,
)
from quizapp.surveys.services import WaveRefused

PACKAGE_VERSION = 1
MAX_BODY_BYTES = 512 * 1024
MAX_ANSWERS = 200
MAX_PAGES = 50
MAX_PAGE_MS = 24 * 3600 * 1000
MAX_ITEM_MS = 24 * 3600 * 1000
MAX_CHANGES = 1000
MAX_CODE = 32
MAX_DEVICE = 200
MAX_NOTE = 200
MAX_ID = 2**31 - 1
YEARS = (1900, 2100)
CODE = re.compile(r"[a-z0-9_-]{1,32}")
PAGE = re.compile(r"[A-Za-z0-9_-]{1,32}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Refusals that say "this record conflicts with one already stored"; the rest are 422.
CONFLICTS = frozenset({"already_interviewed", "client_id_reused", "wave_closed"})


class PayloadError(ValueError):
    """The JSON does not have the shape of a record; the message names the field."""


class BadJSON(PayloadError):
    """The body is not a JSON object at all (400, not 422)."""


@dataclass(frozen=True)
class SyncResult:
    """What the sync endpoint answers: an HTTP status and a JSON body."""

    status: int
    body: dict


# --- the package ------------------------------------------------------------------------------

def _options_of(version) -> list[str]:
    if version.type == "true_false":
        return [_("True"), _("False")]
    return list(version.options)


def option_orders(wave: SurveyWave, case: SurveyCase) -> dict[str, list[int]]:
    """The option order to show for each item of the case's form, by question version id:
    a function of the wave's seed and the case only (``stage_rng(seed, "options", case)``),
    so the phone, a re-download and the server agree.  True/false keeps its order."""
    rng = surveys.stage_rng(wave.seed, "options", case.id)
    orders = {}
    for item in case.form.items:
        version = item.question_version
        count = version.choice_count
        order = list(range(count))
        if version.type != "true_false":
            order = [int(k) for k in rng.permutation(count)]
        orders[str(version.id)] = order
    return orders


def _form_package(form) -> dict:
    sections: list[dict] = []
    for position, item in enumerate(form.items):
        version = item.question_version
        if not sections or sections[-1]["dimension"] != version.dimension:
            sections.append({"dimension": version.dimension,
                             "label": labels.dimension(version.dimension), "items": []})
        # Never the answer key, the explanation or the authority: the phone is not trusted.
        sections[-1]["items"].append({
            "id": version.id, "position": position, "type": version.type,
            "stem": version.stem, "options": _options_of(version)})
    return {"id": form.id, "code": form.code, "sections": sections}


def _choices(enum: type) -> list[dict]:
    return [{"code": member.value, "label": labels.code_label(enum, member),
             "zh": surveys.label(member, "zh"), "en": surveys.label(member, "en")}
            for member in enum]


def demographic_module() -> dict:
    """The personal section's questions and their choices, in the page's language (with the
    Chinese and English names of every code)."""
    townships = db.session.scalars(
        select(Township).where(Township.active.is_(True))
        .order_by(Township.sort_order, Township.id))
    return {
        "sex": _choices(surveys.Sex),
        "education": _choices(surveys.EducationDetail),
        "occupation": _choices(surveys.Occupation),
        "urban_rural": _choices(surveys.UrbanRural),
        "townships": [{"code": t.code, "label": t.name} for t in townships],
    }


def consent_text() -> dict:
    """The informed-consent screen (Personal Information Protection Law: who asks, what is
    collected, why, how long it is kept, voluntary)."""
    return {
        "title": _("Informed consent"),
        "who": _("This survey is carried out by the Xinzheng Municipal Bureau of Statistics "
                 "and the Xinzheng Science and Technology Association."),
        "what": _("We ask your sex, year and month of birth, education, occupation, township, "
                  "whether you live in a town or a village, since when you have lived in the "
                  "city, and about 50 short science questions. Your name, phone number and "
                  "address are never stored with your answers."),
        "why": _("To measure the science literacy of the city's residents aged 18 to 69 and "
                 "plan science outreach. Results are published only as statistics in which "
                 "no person can be recognised."),
        "kept": _("Your answers are kept without your name for statistics. The contact "
                  "details used to find your household are deleted when this survey wave "
                  "closes."),
        "voluntary": _("Taking part is voluntary. You may skip any question or stop at any "
                       "time, with no consequence for you."),
        "duration": _("It takes about 20 minutes."),
        "question": _("Do you agree to take part?"),
    }


def build_package(user_id: int) -> dict:
    """Everything the interviewer's phone needs to interview offline: their ready cases in
    waves now in fieldwork (only PSUs assigned to them), the forms without keys, the option
    orders, the demographic module and the consent text."""
    psus = assignments.interviewer_psus(user_id)
    cases: list[dict] = []
    forms: dict[str, dict] = {}
    waves: dict[str, dict] = {}
    ready = [(psu, case) for psu in psus for case in design.cases_of(psu)
             if case.status == "ready"]
    interviewed = set(db.session.scalars(select(SurveyInterview.case_id).where(
        SurveyInterview.case_id.in_([case.id for _psu, case in ready])))) if ready else set()
    for psu, case in ready:
        wave = db.session.get(SurveyWave, case.wave_id)
        waves.setdefault(str(wave.id), {
            "id": wave.id, "name": wave.name, "reference_date": wave.reference_date.isoformat(),
            "age_min": wave.age_min, "age_max": wave.age_max})
        if str(case.form_id) not in forms:
            forms[str(case.form_id)] = _form_package(case.form)
        frame_psu = psu.frame_psu
        cases.append({
            "id": case.id, "wave_id": wave.id, "form_id": case.form_id,
            "form_code": case.form.code, "psu": frame_psu.name or frame_psu.code,
            "psu_code": frame_psu.code, "township": frame_psu.township.name,
            "township_code": frame_psu.township.code, "urban_rural": frame_psu.urban_rural,
            "urban_rural_label": labels.urban_rural(frame_psu.urban_rural),
            "household": case.household.label, "household_line": case.household.line,
            "adult": {"number": case.selected_adult, "of": case.eligible_adults,
                      "sex": case.selected_sex, "age": case.selected_age,
                      "sex_label": labels.sex(case.selected_sex) if case.selected_sex else ""},
            "interviewed": case.id in interviewed,
            "option_orders": option_orders(wave, case),
        })
    return {
        "version": PACKAGE_VERSION, "language": labels.language(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "waves": waves, "forms": forms, "cases": cases,
        "demographics": demographic_module(), "consent": consent_text(),
    }


# --- parsing ----------------------------------------------------------------------------------

def _field(data: Mapping, name: str, *, required: bool = True) -> object:
    if name not in data or data[name] is None:
        if required:
            raise PayloadError(f"{name} is missing")
        return None
    return data[name]


def parse_int(value: object, name: str, low: int, high: int) -> int:
    """An integer (never a bool, float or string) between ``low`` and ``high``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PayloadError(f"{name} must be a whole number from {low} to {high}")
    return value


def parse_text(value: object, name: str, limit: int, *, pattern: re.Pattern | None = None
               ) -> str:
    """A string of at most ``limit`` characters without control characters."""
    if not isinstance(value, str) or len(value) > limit or CONTROL.search(value):
        raise PayloadError(f"{name} must be text of at most {limit} characters, one line")
    if pattern is not None and not pattern.fullmatch(value):
        raise PayloadError(f"{name} is not a valid code")
    return value


def parse_datetime(value: object, name: str) -> datetime:
    """An ISO 8601 date and time with a time zone (``...Z`` or ``+08:00``), as UTC."""
    text = parse_text(value, name, 40)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PayloadError(f"{name} must be an ISO 8601 date and time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PayloadError(f"{name} must carry a time zone")
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise PayloadError(f"{name} is out of range")
    return moment.astimezone(UTC)


def _int_list(value: object, name: str, limit: int, low: int, high: int) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) > limit:
        raise PayloadError(f"{name} must be a list of at most {limit} numbers")
    return tuple(parse_int(v, name, low, high) for v in value)


def _mapping(value: object, name: str) -> Mapping:
    if not isinstance(value, dict):
        raise PayloadError(f"{name} must be an object")
    return value


def parse_json(body: bytes) -> Mapping:
    """The request body as a JSON object (UTF-8, at most :data:`MAX_BODY_BYTES`)."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadError("the record is too large")
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadJSON("the record is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadJSON("the record must be a JSON object")
    return data


def _no_constant(name: str) -> object:
    raise ValueError(name)  # NaN and Infinity are not JSON


def _parse_profile(raw: object) -> dict:
    data = _mapping(raw, "profile")
    profile: dict[str, object] = {}
    for name in ("sex", "education", "occupation", "township", "urban_rural"):
        value = _field(data, name, required=False)
        if value is not None:
            profile[name] = parse_text(value, f"profile.{name}", MAX_CODE, pattern=CODE)
    for name, (low, high) in (("birth_year", YEARS), ("birth_month", (1, 12)),
                              ("in_city_since_year", YEARS),
                              ("in_city_since_month", (1, 12))):
        value = _field(data, name, required=False)
        if value is not None:
            profile[name] = parse_int(value, f"profile.{name}", low, high)
    return profile


def _parse_answer(raw: object) -> AnswerRecord:
    data = _mapping(raw, "answer")
    choice = _field(data, "answer")
    if isinstance(choice, str):
        answer: tuple[int, ...] | str = parse_text(choice, "answer", MAX_CODE, pattern=CODE)
    else:
        answer = _int_list(choice, "answer", 20, 0, 19)
    elapsed = _field(data, "elapsed_ms", required=False)
    changes = _field(data, "changes", required=False)
    return AnswerRecord(
        question_version_id=parse_int(_field(data, "item"), "item", 1, MAX_ID),
        position=parse_int(_field(data, "position"), "position", 0, MAX_ANSWERS - 1),
        option_order=_int_list(_field(data, "option_order"), "option_order", 20, 0, 19),
        answer=answer,
        elapsed_ms=None if elapsed is None else parse_int(elapsed, "elapsed_ms", 0,
                                                          MAX_ITEM_MS),
        changes=0 if changes is None else parse_int(changes, "changes", 0, MAX_CHANGES))


@dataclass(frozen=True)
class InterviewPayload:
    """A parsed interview: the case it is for and the submission for ``record_interview``."""

    case_id: int
    submission: InterviewSubmission


def parse_interview(data: Mapping) -> InterviewPayload:
    """An interview record from the phone's JSON; raises :class:`PayloadError`."""
    answers = _field(data, "answers")
    # At least one presented item: an interview stopped before the first question is a visit
    # (and the quality checks refuse an interview with no item presented).
    if not isinstance(answers, list) or not 1 <= len(answers) <= MAX_ANSWERS:
        raise PayloadError(f"answers must be a list of 1 to {MAX_ANSWERS} items")
    broken_off = _field(data, "broken_off", required=False)
    if broken_off is not None and not isinstance(broken_off, bool):
        raise PayloadError("broken_off must be true or false")
    device = _field(data, "device", required=False)
    page_ms = _field(data, "page_ms", required=False)
    pages = _field(data, "pages", required=False)
    extra: dict[str, object] = {"app": "capi-offline"}
    if pages is not None:
        if not isinstance(pages, list) or len(pages) > MAX_PAGES:
            raise PayloadError(f"pages must be a list of at most {MAX_PAGES} names")
        extra["pages"] = [parse_text(p, "pages", MAX_CODE, pattern=PAGE) for p in pages]
    submission = InterviewSubmission(
        client_id=parse_text(_field(data, "client_id"), "client_id", 64),
        mode="capi",
        consent_at=parse_datetime(_field(data, "consent_at"), "consent_at"),
        started_at=parse_datetime(_field(data, "started_at"), "started_at"),
        ended_at=parse_datetime(_field(data, "ended_at"), "ended_at"),
        profile=_parse_profile(_field(data, "profile")),
        answers=tuple(_parse_answer(a) for a in answers),
        broken_off=bool(broken_off),
        page_ms=() if page_ms is None else _int_list(page_ms, "page_ms", MAX_PAGES, 0,
                                                     MAX_PAGE_MS),
        device="" if device is None else parse_text(device, "device", MAX_DEVICE),
        extra_paradata=extra)
    return InterviewPayload(parse_int(_field(data, "case_id"), "case_id", 1, MAX_ID),
                            submission)


@dataclass(frozen=True)
class ContactPayload:
    """A parsed visit: the case it is for and the record for ``record_contact``."""

    case_id: int
    record: ContactRecord


def parse_contact(data: Mapping) -> ContactPayload:
    """A visit record from the phone's JSON; raises :class:`PayloadError`."""
    note = _field(data, "note", required=False)
    record = ContactRecord(
        client_id=parse_text(_field(data, "client_id"), "client_id", 64),
        outcome=parse_text(_field(data, "outcome"), "outcome", MAX_CODE, pattern=CODE),
        attempted_at=parse_datetime(_field(data, "attempted_at"), "attempted_at"),
        note="" if note is None else parse_text(note, "note", MAX_NOTE))
    return ContactPayload(parse_int(_field(data, "case_id"), "case_id", 1, MAX_ID), record)


# --- sync -------------------------------------------------------------------------------------

def _refused(error: FieldworkRefused) -> SyncResult:
    status = 409 if error.code in CONFLICTS else 422
    return SyncResult(status, {"code": error.code, "message": str(error)})


def _bad_payload(error: PayloadError) -> SyncResult:
    if isinstance(error, BadJSON):
        return SyncResult(400, {"code": "bad_json", "message": _(
            "The record cannot be read: %(problem)s.", problem=str(error))})
    return SyncResult(422, {"code": "bad_payload",
                            "message": _("The record cannot be read: %(problem)s.",
                                         problem=str(error))})


def _not_found() -> SyncResult:
    return SyncResult(404, {"code": "not_found",
                            "message": _("This case is not assigned to you, or its wave is "
                                         "not in fieldwork.")})


def _stored(created: bool, client_id: str, case: SurveyCase) -> SyncResult:
    return SyncResult(201 if created else 200, {
        "status": "created" if created else "stored", "client_id": client_id,
        "case_id": case.id, "disposition": case.disposition})


def sync_interview(user_id: int, body: bytes) -> SyncResult:
    """Store one interview the interviewer's phone sends: 201 created, 200 already stored
    (a resend), 404 when the case is not theirs, 409/422 ``{code, message}`` when refused."""
    try:
        payload = parse_interview(parse_json(body))
    except PayloadError as error:
        return _bad_payload(error)
    case = assignments.interviewer_case(user_id, payload.case_id)
    if case is None:
        return _not_found()
    try:
        interview, created = record_interview(case, payload.submission,
                                              interviewer_id=user_id)
    except FieldworkRefused as error:
        db.session.rollback()
        return _refused(error)
    except WaveRefused as error:
        db.session.rollback()
        return _refused(FieldworkRefused("wave_closed", str(error)))
    return _stored(created, interview.client_id, case)


def sync_contact(user_id: int, body: bytes) -> SyncResult:
    """Store one visit the interviewer's phone sends (same answers as :func:`sync_interview`)."""
    try:
        payload = parse_contact(parse_json(body))
    except PayloadError as error:
        return _bad_payload(error)
    case = assignments.interviewer_case(user_id, payload.case_id)
    if case is None:
        return _not_found()
    try:
        attempt, created = record_contact(case, payload.record, interviewer_id=user_id)
    except FieldworkRefused as error:
        db.session.rollback()
        return _refused(error)
    except WaveRefused as error:
        db.session.rollback()
        return _refused(FieldworkRefused("wave_closed", str(error)))
    return _stored(created, attempt.client_id, case)
