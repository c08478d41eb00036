"""The estimates service without a request: arguments, file names, chart figures."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from analysis.cli import arguments_for, build_parser, spec_from_args
from quizapp.estimates import services
from quizapp.estimates.services import EstimateRequest, EstimatorRefused, Upload


def test_the_command_shown_is_the_pages_spec():
    request = EstimateRequest(survey=Path("/x.csv"), indicator="-odd", weight="w", strata="s",
                              allow_placeholder_margins=True, level=0.9, goal=0.2, ci="beta")
    spec = services.spec_for(request, "/tmp/x.csv", "/tmp/m.csv", ["sex", "a:b"])
    assert spec.max_levels == services.MAX_LEVELS and spec.by == (("sex",), ("a", "b"))
    argv = arguments_for(spec, "/tmp/x.csv", "/tmp/m.csv")
    parsed = spec_from_args(build_parser().parse_args(argv))
    assert dataclasses.replace(parsed, max_levels=services.MAX_LEVELS) == spec


@pytest.mark.parametrize(("name", "expected"), [
    ("survey.csv", "survey.csv"),
    ("C:\\Users\\me\\调查 2024.csv", "调查 2024.csv"),
    ("../../etc/passwd.csv", "passwd.csv"),
    ("..", "default.csv"),
    (".hidden.csv", "default.csv"),
    ("", "default.csv"),
    ("a" * 300 + ".csv", "a" * 116 + ".csv"),
])
def test_uploaded_names_stay_inside_the_temporary_directory(name, expected):
    assert services.safe_filename(name, "default.csv") == expected


@pytest.mark.parametrize(("data", "message"), [
    (b"a,b\n1,2\n", "column 'weight' is not in 'mine.csv'"),
    (b"", "file 'mine.csv' is empty"),  # the estimator names the full path here
])
def test_a_refusal_names_the_users_file_not_the_temporary_path(data, message):
    with pytest.raises(EstimatorRefused) as caught:
        services.run(EstimateRequest(survey=Upload("mine.csv", data)))
    assert str(caught.value) == message and not caught.value.placeholder


def test_a_refusal_of_placeholder_margins_is_marked():
    request = EstimateRequest(survey=services.DEMO_SURVEY, margins=services.SHIPPED_MARGINS,
                              strata="stratum", psu="psu")
    with pytest.raises(EstimatorRefused) as caught:
        services.run(request)
    assert caught.value.placeholder and "/" not in str(caught.value).split(":")[0]


def test_the_demo_result_is_marked_simulated_and_names_its_command():
    result = services.run(EstimateRequest(survey=services.DEMO_SURVEY, strata="stratum",
                                          psu="psu", by_if_present=("sex", "township")))
    assert result.simulated and result.skipped_by == ("township",)
    assert [b.key for b in result.report.by] == ["sex"]
    assert result.command == (
        "python -m analysis estimate surveys/demo/simulated_survey.csv --indicator=meets "
        "--weight=weight --strata=stratum --psu=psu --by=sex --ci=logit --level=0.95 "
        "--goal=0.178 --lonely-psu=fail --format=json")
    assert result.placeholder_margins == []


def test_formatting():
    assert services.pct(0.13517) == "13.52%" and services.pct(None) == "—"
    assert services.pct(0.178, 1) == "17.8%"
    assert services.pct_range(0.229, 0.35491) == "22.90–35.49%"
    assert services.pct_range(None, 0.3) == "—"
    assert services.num(1.82612) == "1.826" and services.num(None) == "—"


def test_chart_figures_show_points_intervals_goal_and_overall():
    report = {"estimate": 0.15, "ci_low": 0.12, "ci_high": 0.18, "goal": 0.178,
              "by": {"sex": [
                  {"level": "female", "label": "Female", "estimate": 0.1, "ci_low": 0.08,
                   "ci_high": 0.13},
                  {"level": "male", "estimate": 0.0, "ci_low": None, "ci_high": None}]}}
    [figure] = services.chart_figures(report, {"sex": "By sex"}, points_label="Estimates",
                                      goal_label="Goal 17.8%", overall_label="Overall 15%")
    trace, overall, goal = figure["data"]
    # one row per group (the first on top), the shares across
    assert trace["y"] == ["female", "male"] and trace["x"] == [10.0, 0.0]
    assert trace["error_x"]["array"] == [3.0, None]
    assert trace["error_x"]["arrayminus"] == [2.0, None]
    axis = figure["layout"]["yaxis"]
    assert axis["ticktext"] == ["Female", "male"] and axis["range"] == [1.5, -0.5]
    lines = {s["x0"]: s for s in figure["layout"]["shapes"] if s["type"] == "line"}
    assert set(lines) == {17.8, 15.0} and lines[17.8]["line"]["dash"] == "dash"
    band = [s for s in figure["layout"]["shapes"] if s["type"] == "rect"][0]
    assert (band["x0"], band["x1"]) == (12.0, 18.0)
    assert figure["layout"]["title"]["text"] == "By sex"
    assert (trace["name"], overall["name"], goal["name"]) == ("Estimates", "Overall 15%",
                                                              "Goal 17.8%")
    assert goal["line"] == lines[17.8]["line"] and overall["x"] == [None]
    assert figure["layout"]["xaxis"]["range"][1] >= 17.8


def test_chart_labels_wrap_between_words_only():
    assert services._tick("Senior secondary (incl. vocational)") == (
        "Senior secondary<br>(incl. vocational)")
    assert services._tick("高中（含中专）") == "高中（含中专）"
    assert services._tick("Bachelor's degree or higher") == "Bachelor's degree<br>or higher"
    assert services._tick("Primary school or less") == "Primary school or<br>less"
