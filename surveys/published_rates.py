"""Published shares of residents meeting the civic science-literacy standard, for comparison
on the dashboards and in reports (never used in an estimate).

Figures as published by the China Association for Science and Technology's national civic
science-literacy surveys (national, 2010-2024), the Henan provincial and Zhengzhou municipal
science associations (from their announcements of those surveys), and Xinzheng's 2021-2025
plan for the goal.  Collected in the project's domain notes (docs/domain-notes.md).  These are
the official rates of the national instrument; ours is modelled on it, not the same survey.
"""

from __future__ import annotations

from dataclasses import dataclass

NATIONAL, PROVINCE, PREFECTURE, CITY = "national", "province", "prefecture", "city"


@dataclass(frozen=True)
class PublishedRate:
    """One published share: where (``level`` and ``place``), which year, the share (0-1),
    and where the figure comes from."""

    level: str
    place: str
    year: int
    share: float
    source: str


_CAST = "CAST national civic science-literacy survey (中国公民科学素质抽样调查)"
RATES: tuple[PublishedRate, ...] = (
    PublishedRate(NATIONAL, "China", 2010, 0.0327, _CAST),
    PublishedRate(NATIONAL, "China", 2015, 0.0620, _CAST),
    PublishedRate(NATIONAL, "China", 2020, 0.1056, _CAST),
    PublishedRate(NATIONAL, "China", 2022, 0.1293, _CAST),
    PublishedRate(NATIONAL, "China", 2023, 0.1414, _CAST),
    PublishedRate(NATIONAL, "China", 2024, 0.1537, _CAST),
    PublishedRate(PROVINCE, "Henan", 2020, 0.1017, "Henan provincial science association"),
    PublishedRate(PROVINCE, "Henan", 2022, 0.1200, "Henan provincial science association"),
    PublishedRate(PREFECTURE, "Zhengzhou", 2022, 0.146, "Zhengzhou science association"),
)
# Xinzheng's goal for 2025 in its 2021-2025 plan: more than 17.8% meeting the standard.
CITY_GOAL = PublishedRate(CITY, "Xinzheng", 2025, 0.178, "Xinzheng 2021-2025 science-literacy plan")


def series(level: str) -> tuple[PublishedRate, ...]:
    """The published rates of one level, by year."""
    return tuple(sorted((r for r in RATES if r.level == level), key=lambda r: r.year))


def latest(level: str) -> PublishedRate | None:
    """The most recent published rate of one level (None when there is none)."""
    found = series(level)
    return found[-1] if found else None
