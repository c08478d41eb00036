"""The one-sided test against the goal (default 17.8%, Xinzheng's 2025 target).

H0: share <= goal against H1: share > goal, with t = (p - goal) / se and the p-value from
Student's t on the design's degrees of freedom: p = 1 - pt(t, df).  The verdict, at the
chosen level (alpha = 1 - level, one-sided):

* ``above``  when p < alpha (the share is above the goal),
* ``below``  when pt(t, df) < alpha (the mirror test, H0: share >= goal, is rejected),
* ``not distinguishable`` otherwise.

When the SE is 0 (no sampling variance) the statistic and p-value do not exist (``None``)
and the verdict compares the estimate with the goal directly.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from analysis.errors import SurveyError
from analysis.estimators import Estimate
from analysis.intervals import t_cdf

DEFAULT_GOAL = 0.178


@dataclass(frozen=True)
class GoalTest:
    goal: float
    statistic: float | None
    p_value: float | None
    df: int
    level: float
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sentence(self, what: str = "share") -> str:
        """The verdict in plain language."""
        pct = f"{self.goal:.1%}"
        how = f"(one-sided test at level {self.level:g})"
        if self.verdict in ("above", "below"):
            return f"The {what} is {self.verdict} the goal of {pct} {how}."
        return f"The {what} cannot be distinguished from the goal of {pct} at level {self.level:g}."


def goal_test(estimate: Estimate, goal: float = DEFAULT_GOAL, level: float = 0.95) -> GoalTest:
    """One-sided t test of H0: share <= goal on the estimate's design df (see module doc)."""
    if not 0 < level < 1:
        raise SurveyError("the level must be between 0 and 1")
    if not math.isfinite(goal):
        raise SurveyError("the goal must be a number")
    p, se, df = estimate.estimate, estimate.se, estimate.df
    if p is None:
        return GoalTest(goal, None, None, df, level, "not distinguishable")
    if se is None or se == 0 or df <= 0:
        if se == 0:
            verdict = "above" if p > goal else "below" if p < goal else "not distinguishable"
        else:
            verdict = "not distinguishable"
        return GoalTest(goal, None, None, df, level, verdict)
    t = (p - goal) / se
    upper = t_cdf(-t, df)  # 1 - pt(t, df) without cancellation
    lower = t_cdf(t, df)
    alpha = 1 - level
    verdict = "above" if upper < alpha else "below" if lower < alpha else "not distinguishable"
    return GoalTest(goal, t, upper, df, level, verdict)
