"""The one linearisation core: influence values -> PSU totals -> stratum-centred ->
design variance (R's ``svyrecvar`` / ``onestage`` / ``onestrat`` at the first stage).

For influence values z_i (already multiplied by the weight, as R's estimating functions
are), the PSU totals are t_hj = sum_{i in PSU hj} z_i and

    V = sum_h (1 - f_h) * n_h / (n_h - 1) * sum_j (t_hj - tbar_h)^2,

with f_h = n_h / N_h the first-stage sampling fraction (0 without fpc) and n_h the PSUs of
stratum h in the whole design (PSUs absent from a domain count with a zero total, which is
how R's subsetting gives domain variances).  A stratum with one PSU follows the
lonely-PSU rule: ``fail`` raises, ``remove`` contributes 0, ``adjust`` contributes
(1 - f_h) (t_h1 - tbar)^2 with tbar the grand mean of all PSU totals (survey >= 4.4-3),
``average`` replaces it by the mean contribution of the other strata.  A stratum whose
sampling fraction is 1 (a certainty stratum) contributes 0.

All of it is vectorised: one ``np.bincount`` per influence column for the PSU totals and
small per-stratum arrays after that, so a million rows cost a few milliseconds.
"""

from __future__ import annotations

import numpy as np

from analysis.design import Design
from analysis.errors import LonelyPSUError


def psu_totals(design: Design, z: np.ndarray) -> np.ndarray:
    """PSU totals of each row of ``z`` (shape (k, n)) -> shape (k, PSUs)."""
    out = np.empty((z.shape[0], design.n_psus))
    for j in range(z.shape[0]):
        out[j] = np.bincount(design.psu, weights=z[j], minlength=design.n_psus)
    return out


def stratified_variance(
    design: Design, totals: np.ndarray, present: np.ndarray | None = None
) -> np.ndarray:
    """Design variance from PSU totals (k, PSUs) -> (k,), with fpc and lonely-PSU rules.

    ``present`` (k, strata) flags the strata that have rows in the (sub)design behind each
    column: R drops the other rows when it subsets an uncalibrated design, which matters
    only for lonely strata (``fail`` ignores a lonely stratum outside the domain, the
    ``adjust`` grand mean and the ``average`` count use the strata present).
    """
    H = design.n_strata
    n_h = design.n_psu.astype(np.float64)
    k = totals.shape[0]
    if present is None:
        present = np.ones((k, H), bool)
    ps = design.psu_stratum
    sums = np.empty((k, H))
    for j in range(k):
        sums[j] = np.bincount(ps, weights=totals[j], minlength=H)
    dev = totals - (sums / n_h)[:, ps]
    ss = np.empty((k, H))
    for j in range(k):
        ss[j] = np.bincount(ps, weights=dev[j] * dev[j], minlength=H)

    if design.fpc_popsize is None:
        f = np.ones(H)
    else:
        f = (design.fpc_popsize - n_h) / design.fpc_popsize  # R's (N - n) / N
    certainty = f < 1e-7
    many = (n_h > 1) & ~certainty
    scale = np.where(many, f * n_h / np.maximum(n_h - 1.0, 1.0), 0.0)
    var = (ss * scale).sum(axis=1)
    lonely = (n_h == 1) & ~certainty & present  # (k, H)
    if not lonely.any():
        return var
    rule = design.lonely_psu
    if rule == "fail":
        h = int(np.flatnonzero(lonely.any(axis=0))[0])
        raise LonelyPSUError(
            f"stratum '{design.strata_labels[h]}' has only one PSU; choose a lonely-PSU "
            "rule, e.g. --lonely-psu adjust (or remove, average)"
        )
    if rule == "adjust":
        n_all = (present * n_h).sum(axis=1)
        centre = totals.sum(axis=1) / n_all
        d = totals - centre[:, None]
        contrib = np.where(lonely[:, ps], d * d * f[ps], 0.0)
        var = var + contrib.sum(axis=1)
    elif rule == "average":
        nstrat = present.sum(axis=1)
        nok = nstrat - lonely.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            var = np.where(nok > 0, var * nstrat / np.maximum(nok, 1), np.nan)
    return var


