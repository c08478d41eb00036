"""Confidence intervals (R's ``confint.svystat`` and ``svyciprop``) and t quantiles.

Student's t for whole-number degrees of freedom is plain Python (:mod:`analysis.tdist`), so
the default path never imports scipy (``scipy.special`` alone costs about 0.3 s of start-up);
``scipy.special`` is imported lazily only for the beta (Korn-Graubard) interval's
``betaincinv`` and for t with fractional df.
A figure that does not exist is ``None``: a proportion's interval when its SE is 0 (the
share is exactly 0 or 1, where logit, beta and Wilson are undefined), any interval when the
SE is undefined or the degrees of freedom are not positive.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from analysis import tdist
from analysis.options import CIMethod, parse


def t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t (R's ``qt(p, df)``); the normal quantile when df is infinite.

    Whole-number df (the only kind a design has) are computed in plain Python
    (:mod:`analysis.tdist`, equal to ``scipy.special.stdtrit`` to 1e-12); other df use scipy.
    """
    if math.isnan(p) or math.isnan(df):
        return math.nan
    if math.isinf(df):
        if not 0 < p < 1:
            return -math.inf if p == 0 else math.inf if p == 1 else math.nan
        from statistics import NormalDist

        return NormalDist().inv_cdf(p)
    if not df > 0:
        return math.nan
    if tdist.is_whole_df(df):
        try:
            return tdist.quantile(p, df)
        except tdist.NotConverged:  # pragma: no cover - extreme tails only
            pass
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


def t_cdf(t: float, df: float) -> float:
    """Distribution function of Student's t (R's ``pt(t, df)``); plain Python for
    whole-number df (equal to ``scipy.special.stdtr`` to 1e-12), scipy otherwise."""
    if math.isnan(t) or math.isnan(df):
        return math.nan
    if math.isinf(df):
        return 0.5 * math.erfc(-t / math.sqrt(2.0))
    if tdist.is_whole_df(df):
        try:
            return tdist.cdf(t, df)
        except tdist.NotConverged:  # pragma: no cover
            pass
    from scipy.special import stdtr

    return float(stdtr(df, t))


def t_quantiles(p: float, df: np.ndarray) -> np.ndarray:
    """:func:`t_quantile` for an array of df (each distinct df computed once)."""
    df = np.asarray(df, np.float64)
    uniq, inv = np.unique(df, return_inverse=True)
    q = np.array([_t_quantile_cached(float(p), float(d)) for d in uniq])
    return q[inv.reshape(df.shape)] if uniq.size else np.empty(df.shape)


@functools.lru_cache(maxsize=4096)
def _t_quantile_cached(p: float, df: float) -> float:
    return t_quantile(p, df)


def _nan(x: float | None) -> float:
    return math.nan if x is None else float(x)


