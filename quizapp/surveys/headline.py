"""The newest published estimate, for the home page (``quizapp.shared.city_estimate``).

Read from the stored run exactly as published (``EstimateResult.public()``: a flagged headline
is blanked); nothing is recomputed.
"""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import SurveyEstimateRun, SurveyWave
from quizapp.shared.city_estimate import CityEstimate
from quizapp.surveys import estimate_runs, weighting_runs


def published_city_estimate() -> CityEstimate | None:
    """The published run of the newest wave (by year) that has one, or ``None``."""
    run = db.session.scalar(
        select(SurveyEstimateRun).join(SurveyWave, SurveyEstimateRun.wave_id == SurveyWave.id)
        .where(SurveyEstimateRun.status == "published")
        .order_by(SurveyWave.year.desc(), SurveyWave.id.desc(), SurveyEstimateRun.id.desc())
        .limit(1))
    if run is None:
        return None
    headline = estimate_runs.result_of(run).public()["reports"]["meets"]
    placeholders = weighting_runs.result_of(run.weighting_run).placeholder_margins
    return CityEstimate(
        year=run.wave.year, wave_name=run.wave.name, share=headline.get("estimate"),
        ci_low=headline.get("ci_low"), ci_high=headline.get("ci_high"),
        simulated=run.wave.simulated, placeholder_margins=bool(placeholders),
        interim=run.wave_status != "closed")
