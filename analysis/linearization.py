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
