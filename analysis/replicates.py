"""Replicate-weight variance: the second variance path, behind the same estimators.

A replicate design carries, per replicate r, weights w_ri; every estimator is recomputed
with them and V = scale * sum_r rscale_r (theta_r - centre)^2 (R's ``svrVar``; centre is the
mean of the replicates, or the full-sample estimate with ``mse=True``).

Replicates built from a design are stored as PSU-level multipliers a_pr of the full-sample
weights (w_ri = w_i a_{p(i) r}), so replicate estimates are (PSU totals) @ (multipliers):
100 bootstrap replicates of a million rows never materialise a million-by-100 matrix.

* JK1 (R ``as.svrepdesign(type = "JK1")``): drop one PSU at a time, others x n/(n-1);
  scale (n-1)/n times (1 - f) with an fpc.  Unstratified designs only.
* JKn (``type = "JKn"``): drop one PSU within its stratum, the stratum's others x
  n_h/(n_h-1); rscale_r = (n_h-1)/n_h (1 - f_h), scale 1; lonely strata as R's ``jknweights``.
* bootstrap: Rao-Wu rescaling bootstrap with m_h = n_h - 1 PSUs drawn with replacement per
  stratum (R's ``type = "subbootstrap"``): a_pr = n_h/(n_h-1) * (times drawn);
  scale 1/(R-1); draws from the ``numpy.random.Generator`` you pass.
* user-supplied full replicate weights (``svrepdesign(type = "other" | "bootstrap" | ...)``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.design import Design, ReplicateWeights
from analysis.errors import SurveyError

REPLICATE_TYPES = ("jk1", "jkn", "bootstrap")


def _certainty(design: Design) -> np.ndarray:
    if design.fpc_popsize is None:
        return np.zeros(design.n_strata, bool)
    return (design.fpc_popsize - design.n_psu) / design.fpc_popsize < 1e-7


def _fpc_factor(design: Design) -> np.ndarray:
    if design.fpc_popsize is None:
        return np.ones(design.n_strata)
    return (design.fpc_popsize - design.n_psu) / design.fpc_popsize


def jk1(design: Design) -> Design:
    """Delete-one-PSU jackknife for an unstratified design (R: ``type = "JK1"``)."""
    if design.n_strata > 1:
        raise SurveyError("JK1 needs an unstratified design; use JKn for a stratified one")
    n = design.n_psus
    if n < 2:
        raise SurveyError("the jackknife needs at least two PSUs")
    factors = np.full((n, n), n / (n - 1))
    np.fill_diagonal(factors, 0.0)
    scale = float(_fpc_factor(design)[0]) * (n - 1) / n
    rep = ReplicateWeights("jk1", scale, np.ones(n), factors=factors)
    return design.replace(replicates=rep)


def jkn(design: Design) -> Design:
    """Stratified delete-one-PSU jackknife (R: ``as.svrepdesign(type = "JKn")``)."""
    n_h = design.n_psu
    fpc = _fpc_factor(design)
    certain = _certainty(design)
    ps = design.psu_stratum
    P, H = design.n_psus, design.n_strata
    cols: list[np.ndarray] = []
    rscales: list[float] = []
    scale = 1.0
    for h in range(H):
        members = np.flatnonzero(ps == h)
        if n_h[h] == 1 and not certain[h]:
            rule = design.lonely_psu
            if rule == "fail":
                raise SurveyError(
                    f"stratum '{design.strata_labels[h]}' has only one PSU; choose a "
                    "lonely-PSU rule, e.g. --lonely-psu adjust"
                )
            if rule == "adjust":
                col = np.where(ps == h, 0.0, H / (H - 1))
                cols.append(col)
                rscales.append((H - 1) / H)
            continue
        for p in members:
            col = np.ones(P)
            col[members] = n_h[h] / (n_h[h] - 1)
            col[p] = 0.0
            cols.append(col)
            rscales.append(float(fpc[h]) * (n_h[h] - 1) / n_h[h])
    if not cols:
        raise SurveyError("every stratum is a certainty stratum: there is no sampling variance")
    if design.lonely_psu == "average" and len(cols) < P:
        scale = P / len(cols)
    rep = ReplicateWeights("jkn", scale, np.array(rscales), factors=np.stack(cols, axis=1))
    return design.replace(replicates=rep)


def bootstrap(design: Design, replicates: int = 100, *, rng: np.random.Generator) -> Design:
    """Rao-Wu rescaling bootstrap (m_h = n_h - 1) with ``replicates`` replicates drawn from
    ``rng`` (R: ``as.svrepdesign(type = "subbootstrap")``, scale 1/(R - 1))."""
    if not isinstance(rng, np.random.Generator):
        raise SurveyError("bootstrap needs an explicit numpy.random.Generator (rng=...)")
    if replicates < 2:
        raise SurveyError("the bootstrap needs at least two replicates")
    n_h = design.n_psu
    ps = design.psu_stratum
    factors = np.ones((design.n_psus, replicates))
    for h in range(design.n_strata):
        members = np.flatnonzero(ps == h)
        n = members.size
        if n == 1:
            if design.lonely_psu == "fail" and not _certainty(design)[h]:
                raise SurveyError(
                    f"stratum '{design.strata_labels[h]}' has only one PSU; choose a "
                    "lonely-PSU rule, e.g. --lonely-psu adjust"
                )
            continue  # a single PSU is kept as it is in every replicate
        draws = rng.integers(0, n, size=(replicates, n - 1))
        counts = np.zeros((replicates, n))
        np.add.at(counts, (np.repeat(np.arange(replicates), n - 1), draws.ravel()), 1.0)
        factors[members] = (counts * (n_h[h] / (n_h[h] - 1))).T
    rep = ReplicateWeights(
        "bootstrap", 1.0 / (replicates - 1), np.ones(replicates), factors=factors
    )
    return design.replace(replicates=rep)


def with_replicate_weights(
    design: Design,
    weights: Any,
    *,
    scale: float,
    rscales: Any = None,
    type: str = "other",
    mse: bool = False,
) -> Design:
    """Attach user-supplied full replicate weights (rows x R), R's ``svrepdesign``."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[0] != design.n:
        raise SurveyError("replicate weights must be a rows x replicates array")
    if not np.isfinite(w).all():
        i = int(np.flatnonzero(~np.isfinite(w).all(axis=1))[0]) + 1
        raise SurveyError(f"replicate weights are missing or not finite in row {i}")
    rs = np.ones(w.shape[1]) if rscales is None else np.asarray(rscales, np.float64)
    rep = ReplicateWeights(type, float(scale), rs, mse=mse, weights=w)
    return design.replace(replicates=rep)


