"""Weighting runs from the database: the cases file rows, the run and its refusals."""

from __future__ import annotations

import pytest

from tests.surveys_web.weighting_support import build_weighting_wave


@pytest.fixture
def weighting_wave(pool, townships, make_wave):
    return build_weighting_wave(make_wave)


def test_case_rows_probe(weighting_wave):
    from quizapp.surveys import weighting_runs

    rows = weighting_runs.case_rows(weighting_wave)
    print(len(rows), sum(r["respondent"] for r in rows))
    print(rows[0]); print(rows[4])


def test_run_probe(weighting_wave):
    import surveys
    from quizapp.surveys import estimate_runs, weighting_runs

    settings = surveys.WeightingSettings(allow_placeholder_margins=True, trim_lower=None, trim_upper=None)
    run = weighting_runs.run_weighting(weighting_wave, "xinzheng_adults_18_69", settings, None)
    print(run.result["steps"], run.result["classes"][:3])
    est = estimate_runs.run_estimate(run, surveys.EstimateSettings(), None)
    print(est.result["reports"]["meets"]["estimate"], est.result["commands"]["meets"])
    check = estimate_runs.rerun(est)
    print(check.identical, check.differences[:5], check.refused)
