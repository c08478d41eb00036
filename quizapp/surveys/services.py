"""Survey waves and their two parallel forms, in the database.

Every rule is the plain-Python ``surveys`` package's; this module only reads its input from
the tables and stores its output.  Random draws use ``surveys.stage_rng(wave.seed, stage, ...)``
so the same seed always gives the same forms and the same sample.

The sample itself (frame, allocation, PSUs, households, cases) is :mod:`.design`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

import surveys
from quizapp.engine.draw import without_enemies
from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion, SurveyForm, SurveyFormItem, SurveyWave
from quizapp.models.surveys import BOUNDARIES, SELECTION_METHODS, WAVE_STATUSES
from quizapp.questions_pool import as_candidates
from quizapp.surveys import labels

SEED_MAX = 2**31 - 1  # stored in an INTEGER column


class WaveRefused(Exception):
    """A step that does not apply to the wave as it stands; the message is for the page."""


@dataclass(frozen=True)
class WaveSettings:
    """What the statistician sets when creating a wave."""

    name: str
    year: int
    reference_date: date
    instrument_version: str
    target_sample_size: int
    selection_method: str = "kish"
    boundary: str = "inclusive"
    seed: int | None = None  # None: a random seed, shown and stored
    simulated: bool = False


def list_waves() -> list[SurveyWave]:
    """Every wave, newest year first."""
    return list(db.session.scalars(
        select(SurveyWave).order_by(SurveyWave.year.desc(), SurveyWave.id.desc())))


def get_wave(wave_id: int) -> SurveyWave | None:
    return db.session.get(SurveyWave, wave_id)


def wave_by_name(name: str) -> SurveyWave | None:
    return db.session.scalar(select(SurveyWave).where(SurveyWave.name == name))


def create_wave(settings: WaveSettings, created_by_id: int | None = None) -> SurveyWave:
    """Store a new wave in the design status (names are unique)."""
    if settings.selection_method not in SELECTION_METHODS:
        raise WaveRefused(_("Unknown respondent selection method."))
    if settings.boundary not in BOUNDARIES:
        raise WaveRefused(_("Unknown cut-point setting."))
    if wave_by_name(settings.name) is not None:
        raise WaveRefused(_("A wave with this name already exists."))
    seed = settings.seed if settings.seed is not None else secrets.randbelow(SEED_MAX) + 1
    if not 0 <= seed <= SEED_MAX:
        raise WaveRefused(_("The seed must be a whole number from 0 to %(max)s.", max=SEED_MAX))
    wave = SurveyWave(
        name=settings.name, year=settings.year, reference_date=settings.reference_date,
        instrument_version=settings.instrument_version,
        target_sample_size=settings.target_sample_size,
        selection_method=settings.selection_method, boundary=settings.boundary, seed=seed,
        simulated=settings.simulated, created_by_id=created_by_id)
    db.session.add(wave)
    db.session.commit()
    return wave


def require_status(wave: SurveyWave, *statuses: str) -> None:
    """Refuse a step unless the wave is in one of ``statuses``."""
    assert set(statuses) <= set(WAVE_STATUSES)
    if wave.status in statuses:
        return
    if statuses == ("design",):
        raise WaveRefused(_("This step is only possible while the wave is being designed."))
    raise WaveRefused(_("This step is not possible in the wave's present status."))


# --- forms ---------------------------------------------------------------------------------

def reserved_pool() -> list[QuestionVersion]:
    """The current, active versions of the questions reserved for the survey."""
    return list(db.session.scalars(
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(QuestionVersion.status == "active", Question.survey_reserved.is_(True))
        .order_by(QuestionVersion.id)))


def form_pool() -> list[QuestionVersion]:
    """The reserved pool the forms are assembled from: of the questions sharing an enemy group
    (they give each other away), only the first by version id, so no form holds two."""
    versions = reserved_pool()
    kept = {c.version_id for c in without_enemies(as_candidates(versions))}
    return [v for v in versions if v.id in kept]


def _pool_item(version: QuestionVersion) -> surveys.PoolItem:
    return surveys.PoolItem(str(version.id), version.dimension, version.difficulty)


def assemble_forms(wave: SurveyWave) -> surveys.ParallelForms:
    """Assemble forms A and B from the reserved pool with the wave's seed and store them
    (replacing earlier ones while the wave is being designed and no case uses them)."""
    from quizapp.models import SurveyCase

    require_status(wave, "design")
    if db.session.scalar(select(func.count(SurveyCase.id)).where(SurveyCase.wave_id == wave.id)):
        raise WaveRefused(_("Cases already use these forms; they can no longer change."))
    try:
        parallel = surveys.assemble_parallel_forms(
            [_pool_item(v) for v in form_pool()], surveys.stage_rng(wave.seed, "forms"))
    except surveys.PoolTooSmallError as error:
        short = ", ".join(_("%(dimension)s: %(have)s of %(need)s", dimension=labels.dimension(d),
                            have=have, need=need)
                          for d, (have, need) in error.shortfalls.items())
        raise WaveRefused(_("Too few active survey-reserved questions for two forms (%(short)s).",
                            short=short)) from None
    wave.forms.clear()
    db.session.flush()
    for form in parallel.forms:
        stored = SurveyForm(code=form.code)
        for position, item in enumerate(form.items):
            stored.items.append(SurveyFormItem(position=position,
                                               question_version_id=int(item.id),
                                               anchor=item.id in form.anchor_ids))
        wave.forms.append(stored)
    db.session.commit()
    return parallel


def stored_forms(wave: SurveyWave) -> surveys.ParallelForms | None:
    """The wave's stored forms as ``surveys.ParallelForms`` (None before they are assembled)."""
    if len(wave.forms) != 2:
        return None
    forms = []
    for stored in wave.forms:
        items = tuple(_pool_item(item.question_version) for item in stored.items)
        anchors = frozenset(str(item.question_version_id) for item in stored.items if item.anchor)
        forms.append(surveys.Form(code=stored.code, items=items, anchor_ids=anchors))
    anchor_items = tuple(i for i in forms[0].items if i.id in forms[0].anchor_ids)
    return surveys.ParallelForms(forms=(forms[0], forms[1]), anchors=anchor_items, unused=())


def form_comparison(wave: SurveyWave) -> tuple[surveys.ComparisonRow, ...]:
    """The forms' difficulty comparison (``surveys.comparison_table``); empty before assembly."""
    parallel = stored_forms(wave)
    return () if parallel is None else surveys.comparison_table(parallel)


def start_fieldwork(wave: SurveyWave) -> None:
    """Move the wave from design to fieldwork: from then on its forms, frame, design and sample
    are fixed.  (Closing a wave, which deletes its personal data, is the fieldwork phase's.)"""
    require_status(wave, "design")
    if len(wave.forms) != 2 or not any(p.pi1 is not None for p in wave.frame_psus):
        raise WaveRefused(_("Assemble the forms and draw the sample before fieldwork starts."))
    wave.status = "fieldwork"
    db.session.commit()
