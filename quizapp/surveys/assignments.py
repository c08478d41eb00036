"""Who works which sampled PSU: an interviewer sees only the PSUs assigned to them, and only
while their wave is in fieldwork.  Every interviewer-facing view and API looks its objects up
through these functions, never by id alone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp.extensions import db
from quizapp.models import SurveyCase, SurveySampledPSU, SurveyWave


def interviewer_psus(user_id: int) -> list[SurveySampledPSU]:
    """The sampled PSUs assigned to the interviewer in waves now in fieldwork."""
    return list(db.session.scalars(
        select(SurveySampledPSU).join(SurveyWave, SurveySampledPSU.wave_id == SurveyWave.id)
        .options(selectinload(SurveySampledPSU.frame_psu))
        .where(SurveySampledPSU.interviewer_id == user_id, SurveyWave.status == "fieldwork")
        .order_by(SurveySampledPSU.wave_id, SurveySampledPSU.id)))


def interviewer_psu(user_id: int, sampled_psu_id: int) -> SurveySampledPSU | None:
    """The sampled PSU if it is assigned to this interviewer in a wave in fieldwork."""
    psu = db.session.get(SurveySampledPSU, sampled_psu_id)
    if psu is None or psu.interviewer_id != user_id:
        return None
    wave = db.session.get(SurveyWave, psu.wave_id)
    return psu if wave.status == "fieldwork" else None


def interviewer_case(user_id: int, case_id: int) -> SurveyCase | None:
    """The case if its PSU is assigned to this interviewer in a wave in fieldwork."""
    case = db.session.get(SurveyCase, case_id)
    if case is None or interviewer_psu(user_id, case.sampled_psu_id) is None:
        return None
    return case
