"""The home page's chart, worked by hand: positions in the SVG's units (plot area x 34–334,
y 18–180), the axis rounded up to 5 points, the city's bar with its interval."""

from __future__ import annotations

import pytest

from quizapp.main.rate_chart import rate_chart
from quizapp.shared.city_estimate import CityEstimate
from quizapp.shared.published_rates import CITY_GOAL, NATIONAL_RATES, PublishedRate

TWO = (PublishedRate(2010, 0.05), PublishedRate(2020, 0.10))


def _city(share, low=None, high=None) -> CityEstimate:
    return CityEstimate(year=2024, wave_name="w", share=share, ci_low=low, ci_high=high,
                        simulated=False, placeholder_margins=False, interim=False)


def test_national_bars_and_the_goal():
    chart = rate_chart(TWO, 0.178, None)
    # Axis 0–20% (17.8% rounded up to 5 points): y = 180 - 162 * value / 0.20.
    assert [(b.year, b.x, b.y, b.width, b.height) for b in chart.bars] == [
        (2010, 62.5, 139.5, 93.0, 40.5), (2020, 212.5, 99.0, 93.0, 81.0)]
    assert chart.goal_y == 35.82
    assert chart.ticks == ((180.0, "0%"), (139.5, "5%"), (99.0, "10%"), (58.5, "15%"),
                           (18.0, "20%"))
    assert [b.text for b in chart.bars] == ["5.0%", "10.0%"]
    assert not any(b.city for b in chart.bars)


def test_the_city_bar_and_its_interval_raise_the_axis():
    chart = rate_chart(TWO, 0.178, _city(0.189, 0.161, 0.221))
    # Axis 0–25% (the interval reaches 22.1%): y = 180 - 648 * value.
    city = chart.bars[-1]
    assert (city.city, city.year, city.x, city.width) == (True, 2024, 253.0, 62.0)
    assert (city.y, city.low_y, city.high_y) == (57.53, 75.67, 36.79)
    assert city.centre == 284.0 and city.text == "18.9%"
    assert chart.ticks[-1] == (18.0, "25%")


def test_a_suppressed_city_share_draws_no_bar():
    chart = rate_chart(TWO, 0.178, _city(None))
    assert len(chart.bars) == 2 and chart.ticks[-1][1] == "20%"


@pytest.mark.parametrize(("year", "share"), [(2010, 0.0327), (2015, 0.0620), (2020, 0.1056),
                                             (2022, 0.1293), (2023, 0.1414), (2024, 0.1537)])
def test_the_published_national_rates(year, share):
    assert dict((r.year, r.share) for r in NATIONAL_RATES)[year] == share
    assert CITY_GOAL == 0.178
