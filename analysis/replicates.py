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

A calibrated design's replicates are recalibrated, as R's ``calibrate`` does on a replicate
design: each replicate's weights (the pre-calibration weights times the replicate's PSU
multipliers) are raked to the same margins, so a raked margin's total has no replicate
variance.  Raking works on cells, so replicate r's weight of row i is
w0_i a_{p(i) r} g_{c(i) r}: one multiplier per (PSU, cell) unit and replicate
(:class:`analysis.design.Recalibrated`).  Replicate designs made before raking
(``rake(jkn(d), ...)``) are recalibrated by ``rake`` itself; user-supplied replicate weights
are raked column by column.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.design import Design, Recalibrated, ReplicateWeights, check_weight_range
from analysis.errors import NonFiniteError, SurveyError
from analysis.linearization import group_keys
from analysis.options import ReplicateType, parse


def _certainty(design: Design) -> np.ndarray:
    if design.fpc_popsize is None:
        return np.zeros(design.n_strata, bool)
    return (design.fpc_popsize - design.n_psu) / design.fpc_popsize < 1e-7


def _fpc_factor(design: Design) -> np.ndarray:
    if design.fpc_popsize is None:
        return np.ones(design.n_strata)
    return (design.fpc_popsize - design.n_psu) / design.fpc_popsize


def _attach(design: Design, rep: ReplicateWeights) -> Design:
    """The design with replicates ``rep``, recalibrated when the design is calibrated."""
    out = design.replace(replicates=rep)
    return recalibrate(out) if design.calibrations else out


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
    return _attach(design, ReplicateWeights(ReplicateType.JK1, scale, np.ones(n), factors=factors))


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
    rep = ReplicateWeights(
        ReplicateType.JKN, scale, np.array(rscales), factors=np.stack(cols, axis=1)
    )
    return _attach(design, rep)


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
        ReplicateType.BOOTSTRAP, 1.0 / (replicates - 1), np.ones(replicates), factors=factors
    )
    return _attach(design, rep)


def with_replicate_weights(
    design: Design,
    weights: Any,
    *,
    scale: float,
    rscales: Any = None,
    type: str | ReplicateType = ReplicateType.OTHER,
    mse: bool = False,
) -> Design:
    """Attach user-supplied full replicate weights (rows x R), R's ``svrepdesign``.  They
    are taken as final analysis weights (not recalibrated to the design's margins)."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[0] != design.n:
        raise SurveyError("replicate weights must be a rows x replicates array")
    if not np.isfinite(w).all():
        i = int(np.flatnonzero(~np.isfinite(w).all(axis=1))[0]) + 1
        raise SurveyError(f"replicate weights are missing or not finite in row {i}")
    if (w < 0).any():
        i = int(np.flatnonzero((w < 0).any(axis=1))[0]) + 1
        raise SurveyError(f"replicate weights are negative in row {i}")
    for r in range(w.shape[1]):
        check_weight_range(w[:, r], f"replicate weight column {r + 1}")
    if not (math.isfinite(scale) and scale > 0):
        raise SurveyError("the replicate scale must be a positive number")
    rs = np.ones(w.shape[1]) if rscales is None else np.asarray(rscales, np.float64)
    if rs.shape != (w.shape[1],):
        raise SurveyError("give one rscale per replicate")
    kind = parse(ReplicateType, type, "the replicate type")
    rep = ReplicateWeights(kind, float(scale), rs, mse=mse, weights=w)
    return design.replace(replicates=rep)


def make_replicates(
    design: Design,
    kind: str | ReplicateType,
    *,
    replicates: int = 100,
    rng: np.random.Generator | None = None,
) -> Design:
    """Replicate design of type ``jk1``, ``jkn`` or ``bootstrap`` (as the CLI asks for it)."""
    kind = parse(ReplicateType, kind, "the replicate type")
    if kind is ReplicateType.JK1:
        return jk1(design)
    if kind is ReplicateType.JKN:
        return jkn(design)
    if kind is ReplicateType.BOOTSTRAP:
        gen = rng if rng is not None else np.random.default_rng()
        return bootstrap(design, replicates, rng=gen)
    raise SurveyError("replicate weights of type 'other' come with the data")


# --- recalibration -----------------------------------------------------------------------


def _rake_replicate(step: Any, cell_w: np.ndarray, r: int) -> np.ndarray:
    """Raking factors per cell that take replicate ``r``'s cell totals to the margins."""
    from analysis.calibration import ipf_cells

    for k, (var, levels) in enumerate(zip(step.variables, step.levels, strict=True)):
        tot = np.bincount(step.margin_codes[k], weights=cell_w, minlength=len(levels))
        zero = np.flatnonzero(tot <= 0)
        if zero.size:
            raise SurveyError(
                f"replicate {r + 1} has no weight in level '{levels[zero[0]]}' of column "
                f"'{var}', so it cannot be raked to the margins; use another replicate type"
            )
    names = tuple(zip(step.variables, step.levels, strict=True))
    raked = ipf_cells(cell_w, step.margin_codes, list(step.targets), names=names)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cell_w > 0, raked / cell_w, 1.0)


