"""The newest published estimate, for the home page (``quizapp.shared.city_estimate``).

Read from the stored run exactly as published (``EstimateResult.public()``: a flagged headline
is blanked); nothing is recomputed. A published run never changes (the models refuse it), so
what is read from it is kept per app by the run's id: each home page costs one small query.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import SurveyEstimateRun, SurveyWave
from quizapp.shared.city_estimate import CityEstimate
from quizapp.surveys import estimate_runs, weighting_runs

_CACHE = "kexue.published_city_estimate"


def published_city_estimate() -> CityEstimate | None:
    """The published run of the newest wave (by year) that has one, or ``None``."""
    run_id = db.session.scalar(
        select(SurveyEstimateRun.id).join(SurveyWave, SurveyEstimateRun.wave_id == SurveyWave.id)
        .where(SurveyEstimateRun.status == "published")
        .order_by(SurveyWave.year.desc(), SurveyWave.id.desc(), SurveyEstimateRun.id.desc())
        .limit(1))
    if run_id is None:
        return None
    kept = current_app.extensions.setdefault(_CACHE, {})
    if run_id not in kept:
        kept.clear()
        kept[run_id] = _read(db.session.get(SurveyEstimateRun, run_id))
    return kept[run_id]


def _read(run: SurveyEstimateRun) -> CityEstimate:
    headline = estimate_runs.result_of(run).public()["reports"]["meets"]
    placeholders = weighting_runs.result_of(run.weighting_run).placeholder_margins
    return CityEstimate(
        year=run.wave.year, wave_name=run.wave.name, share=headline.get("estimate"),
        ci_low=headline.get("ci_low"), ci_high=headline.get("ci_high"),
        simulated=run.wave.simulated, placeholder_margins=bool(placeholders),
        interim=run.wave_status != "closed")
