"""The annual literacy survey: waves, their two parallel forms, the sampling frame, the drawn
sample (PSUs, household listings) and the cases to interview.

The rules (form assembly, PPS, household selection, Kish grid, weights) live in the plain-Python
``surveys`` package; these tables only store what it returns, so the sample can be shown and
worked on, and reproduced from the wave's seed.

Personal data - names, phone numbers, addresses of sampled people - is kept ONLY in
:class:`SurveyCaseContact`, a table of its own, so that closing a wave can delete it without
touching the design or the answers.  Household listing rows hold the interviewer's dwelling
description (e.g. "3组12号"), never a name; the wave close blanks those too.

Fieldwork: a case has at most one :class:`SurveyInterview` (CAPI or CAWI), whose answers are
an :class:`~quizapp.models.attempts.Attempt` of kind ``survey`` (the shared engine's tables,
which store the item and option order shown); the interview row holds consent, the scored
result, the respondent's demographic answers (no names), paradata and the review.  Every
visit or call is a :class:`SurveyContactAttempt`; a self-completion invitation is a
:class:`SurveyInvitation`.  Interviews and contact attempts carry the ``client_id`` the phone
generated, unique, so a resend is recognised and never stored twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, attributes, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.places import Township
from quizapp.models.questions import QuestionVersion
from quizapp.models.types import UTCDateTime, utcnow

WAVE_STATUSES = ("design", "fieldwork", "closed")
SELECTION_METHODS = ("kish", "next_birthday")
BOUNDARIES = ("inclusive", "exclusive")
CASE_STATUSES = ("to_screen", "ready")  # adults not yet recorded / respondent chosen, weighted
INTERVIEW_MODES = ("capi", "cawi")
# pending: waits for the statistician (flagged); accepted / rejected: decided, with a reason.
REVIEW_STATUSES = ("pending", "accepted", "rejected")
# An estimate run: draft until a statistician publishes it; a later published run of the same
# wave supersedes it.  Published and superseded runs are never changed otherwise.
RUN_STATUSES = ("draft", "published", "superseded")


class SurveyWave(db.Model):
    """One year's survey: its settings, seed, status and the design fixed for it.

    ``design`` is the :class:`surveys.DesignSpec` as JSON (interviews, take, method, power,
    min_psus) once the statistician fixes it; ``None`` before.
    """

    __tablename__ = "survey_waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    year: Mapped[int]
    reference_date: Mapped[date] = mapped_column(Date)
    age_min: Mapped[int] = mapped_column(default=18)
    age_max: Mapped[int] = mapped_column(default=69)
    instrument_version: Mapped[str] = mapped_column(String(32))
    boundary: Mapped[str] = mapped_column(String(10), default="inclusive")
    target_sample_size: Mapped[int]
    selection_method: Mapped[str] = mapped_column(String(16), default="kish")
    seed: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="design")
    design: Mapped[dict | None] = mapped_column(JSON, default=None)
    simulated: Mapped[bool] = mapped_column(default=False)  # demo data, made up
    frame_filename: Mapped[str | None] = mapped_column(String(200), default=None)
    frame_imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    forms: Mapped[list[SurveyForm]] = relationship(
        back_populates="wave", order_by="SurveyForm.code", cascade="all, delete-orphan")
    frame_psus: Mapped[list[SurveyFramePSU]] = relationship(
        back_populates="wave", order_by="SurveyFramePSU.position",
        cascade="all, delete-orphan")


class SurveyForm(db.Model):
    """Form A or B of a wave; its items are :class:`SurveyFormItem` rows in listing order."""

    __tablename__ = "survey_forms"
    __table_args__ = (UniqueConstraint("wave_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(4))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    wave: Mapped[SurveyWave] = relationship(back_populates="forms")
    items: Mapped[list[SurveyFormItem]] = relationship(
        back_populates="form", order_by="SurveyFormItem.position",
        cascade="all, delete-orphan")


class SurveyFormItem(db.Model):
    """One item of a form: the question *version* (as every recorded answer points at), its
    place in the form's listing order (by dimension, anchors first) and whether it is an
    anchor shared by both forms."""

    __tablename__ = "survey_form_items"
    __table_args__ = (UniqueConstraint("form_id", "position"),
                      UniqueConstraint("form_id", "question_version_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("survey_forms.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("question_versions.id"), index=True)
    anchor: Mapped[bool] = mapped_column(default=False)

    form: Mapped[SurveyForm] = relationship(back_populates="items")
    question_version: Mapped[QuestionVersion] = relationship()


class SurveyFramePSU(db.Model):
    """A village or community of the wave's sampling frame (the PSU), in file order
    (``position``), with its township (the stratum).  ``pi1`` is its first-stage inclusion
    probability once the sample is drawn (1 for certainty PSUs)."""

    __tablename__ = "survey_frame_psus"
    __table_args__ = (UniqueConstraint("wave_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_waves.id", ondelete="CASCADE"))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120), default="")
    urban_rural: Mapped[str] = mapped_column(String(5))
    size: Mapped[float]
    households: Mapped[int]
    pi1: Mapped[float | None] = mapped_column(default=None)
    certainty: Mapped[bool] = mapped_column(default=False)

    wave: Mapped[SurveyWave] = relationship(back_populates="frame_psus")
    township: Mapped[Township] = relationship()


class SurveySampledPSU(db.Model):
    """A PSU drawn by systematic PPS: its probability, whether taken with certainty, the
    households to interview there (``take``) and the interviewer who works it."""

    __tablename__ = "survey_sampled_psus"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_waves.id", ondelete="CASCADE"), index=True)
    frame_psu_id: Mapped[int] = mapped_column(
        ForeignKey("survey_frame_psus.id", ondelete="CASCADE"), unique=True)
    pi1: Mapped[float]
    certainty: Mapped[bool] = mapped_column(default=False)
    take: Mapped[int]
    interviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True)
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    frame_psu: Mapped[SurveyFramePSU] = relationship()
    households: Mapped[list[SurveyHousehold]] = relationship(
        back_populates="sampled_psu", order_by="SurveyHousehold.line",
        cascade="all, delete-orphan")


class SurveyHousehold(db.Model):
    """One line of a sampled PSU's household listing; ``selected`` with its ``pi2`` when the
    systematic selection took it (π₂ = take / listed, the same for every listed household)."""

    __tablename__ = "survey_households"
    __table_args__ = (UniqueConstraint("sampled_psu_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sampled_psu_id: Mapped[int] = mapped_column(
        ForeignKey("survey_sampled_psus.id", ondelete="CASCADE"))
    line: Mapped[int]  # 1, 2, ... in listing order
    label: Mapped[str] = mapped_column(String(200), default="")  # dwelling, never a name
    selected: Mapped[bool] = mapped_column(default=False)
    pi2: Mapped[float | None] = mapped_column(default=None)

    sampled_psu: Mapped[SurveySampledPSU] = relationship(back_populates="households")


class SurveyCase(db.Model):
    """A selected household and, once its eligible adults are recorded, the one adult to
    interview: the form assigned at random (stored), the Kish table dealt to it, the count of
    eligible adults, the chosen adult and the base weight (eligible adults / (π₁ π₂)).

    ``disposition`` is a :class:`surveys.Disposition` value (AAPOR), ``None`` until fieldwork
    records one."""

    __tablename__ = "survey_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_waves.id", ondelete="CASCADE"), index=True)
    sampled_psu_id: Mapped[int] = mapped_column(
        ForeignKey("survey_sampled_psus.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("survey_households.id", ondelete="CASCADE"), unique=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("survey_forms.id"))
    kish_table: Mapped[str | None] = mapped_column(String(2), default=None)
    eligible_adults: Mapped[int | None] = mapped_column(default=None)
    selected_adult: Mapped[int | None] = mapped_column(default=None)  # 1-based, as listed/Kish
    # Whom the interviewer asks for (the roster itself is not kept): sex code and age.
    selected_sex: Mapped[str | None] = mapped_column(String(6), default=None)
    selected_age: Mapped[int | None] = mapped_column(default=None)
    within_probability: Mapped[float | None] = mapped_column(default=None)
    base_weight: Mapped[float | None] = mapped_column(default=None)
    disposition: Mapped[str | None] = mapped_column(String(24), default=None)
    status: Mapped[str] = mapped_column(String(12), default="to_screen")
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sampled_psu: Mapped[SurveySampledPSU] = relationship()
    household: Mapped[SurveyHousehold] = relationship()
    form: Mapped[SurveyForm] = relationship()
    contact: Mapped[SurveyCaseContact | None] = relationship(
        back_populates="case", cascade="all, delete-orphan")


class SurveyCaseContact(db.Model):
    """Personal data of a case (name, phone, address): kept apart, deleted at wave close."""

    __tablename__ = "survey_case_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cases.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[SurveyCase] = relationship(back_populates="contact")


class SurveyInterview(db.Model):
    """One interview of a case, by an interviewer (``capi``) or self-completed (``cawi``).

    ``client_id`` is generated by the phone or the invitation page before anything is sent:
    a resend, a double tap or a second tab carries the same id (or hits the one-per-case
    rule) and finds this row instead of writing another.  ``profile`` holds the demographic
    answers (codes, birth year and month; never a name); ``paradata`` the start and end, time
    per page, the order items and options were shown, answer changes and the device.
    ``flags`` are :class:`surveys.QualityFlag` codes with their evidence; ``review_status``
    is ``accepted`` (reason ``auto``) for an interview without flags, ``pending`` for a
    flagged one until the statistician accepts or rejects it with a reason.
    """

    __tablename__ = "survey_interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_waves.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cases.id", ondelete="CASCADE"), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    mode: Mapped[str] = mapped_column(String(4))
    form_id: Mapped[int] = mapped_column(ForeignKey("survey_forms.id"))
    interviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True)
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), default=None)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_psu_code: Mapped[str | None] = mapped_column(String(64), default=None)
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    paradata: Mapped[dict] = mapped_column(JSON, default=dict)
    items_presented: Mapped[int] = mapped_column(default=0)
    total: Mapped[float | None] = mapped_column(default=None)
    level: Mapped[str | None] = mapped_column(String(8), default=None)
    dimension_scores: Mapped[dict] = mapped_column(JSON, default=dict)
    complete: Mapped[bool] = mapped_column(default=False)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    review_status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    review_reason: Mapped[str] = mapped_column(String(300), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    case: Mapped[SurveyCase] = relationship()
    form: Mapped[SurveyForm] = relationship()


class SurveyContactAttempt(db.Model):
    """One visit, call or self-completion event for a case and what came of it (an
    :data:`quizapp.surveys.interviews.CONTACT_OUTCOMES` code).  The case's disposition follows
    from its latest attempt or its interview.  ``note`` is for fieldwork ("come back after
    6 pm"), never personal data; it is blanked with the contacts when the wave closes."""

    __tablename__ = "survey_contact_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cases.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(24))
    mode: Mapped[str] = mapped_column(String(4), default="capi")
    interviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[SurveyCase] = relationship()


class SurveyInvitation(db.Model):
    """A self-completion (CAWI) invitation for a case: a one-time, unguessable code printed on
    a letter.  ``progress`` keeps the answers given so far so the respondent can stop and
    resume; ``used_at`` is set when the interview is stored, after which the code only shows
    that it was used.  The code is deleted (set to NULL) when the wave closes."""

    __tablename__ = "survey_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_waves.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("survey_cases.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    progress: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[SurveyCase] = relationship()


class SurveyWeightingRun(db.Model):
    """One weighting of a wave's cases (``surveys.weight_cases``), stored whole so it can be
    shown, exported and re-run: the inputs (the case ids of the cases file, the margins version
    by name and sha256, the settings, the sha256 of the cases file and the code version) and
    the output (``result`` = ``WeightingResult.to_dict()``).  Never changed once stored."""

    __tablename__ = "survey_weighting_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_waves.id", ondelete="CASCADE"), index=True)
    margins_name: Mapped[str | None] = mapped_column(String(120), default=None)
    margins_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    case_ids: Mapped[list] = mapped_column(JSON, default=list)  # every case of the file
    input_sha256: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(80))
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    wave: Mapped[SurveyWave] = relationship()