def recalibrate(design: Design) -> Design:
    """Rake every replicate to the design's margins (R: ``calibrate`` on a replicate design).

    Replicates built from the design (PSU multipliers) are recalibrated through every
    calibration step from the pre-calibration weights; user-supplied replicate weights get
    the last step (they already carry the earlier ones).
    """
    rep = design.replicates
    if rep is None or not design.calibrations:
        return design
    if rep.weights is not None:
        step = design.calibrations[-1]
        w = np.array(rep.weights, dtype=np.float64, copy=True)
        for r in range(w.shape[1]):
            cell_w = np.bincount(step.cells, weights=w[:, r], minlength=step.model.shape[0])
            w[:, r] *= _rake_replicate(step, cell_w, r)[step.cells]
        return design.replace(replicates=_replace_rep(rep, weights=w))
    assert rep.factors is not None
    steps = design.calibrations
    key = np.asarray(design.psu, np.int64)
    size = design.n_psus
    for step in steps:
        ncell = step.model.shape[0]
        key, _ = group_keys(key * ncell + step.cells, size * ncell)
        size = int(key.max()) + 1
    first = np.empty(size, np.int64)
    first[key[::-1]] = np.arange(design.n - 1, -1, -1)
    base = steps[0].w_before
    unit_w = np.bincount(key, weights=base, minlength=size)
    mult = rep.factors[design.psu[first]].copy()
    for step in steps:
        unit_cell = step.cells[first]
        ncell = step.model.shape[0]
        for r in range(rep.count):
            cell_w = np.bincount(unit_cell, weights=unit_w * mult[:, r], minlength=ncell)
            mult[:, r] *= _rake_replicate(step, cell_w, r)[unit_cell]
    mult.setflags(write=False)
    key.setflags(write=False)
    recal = Recalibrated(units=key, multipliers=mult, base=base)
    return design.replace(replicates=_replace_rep(rep, recalibrated=recal))


def _replace_rep(rep: ReplicateWeights, **changes: Any) -> ReplicateWeights:
    import dataclasses

    return dataclasses.replace(rep, **changes)


# --- variance ----------------------------------------------------------------------------


def _plan(design: Design) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(unit per row, multipliers (units, R), base weights) with replicate weight
    base_i * multipliers[unit_i, r], or ``None`` for full user-supplied weights."""
    rep = design.replicates
    assert rep is not None
    if rep.weights is not None:
        return None
    if rep.recalibrated is not None:
        rc = rep.recalibrated
        return rc.units, rc.multipliers, rc.base
    assert rep.factors is not None
    return design.psu, rep.factors, design.weights


def replicate_variance(thetas: np.ndarray, full: np.ndarray, rep: ReplicateWeights) -> np.ndarray:
    """R's ``svrVar``: scale * sum_r rscales_r (theta_r - centre)^2, per row of ``thetas``."""
    centre = full if rep.mse else thetas[:, rep.rscales > 0].mean(axis=1)
    d = thetas - centre[:, None]
    return rep.scale * (d * d * rep.rscales).sum(axis=1)


