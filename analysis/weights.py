"""Weight summaries and weight adjustments (non-response classes, trimming with re-raking).

Summary of the positive weights w_1..w_n: min, max, mean, CV = sd/mean (population sd,
divisor n), Kish's design effect due to unequal weights deff_w = n sum w^2 / (sum w)^2 =
1 + CV^2, and the effective sample size n_eff = (sum w)^2 / sum w^2 = n / deff_w.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from analysis.calibration import Margins, rake
from analysis.design import Design, Factor
from analysis.errors import ConvergenceError, SurveyError


@dataclass(frozen=True)
class WeightSummary:
    n: int
    n_zero: int
    total: float
    min: float
    max: float
    mean: float
    cv: float
    kish_deff: float
    effective_n: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def weight_summary(weights: Any) -> WeightSummary:
    """Summaries of the positive weights (Kish 1965; see the module docstring)."""
    w = np.asarray(weights, np.float64)
    pos = w[w > 0]
    if pos.size == 0:
        raise SurveyError("there is no positive weight")
    s1 = float(pos.sum())
    s2 = float(np.dot(pos, pos))
    mean = s1 / pos.size
    cv = float(np.sqrt(max(s2 / pos.size - mean * mean, 0.0)) / mean)
    deff = pos.size * s2 / (s1 * s1)
    return WeightSummary(
        n=int(pos.size),
        n_zero=int(w.size - pos.size),
        total=s1,
        min=float(pos.min()),
        max=float(pos.max()),
        mean=mean,
        cv=cv,
        kish_deff=deff,
        effective_n=s1 * s1 / s2,
    )


def nonresponse_adjust(
    design: Design, responded: Any, classes: Factor, *, name: str = "class"
) -> Design:
    """Weighting-class non-response adjustment: in class c a respondent's weight becomes
    w_i * sum_{c} w / sum_{c, responded} w and a non-respondent's weight 0, so each class
    keeps its weighted total.  The design (strata, PSUs) is unchanged; the new weights are
    treated as design weights (as ``svydesign(weights = ~w_adjusted)`` in R)."""
    r = np.asarray(responded, np.float64)
    if r.shape != (design.n,):
        raise SurveyError("the response indicator must have one value per row")
    bad = np.isnan(r) | ((r != 0) & (r != 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0]) + 1
        raise SurveyError(f"the response indicator must be 0 or 1; row {i} is not")
    if classes.missing.any():
        i = int(np.flatnonzero(classes.missing)[0]) + 1
        raise SurveyError(f"column '{name}' is missing in row {i}")
    w = design.weights
    k = len(classes.levels)
    all_w = np.bincount(classes.codes, weights=w, minlength=k)
    resp_w = np.bincount(classes.codes, weights=w * r, minlength=k)
    empty = (all_w > 0) & (resp_w <= 0)
    if empty.any():
        lev = classes.levels[int(np.flatnonzero(empty)[0])]
        raise SurveyError(
            f"class '{lev}' of column '{name}' has no respondent with a positive weight"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(resp_w > 0, all_w / resp_w, 0.0)
    new = np.where(r == 1, w * factor[classes.codes], 0.0)
    return design.replace(weights=new)


def trim_weights(
    design: Design,
    *,
    lower: float | None = None,
    upper: float | None = None,
    factors: Mapping[str, Factor] | None = None,
    margins: Margins | None = None,
    maxit: int = 100,
    tol: float = 1e-6,
) -> Design:
    """Trim weights to [lower, upper] and re-rake: clip, rake the clipped weights to the
    margins (if given; otherwise rescale the untrimmed weights so the total is kept), and
    repeat until every weight is within the bounds (relative ``tol``) and the margins hold.
    The returned design carries the final raking, so its SEs account for calibration.
    Raises :class:`ConvergenceError` when the bounds and margins cannot both be met."""
    if lower is None and upper is None:
        raise SurveyError("give a lower or an upper bound for trimming")
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if lo > hi or hi <= 0:
        raise SurveyError("trimming bounds must satisfy 0 <= lower <= upper, upper > 0")
    base = design.replace(calibrations=())
    w = np.asarray(design.weights, np.float64).copy()
    total = float(w.sum())
    pos = w > 0
    for _ in range(maxit):
        clipped = np.where(pos, np.clip(w, lo, hi), 0.0)
        if margins:
            if factors is None:
                raise SurveyError("re-raking needs the margin variables (factors)")
            result = rake(base.replace(weights=clipped), factors, margins)
            w = np.asarray(result.weights, np.float64)
        else:
            inside = pos & (clipped > lo) & (clipped < hi)
            spare = total - float(clipped[~inside].sum())
            if inside.any() and spare > 0:
                clipped[inside] *= spare / float(clipped[inside].sum())
            w = clipped
            result = base.replace(weights=w.copy())
        if ((w[pos] >= lo * (1 - tol)) & (w[pos] <= hi * (1 + tol))).all():
            return result
    raise ConvergenceError(
        f"weight trimming to [{lo:g}, {hi:g}] did not converge in {maxit} rounds "
        "(the bounds and the margins cannot both be met)"
    )