def linearized_variance(
    design: Design,
    z: np.ndarray,
    rows: np.ndarray | list[np.ndarray] | None = None,
    *,
    overwrite: bool = False,
) -> np.ndarray:
    """Variance of estimators with influence values ``z`` ((n,) or (k, n)).

    Calibration steps of the design are applied first (GREG residuals, as R's
    ``svyrecvar`` does with ``postStrata``).  ``rows`` ((n,) or k (n,) boolean masks) marks
    the rows of each domain / non-missing subset; for an uncalibrated design R drops the
    other rows, so only the strata holding such rows are "present" (this matters only for
    lonely strata, see :func:`stratified_variance`).  ``overwrite`` lets the calibration
    step work in place on ``z``.
    """
    from analysis.calibration import residualize

    zz = np.atleast_2d(np.asarray(z, dtype=np.float64))
    present = None
    if design.calibrations:
        zz = residualize(design, zz, inplace=overwrite)
    elif rows is not None and _has_lonely(design):
        rr = [rows] if isinstance(rows, np.ndarray) and rows.ndim == 1 else list(rows)
        present = np.stack(
            [np.bincount(design.strata[r], minlength=design.n_strata) > 0 for r in rr]
        )
        if present.shape[0] != zz.shape[0]:
            present = np.broadcast_to(present, (zz.shape[0], design.n_strata))
    return stratified_variance(design, psu_totals(design, zz), present)


def _has_lonely(design: Design) -> bool:
    return bool((design.n_psu == 1).any())


# --- every domain at once ----------------------------------------------------------------
#
# A domain's influence values are zero outside it, so its PSU totals are nonzero only for
# the PSUs it touches.  ``grouped_variance`` therefore works on (domain, PSU) pairs: the
# cost is one grouping of the rows plus work per pair, O(rows + domains), where the
# per-domain loop above costs O(rows x domains).  The stratified sum of squares of domain g
# in stratum h, sum_j (t_gj - tbar_gh)^2 over all n_h PSUs of the stratum, is taken over
# the k_gh PSUs the domain touches plus (n_h - k_gh) tbar_gh^2 for the others (two-pass,
# so no cancellation).  A calibrated design (one calibration step) adds, per domain, the
# regression on the margin indicators: its PSU totals are t_g = a_g - N B_g with a_g the
# raw totals, N (PSUs x margin levels) the calibrated weight of each PSU in each level and
# B_g the domain's coefficients (K numbers), so that with Q the stratified centring
#     V_g = a_g'Q a_g - 2 (a_g'Q N) B_g + B_g' (N'Q N) B_g,
# which costs O(rows K + domains K^2) for K margin levels.


