"""What would move the city's share most: each domain's gap to the goal, weighted by the
domain's share of the population.

The rule (a project choice, written for officials):

* The weighted share meeting the standard is a ratio of weighted sums, so for the domains d of
  one breakdown (age bands, say), which split the population, it is exactly their weighted
  average:  p = Σ_d W_d · p_d,  where p_d is the domain's estimated share and
  W_d = Σ_{i in d} w_i / Σ_i w_i  its share of the weighted population (the respondents' final
  weights; a respondent without a value belongs to no domain, so the W_d of a breakdown add up
  to at most 1).
* Hence if domain d's share rises by Δ (others unchanged) the city's share rises by W_d · Δ:
  **raising a domain by 5 points moves the city by 5 · W_d points** (``per_step``).
* A domain's **lever** is the city points gained if it reached the goal g:
  W_d · max(0, g − p_d)  (``to_goal``; 0 for a domain at or above the goal).  Domains are
  ranked by it: a large group a little below the goal can matter more than a small group far
  below it.

Every p_d comes from a stored estimate run, W_d from the same run's final weights; nothing here
estimates.  A lever is arithmetic on estimates, so it carries their uncertainty (the page shows
the domains' intervals beside it) and the flags of the domain it comes from.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from surveys.errors import SurveyInputError

DEFAULT_STEP = 0.05  # "raising a group by 5 points"


def population_shares(rows: Iterable[Mapping[str, str]], breakdowns: Sequence[str],
                      weight: str = "final_weight") -> dict[str, dict[str, float]]:
    """``{breakdown: {level: W_d}}``: each domain's share of the total weight of ``rows``
    (the respondents of a weighted file, as ``csv.DictReader`` gives them).  A blank level
    belongs to no domain."""
    totals: dict[str, dict[str, float]] = {b: {} for b in breakdowns}
    weights: list[float] = []
    for row in rows:
        try:
            w = float(row[weight])
        except (KeyError, TypeError, ValueError):
            raise SurveyInputError(f"a row has no numeric '{weight}'") from None
        if not math.isfinite(w) or w < 0:
            raise SurveyInputError(f"'{weight}' must be a finite weight of 0 or more")
        weights.append(w)
        for b in breakdowns:
            level = (row.get(b) or "").strip()
            if level:
                totals[b][level] = totals[b].get(level, 0.0) + w
    whole = math.fsum(weights)
    if whole <= 0:
        raise SurveyInputError("the weights add up to 0")
    return {b: {level: total / whole for level, total in levels.items()}
            for b, levels in totals.items()}


@dataclass(frozen=True)
class Lever:
    """One domain's lever (module docstring): its share ``p`` (p_d), population share ``w``
    (W_d), ``gap`` max(0, g − p_d), ``to_goal`` W_d · gap and ``per_step`` W_d · step, all as
    shares (0.01 = one percentage point)."""

    breakdown: str
    level: str
    p: float
    w: float
    gap: float
    to_goal: float
    per_step: float
    flag: str | None = None


def levers(estimates: Mapping[str, Sequence[tuple[str, float | None, str | None]]],
           shares: Mapping[str, Mapping[str, float]], goal: float,
           step: float = DEFAULT_STEP) -> list[Lever]:
    """Every domain's lever, largest ``to_goal`` first (then largest ``per_step``, then by
    breakdown and level, so the order is fixed).

    ``estimates``: ``{breakdown: [(level, p_d, flag), ...]}`` from the stored run (a domain
    without an estimate is left out); ``shares``: :func:`population_shares`.
    """
    if not 0 <= goal <= 1:
        raise SurveyInputError(f"the goal must be a share from 0 to 1 (got {goal!r})")
    out = []
    for breakdown, rows in estimates.items():
        weights = shares.get(breakdown, {})
        for level, p, flag in rows:
            if p is None or level not in weights:
                continue
            w = weights[level]
            gap = max(0.0, goal - p)
            out.append(Lever(breakdown, level, p, w, gap, w * gap, w * step, flag))
    out.sort(key=lambda lv: (-lv.to_goal, -lv.per_step, lv.breakdown, lv.level))
    return out
