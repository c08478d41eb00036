"""Estimators: pure functions of a design returning small frozen results.

Each works on a set of rows (the whole sample or a domain): rows outside it, and rows whose
outcome is missing (R's ``na.rm = TRUE``), get a zero influence value but stay in the
design, so every PSU keeps its place in the variance (R's subsetting).

* mean   ybar = sum w y / sum w;        z_i = w_i (y_i - ybar) / sum w   (R ``svymean``)
* total  Y = sum w y;                   z_i = w_i y_i                    (R ``svytotal``)
* proportion: the mean of a 0/1 indicator (a ratio estimator), with ``svyciprop`` intervals
* quantile: R ``svyquantile(qrule = "math", interval.type = "mean")`` (Woodruff)

Variance is linearised (:mod:`analysis.linearization`) or, for a design with replicate
weights, the replicate formula (:mod:`analysis.replicates`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from analysis.design import Design, degrees_of_freedom
from analysis.errors import SurveyError
from analysis.intervals import proportion_interval, t_quantile, wald_interval
from analysis.linearization import linearized_variance

STATISTICS = ("mean", "total", "proportion", "quantile")
CHUNK = 8  # influence columns held in memory at once (8 x rows float64)


@dataclass(frozen=True)
class Estimate:
    """One estimate with its standard error, interval and degrees of freedom.

    ``n`` counts the rows used (positive weight, outcome present); ``population`` is the
    sum of their weights; ``deff`` is R's ``deff = TRUE`` figure (SRS without replacement).
    A figure that does not exist is ``None``.
    """

    statistic: str
    estimate: float | None
    se: float | None
    df: int
    n: int
    population: float
    ci_low: float | None
    ci_high: float | None
    level: float
    ci_method: str
    deff: float | None = None
    variance_method: str = "linearization"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _clean(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _values(y: Any, design: Design, name: str) -> np.ndarray:
    arr = np.asarray(y, dtype=np.float64)
    if arr.shape != (design.n,):
        raise SurveyError(f"column '{name}' has {arr.size} rows, the design {design.n}")
    if np.isinf(arr).any():
        i = int(np.flatnonzero(np.isinf(arr))[0]) + 1
        raise SurveyError(f"column '{name}' is infinite in row {i}")
    return arr


def check_indicator(y: np.ndarray, name: str = "indicator") -> None:
    """Raise unless every non-missing value is 0 or 1 (naming the first bad row)."""
    bad = ~np.isnan(y) & (y != 0) & (y != 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SurveyError(f"column '{name}' must be 0 or 1; row {i + 1} has {y[i]:g}")


def _rows_matrix(valid: np.ndarray, domains: list[np.ndarray | None]) -> list[np.ndarray]:
    return [valid if d is None else (valid & d) for d in domains]


def _moments(
    design: Design, y0: np.ndarray, rows: np.ndarray, statistic: str, z: np.ndarray
) -> tuple[float, float, int, float | None]:
    """Estimate, weight sum, nobs and SRS variance for one set of rows; writes the influence
    values into ``z``."""
    w = design.weights
    wd = np.where(rows, w, 0.0)
    W = float(wd.sum())
    nobs = int(np.count_nonzero(wd))
    swy = float(np.dot(wd, y0))
    if statistic == "total":
        est = swy
        np.multiply(wd, y0, out=z)
    else:
        est = swy / W if W > 0 else math.nan
        if W > 0:
            np.subtract(y0, est, out=z)
            z *= wd
            z /= W
        else:
            z[:] = 0.0
    # deff denominator: svyvar = n/(n-1) * sum w (y - ybar)^2 / sum w
    vsrs = None
    if nobs > 1 and nobs <= W:
        ybar = swy / W
        d = y0 - ybar
        d *= d
        svyvar = nobs / (nobs - 1) * float(np.dot(wd, d)) / W
        vsrs = svyvar * (W - nobs) / (W * nobs)
        if statistic == "total":
            vsrs *= W * W
    return est, W, nobs, vsrs


def estimate_many(
    design: Design,
    y: Any,
    domains: list[np.ndarray | None],
    *,
    statistic: str = "mean",
    ci: str = "wald",
    level: float = 0.95,
    name: str = "y",
) -> list[Estimate]:
    """Mean, total or proportion of ``y`` over each domain mask (``None`` = whole sample).

    All domains share one pass over the linearisation core (chunked), which is how the
    domain table of a million rows stays well under a second.
    """
    if statistic not in ("mean", "total", "proportion"):
        raise SurveyError(f"unknown statistic {statistic!r}")
    if not 0 < level < 1:
        raise SurveyError("the confidence level must be between 0 and 1")
    arr = _values(y, design, name)
    if statistic == "proportion":
        check_indicator(arr, name)
    valid = ~np.isnan(arr)
    y0 = np.where(valid, arr, 0.0)
    rows_list = _rows_matrix(valid, domains)
    out: list[Estimate] = []
    if design.replicates is not None:
        from analysis.replicates import replicate_estimates

        return replicate_estimates(design, y0, rows_list, statistic, ci, level)
    for start in range(0, len(rows_list), CHUNK):
        chunk = rows_list[start : start + CHUNK]
        z = np.empty((len(chunk), design.n))
        parts = [_moments(design, y0, r, statistic, z[j]) for j, r in enumerate(chunk)]
        var = linearized_variance(design, z, rows=chunk, overwrite=True)
        del z
        for r, (est, W, nobs, vsrs), v in zip(chunk, parts, var, strict=True):
            se = math.sqrt(v) if math.isfinite(v) and v >= 0 else None
            deff = v / vsrs if vsrs and math.isfinite(v) else None
            out.append(
                _finish(
                    statistic,
                    est,
                    se,
                    degrees_of_freedom(design, r),
                    nobs,
                    W,
                    ci,
                    level,
                    deff,
                    n_rows=_nrow(design, r),
                )
            )
    return out


def _nrow(design: Design, rows: np.ndarray) -> int:
    """R's ``nrow(subset(design, ...))``: the subset's rows, or all rows when calibrated."""
    return design.n if design.calibrations else int(np.count_nonzero(rows))


def _finish(
    statistic: str,
    est: float,
    se: float | None,
    df: int,
    n: int,
    population: float,
    ci: str,
    level: float,
    deff: float | None,
    *,
    n_rows: int | None = None,
    variance_method: str = "linearization",
) -> Estimate:
    if statistic == "proportion":
        low, high = proportion_interval(est, se, df, ci, level, n_rows=n_rows)
        method = ci
    else:
        low, high = wald_interval(est, se, df, level)
        method = "wald"
    return Estimate(
        statistic=statistic,
        estimate=_clean(est),
        se=_clean(se) if se is not None else None,
        df=int(df),
        n=int(n),
        population=float(population),
        ci_low=low,
        ci_high=high,
        level=level,
        ci_method=method,
        deff=_clean(deff) if deff is not None else None,
        variance_method=variance_method,
    )


def mean(
    design: Design,
    y: Any,
    *,
    domain: np.ndarray | None = None,
    level: float = 0.95,
    name: str = "y",
) -> Estimate:
    """Weighted mean sum(w y)/sum(w) with linearised SE and t interval on the design df
    (R: ``svymean(~y, design, na.rm = TRUE, deff = TRUE)``, ``confint(., df = degf)``)."""
    return estimate_many(design, y, [domain], statistic="mean", level=level, name=name)[0]


def total(
    design: Design,
    y: Any,
    *,
    domain: np.ndarray | None = None,
    level: float = 0.95,
    name: str = "y",
) -> Estimate:
    """Weighted total sum(w y) with linearised SE (R: ``svytotal(~y, design, deff = TRUE)``)."""
    return estimate_many(design, y, [domain], statistic="total", level=level, name=name)[0]


def proportion(
    design: Design,
    y: Any,
    *,
    domain: np.ndarray | None = None,
    ci: str = "logit",
    level: float = 0.95,
    name: str = "indicator",
) -> Estimate:
    """Share of a 0/1 indicator, sum(w y)/sum(w) (a ratio estimator), with R's
    ``svyciprop(~y, design, method = ci)`` interval on the design df (default logit)."""
    return estimate_many(
        design, y, [domain], statistic="proportion", ci=ci, level=level, name=name
    )[0]


def _cumsum_ld(w: np.ndarray) -> np.ndarray:
    # R accumulates sums in long double; do the same so ties at p exactly agree
    return np.cumsum(w.astype(np.longdouble)).astype(np.float64)


def _qrule_math(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """R's ``qrule_math``: the smallest x whose weighted cdf reaches p (zero weights out)."""
    keep = w != 0
    x, w = x[keep], w[keep]
    order = np.argsort(x, kind="stable")
    xs = x[order]
    cumw = _cumsum_ld(w[order])
    total_w = float(np.sum(w.astype(np.longdouble)))
    below = np.flatnonzero(cumw <= p * total_w)
    pos = int(below[-1]) if below.size else 0  # R's last(): 1 when none
    if p - cumw[pos] / total_w == 0:
        return float(xs[pos])
    return float(xs[min(pos + 1, xs.size - 1)])