class SurveyEstimateRun(db.Model):
    """One estimate (``surveys.estimate_wave``) on the weighted file of a weighting run: the
    settings, the sha256 of the weighted file, the code version, the output (``result`` =
    ``EstimateResult.to_dict()``), the wave's status when it ran (an estimate during fieldwork
    is interim) and its publication.  A published run cannot be changed, only superseded
    (:func:`_refuse_changing_a_published_run`)."""

    __tablename__ = "survey_estimate_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(
        ForeignKey("survey_waves.id", ondelete="CASCADE"), index=True)
    weighting_run_id: Mapped[int] = mapped_column(
        ForeignKey("survey_weighting_runs.id"), index=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    input_sha256: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(80))
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    wave_status: Mapped[str] = mapped_column(String(10))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_estimate_runs.id", ondelete="SET NULL"), default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    wave: Mapped[SurveyWave] = relationship()
    weighting_run: Mapped[SurveyWeightingRun] = relationship()


class PublishedRunChanged(Exception):
    """An attempt to change a stored weighting run or a published (or superseded) estimate
    run; the flush is refused."""


def _changed(target: object) -> set[str]:
    state = attributes.instance_state(target)
    return {name for name in state.mapper.column_attrs.keys()  # noqa: SIM118 - a mapper collection
            if state.attrs[name].history.has_changes()}


