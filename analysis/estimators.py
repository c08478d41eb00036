"""Estimators: pure functions of a design returning small frozen results.

Each works on a set of rows (the whole sample or a domain): rows outside it, and rows whose
outcome is missing (R's ``na.rm = TRUE``), get a zero influence value but stay in the
design, so every PSU keeps its place in the variance (R's subsetting).

* mean   ybar = sum w y / sum w;        z_i = w_i (y_i - ybar) / sum w   (R ``svymean``)
* total  Y = sum w y;                   z_i = w_i y_i                    (R ``svytotal``)
* proportion: the mean of a 0/1 indicator (a ratio estimator), with ``svyciprop`` intervals
* quantile: R ``svyquantile(qrule = "math", interval.type = "mean")`` (Woodruff)

Variance is linearised (:mod:`analysis.linearization`) or, for a design with replicate
weights, the replicate formula (:mod:`analysis.replicates`).  The core,
:func:`group_estimates`, estimates every domain of a breakdown at once, O(rows + domains);
the one-domain functions call it with a single domain.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from analysis.design import Design
from analysis.errors import NonFiniteError, SurveyError
from analysis.intervals import proportion_intervals, t_quantile, wald_intervals
from analysis.linearization import group_keys, grouped_variance
from analysis.options import CIMethod, Statistic, parse


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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Estimate:
        """The inverse of :meth:`to_dict`."""
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def group_influence(
    design: Design,
    y0: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    statistic: str,
    name: str = "y",
    *,
    influence: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Estimates, weight sums and influence values of ``n_groups`` domains at once.

    ``groups`` gives each row's domain (-1: none; rows without an outcome must be -1) and
    ``y0`` the outcome (0 where missing).  Returns (estimate per domain, sum of weights per
    domain, z) with z_i = w_i y_i for a total and w_i (y_i - ybar_g) / W_g for a mean or
    proportion, each row's value for its own domain and 0 outside every domain (``None``
    unless ``influence``).  An estimate that overflows is refused (:class:`NonFiniteError`).
    """
    w = design.weights
    inside = groups >= 0
    g = groups[inside]
    wi = w[inside]
    wy = wi * y0[inside]
    W = np.bincount(g, weights=wi, minlength=n_groups)
    T = np.bincount(g, weights=wy, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = T if statistic == "total" else np.where(W > 0, T / W, np.nan)
    z = None
    if influence:
        z = np.zeros(design.n)
        if statistic == "total":
            z[inside] = wy
        else:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                z[inside] = np.where(W[g] > 0, wi * (y0[inside] - est[g]) / W[g], 0.0)
    if ((W > 0) & ~np.isfinite(est)).any() or (z is not None and not np.isfinite(z).all()):
        raise NonFiniteError(
            f"the {statistic} of column '{name}' overflows (its values are too large to "
            "add up in double precision)",
            what=f"{statistic} of {name}",
        )
    return est, W, z


def domain_df(design: Design, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """R's ``degf(subset(design, domain))`` of every domain at once: PSUs minus strata with
    a nonzero weight among the domain's rows (``groups`` as in :func:`group_influence`)."""
    keep = (groups >= 0) & (design.weights != 0)
    g = groups[keep]
    _, gp = group_keys(g * design.n_psus + design.psu[keep], n_groups * design.n_psus)
    _, gh = group_keys(g * design.n_strata + design.strata[keep], n_groups * design.n_strata)
    return np.bincount(gp // design.n_psus, minlength=n_groups) - np.bincount(
        gh // design.n_strata, minlength=n_groups
    )


def _srs_variance(
    design: Design,
    y0: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    est_mean: np.ndarray,
    W: np.ndarray,
    nobs: np.ndarray,
    statistic: str,
) -> np.ndarray:
    """The deff denominator per domain: svyvar * (W - n) / (W n) (times W^2 for a total),
    svyvar = n/(n-1) sum w (y - ybar)^2 / sum w; NaN where R has none (n < 2 or n > W)."""
    inside = groups >= 0
    g = groups[inside]
    wi = design.weights[inside]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = y0[inside] - est_mean[g]
        ss = np.bincount(g, weights=wi * d * d, minlength=n_groups)
        svyvar = nobs / (nobs - 1) * ss / W
        vsrs = svyvar * (W - nobs) / (W * nobs)
    if statistic == "total":
        vsrs = vsrs * W * W
    return np.where((nobs > 1) & (nobs <= W), vsrs, np.nan)


def estimate_groups(
    design: Design,
    y: Any,
    groups: np.ndarray,
    n_groups: int,
    *,
    statistic: str = "mean",
    ci: str = "wald",
    level: float = 0.95,
    name: str = "y",
) -> list[Estimate]:
    """:func:`group_estimates` as one :class:`Estimate` per domain."""
    return group_estimates(
        design, y, groups, n_groups, statistic=statistic, ci=ci, level=level, name=name
    ).rows()


def group_estimates(
    design: Design,
    y: Any,
    groups: np.ndarray,
    n_groups: int,
    *,
    statistic: str = "mean",
    ci: str = "wald",
    level: float = 0.95,
    name: str = "y",
) -> EstimateColumns:
    """Mean, total or proportion of ``y`` in each of ``n_groups`` domains (``groups`` gives
    each row's domain, -1 for none), all in one pass: O(rows + domains).

    Rows with a missing outcome leave every domain (R's ``na.rm = TRUE``) but keep their
    PSU; the variance is linearised (:func:`analysis.linearization.grouped_variance`) or,
    for a replicate design, the replicate formula.
    """
    statistic = parse(Statistic, statistic, "the statistic")
    if statistic is Statistic.QUANTILE:
        raise SurveyError("use quantile() for quantiles")
    ci = parse(CIMethod, ci, "the interval method")
    if not 0 < level < 1:
        raise SurveyError("the confidence level must be between 0 and 1")
    arr = _values(y, design, name)
    if statistic == "proportion":
        check_indicator(arr, name)
    valid = ~np.isnan(arr)
    y0 = np.where(valid, arr, 0.0)
    groups = np.where(valid, np.asarray(groups, np.int64), -1)
    if design.replicates is not None:
        from analysis.replicates import replicate_groups

        return replicate_groups(design, y0, groups, n_groups, statistic, ci, level, name)
    est, W, z = group_influence(design, y0, groups, n_groups, statistic, name)
    with np.errstate(over="ignore", invalid="ignore"):
        var = grouped_variance(design, z, groups, n_groups)
    inside = groups >= 0
    nonzero = inside & (design.weights != 0)
    nobs = np.bincount(groups[nonzero], minlength=n_groups)
    nrows = np.bincount(groups[inside], minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mean_est = est if statistic != "total" else np.where(W > 0, est / W, np.nan)
        vsrs = _srs_variance(design, y0, groups, n_groups, mean_est, W, nobs, statistic)
    if np.isinf(var).any() or np.isinf(vsrs).any():
        raise NonFiniteError(
            f"the variance of the {statistic} of column '{name}' overflows (its values are "
            "too large to square in double precision)",
            what=f"variance of {name}",
        )
    df = domain_df(design, groups, n_groups)
    ok = np.isfinite(var) & (var >= 0)
    se = np.where(ok, np.sqrt(np.where(ok, var, 0.0)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = np.where(np.isfinite(vsrs) & (vsrs != 0) & np.isfinite(var), var / vsrs, np.nan)
    n_rows = np.full(n_groups, design.n) if design.calibrations else nrows
    return estimate_columns(statistic, est, se, df, nobs, W, ci, level, deff, n_rows)


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
    """Mean, total or proportion of ``y`` over each domain mask (``None`` = whole sample);
    the masks may overlap.  One :func:`estimate_groups` pass per mask."""
    out: list[Estimate] = []
    for dom in domains:
        groups = np.zeros(design.n, np.int64) if dom is None else np.where(dom, 0, -1)
        out += estimate_groups(
            design, y, groups, 1, statistic=statistic, ci=ci, level=level, name=name
        )
    return out


def _listed(values: np.ndarray) -> tuple[float | None, ...]:
    arr = np.asarray(values, np.float64)
    out = arr.astype(object)
    out[~np.isfinite(arr)] = None
    return tuple(out.tolist())


@dataclass(frozen=True)
class EstimateColumns:
    """The estimates of many domains as columns (``None`` where a figure does not exist):
    one object per breakdown instead of one per domain.  :meth:`rows` gives the
    :class:`Estimate` of each domain."""

    statistic: str
    level: float
    ci_method: str
    variance_method: str
    estimate: tuple[float | None, ...]
    se: tuple[float | None, ...]
    df: tuple[int, ...]
    n: tuple[int, ...]
    population: tuple[float, ...]
    ci_low: tuple[float | None, ...]
    ci_high: tuple[float | None, ...]
    deff: tuple[float | None, ...]

    def __len__(self) -> int:
        return len(self.estimate)

    def rows(self) -> list[Estimate]:
        """One :class:`Estimate` per domain, in order."""
        columns = zip(
            self.estimate, self.se, self.df, self.n, self.population, self.ci_low,
            self.ci_high, self.deff, strict=True,
        )  # fmt: skip
        return [
            Estimate(self.statistic, e, s, d, k, pop, lo, hi, self.level, self.ci_method, dfx,
                     self.variance_method)
            for e, s, d, k, pop, lo, hi, dfx in columns
        ]  # fmt: skip

    @classmethod
    def from_rows(cls, rows: list[Estimate]) -> EstimateColumns:
        """The columns of estimates made one by one (all of one statistic and method)."""
        first = rows[0]
        return cls(
            first.statistic, first.level, first.ci_method, first.variance_method,
            *(tuple(getattr(r, k) for r in rows) for k in
              ("estimate", "se", "df", "n", "population", "ci_low", "ci_high", "deff")),
        )  # fmt: skip


def estimate_columns(
    statistic: str,
    est: np.ndarray,
    se: np.ndarray,
    df: np.ndarray,
    n: np.ndarray,
    population: np.ndarray,
    ci: str,
    level: float,
    deff: np.ndarray,
    n_rows: np.ndarray,
    variance_method: str = "linearization",
) -> EstimateColumns:
    """Per-domain arrays (NaN: the figure does not exist) with the interval of each:
    ``svyciprop``'s for a proportion, the Wald t interval for the others."""
    if statistic == "proportion":
        method = parse(CIMethod, ci, "the interval method")
        low, high = proportion_intervals(est, se, df, method, level, n_rows=n_rows)
    else:
        method = CIMethod.WALD
        low, high = wald_intervals(est, se, df, level)
    return EstimateColumns(
        statistic=str(statistic),
        level=level,
        ci_method=method.value,
        variance_method=variance_method,
        estimate=_listed(est),
        se=_listed(se),
        df=tuple(np.asarray(df, np.int64).tolist()),
        n=tuple(np.asarray(n, np.int64).tolist()),
        population=tuple(np.asarray(population, np.float64).tolist()),
        ci_low=_listed(low),
        ci_high=_listed(high),
        deff=_listed(deff),
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


def _qrule_sorted(xs: np.ndarray, ws: np.ndarray, p: float) -> float:
    """R's ``qrule_math`` on values sorted ascending (stably) with nonzero weights: the
    smallest x whose weighted cdf reaches p."""
    cumw = _cumsum_ld(ws)
    total_w = float(np.sum(ws.astype(np.longdouble)))
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
    groups = np.zeros(design.n, np.int64) if domain is None else np.where(domain, 0, -1)
    return quantile_groups(design, y, groups, 1, p, level=level, name=name)[0]


def quantile_groups(
    design: Design,
    y: Any,
    groups: np.ndarray,
    n_groups: int,
    p: float = 0.5,
    *,
    level: float = 0.95,
    name: str = "y",
) -> list[Estimate]:
    """:func:`quantile` in each of ``n_groups`` domains (``groups`` as in
    :func:`estimate_groups`): one sort of the rows by (domain, y) and one
    :func:`estimate_groups` pass for the Woodruff intervals."""
    if not 0 < p < 1:
        raise SurveyError("the quantile must be strictly between 0 and 1")
    if design.replicates is not None:
        raise SurveyError("quantiles with replicate weights are not supported; use linearisation")
    arr = _values(y, design, name)
    valid = ~np.isnan(arr)
    groups = np.where(valid, np.asarray(groups, np.int64), -1)
    w = design.weights
    used = (groups >= 0) & (w != 0)
    order = np.flatnonzero(used)
    order = order[np.lexsort((arr[order], groups[order]))]
    bounds = np.searchsorted(groups[order], np.arange(n_groups + 1))
    empty = bounds[1:] == bounds[:-1]
    if empty.any():
        raise SurveyError(f"column '{name}' has no value with a positive weight")
    xs_all, ws_all = arr[order], w[order]
    slices = [slice(bounds[j], bounds[j + 1]) for j in range(n_groups)]
    q = np.array([_qrule_sorted(xs_all[sl], ws_all[sl], p) for sl in slices])
    inside = groups >= 0
    ind = np.zeros(design.n)
    ind[inside] = (arr[inside] <= q[groups[inside]]).astype(np.float64)
    f_est = estimate_groups(design, ind, groups, n_groups, statistic="mean", level=level, name=name)
    nobs = np.bincount(groups[used], minlength=n_groups)
    pop = np.bincount(groups[used], weights=w[used], minlength=n_groups)
    out = []
    for j, sl in enumerate(slices):
        fe = f_est[j]
        low = high = se = None
        if fe.se is not None and fe.estimate is not None and fe.df > 0:
            tq = t_quantile(1 - (1 - level) / 2, fe.df)
            pl = fe.estimate - tq * fe.se
            ph = fe.estimate + tq * fe.se
            low = _qrule_sorted(xs_all[sl], ws_all[sl], pl) if pl >= 0 else None
            high = _qrule_sorted(xs_all[sl], ws_all[sl], ph) if ph <= 1 else None
            if low is not None and high is not None:
                se = (high - low) / (2 * tq)
        out.append(
            Estimate(
                statistic="quantile",
                estimate=float(q[j]),
                se=se,
                df=fe.df,
                n=int(nobs[j]),
                population=float(pop[j]),
                ci_low=low,
                ci_high=high,
                level=level,
                ci_method="woodruff",
            )
        )
    return out
