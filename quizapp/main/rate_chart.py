"""The home page's small chart: the national share meeting the standard by year, the city's
goal, and the city's own published estimate, drawn as inline SVG by the server (no chart
script on a resident's page).

:func:`rate_chart` works out every position, in the SVG's own units; the template only draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from quizapp.shared.city_estimate import CityEstimate
from quizapp.shared.published_rates import PublishedRate

WIDTH, HEIGHT = 340, 214
LEFT, RIGHT, TOP, BOTTOM = 34, 334, 18, 180  # the plotting area
BAR_SHARE = 0.62  # of each bar's slot


@dataclass(frozen=True)
class Bar:
    """One bar: its year, value, place and size; ``city`` for the city's own estimate, with
    its interval as a whisker (``low_y``/``high_y``, ``None`` without one)."""

    year: int
    value: float
    x: float
    y: float
    width: float
    height: float
    city: bool = False
    low_y: float | None = None
    high_y: float | None = None

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def text(self) -> str:
        return f"{100 * self.value:.1f}%"


@dataclass(frozen=True)
class RateChart:
    """Everything the template draws."""

    bars: tuple[Bar, ...]
    goal: float
    goal_y: float
    ticks: tuple[tuple[float, str], ...]  # (y, label) of the horizontal grid lines
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    baseline: int = BOTTOM


def _scale_top(values: list[float]) -> float:
    """The axis maximum: the largest value rounded up to a multiple of 5 points."""
    return max(0.05, math.ceil(max(values) * 20 - 1e-9) / 20)


def rate_chart(national: tuple[PublishedRate, ...], goal: float,
               city: CityEstimate | None) -> RateChart:
    """Bars for ``national`` (in order), then the city's estimate when it has a published
    share; a line at ``goal``."""
    shown_city = city if city is not None and city.share is not None else None
    values = [r.share for r in national] + [goal]
    if shown_city is not None:
        values += [shown_city.share] + ([shown_city.ci_high] if shown_city.ci_high else [])
    top = _scale_top(values)

    def y(value: float) -> float:
        return round(BOTTOM - (BOTTOM - TOP) * min(value, top) / top, 2)

    count = len(national) + (1 if shown_city is not None else 0)
    slot = (RIGHT - LEFT) / count
    width = round(slot * BAR_SHARE, 2)
    bars = []
    for index, rate in enumerate(national):
        x = round(LEFT + slot * index + (slot - width) / 2, 2)
        bars.append(Bar(rate.year, rate.share, x, y(rate.share), width,
                        round(BOTTOM - y(rate.share), 2)))
    if shown_city is not None:
        share = shown_city.share
        x = round(LEFT + slot * len(national) + (slot - width) / 2, 2)
        bars.append(Bar(shown_city.year, share, x, y(share), width, round(BOTTOM - y(share), 2),
                        city=True,
                        low_y=None if shown_city.ci_low is None else y(shown_city.ci_low),
                        high_y=None if shown_city.ci_high is None else y(shown_city.ci_high)))
    steps = round(top * 20)
    ticks = tuple((y(k * 0.05), f"{5 * k}%") for k in range(steps + 1))
    return RateChart(bars=tuple(bars), goal=goal, goal_y=y(goal), ticks=ticks)