def group_keys(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..m-1 of the distinct values of ``key`` (integers in [0, size)) and those
    values, ascending: a bincount table when ``size`` is small, a sort otherwise."""
    if size <= max(2 * key.size, 1 << 20):
        seen = np.bincount(key, minlength=size) > 0
        uniq = np.flatnonzero(seen)
        lookup = np.empty(size, np.int64)
        lookup[uniq] = np.arange(uniq.size)
        return lookup[key], uniq
    uniq, inv = np.unique(key, return_inverse=True)
    return inv.astype(np.int64).reshape(-1), uniq


def _scales(design: Design) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(n_h, f_h, scale_h, lonely_h) per stratum, as :func:`stratified_variance` uses them."""
    n_h = design.n_psu.astype(np.float64)
    if design.fpc_popsize is None:
        f = np.ones(design.n_strata)
    else:
        f = (design.fpc_popsize - n_h) / design.fpc_popsize
    certainty = f < 1e-7
    many = (n_h > 1) & ~certainty
    scale = np.where(many, f * n_h / np.maximum(n_h - 1.0, 1.0), 0.0)
    lonely = (n_h == 1) & ~certainty
    return n_h, f, scale, lonely


def _lonely_error(design: Design, h: int) -> LonelyPSUError:
    return LonelyPSUError(
        f"stratum '{design.strata_labels[h]}' has only one PSU; choose a lonely-PSU "
        "rule, e.g. --lonely-psu adjust (or remove, average)"
    )


def grouped_variance(
    design: Design, z: np.ndarray, groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """Linearised variance of ``n_groups`` domain estimators at once -> (n_groups,).

    ``z`` holds each row's influence value for its own domain ``groups[i]`` (-1: in no
    domain, and then ``z[i]`` must be 0).  Equal to :func:`linearized_variance` of each
    domain's influence values with ``rows = groups == g``, lonely-PSU rules and calibration
    included, in O(rows + domains) instead of O(rows x domains).
    """
    L = int(n_groups)
    if len(design.calibrations) > 1:
        return _grouped_by_masks(design, z, groups, L)
    inside = groups >= 0
    g_rows = groups[inside]
    p_rows = design.psu[inside]
    P, H = design.n_psus, design.n_strata
    pair_inv, pair_key = group_keys(g_rows * P + p_rows, L * P)
    t = np.bincount(pair_inv, weights=z[inside], minlength=pair_key.size)
    pair_g, pair_p = pair_key // P, pair_key % P
    n_h, f, scale, lonely = _scales(design)
    pair_h = design.psu_stratum[pair_p]
    gh_inv, gh_key = group_keys(pair_g * H + pair_h, L * H)
    gh_g, gh_h = gh_key // H, gh_key % H
    s1 = np.bincount(gh_inv, weights=t, minlength=gh_key.size)
    k = np.bincount(gh_inv, minlength=gh_key.size)
    m = s1 / n_h[gh_h]
    dev = t - m[gh_inv]
    ss = np.bincount(gh_inv, weights=dev * dev, minlength=gh_key.size) + (n_h[gh_h] - k) * m * m
    var = np.bincount(gh_g, weights=scale[gh_h] * ss, minlength=L)
    totals = np.bincount(pair_g, weights=t, minlength=L)

    if design.calibrations:
        return _calibrated(design, z, groups, L, var, t, pair_g, pair_p, totals)
    if not lonely.any():
        return var
    # R drops the rows outside an uncalibrated domain: only strata holding its rows count
    sel = lonely[gh_h]
    if not sel.any():
        return var
    rule = design.lonely_psu
    if rule == "fail":
        raise _lonely_error(design, int(gh_h[sel].min()))
    if rule == "adjust":
        n_all = np.bincount(gh_g, weights=n_h[gh_h], minlength=L)
        with np.errstate(divide="ignore", invalid="ignore"):
            centre = totals / n_all
        d = s1[sel] - centre[gh_g[sel]]
        var = var + np.bincount(gh_g[sel], weights=f[gh_h[sel]] * d * d, minlength=L)
    elif rule == "average":
        nstrat = np.bincount(gh_g, minlength=L)
        nok = nstrat - np.bincount(gh_g[sel], minlength=L)
        with np.errstate(divide="ignore", invalid="ignore"):
            averaged = np.where(nok > 0, var * nstrat / np.maximum(nok, 1), np.nan)
        var = np.where(nstrat > 0, averaged, var)  # a domain without rows keeps its 0
    return var


def _grouped_by_masks(design: Design, z: np.ndarray, groups: np.ndarray, L: int) -> np.ndarray:
    """Several calibration steps in a row: one domain at a time (O(rows x domains))."""
    out = np.empty(L)
    for start in range(0, L, 8):
        masks = [groups == g for g in range(start, min(start + 8, L))]
        zz = np.stack([np.where(mk, z, 0.0) for mk in masks])
        var = linearized_variance(design, zz, rows=masks, overwrite=True)
        out[start : start + len(masks)] = var
    return out


def _calibrated(
    design: Design,
    z: np.ndarray,
    groups: np.ndarray,
    L: int,
    aqa: np.ndarray,
    t: np.ndarray,
    pair_g: np.ndarray,
    pair_p: np.ndarray,
    totals: np.ndarray,
) -> np.ndarray:
    """The variance of calibrated domain estimators (see the note above): every stratum is
    present (R keeps the whole calibrated design when it subsets)."""
    step = design.calibrations[0]
    P, H = design.n_psus, design.n_strata
    model = step.model  # (cells, K)
    K = model.shape[1]
    ncell = model.shape[0]
    w1 = step.w_after
    inside = groups >= 0
    g_rows, c_rows = groups[inside], step.cells[inside]
    gc_inv, gc_key = group_keys(g_rows * ncell + c_rows, L * ncell)
    gc_g, gc_c = gc_key // ncell, gc_key % ncell
    B = np.zeros((L, K))
    if step.kind == "ipf":
        # R's rake(): ten sweeps of within-level centring of z / w, run on level sums
        with np.errstate(divide="ignore", invalid="ignore"):
            r0 = np.where(w1[inside] != 0, z[inside] / w1[inside], 0.0)
        cell_sum = np.bincount(gc_inv, weights=r0, minlength=gc_key.size)
        S = np.empty((L, K))
        for j in range(K):
            S[:, j] = np.bincount(gc_g, weights=cell_sum * model[gc_c, j], minlength=L)
        count = np.bincount(step.cells, minlength=ncell).astype(np.float64)
        cross = model.T @ (count[:, None] * model)  # rows per pair of margin levels
        blocks, start = [], 0
        for levs in step.levels:
            blocks.append(slice(start, start + len(levs)))
            start += len(levs)
        cnt = np.maximum(np.diag(cross), 1.0)
        for _ in range(10):
            for sl in blocks:
                B[:, sl] += (S[:, sl] - B @ cross[:, sl]) / cnt[sl]
    else:
        w0 = step.w_before
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(w1[inside] != 0, w0[inside] / w1[inside], 0.0)
        s = np.bincount(gc_inv, weights=z[inside] * ratio, minlength=gc_key.size)
        root = step.sqrt_w0[gc_c]
        with np.errstate(divide="ignore", invalid="ignore"):
            rhs = np.where(root > 0, s / root, 0.0)
        for j in range(K):
            B[:, j] = np.bincount(gc_g, weights=rhs * step.pinv[j, gc_c], minlength=L)
    # N: calibrated weight of each PSU in each margin level
    pc_inv, pc_key = group_keys(design.psu * ncell + step.cells, P * ncell)
    pc_w = np.bincount(pc_inv, weights=w1, minlength=pc_key.size)
    pc_p, pc_c = pc_key // ncell, pc_key % ncell
    N = np.empty((P, K))
    for j in range(K):
        N[:, j] = np.bincount(pc_p, weights=pc_w * model[pc_c, j], minlength=P)
    n_h, f, scale, lonely = _scales(design)
    ps = design.psu_stratum
    means = np.empty((H, K))
    for j in range(K):
        means[:, j] = np.bincount(ps, weights=N[:, j], minlength=H) / n_h
    QN = scale[ps][:, None] * (N - means[ps])
    aQN = np.empty((L, K))
    for j in range(K):
        aQN[:, j] = np.bincount(pair_g, weights=t * QN[pair_p, j], minlength=L)
    G = N.T @ QN
    correction = -2.0 * np.einsum("gk,gk->g", aQN, B) + np.einsum("gk,gk->g", B @ G, B)
    var = aqa + correction
    # a variance that is 0 in exact arithmetic (e.g. the total of a raked margin) may come
    # out a rounding error below 0
    var = np.where((var < 0) & (var >= -1e-9 * np.maximum(aqa, 1e-300)), 0.0, var)
    if not lonely.any():
        return var
    rule = design.lonely_psu
    lone_h = np.flatnonzero(lonely)
    if rule == "fail":
        raise _lonely_error(design, int(lone_h[0]))
    if rule == "average":
        nok = H - lone_h.size
        return var * H / nok if nok > 0 else np.full(L, np.nan)
    if rule == "remove":
        return var
    # adjust: (1 - f_h)(t_h1 - tbar)^2 with tbar the grand mean of all P PSU totals
    lone_p = np.flatnonzero(lonely[ps])  # the single PSU of each lonely stratum
    centre = (totals - B @ N.sum(axis=0)) / P
    slot = np.full(P, -1, np.int64)
    slot[lone_p] = np.arange(lone_p.size)
    hit = slot[pair_p] >= 0
    contrib = np.zeros(L)
    chunk = max(1, 4_000_000 // max(lone_p.size, 1))
    for start in range(0, L, chunk):
        stop = min(start + chunk, L)
        a = np.zeros((stop - start, lone_p.size))
        sel = hit & (pair_g >= start) & (pair_g < stop)
        a[pair_g[sel] - start, slot[pair_p[sel]]] = t[sel]
        d = a - B[start:stop] @ N[lone_p].T - centre[start:stop, None]
        contrib[start:stop] = (d * d * f[ps[lone_p]]).sum(axis=1)
    return var + contrib
