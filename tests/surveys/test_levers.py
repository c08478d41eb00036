"""What would move the city's share most (surveys.levers), worked by hand."""

from __future__ import annotations

import pytest

from surveys import levers
from surveys.errors import SurveyInputError

# Five respondents, weights 100, 200, 300, 150, 250 (total 1,000); one without an age band.
ROWS = [
    {"final_weight": "100", "age_band": "18-29", "group": "farmer"},
    {"final_weight": "200", "age_band": "50-59", "group": "farmer"},
    {"final_weight": "300", "age_band": "50-59", "group": "worker"},
    {"final_weight": "150", "age_band": "60-69", "group": "elder"},
    {"final_weight": "250", "age_band": "", "group": "worker"},
]


def test_population_shares_are_each_domains_share_of_the_whole_weight():
    shares = levers.population_shares(ROWS, ("age_band", "group"))
    # 18-29: 100/1000; 50-59: (200+300)/1000; 60-69: 150/1000; the blank 250 is in no domain
    assert shares["age_band"] == {"18-29": 0.1, "50-59": 0.5, "60-69": 0.15}
    assert shares["group"] == {"farmer": 0.3, "worker": 0.55, "elder": 0.15}


def test_a_domains_lever_is_its_gap_to_the_goal_times_its_population_share():
    # Farmers 30% of the people at 10.0%, workers 55% at 20.0%, elders 15% at 4.0%; goal 17.8%.
    estimates = {"group": [("farmer", 0.10, None), ("worker", 0.20, None),
                           ("elder", 0.04, "small_n")]}
    shares = {"group": {"farmer": 0.3, "worker": 0.55, "elder": 0.15}}
    found = levers.levers(estimates, shares, goal=0.178)
    # farmers: 0.3 × (0.178 - 0.10) = 0.0234 (2.34 city points); elders: 0.15 × 0.138 =
    # 0.0207; workers are above the goal: 0.  Raising a group by 5 points moves the city by
    # 0.05 × W: farmers 1.5 points, workers 2.75, elders 0.75.
    assert [(lv.level, round(lv.to_goal, 10), round(lv.per_step, 10)) for lv in found] == [
        ("farmer", 0.0234, 0.015), ("elder", 0.0207, 0.0075), ("worker", 0.0, 0.0275)]
    assert [round(lv.gap, 10) for lv in found] == [0.078, 0.138, 0.0]
    assert found[1].flag == "small_n"
    # The city share is the weighted average: 0.3×0.10 + 0.55×0.20 + 0.15×0.04 = 0.146, and
    # bringing farmers to the goal gives 0.146 + 0.0234 = 0.1694.
    city = sum(shares["group"][lv.level] * lv.p for lv in found)
    assert round(city, 10) == 0.146


def test_ties_keep_a_fixed_order_and_domains_without_an_estimate_are_left_out():
    estimates = {"sex": [("male", 0.2, None), ("female", 0.2, None)],
                 "age_band": [("18-29", None, "small_n"), ("30-39", 0.3, None)]}
    shares = {"sex": {"male": 0.5, "female": 0.5}, "age_band": {"18-29": 0.2, "30-39": 0.2}}
    found = levers.levers(estimates, shares, goal=0.178, step=0.10)
    assert [(lv.breakdown, lv.level) for lv in found] == [
        ("sex", "female"), ("sex", "male"), ("age_band", "30-39")]
    assert [lv.per_step for lv in found] == pytest.approx([0.05, 0.05, 0.02])


@pytest.mark.parametrize("rows", [
    [{"final_weight": "x", "sex": "male"}],
    [{"final_weight": "nan", "sex": "male"}],
    [{"final_weight": "-1", "sex": "male"}],
    [{"final_weight": "0", "sex": "male"}],
    [{"sex": "male"}],
])
def test_bad_weights_are_refused_with_a_message(rows):
    with pytest.raises(SurveyInputError):
        levers.population_shares(rows, ("sex",))


def test_a_goal_outside_0_to_1_is_refused():
    with pytest.raises(SurveyInputError):
        levers.levers({}, {}, goal=17.8)
