"""The home page shows the city's newest *published* estimate as stored, never recomputed: the
demo's earlier wave (2024, simulated, published) and a draft of the current wave."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import SurveyEstimateRun, SurveyWave


@pytest.fixture
def app_config() -> dict:
    return {"DEMO_EARLIER_LISTED_PSUS": 4, "DEMO_SURVEY_LISTED_PSUS": 1}


@pytest.fixture
def published(app, monkeypatch) -> SurveyEstimateRun:
    """The demo with its earlier wave weighted without margins (31 respondents cannot be
    raked: tests/surveys_web/test_demo_earlier.py) and published."""
    from quizapp.demo import earlier, load_demo

    monkeypatch.setattr(earlier, "MARGINS", None)
    load_demo()
    return db.session.scalar(select(SurveyEstimateRun).where(
        SurveyEstimateRun.status == "published"))


def _summary(client) -> str:
    return re.search(r'<p id="rate-summary">(.*?)</p>', client.get("/").text, re.S).group(1)


def test_the_published_estimate_is_shown_as_published(client, published, monkeypatch):
    """The small demo's 2024 share (20.2% of 31 respondents, SE 15.3%: a CV of 76%) is
    suppressed on publication, so the page says so instead of a figure; nothing recomputed."""
    from quizapp.surveys.headline import published_city_estimate
    from surveys import estimation

    def refuse(*args, **kwargs):
        raise AssertionError("the home page must not estimate")

    monkeypatch.setattr(estimation, "estimate_wave", refuse)
    assert published.result["reports"]["meets"]["n"] == 31
    found = published_city_estimate()
    assert (found.year, found.share, found.ci_low, found.ci_high) == (2024, None, None, None)
    assert found.simulated and not found.interim and not found.placeholder_margins
    summary = _summary(client)
    assert "2024" in summary and "样本太少" in summary and "20.2%" not in summary
    assert 'data-test="city-simulated"' in client.get("/").text
    # Read once: the next home pages do not parse the stored run again.
    from quizapp.surveys import estimate_runs

    monkeypatch.setattr(estimate_runs, "result_of", refuse)
    assert published_city_estimate() == found


def test_a_draft_is_not_shown_until_published(client, published):
    """A run of the current wave (2026) with figures that may be published: not shown as a
    draft, shown once published, as interim (the wave is in fieldwork)."""
    current = db.session.scalar(select(SurveyWave).where(SurveyWave.year == 2026))
    result = {**published.result, "reports": {**published.result["reports"]}}
    result["reports"]["meets"] = {**result["reports"]["meets"], "estimate": 0.4321,
                                  "se": 0.015, "ci_low": 0.40, "ci_high": 0.46, "n": 994}
    draft = SurveyEstimateRun(
        wave_id=current.id, weighting_run_id=published.weighting_run_id,
        settings=published.settings, input_sha256=published.input_sha256,
        code_version=published.code_version, result=result, status="draft",
        wave_status="fieldwork")
    db.session.add(draft)
    db.session.commit()
    assert "43.2%" not in _summary(client)
    draft.status = "published"
    db.session.commit()
    summary = _summary(client)
    assert "2026" in summary and "43.2%" in summary and "40.0%" in summary and "46.0%" in summary
    assert "中期估计" in client.get("/").text
