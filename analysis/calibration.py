"""Calibration: post-stratification and raking, each returning a NEW design that carries
what linearisation needs, so that later standard errors account for the calibration.

Raking (iterative proportional fitting) runs on the cross-classified cells of the margin
variables, never on the rows: the cell totals of the weights are adjusted margin by margin
until every margin is reproduced to ``tol`` (1e-10 relative by default); the row weights are
then w_i = w0_i * g_c(i).  This is the same fixed point as R's ``rake()`` (run to
convergence) and ``calibrate(calfun = "raking")``.

Variance after calibration (``residualize``):

* ``"calibrate"`` (default): the Deville-Sarndal linearisation that R's
  ``calibrate(..., calfun = "raking")`` computes: the influence values are replaced by the
  residuals z_i - w_i m_i'B of a regression on the margin indicators m_i with the
  pre-calibration weights, B = (sum w0 m m')^+ sum m z / g.  Post-stratification is the
  one-factor case (R's ``postStratify``).
* ``"ipf"``: R's ``rake()`` figure, which approximates the same projection by ten sweeps of
  unweighted within-level centring of z_i / w_i over the margins.  It is close to, but not
  the same as, the calibration figure; ``calibrate`` is the exact linearisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from analysis.design import Design, Factor, check_weight_range
from analysis.errors import ConvergenceError, MarginTotalError, SurveyError

Margins = Mapping[str, Mapping[str, float]]

# The largest population total a margin may have: more people than live on Earth (8e9) is
# a unit error, and with totals below it the raked weights' sums cannot overflow.
POPULATION_MAX = 1e10


@dataclass(frozen=True, eq=False)
class CalibrationStep:
    """What a calibration leaves in the design for the variance.

    ``cells`` (rows) codes the cross-classified cell of each row, ``margin_codes``
    (margins, cells) the level of each margin in each cell, ``targets`` the population
    totals per margin level, ``w_before``/``w_after`` the weights around this step.
    """

    kind: str  # "calibrate" (GREG residuals) or "ipf" (R's rake() approximation)
    variables: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    cells: np.ndarray
    margin_codes: np.ndarray
    targets: tuple[np.ndarray, ...]
    w_before: np.ndarray
    w_after: np.ndarray
    pinv: np.ndarray  # pseudo-inverse of sqrt(W0_c) * M over the cells
    model: np.ndarray  # M: cells x sum(levels) indicator matrix
    sqrt_w0: np.ndarray  # sqrt of the cell totals of w_before


def _cells(codes: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Cross-classify rows: (cell code per row, margin level per cell (margins, cells))."""
    raw = np.zeros(len(codes[0]), np.int64)
    for c, s in zip(codes, sizes, strict=True):
        raw = raw * s + c
    total = int(np.prod(sizes))
    if total <= 4_000_000:
        seen = np.bincount(raw, minlength=total) > 0
        used = np.flatnonzero(seen)
        lookup = np.full(total, -1, np.int64)
        lookup[used] = np.arange(used.size)
        cells = lookup[raw]
    else:
        used, cells = np.unique(raw, return_inverse=True)
    margin_codes = np.empty((len(codes), used.size), np.int64)
    rest = used.copy()
    for k in range(len(codes) - 1, -1, -1):
        margin_codes[k] = rest % sizes[k]
        rest //= sizes[k]
    return cells.astype(np.int64), margin_codes


def _first_row(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0]) + 1


def check_margins(
    factors: Mapping[str, Factor], margins: Margins, *, rel_tol: float = 1e-3
) -> tuple[list[str], list[np.ndarray], list[int], list[np.ndarray], list[tuple[str, ...]]]:
    """Validate margins against the data (levels matched as text) and align them.

    Raises :class:`SurveyError` naming the variable, level or row when a margin variable is
    missing from the data or has missing values, when a data level has no population total
    or a population level no respondents, when a total is not positive and finite, or when
    the variables' grand totals disagree by more than ``rel_tol`` (0.1%); smaller
    disagreements are removed by rescaling every variable to the first one's grand total.
    """
    if not margins:
        raise SurveyError("no raking margins given")
    variables = list(margins)
    codes, sizes, targets, levels = [], [], [], []
    grand: list[tuple[str, float]] = []
    for var in variables:
        if var not in factors:
            raise SurveyError(f"margin variable '{var}' is not a column of the data")
        fac = factors[var]
        if fac.missing.any():
            raise SurveyError(f"column '{var}' is missing in row {_first_row(fac.missing)}")
        pop = margins[var]
        used = np.bincount(fac.codes, minlength=len(fac.levels)) > 0
        for lev, ok in zip(fac.levels, used, strict=True):
            if ok and lev not in pop:
                raise SurveyError(
                    f"level '{lev}' of column '{var}' is in the data but not in the margins"
                )
        for lev, total in pop.items():
            if lev not in fac.levels or not used[fac.levels.index(lev)]:
                raise SurveyError(
                    f"margin level '{lev}' of variable '{var}' does not occur in the data"
                )
            if not np.isfinite(total) or total <= 0 or total > POPULATION_MAX:
                raise MarginTotalError(
                    f"population total of '{var}' level '{lev}' must be positive and at "
                    f"most {POPULATION_MAX:g} ({total:g})",
                    variable=var,
                    level=lev,
                    value=float(total),
                )
        target = np.array([float(pop[lev]) for lev in fac.levels])
        codes.append(np.asarray(fac.codes, np.int64))
        sizes.append(len(fac.levels))
        targets.append(target)
        levels.append(fac.levels)
        grand.append((var, float(target.sum())))
    ref_var, ref = grand[0]
    for var, tot in grand[1:]:
        if abs(tot - ref) > rel_tol * ref:
            raise SurveyError(
                f"margin totals disagree: '{ref_var}' sums to {ref:.10g} but '{var}' to "
                f"{tot:.10g} (more than 0.1% apart)"
            )
    # totals within 0.1% of each other are rescaled to the first variable's grand total,
    # so that the raking problem has a solution
    targets = [t if t.sum() == ref else t * (ref / t.sum()) for t in targets]
    return variables, codes, sizes, targets, levels