def make_replicates(
    design: Design, kind: str, *, replicates: int = 100, rng: np.random.Generator | None = None
) -> Design:
    """Replicate design of type ``jk1``, ``jkn`` or ``bootstrap`` (as the CLI asks for it)."""
    if kind == "jk1":
        return jk1(design)
    if kind == "jkn":
        return jkn(design)
    if kind == "bootstrap":
        gen = rng if rng is not None else np.random.default_rng()
        return bootstrap(design, replicates, rng=gen)
    raise SurveyError(f"replicate type must be one of {', '.join(REPLICATE_TYPES)}")


def replicate_totals(design: Design, values: np.ndarray) -> np.ndarray:
    """sum_i w_ri * values_ki for every replicate -> (k, R)."""
    rep = design.replicates
    assert rep is not None
    vals = np.atleast_2d(values)
    if rep.weights is not None:
        return vals @ rep.weights
    assert rep.factors is not None
    w = design.weights
    if rep.cell_factors is not None:
        raise SurveyError("calibrated replicate designs are not supported")
    out = np.empty((vals.shape[0], rep.count))
    for j in range(vals.shape[0]):
        t = np.bincount(design.psu, weights=w * vals[j], minlength=design.n_psus)
        out[j] = t @ rep.factors
    return out


def replicate_variance(thetas: np.ndarray, full: np.ndarray, rep: ReplicateWeights) -> np.ndarray:
    """R's ``svrVar``: scale * sum_r rscales_r (theta_r - centre)^2, per row of ``thetas``."""
    centre = full if rep.mse else thetas[:, rep.rscales > 0].mean(axis=1)
    d = thetas - centre[:, None]
    return rep.scale * (d * d * rep.rscales).sum(axis=1)


def _replicate_deff(w: np.ndarray, y: np.ndarray, v: float, statistic: str) -> float | None:
    """R's deff for replicate designs: v / vsrs with vsrs = s2 / n * (N - n) / N for a mean
    (times N^2 for a total), s2 = n/(n-1) sum w (y - ybar)^2 / sum w over the n rows used
    (zero weights included, as R counts ``length(pweights)``), N = sum w."""
    n = w.size
    npop = float(w.sum())
    if npop <= 0:
        return None
    ybar = float(np.dot(w, y)) / npop
    d = y - ybar
    s2 = n / (n - 1) * float(np.dot(w, d * d)) / npop
    vsrs = s2 / n * (npop - n) / npop
    if statistic == "total":
        vsrs *= npop * npop
    if not vsrs or not math.isfinite(v):
        return None
    return v / vsrs


def replicate_estimates(
    design: Design,
    y0: np.ndarray,
    rows_list: list[np.ndarray],
    statistic: str,
    ci: str,
    level: float,
) -> list[Any]:
    """Mean/total/proportion per set of rows with replicate variance (R ``svymean`` on a
    ``svrepdesign``); the deff is R's replicate-design figure."""
    from analysis.design import degrees_of_freedom
    from analysis.estimators import _finish

    rep = design.replicates
    assert rep is not None
    w = design.weights
    out = []
    df = degrees_of_freedom(design)
    for rows in rows_list:
        r = rows.astype(np.float64)
        num = y0 * r
        tots = replicate_totals(design, np.stack([num, r]))
        W = float(np.dot(w, r))
        T = float(np.dot(w, num))
        if statistic == "total":
            full, thetas = T, tots[0]
        else:
            full = T / W if W > 0 else math.nan
            with np.errstate(divide="ignore", invalid="ignore"):
                thetas = tots[0] / tots[1]
        v = float(replicate_variance(thetas[None, :], np.array([full]), rep)[0])
        nobs = int(np.count_nonzero(w * r))
        se = math.sqrt(v) if math.isfinite(v) and v >= 0 else None
        nrow = int(np.count_nonzero(rows))
        deff = _replicate_deff(w[rows], y0[rows], v, statistic) if nrow > 1 else None
        out.append(
            _finish(
                statistic,
                full,
                se,
                df,
                nobs,
                W,
                ci,
                level,
                deff,
                n_rows=nrow,
                variance_method=rep.type,
            )
        )
    return out
