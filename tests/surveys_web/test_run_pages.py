"""The estimate page lists each breakdown's domains in a logical order, not by code text."""

from types import SimpleNamespace

import surveys
from analysis import Breakdown
from quizapp.surveys import run_pages

TOWNSHIPS = {"xinjianlu": "新建路街道", "chengguan": "城关乡", "bazhai": "八千乡"}  # list order


def _result(key: str, codes: list[str]) -> SimpleNamespace:
    n = len(codes)
    breakdown = Breakdown((key,), tuple((c,) for c in codes), (0.2,) * n, (0.01,) * n,
                          (0.18,) * n, (0.22,) * n, (9,) * n, (100,) * n, (1.0,) * n)
    report = SimpleNamespace(by=(breakdown,))
    return SimpleNamespace(reports={"meets": report}, settings=surveys.EstimateSettings(),
                           flags=lambda k: {(key, c): None for c in codes})


def _listed(app, key: str, codes: list[str]) -> list[str]:
    with app.test_request_context():
        rows = run_pages._domains(_result(key, codes), TOWNSHIPS, public=False)["meets"][key]
        return [row.level for row in rows]


def test_education_runs_from_the_lowest_level_up(app):
    # Sorted by code text this would be bachelor, junior_college, junior_secondary, primary, senior.
    codes = ["bachelor_plus", "junior_college", "junior_secondary", "primary_or_less",
             "senior_secondary"]
    assert _listed(app, "education", codes) == [
        "小学及以下", "初中", "高中（含中专）", "大学专科", "大学本科及以上"]


def test_groups_follow_the_plan_and_townships_the_township_list():
    assert run_pages.domain_order("group", ["other", "cadre", "elder", "farmer", "youth",
                                            "worker"], TOWNSHIPS) == [
        "youth", "farmer", "worker", "elder", "cadre", "other"]
    assert run_pages.domain_order("age_band", ["60-69", "18-29", "40-49"], TOWNSHIPS) == [
        "18-29", "40-49", "60-69"]
    assert run_pages.domain_order("township", ["bazhai", "unknown", "xinjianlu", "chengguan"],
                                  TOWNSHIPS) == ["xinjianlu", "chengguan", "bazhai", "unknown"]
    assert run_pages.domain_order("form", ["B", "A"], TOWNSHIPS) == ["A", "B"]
