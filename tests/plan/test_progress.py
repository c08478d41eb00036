"""The status rule of the plan's targets (quizapp.plan.progress), on hand-worked cases.

Each expected status and ratio below is worked by hand from the rule in the module's
docstring, never read from the code: cumulative targets owe (Y − 2020) ÷ 5 of the 2025 target
by year Y; yearly and share targets compare year Y's figure with the target.
"""

from datetime import date

import pytest

from quizapp.plan.progress import assessment_year, elapsed_share, progress

# (case, kind, target, figures {year: (value, denominator)}, year assessed,
#  expected status, expected ratio (None: no figure), expected missing years)
CASES = [
    # cumulative, 200: 30+45+40 = 115 by 2023; due 60% = 120 → behind (115/200 = 0.575)
    ("cumulative behind by 5", "cumulative", 200, {2021: (30, None), 2022: (45, None),
                                                   2023: (40, None)}, 2023, "behind", 0.575, ()),
    # the same with 45 in 2023: 120 = exactly 60% → on track (the boundary counts)
    ("cumulative exactly due", "cumulative", 200, {2021: (30, None), 2022: (45, None),
                                                   2023: (45, None)}, 2023, "on_track", 0.6, ()),
    # 2022 missing and 30+40 = 70 < 120 → missing data, not behind
    ("cumulative gap", "cumulative", 200, {2021: (30, None), 2023: (40, None)}, 2023,
     "missing", 0.35, (2022,)),
    # 2024 and 2025 missing but 1 exhibition already = 100% of 1 → on track despite the gaps
    ("cumulative reached with gaps", "cumulative", 1, {2021: (0, None), 2022: (0, None),
                                                       2023: (1, None)}, 2025, "on_track", 1.0,
     (2024, 2025)),
    # no figure at all → missing, no ratio
    ("cumulative nothing", "cumulative", 15, {}, 2022, "missing", None, (2021, 2022)),
    # 4 of 5 bases by 2025, every year entered → behind
    ("cumulative short at the end", "cumulative", 5, {y: (v, None) for y, v in
                                                      zip(range(2021, 2026), (1, 1, 1, 0, 1),
                                                          strict=True)},
     2025, "behind", 0.8, ()),
    # yearly 40,000: 2025 38,500 → behind, whatever earlier years were
    ("yearly behind", "yearly", 40000, {2024: (40600, None), 2025: (38500, None)}, 2025,
     "behind", 0.9625, ()),
    ("yearly exactly", "yearly", 3000, {2025: (3000, None)}, 2025, "on_track", 1.0, ()),
    # 2025 not entered: the 2024 figure does not stand in
    ("yearly missing year", "yearly", 10000, {2024: (11020, None)}, 2025, "missing", None,
     (2025,)),
    # share 2%: 20,900 of 1,100,000 = 1.9% → behind (ratio 0.95)
    ("share behind", "share", 2, {2025: (20900, 1100000)}, 2025, "behind", 0.95, ()),
    # share 50%: 62 of 124 = 50% exactly → on track
    ("share exactly", "share", 50, {2025: (62, 124)}, 2025, "on_track", 1.0, ()),
    ("share missing", "share", 50, {2024: (59, 124)}, 2025, "missing", None, (2025,)),
]


@pytest.mark.parametrize(("case", "kind", "target", "figures", "year", "status", "ratio",
                          "missing"), CASES, ids=[c[0] for c in CASES])
def test_status(case, kind, target, figures, year, status, ratio, missing):
    result = progress(kind, target, figures, year)
    assert result.status == status
    assert result.ratio == (None if ratio is None else pytest.approx(ratio))
    assert result.missing_years == missing


def test_elapsed_share_is_a_fifth_a_year():
    assert [elapsed_share(y) for y in range(2021, 2026)] == pytest.approx(
        [0.2, 0.4, 0.6, 0.8, 1.0])


@pytest.mark.parametrize(("today", "year"), [
    (date(2021, 6, 1), 2021), (date(2023, 1, 1), 2022), (date(2026, 1, 1), 2025),
    (date(2026, 12, 1), 2025), (date(2030, 5, 5), 2025), (date(2019, 1, 1), 2021)])
def test_year_assessed_is_the_last_finished_plan_year(today, year):
    assert assessment_year(today) == year


def test_the_cli_seeds_the_targets_once(runner):
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import PlanTarget

    assert runner.invoke(args=["reference", "plan-targets"]).output == "added 10 plan targets\n"
    assert runner.invoke(args=["reference", "plan-targets"]).output == "added 0 plan targets\n"
    kinds = dict(db.session.execute(select(PlanTarget.code, PlanTarget.kind)).all())
    assert kinds == {
        "rural_teachers": "cumulative", "vocational_training": "yearly",
        "high_skill_training": "yearly", "continuing_education": "yearly",
        "demonstration_bases": "cumulative", "enterprise_exhibitions": "cumulative",
        "information_officers": "share", "school_activity_rooms": "share",
        "education_bases": "cumulative", "volunteers": "cumulative"}
    targets = dict(db.session.execute(select(PlanTarget.code, PlanTarget.target_value)).all())
    assert targets == {"rural_teachers": 200, "vocational_training": 40000,
                       "high_skill_training": 3000, "continuing_education": 10000,
                       "demonstration_bases": 5, "enterprise_exhibitions": 1,
                       "information_officers": 2, "school_activity_rooms": 50,
                       "education_bases": 15, "volunteers": 1000}
