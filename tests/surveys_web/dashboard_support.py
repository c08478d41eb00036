"""Published estimate runs for the dashboard and report tests, and readers of what the pages
carry (the charts' JSON, the report's data-figure attributes)."""

from __future__ import annotations

import html
import json
import re

MARGINS = "xinzheng_adults_18_69"


def publish_wave(wave, edit=None):
    """Weight ``wave`` (the shipped placeholder margins, trimming 0.1-6 × the mean), estimate
    it (goal 17.8%) and publish the run; with ``edit``, a copy of the run whose stored result
    ``edit(result)`` changed is published instead (a stored run never changes)."""
    import surveys
    from quizapp.extensions import db
    from quizapp.models import SurveyEstimateRun
    from quizapp.surveys import estimate_runs, weighting_runs

    settings = surveys.WeightingSettings(allow_placeholder_margins=True, trim_lower=0.1,
                                         trim_upper=6.0)
    run = weighting_runs.run_weighting(wave, MARGINS, settings, None)
    estimate = estimate_runs.run_estimate(run, surveys.EstimateSettings(), None)
    if edit is not None:
        result = json.loads(json.dumps(estimate.result))
        edit(result)
        estimate = SurveyEstimateRun(
            wave_id=estimate.wave_id, weighting_run_id=estimate.weighting_run_id,
            settings=estimate.settings, input_sha256=estimate.input_sha256,
            code_version=estimate.code_version, result=result, status="draft",
            wave_status=estimate.wave_status)
        db.session.add(estimate)
        db.session.commit()
    return estimate_runs.publish(estimate, None)


def figures(page_text: str) -> dict[str, dict]:
    """Every chart's Plotly figure on a page, by the chart's key."""
    found = re.findall(r'<script type="application/json" class="chart-data" '
                       r'data-for="([^"]+)">(.*?)</script>', page_text, flags=re.S)
    return {key: json.loads(html.unescape(body)) for key, body in found}


def points(figure: dict) -> dict[str, float | None]:
    """Label -> drawn value of every point of a rows chart (all traces)."""
    out = {}
    for trace in figure["data"]:
        for label, value in zip(trace["y"], trace["x"], strict=True):
            out[label] = value
    return out


def report_figures(text: str) -> dict[str, list[tuple[str, str]]]:
    """data-figure name -> [(data-value, text shown), ...] of a report."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name, value, shown in re.findall(
            r'<span data-figure="([^"]+)" data-value="([^"]*)">([^<]*)</span>', text):
        out.setdefault(name, []).append((value, html.unescape(shown)))
    return out