def _stored_status(connection, target: SurveyEstimateRun) -> str | None:
    """The status as the database holds it (the in-memory history lacks the old value when
    the attribute was set while expired)."""
    table = SurveyEstimateRun.__table__
    return connection.execute(
        select(table.c.status).where(table.c.id == target.id)).scalar_one_or_none()


@event.listens_for(SurveyWeightingRun, "before_update")
def _refuse_changing_a_weighting_run(mapper, connection, target: SurveyWeightingRun) -> None:
    """A weighting run is the stored record of what was computed: it is never edited."""
    if _changed(target):
        raise PublishedRunChanged(f"weighting run {target.id} is stored and cannot be changed")


@event.listens_for(SurveyEstimateRun, "before_update")
def _refuse_changing_a_published_run(mapper, connection, target: SurveyEstimateRun) -> None:
    """Once published, a run's inputs and outputs are fixed: the only change allowed is a
    published run becoming superseded (``status`` and ``superseded_by_id``).  A draft may be
    published (status, ``published_at``, ``published_by_id``) but its figures never change."""
    changed = _changed(target)
    if not changed:
        return
    was = _stored_status(connection, target)
    if was == "draft":
        allowed = {"status", "published_at", "published_by_id"}
        ok = changed <= allowed and target.status in ("draft", "published")
    elif was == "published":
        ok = changed <= {"status", "superseded_by_id"} and target.status == "superseded"
    else:
        ok = False
    if not ok:
        raise PublishedRunChanged(
            f"estimate run {target.id} is {was}: {', '.join(sorted(changed))} cannot change")


@event.listens_for(SurveyEstimateRun, "before_delete")
def _refuse_deleting_a_published_run(mapper, connection, target: SurveyEstimateRun) -> None:
    if _stored_status(connection, target) not in ("draft", None):
        raise PublishedRunChanged(f"estimate run {target.id} is published and cannot be deleted")
