"""Where a target of the 2021–2025 plan stands: plain functions, tested without a request.

The rule (a project choice; the plan sets 2025 figures and says nothing on interim ones):

- The **year assessed** is the latest finished year of the plan: last year, kept within
  2021–2025 (:func:`assessment_year`), unless a page asks for another plan year.
- **Yearly** targets (e.g. 40,000 person-times of vocational training a year): *on track* when
  the assessed year's figure is at least the target, *behind* when it is lower, *missing data*
  when that year has no figure (earlier years do not stand in for it).
- **Share** targets (e.g. 2% of residents; 50% of schools): the assessed year's count divided by
  its denominator, in per cent, against the target, as for yearly targets.
- **Cumulative** targets (e.g. 200 teachers trained over the plan): each year's figure is what
  was added that year; progress is their sum from 2021 to the assessed year. The target is due
  by 2025, so by year Y the *elapsed share* (Y − 2020) ÷ 5 of it is expected: 20% by 2021, 60%
  by 2023, 100% by 2025. *On track* when the sum reaches the expected part (even if some
  years are missing: figures are never negative, so the missing ones can only add); else
  *missing data* when a year from 2021 to Y has no figure; else *behind*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from quizapp.models.plan import PLAN_FIRST_YEAR, PLAN_LAST_YEAR

STATUSES = ("on_track", "behind", "missing")
PLAN_YEARS = tuple(range(PLAN_FIRST_YEAR, PLAN_LAST_YEAR + 1))

# year → (value, denominator or None)
Figures = Mapping[int, tuple[int, int | None]]


@dataclass(frozen=True)
class Progress:
    """A target's standing in one assessed year.

    ``achieved``: the figure compared with the target (the sum so far, the year's figure, or
    the share in per cent), ``None`` without one; ``ratio``: ``achieved`` ÷ target;
    ``expected``: the part of the target due by the assessed year (1 but for cumulative ones).
    """

    status: str
    achieved: float | None
    ratio: float | None
    expected: float
    missing_years: tuple[int, ...]


def assessment_year(today: date) -> int:
    """The latest finished year of the plan on ``today``: last year, within 2021–2025."""
    return min(max(today.year - 1, PLAN_FIRST_YEAR), PLAN_LAST_YEAR)


def elapsed_share(year: int) -> float:
    """The part of a cumulative target due by the end of ``year``: (year − 2020) ÷ 5."""
    return (year - PLAN_FIRST_YEAR + 1) / len(PLAN_YEARS)


def share_percent(value: int, denominator: int | None) -> float | None:
    """A count out of its denominator, in per cent; ``None`` without a denominator."""
    if not denominator:
        return None
    return 100 * value / denominator


def progress(kind: str, target: float, figures: Figures, year: int) -> Progress:
    """The standing of a target of ``kind`` with ``figures`` in ``year`` (see the module)."""
    if kind == "cumulative":
        years = [y for y in PLAN_YEARS if y <= year]
        missing = tuple(y for y in years if y not in figures)
        total = sum(figures[y][0] for y in years if y in figures)
        expected = elapsed_share(year)
        achieved = float(total) if len(missing) < len(years) else None
        ratio = None if achieved is None else achieved / target
        if ratio is not None and ratio >= expected:
            status = "on_track"
        elif missing:
            status = "missing"
        else:
            status = "behind"
        return Progress(status, achieved, ratio, expected, missing)
    figure = figures.get(year)
    if figure is None:
        return Progress("missing", None, None, 1.0, (year,))
    value, denominator = figure
    achieved = share_percent(value, denominator) if kind == "share" else float(value)
    if achieved is None:  # a share without its denominator cannot be judged
        return Progress("missing", None, None, 1.0, (year,))
    ratio = achieved / target
    return Progress("on_track" if achieved >= target else "behind", achieved, ratio, 1.0, ())
