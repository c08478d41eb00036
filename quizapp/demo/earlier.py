"""The earlier demo wave: "2024 年度公民科学素质调查（演示）", two years before the current one.

Made up and SIMULATED like the current wave (模拟数据: the same made-up frame, its own seed, a
smaller sample of 100 PSUs), but finished: every listed household visited, the flagged
interviews decided by the demo statistician with a reason (:func:`decide_reviews`), and the
wave closed through :func:`quizapp.surveys.closing.close_wave`, so its names, addresses and
notes are gone.  Then, as the statistician did in 2024 (:func:`publish_estimate`): a weighting
run with the shipped margins, whose figures are placeholders (the override ticked, and every
output says so), an estimate run on it, published - the wave the current one is compared with.
Its literacy is lower (:data:`EARLIER_SEASON`: every θ shifted by :data:`ABILITY_SHIFT`, about
1.5 points fewer meeting the standard), so the comparison shows progress.

In the full demo (measured): 1,500 selected households in 100 PSUs, 994 interviews (978
complete), RR1 68.9% (51.9% in the city centre), 14 flagged, 10 of them rejected; 968 accepted
complete interviews, 16.3% of them meeting the standard unweighted (the 2026 wave: 17.5%); the
published estimate 18.9% (SE 1.5 points), not distinguishable from 17.8%.

Idempotent and resumable as the current wave: a run that stopped in fieldwork goes on where it
stopped; once the wave is closed nothing is added but a missing weighting, estimate or
publication.  ``DEMO_EARLIER_LISTED_PSUS`` limits the PSUs listed and worked (None: all; 0: no
earlier wave, as in most tests).
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

import surveys
from quizapp.demo import fieldwork
from quizapp.demo.survey import prepare_wave, work_wave
from quizapp.extensions import db
from quizapp.models import SurveyCase, SurveyEstimateRun, SurveyInterview, SurveyWave, User
from quizapp.surveys import closing, estimate_runs, review, services, weighting_runs

EARLIER_WAVE_NAME = "2024 年度公民科学素质调查（演示）"
EARLIER_YEAR = 2024
EARLIER_SEED = 20240601
EARLIER_DESIGN = surveys.DesignSpec(interviews=1500, take=15,
                                    method=surveys.AllocationMethod.POWER, power=0.5, min_psus=4)
# A shift of every respondent's θ: about 1.5 points fewer meeting the standard than the
# current wave's model (checked on the model alone in tests/surveys_web/test_demo_earlier.py).
ABILITY_SHIFT = -0.12
EARLIER_SEASON = fieldwork.Season(start=date(2024, 6, 10), ability_shift=ABILITY_SHIFT,
                                  hold_first=False)
REVIEWER = "statistician"
# The statistician's decisions on the flagged interviews (simulated back-checks): too fast,
# recorded outside the PSU and the second of two duplicated respondents are rejected.
REJECTED_FLAGS = frozenset({"too_fast", "outside_psu"})
# The shipped margins version; its figures are placeholders, so the run needs the override.
MARGINS = "xinzheng_adults_18_69"
WEIGHTING_SETTINGS = surveys.WeightingSettings(allow_placeholder_margins=True)
ACCEPT_REASON = "模拟数据：电话回访核实无误 (SIMULATED back-check: confirmed)"
REJECT_REASON = "模拟数据：电话回访未能证实此访问 (SIMULATED back-check: not confirmed)"


def earlier_settings() -> services.WaveSettings:
    """The earlier wave as the statistician created it."""
    return services.WaveSettings(
        name=EARLIER_WAVE_NAME, year=EARLIER_YEAR, reference_date=date(EARLIER_YEAR, 6, 1),
        instrument_version=f"{EARLIER_YEAR}.1", target_sample_size=EARLIER_DESIGN.interviews,
        selection_method="kish", seed=EARLIER_SEED, simulated=True)


def decide_reviews(wave: SurveyWave, reviewer_id: int) -> tuple[int, int]:
    """Accept or reject every interview of the wave still waiting for review (module
    docstring); return (accepted, rejected) now."""
    pending = db.session.scalars(
        select(SurveyInterview).where(SurveyInterview.wave_id == wave.id,
                                      SurveyInterview.review_status == "pending")
        .order_by(SurveyInterview.id)).all()
    duplicated_psus: set[int] = set()
    accepted = rejected = 0
    for interview in pending:
        codes = {flag["code"] for flag in interview.flags}
        reject = bool(codes & REJECTED_FLAGS)
        if "duplicate" in codes:
            psu_id = db.session.get(SurveyCase, interview.case_id).sampled_psu_id
            reject = reject or psu_id in duplicated_psus  # the copy, not the first interview
            duplicated_psus.add(psu_id)
        review.review_interview(interview, "rejected" if reject else "accepted",
                                REJECT_REASON if reject else ACCEPT_REASON, reviewer_id)
        rejected += reject
        accepted += not reject
    return accepted, rejected


def publish_estimate(wave: SurveyWave, statistician_id: int) -> SurveyEstimateRun:
    """The wave's published estimate run, made when missing: the latest weighting run (or a
    new one with :data:`MARGINS`, placeholders allowed) and its latest estimate run (or a new
    one with the default settings: goal 17.8%), published."""
    published = db.session.scalar(
        select(SurveyEstimateRun).where(SurveyEstimateRun.wave_id == wave.id,
                                        SurveyEstimateRun.status == "published"))
    if published is not None:
        return published
    runs = weighting_runs.list_runs(wave)
    weighting_run = runs[0] if runs else weighting_runs.run_weighting(
        wave, MARGINS, WEIGHTING_SETTINGS, statistician_id)
    drafts = estimate_runs.runs_of(weighting_run)
    run = drafts[0] if drafts else estimate_runs.run_estimate(
        weighting_run, surveys.EstimateSettings(), statistician_id)
    return estimate_runs.publish(run, statistician_id)


def load_earlier_wave(listed_psus: int | None = None) -> SurveyWave | None:
    """Add whatever of the earlier wave is missing (module docstring); None when it is not
    wanted (``DEMO_EARLIER_LISTED_PSUS`` 0), the question bank is too small or the demo
    statistician is missing."""
    if listed_psus is None:
        listed_psus = current_app.config.get("DEMO_EARLIER_LISTED_PSUS")
    if listed_psus == 0:
        return None
    reviewer_id = db.session.scalar(select(User.id).where(User.username == REVIEWER))
    if reviewer_id is None:
        return None
    wave = prepare_wave(earlier_settings(), EARLIER_DESIGN)
    if wave is None:
        return None
    if wave.status != "closed":
        work_wave(wave, listed_psus, EARLIER_SEASON)
        decide_reviews(wave, reviewer_id)
        closing.close_wave(wave)
    publish_estimate(wave, reviewer_id)
    return wave