def ipf_cells(
    cell_w: np.ndarray,
    margin_codes: np.ndarray,
    targets: list[np.ndarray],
    *,
    tol: float = 1e-10,
    maxit: int = 2000,
    names: tuple[tuple[str, tuple[str, ...]], ...] | None = None,
) -> np.ndarray:
    """Iterative proportional fitting on cell totals; returns the raked cell totals.

    Sweeps the margins in order, scaling each level's cells to its target, until the
    largest relative margin error stops improving below ``tol**1.3`` (near machine
    precision) or ``maxit`` sweeps; raises :class:`ConvergenceError` (naming the worst
    variable and level) if any margin is still off by more than ``tol`` relative.
    """
    cw = cell_w.astype(np.float64).copy()
    nmar = margin_codes.shape[0]
    best = np.inf
    stall = 0
    err = np.inf
    worst = (0, 0)
    for _ in range(maxit):
        for k in range(nmar):
            tot = np.bincount(margin_codes[k], weights=cw, minlength=len(targets[k]))
            with np.errstate(divide="ignore", invalid="ignore"):
                fac = np.where(tot > 0, targets[k] / tot, 1.0)
            cw *= fac[margin_codes[k]]
        err = 0.0
        for k in range(nmar):
            tot = np.bincount(margin_codes[k], weights=cw, minlength=len(targets[k]))
            rel = np.abs(tot / targets[k] - 1.0)
            j = int(np.argmax(rel))
            if rel[j] > err:
                err, worst = float(rel[j]), (k, j)
        if err <= 1e-15:
            break
        if err < best * 0.999:
            best, stall = err, 0
        else:
            stall += 1
            if stall >= 5 and err <= tol:
                break
    if not err <= tol:
        where = ""
        if names is not None:
            var, levs = names[worst[0]]
            where = f" (worst: variable '{var}' level '{levs[worst[1]]}', off by {err:.3g})"
        raise ConvergenceError(f"raking did not converge after {maxit} sweeps{where}")
    return cw


def _step(
    design: Design,
    kind: str,
    variables: list[str],
    levels: list[tuple[str, ...]],
    cells: np.ndarray,
    margin_codes: np.ndarray,
    targets: list[np.ndarray],
    w0: np.ndarray,
    w1: np.ndarray,
) -> Design:
    ncell = margin_codes.shape[1]
    blocks = []
    for k, levs in enumerate(levels):
        block = np.zeros((ncell, len(levs)))
        block[np.arange(ncell), margin_codes[k]] = 1.0
        blocks.append(block)
    model = np.hstack(blocks)
    cw0 = np.bincount(cells, weights=w0, minlength=ncell)
    sqrt_w0 = np.sqrt(cw0)
    pinv = np.linalg.pinv(sqrt_w0[:, None] * model, rcond=1e-10)
    for a in (cells, margin_codes, w1, model, pinv, sqrt_w0):
        a.setflags(write=False)
    step = CalibrationStep(
        kind=kind,
        variables=tuple(variables),
        levels=tuple(levels),
        cells=cells,
        margin_codes=margin_codes,
        targets=tuple(targets),
        w_before=w0,
        w_after=w1,
        pinv=pinv,
        model=model,
        sqrt_w0=sqrt_w0,
    )
    check_weight_range(w1, "raking", raked=True)
    base = design.base_weights if design.base_weights is not None else design.weights
    out = design.replace(
        weights=w1.copy(), calibrations=(*design.calibrations, step), base_weights=base
    )
    if out.replicates is not None:
        from analysis.replicates import recalibrate

        out = recalibrate(out)
    return out