def _none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def wald_intervals(
    estimate: np.ndarray, se: np.ndarray, df: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`wald_interval` for arrays (NaN se: no figure); NaN where there is no interval."""
    est = np.asarray(estimate, np.float64)
    se = np.asarray(se, np.float64)
    df = np.asarray(df, np.float64)
    ok = np.isfinite(se) & (se >= 0) & (df > 0) & np.isfinite(est)
    q = np.where(ok, t_quantiles(1 - (1 - level) / 2, np.where(ok, df, 1.0)), np.nan)
    with np.errstate(invalid="ignore", over="ignore"):
        low, high = est - q * se, est + q * se
    bad = ~ok
    low[bad | ~np.isfinite(low)] = np.nan
    high[bad | ~np.isfinite(high)] = np.nan
    return low, high


def wald_interval(
    estimate: float, se: float | None, df: float, level: float = 0.95
) -> tuple[float | None, float | None]:
    """estimate -/+ qt(1 - alpha/2, df) * se (R: ``confint(svymean(...), df = degf(design))``).

    As R's ``confint``, an SE of exactly 0 gives the degenerate interval [estimate, estimate];
    an undefined SE or df <= 0 gives no interval.
    """
    low, high = wald_intervals(np.array([estimate], float), np.array([_nan(se)]),
                               np.array([df], float), level)
    return _none(low[0]), _none(high[0])


def _expit(eta: np.ndarray) -> np.ndarray:
    # R's survey:::expit, exp(eta) / (1 + exp(eta)), kept for last-digit agreement
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.minimum(eta, 700.0))
        return np.where(eta > 700, 1.0, e / (1 + e))


def proportion_intervals(
    p: np.ndarray,
    se: np.ndarray,
    df: np.ndarray,
    method: str | CIMethod = CIMethod.LOGIT,
    level: float = 0.95,
    n_rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`proportion_interval` for arrays of proportions (NaN se: no figure; NaN in the
    result where there is no interval)."""
    method = parse(CIMethod, method, "the interval method")
    p = np.asarray(p, np.float64)
    se = np.asarray(se, np.float64)
    df = np.asarray(df, np.float64)
    nan = np.full(p.shape, np.nan)
    usable = np.isfinite(se) & (se > 0) & (df > 0) & (p > 0) & (p < 1)
    if method == "wald":
        low, high = wald_intervals(p, se, df, level)
        return np.where(usable, low, nan), np.where(usable, high, nan)
    alpha = 1 - level
    pp = np.where(usable, p, 0.5)
    ss = np.where(usable, se, 1.0)
    dd = np.where(usable, df, 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "logit":
            q = t_quantiles(1 - alpha / 2, dd)
            eta = np.log(pp / (1 - pp))
            half = q * ss / (pp * (1 - pp))
            low, high = _expit(eta - half), _expit(eta + half)
        elif method == "wilson":
            z = t_quantiles(1 - alpha / 2, dd)
            n_eff = pp * (1 - pp) / ss**2
            centre = (pp + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
            half = z * np.sqrt(pp * (1 - pp) / n_eff + z * z / (4 * n_eff**2)) / (
                1 + z * z / n_eff
            )
            low, high = centre - half, centre + half
        else:  # beta
            if n_rows is None:
                return nan, nan.copy()
            rows = np.asarray(n_rows, np.float64)
            usable &= rows >= 2
            rr = np.where(usable, rows, 2.0)
            if not usable.any():
                return nan, nan.copy()
            from scipy.special import betaincinv

            n_eff = pp * (1 - pp) / ss**2
            n_eff = n_eff * (t_quantiles(alpha / 2, rr - 1) / t_quantiles(alpha / 2, dd)) ** 2
            low = betaincinv(n_eff * pp, n_eff * (1 - pp) + 1, alpha / 2)
            high = betaincinv(n_eff * pp + 1, n_eff * (1 - pp), 1 - alpha / 2)
    keep = usable & np.isfinite(low)
    keep_high = usable & np.isfinite(high)
    return np.where(keep, low, nan), np.where(keep_high, high, nan)


def proportion_interval(
    p: float,
    se: float | None,
    df: float,
    method: str | CIMethod = CIMethod.LOGIT,
    level: float = 0.95,
    n_rows: int | None = None,
) -> tuple[float | None, float | None]:
    """Interval for a proportion p with design SE ``se`` and ``df`` degrees of freedom.

    * ``logit`` (default; R ``svyciprop(method = "logit")``, also accepted as ``xlogit``,
      R's "xlogit", which is the same interval for a mean: see :mod:`analysis.options`):
      expit(logit(p) -/+ t * se / (p (1 - p))), t = qt(1 - alpha/2, df).
    * ``wald`` (R "mean"): p -/+ t * se.
    * ``beta`` (Korn-Graubard, R "beta"): n_eff = p (1 - p) / se^2 * (qt(alpha/2, n - 1) /
      qt(alpha/2, df))^2 with n = ``n_rows`` (R's ``nrow(design)``), then
      [qbeta(alpha/2, n_eff p, n_eff (1 - p) + 1), qbeta(1 - alpha/2, n_eff p + 1,
      n_eff (1 - p))].
    * ``wilson`` (survey 4.5 ``svyciprop(method = "wilson")``): Wilson's score interval with
      n_eff = p (1 - p) / se^2 and z = qt(1 - alpha/2, df):
      (p + z^2/(2 n_eff) -/+ z sqrt(p (1 - p)/n_eff + z^2/(4 n_eff^2))) / (1 + z^2/n_eff).

    No interval (``None``) when the SE is undefined or 0, df <= 0, or p is 0 or 1.
    """
    rows = None if n_rows is None else np.array([n_rows], float)
    low, high = proportion_intervals(
        np.array([_nan(p)]), np.array([_nan(se)]), np.array([df], float), method, level, rows
    )
    return _none(low[0]), _none(high[0])
