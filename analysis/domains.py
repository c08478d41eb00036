"""Domain estimates (R's ``svyby``) and differences between domains or survey years.

A domain is a set of rows; its estimate uses the whole design with zero influence values
outside the domain (R's ``subset()`` keeps every PSU), so domain standard errors are right.
Degrees of freedom of a domain are ``degf(subset(design, domain))``.  The figures come from
the estimators (:func:`analysis.estimators.estimate_groups` computes every domain of a
breakdown in one pass); this module only forms the domains and the differences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.design import Design, Factor, degrees_of_freedom
from analysis.errors import SurveyError
from analysis.estimators import (
    Estimate,
    _values,
    check_indicator,
    estimate_groups,
    group_influence,
    quantile_groups,
)
from analysis.intervals import wald_interval
from analysis.linearization import group_keys, linearized_variance
from analysis.options import Statistic, parse


@dataclass(frozen=True)
class DomainEstimate:
    """The estimate for one domain: ``levels`` holds one level (text) per ``by`` variable."""

    variables: tuple[str, ...]
    levels: tuple[str, ...]
    estimate: Estimate


def domain_codes(factors: Sequence[Factor], design: Design) -> tuple[np.ndarray, list[tuple]]:
    """Cross-classify the ``by`` factors: (domain code per row or -1, level tuples).

    As ``svyby`` does, a domain exists when it has a row with a nonzero weight; rows with a
    missing ``by`` value belong to no domain.
    """
    code = np.zeros(design.n, np.int64)
    missing = np.zeros(design.n, bool)
    sizes = [max(len(fac.levels), 1) for fac in factors]
    for fac, size in zip(factors, sizes, strict=True):
        code = code * size + np.maximum(fac.codes, 0)
        missing |= fac.missing
    member = ~missing
    _, present = group_keys(code[member & (design.weights != 0)], math.prod(sizes))
    out = np.full(design.n, -1, np.int64)
    if len(present):
        mapped = np.minimum(np.searchsorted(present, code), len(present) - 1)
        hit = member & (present[mapped] == code)
        out[hit] = mapped[hit]
    parts = []
    rest = present.copy()
    for fac, size in zip(reversed(factors), reversed(sizes), strict=True):
        parts.append(np.asarray(fac.levels, dtype=object)[rest % size] if fac.levels else
                     np.full(rest.size, "", dtype=object))
        rest //= size
    labels = list(zip(*reversed(parts), strict=True)) if parts else []
    return out, labels


def by(
    design: Design,
    y: Any,
    factors: Sequence[Factor],
    variables: Sequence[str],
    *,
    statistic: str = "proportion",
    ci: str = "logit",
    level: float = 0.95,
    p: float = 0.5,
    name: str = "y",
) -> list[DomainEstimate]:
    """Estimates by the cross-classification of one or more categorical variables
    (R: ``svyby(~y, ~a+b, design, svymean | svytotal | svyciprop | svyquantile)``), each with
    the domain's own degrees of freedom."""
    if len(factors) != len(variables) or not factors:
        raise SurveyError("give one name per 'by' variable")
    codes, labels = domain_codes(factors, design)
    if parse(Statistic, statistic, "the statistic") is Statistic.QUANTILE:
        ests = quantile_groups(design, y, codes, len(labels), p, level=level, name=name)
    else:
        ests = estimate_groups(
            design, y, codes, len(labels), statistic=statistic, ci=ci, level=level, name=name
        )
    return [
        DomainEstimate(tuple(variables), lab, est) for lab, est in zip(labels, ests, strict=True)
    ]


def domain_difference(
    design: Design,
    y: Any,
    domain_a: np.ndarray,
    domain_b: np.ndarray,
    *,
    statistic: str = "mean",
    level: float = 0.95,
    name: str = "y",
) -> Estimate:
    """Difference of two domain means/proportions/totals in one survey, estimate_a -
    estimate_b, with SE from the difference of their influence values (so the covariance
    through shared PSUs is included; R: ``svycontrast(svyby(...), c(1, -1))``) and a Wald t
    interval on the df of the two domains together."""
    if design.replicates is not None:
        raise SurveyError("domain differences need a linearised design")
    arr = _values(y, design, name)
    if statistic == "proportion":
        check_indicator(arr, name)
    valid = ~np.isnan(arr)
    y0 = np.where(valid, arr, 0.0)
    w = design.weights
    zs, ests = [], []
    for dom in (domain_a, domain_b):
        groups = np.where(valid & dom, 0, -1)
        est, W, z = group_influence(design, y0, groups, 1, statistic, name)
        if W[0] <= 0:
            raise SurveyError("a domain of the difference has no row with a positive weight")
        zs.append(z)
        ests.append(float(est[0]))
    rows = valid & (domain_a | domain_b)
    var = float(linearized_variance(design, zs[0] - zs[1], rows=rows)[0])
    se = math.sqrt(var) if math.isfinite(var) and var >= 0 else None
    df = degrees_of_freedom(design, rows)
    diff = ests[0] - ests[1]
    low, high = wald_interval(diff, se, df, level)
    return Estimate(
        statistic=f"difference of {statistic}s",
        estimate=diff,
        se=se,
        df=df,
        n=int(np.count_nonzero(rows & (w > 0))),
        population=float(w[rows].sum()),
        ci_low=low,
        ci_high=high,
        level=level,
        ci_method="wald",
    )


def independent_difference(a: Estimate, b: Estimate, *, level: float = 0.95) -> Estimate:
    """Difference a - b of estimates from two independent surveys (e.g. two years):
    SE = sqrt(se_a^2 + se_b^2), df = df_a + df_b (the df of the two designs stacked with
    year-specific strata), Wald t interval."""
    if a.estimate is None or b.estimate is None:
        raise SurveyError("both estimates must exist to take their difference")
    se = None
    if a.se is not None and b.se is not None:
        se = math.sqrt(a.se**2 + b.se**2)
    df = a.df + b.df
    diff = a.estimate - b.estimate
    low, high = wald_interval(diff, se, df, level)
    return Estimate(
        statistic=f"difference of {a.statistic}s",
        estimate=diff,
        se=se,
        df=df,
        n=a.n + b.n,
        population=a.population + b.population,
        ci_low=low,
        ci_high=high,
        level=level,
        ci_method="wald",
    )