def rake(
    design: Design,
    factors: Mapping[str, Factor],
    margins: Margins,
    *,
    variance: str = "calibrate",
    tol: float = 1e-10,
    maxit: int = 2000,
) -> Design:
    """Rake the weights to population margins (R: ``calibrate(design, ~a+b, pop,
    calfun = "raking")``, or ``rake(design, list(~a, ~b), pops)`` run to convergence).

    ``factors`` maps each margin variable to its :class:`Factor` (rows of the design);
    ``margins`` maps variable -> {level text: population total}.  The new design's
    weights reproduce every margin to ``tol`` relative and its variance uses the
    calibration linearisation (``variance="calibrate"``) or R ``rake()``'s approximation
    (``variance="ipf"``); see the module docstring.
    """
    if variance not in ("calibrate", "ipf"):
        raise SurveyError("variance after raking must be 'calibrate' or 'ipf'")
    variables, codes, sizes, targets, levels = check_margins(factors, margins)
    for var, code in zip(variables, codes, strict=True):
        if len(code) != design.n:
            raise SurveyError(f"column '{var}' has {len(code)} rows, the design {design.n}")
    cells, margin_codes = _cells(codes, sizes)
    w0 = np.asarray(design.weights, np.float64)
    cw0 = np.bincount(cells, weights=w0, minlength=margin_codes.shape[1])
    for k, var in enumerate(variables):
        tot = np.bincount(margin_codes[k], weights=cw0, minlength=sizes[k])
        zero = np.flatnonzero(tot <= 0)
        if zero.size:
            raise SurveyError(
                f"level '{levels[k][zero[0]]}' of column '{var}' has no respondent with a "
                "positive weight, so it cannot be raked to its population total"
            )
    names = tuple(zip(variables, levels, strict=True))
    cw = ipf_cells(cw0, margin_codes, targets, tol=tol, maxit=maxit, names=names)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(cw0 > 0, cw / cw0, 1.0)
    w1 = w0 * g[cells]
    return _step(design, variance, variables, levels, cells, margin_codes, targets, w0, w1)


def poststratify(
    design: Design, factor: Factor, population: Mapping[str, float], *, name: str = "poststratum"
) -> Design:
    """Post-stratify (R: ``postStratify(design, ~v, pop)``): w_i = w0_i * N_c / W0_c.

    The variance uses the post-stratified residuals z_i - w_i * (sum_c z/g) / W0_c, which is
    R's ``svyrecvar`` treatment of a post-stratified design.
    """
    variables, codes, sizes, targets, levels = check_margins({name: factor}, {name: population})
    cells, margin_codes = _cells(codes, sizes)
    w0 = np.asarray(design.weights, np.float64)
    cw0 = np.bincount(cells, weights=w0, minlength=margin_codes.shape[1])
    if (cw0 <= 0).any():
        lev = levels[0][int(margin_codes[0][np.flatnonzero(cw0 <= 0)[0]])]
        raise SurveyError(f"level '{lev}' of column '{name}' has no positive weight")
    target_cell = targets[0][margin_codes[0]]
    g = target_cell / cw0
    w1 = w0 * g[cells]
    return _step(design, "calibrate", variables, levels, cells, margin_codes, targets, w0, w1)


def residualize(design: Design, z: np.ndarray, *, inplace: bool = False) -> np.ndarray:
    """Apply the design's calibration steps, in order, to influence values ``z`` (k, n)."""
    out = z if inplace else np.array(z, dtype=np.float64, copy=True)
    for step in design.calibrations:
        w0, w1 = step.w_before, step.w_after
        if step.kind == "ipf":
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(w1 != 0, out / w1, 0.0)
            counts = [
                np.bincount(step.margin_codes[k][step.cells], minlength=len(step.levels[k]))
                for k in range(len(step.levels))
            ]
            row_codes = [step.margin_codes[k][step.cells] for k in range(len(step.levels))]
            for _ in range(10):
                for codes, cnt in zip(row_codes, counts, strict=True):
                    for j in range(r.shape[0]):
                        means = np.bincount(codes, weights=r[j], minlength=len(cnt)) / np.maximum(
                            cnt, 1
                        )
                        r[j] -= means[codes]
            out = r * w1
            continue
        ncell = step.model.shape[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(w1 != 0, w0 / w1, 0.0)
        s = np.empty((ncell, out.shape[0]))
        tmp = np.empty(out.shape[1])
        for j in range(out.shape[0]):
            np.multiply(out[j], ratio, out=tmp)
            s[:, j] = np.bincount(step.cells, weights=tmp, minlength=ncell)
        with np.errstate(divide="ignore", invalid="ignore"):
            rhs = np.where(step.sqrt_w0[:, None] > 0, s / step.sqrt_w0[:, None], 0.0)
        fitted = step.model @ (step.pinv @ rhs)  # (cells, k)
        for j in range(out.shape[0]):
            np.multiply(w1, fitted[step.cells, j], out=tmp)
            out[j] -= tmp
    return out