def _group_replicate_totals(
    design: Design, y0: np.ndarray, groups: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Replicate totals of w y and of w per domain -> two (domains, R) arrays, one pass
    over (domain, unit) pairs per replicate."""
    rep = design.replicates
    assert rep is not None
    inside = groups >= 0
    g = groups[inside]
    yi = y0[inside]
    R = rep.count
    num = np.empty((n_groups, R))
    den = np.empty((n_groups, R))
    plan = _plan(design)
    if plan is None:
        assert rep.weights is not None
        wr = rep.weights[inside]
        for r in range(R):
            num[:, r] = np.bincount(g, weights=wr[:, r] * yi, minlength=n_groups)
            den[:, r] = np.bincount(g, weights=wr[:, r], minlength=n_groups)
        return num, den
    units, mult, base = plan
    U = mult.shape[0]
    inv, key = group_keys(g * U + units[inside], n_groups * U)
    pg, pu = key // U, key % U
    bi = base[inside]
    pair_num = np.bincount(inv, weights=bi * yi, minlength=key.size)
    pair_den = np.bincount(inv, weights=bi, minlength=key.size)
    for r in range(R):
        m = mult[pu, r]
        num[:, r] = np.bincount(pg, weights=pair_num * m, minlength=n_groups)
        den[:, r] = np.bincount(pg, weights=pair_den * m, minlength=n_groups)
    return num, den


def replicate_groups(
    design: Design,
    y0: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    statistic: str,
    ci: str,
    level: float,
    name: str,
) -> Any:
    """Mean/total/proportion per domain with replicate variance (R ``svymean`` on a
    ``svrepdesign``), every domain in one pass; the deff is R's replicate-design figure:
    v / vsrs with vsrs = s2 / n * (N - n) / N for a mean (times N^2 for a total),
    s2 = n/(n-1) sum w (y - ybar)^2 / sum w over the domain's n rows (zero weights
    included, as R counts ``length(pweights)``), N = sum w."""
    from analysis.design import degrees_of_freedom
    from analysis.estimators import estimate_columns, group_influence

    rep = design.replicates
    assert rep is not None
    full, W, _ = group_influence(
        design, y0, groups, n_groups, statistic, name, influence=False
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        num, den = _group_replicate_totals(design, y0, groups, n_groups)
        thetas = num if statistic == "total" else num / den
        v = replicate_variance(thetas, full, rep)
    if np.isinf(v).any() or np.isinf(thetas).any():
        raise NonFiniteError(
            f"the replicate variance of the {statistic} of column '{name}' overflows",
            what=f"variance of {name}",
        )
    inside = groups >= 0
    g = groups[inside]
    w = design.weights[inside]
    nrow = np.bincount(g, minlength=n_groups).astype(np.float64)
    nobs = np.bincount(g[w != 0], minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        ybar = np.bincount(g, weights=w * y0[inside], minlength=n_groups) / W
        d = y0[inside] - ybar[g]
        s2 = nrow / (nrow - 1) * np.bincount(g, weights=w * d * d, minlength=n_groups) / W
        vsrs = s2 / nrow * (W - nrow) / W
    if statistic == "total":
        vsrs = vsrs * W * W
    df = np.full(n_groups, degrees_of_freedom(design))
    ok = np.isfinite(v) & (v >= 0)
    se = np.where(ok, np.sqrt(np.where(ok, v, 0.0)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        usable = (nrow > 1) & (W > 0) & np.isfinite(vsrs) & (vsrs != 0) & np.isfinite(v)
        deff = np.where(usable, v / vsrs, np.nan)
    return estimate_columns(
        statistic, full, se, df, nobs, W, ci, level, deff, nrow, variance_method=str(rep.type)
    )