def quantile(
    design: Design,
    y: Any,
    p: float = 0.5,
    *,
    domain: np.ndarray | None = None,
    level: float = 0.95,
    name: str = "y",
) -> Estimate:
    """Weighted quantile, R's ``svyquantile(~y, design, p, qrule = "math",
    interval.type = "mean", na.rm = TRUE)``: the smallest y whose weighted distribution
    function reaches p; Woodruff interval: F = svymean(y <= q) with its Wald t interval
    (design df) mapped back through the same rule; SE = (high - low) / (2 qt(1 - alpha/2, df)).
    """
    if not 0 < p < 1:
        raise SurveyError("the quantile must be strictly between 0 and 1")
    arr = _values(y, design, name)
    valid = ~np.isnan(arr)
    rows = valid if domain is None else valid & domain
    if design.replicates is not None:
        raise SurveyError("quantiles with replicate weights are not supported; use linearisation")
    wd = np.where(rows, design.weights, 0.0)
    if not (wd > 0).any():
        raise SurveyError(f"column '{name}' has no value with a positive weight")
    xs = arr[rows]
    ws = design.weights[rows]
    q = _qrule_math(xs, ws, p)
    ind = np.where(rows, (np.where(valid, arr, np.inf) <= q).astype(np.float64), 0.0)
    f_est = estimate_many(design, ind, [rows], statistic="mean", level=level, name=name)[0]
    df = degrees_of_freedom(design, rows)
    low = high = se = None
    if f_est.se is not None and f_est.estimate is not None and df > 0:
        tq = t_quantile(1 - (1 - level) / 2, df)
        pl = f_est.estimate - tq * f_est.se
        ph = f_est.estimate + tq * f_est.se
        low = _qrule_math(xs, ws, pl) if pl >= 0 else None
        high = _qrule_math(xs, ws, ph) if ph <= 1 else None
        if low is not None and high is not None:
            se = (high - low) / (2 * tq)
    return Estimate(
        statistic="quantile",
        estimate=q,
        se=se,
        df=df,
        n=int(np.count_nonzero(wd)),
        population=float(wd.sum()),
        ci_low=low,
        ci_high=high,
        level=level,
        ci_method="woodruff",
    )
