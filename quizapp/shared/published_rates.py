"""Published shares of citizens meeting the science-literacy standard, and the city's goal.

Public figures (the national civic science-literacy survey of the China Association for
Science and Technology, published by year; the city's 2021–2025 plan), quoted in
``shared/domain.md``. They are data for charts and sanity checks, never inputs of an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublishedRate:
    """One published share (a fraction, 0.1056 for 10.56%) of one place in one year."""

    year: int
    share: float


# 具备科学素质的公民比例, national, by survey year.
NATIONAL_RATES: tuple[PublishedRate, ...] = (
    PublishedRate(2010, 0.0327), PublishedRate(2015, 0.0620), PublishedRate(2020, 0.1056),
    PublishedRate(2022, 0.1293), PublishedRate(2023, 0.1414), PublishedRate(2024, 0.1537),
)
# Xinzheng's goal for 2025 (more than 17.8% of residents meet the standard).
CITY_GOAL = 0.178
CITY_GOAL_YEAR = 2025
