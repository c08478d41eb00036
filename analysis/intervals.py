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

import math

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


def _usable(se: float | None, df: float) -> bool:
    return se is not None and math.isfinite(se) and se > 0 and df > 0


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def wald_interval(
    estimate: float, se: float | None, df: float, level: float = 0.95
) -> tuple[float | None, float | None]:
    """estimate -/+ qt(1 - alpha/2, df) * se (R: ``confint(svymean(...), df = degf(design))``).

    As R's ``confint``, an SE of exactly 0 gives the degenerate interval [estimate, estimate];
    an undefined SE or df <= 0 gives no interval.
    """
    if se is None or not math.isfinite(se) or se < 0 or not df > 0 or not math.isfinite(estimate):
        return None, None
    assert se is not None
    q = t_quantile(1 - (1 - level) / 2, df)
    return _finite(estimate - q * se), _finite(estimate + q * se)


def _expit(eta: float) -> float:
    # R's survey:::expit, exp(eta) / (1 + exp(eta)), kept for last-digit agreement
    if eta > 700:
        return 1.0
    e = math.exp(eta)
    return e / (1 + e)


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
    """
    method = parse(CIMethod, method, "the interval method")
    if not _usable(se, df) or not 0 < p < 1:
        return None, None
    assert se is not None
    alpha = 1 - level
    if method == "wald":
        return wald_interval(p, se, df, level)
    if method == "logit":
        q = t_quantile(1 - alpha / 2, df)
        eta = math.log(p / (1 - p))
        half = q * se / (p * (1 - p))
        return _finite(_expit(eta - half)), _finite(_expit(eta + half))
    if method == "wilson":
        z = t_quantile(1 - alpha / 2, df)
        n_eff = p * (1 - p) / se**2
        centre = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
        half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff**2)) / (1 + z * z / n_eff)
        return _finite(centre - half), _finite(centre + half)
    from scipy.special import betaincinv

    if n_rows is None or n_rows < 2:
        return None, None
    n_eff = p * (1 - p) / se**2
    n_eff *= (t_quantile(alpha / 2, n_rows - 1) / t_quantile(alpha / 2, df)) ** 2
    low = betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2)
    high = betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2)
    return _finite(float(low)), _finite(float(high))
