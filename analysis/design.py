"""The survey design object and the function that builds it (R's ``svydesign``).

A :class:`Design` is immutable: numpy arrays of final weights, stratum codes and PSU codes
(PSUs nested within strata, R's ``nest = TRUE``), the number of PSUs per stratum, an
optional finite-population correction, the calibration steps that produced the weights
(so that later variances account for calibration) and optional replicate weights.
Calibration, replicate construction and weight adjustment return new designs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.errors import SurveyError, WeightRangeError
from analysis.options import LonelyPSU, parse

# The sane range of a nonzero weight.  A weight is an inverse inclusion probability (>= 1
# in a real sample), but adjusted or normalised weights (scaled to mean 1, trimmed) may be
# below 1: 1e-6 leaves room for a million-fold spread around a mean of 1, while anything
# smaller is a unit error or a subnormal number (1e-320 made sum(w)^2 underflow to 0, a
# division by zero).  1e9 is more people than any respondent can stand for (China has
# 1.4e9 residents, Xinzheng 1.3e6); with weights below it and at most ~1e7 rows every sum
# and squared PSU total stays below 1e35, far from overflow (1e308 weights overflowed).
WEIGHT_MIN = 1e-6
WEIGHT_MAX = 1e9


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _level_text(values: np.ndarray) -> list[str]:
    """Text of category values as a CSV would hold them (integers without '.0')."""
    if values.dtype.kind in "iub":
        return [str(int(v)) for v in values]
    if values.dtype.kind == "f":
        return [str(int(v)) if float(v).is_integer() else repr(float(v)) for v in values]
    return [str(v) for v in values]


def _sort_levels(levels: Sequence[str]) -> list[str]:
    try:
        return sorted(levels, key=lambda s: (float(s), s))
    except ValueError:
        return sorted(levels)


@dataclass(frozen=True, eq=False)
class Factor:
    """A categorical column: integer ``codes`` into ``levels`` (text), ``-1`` where missing."""

    codes: np.ndarray
    levels: tuple[str, ...]

    @classmethod
    def from_values(cls, values: Any) -> Factor:
        """Code any 1-D sequence; ``None``, NaN and the empty string are missing."""
        if isinstance(values, Factor):
            return values
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise SurveyError("a categorical variable must be one-dimensional")
        if arr.dtype.kind == "f":
            missing = np.isnan(arr)
            uniq, inv = np.unique(np.where(missing, 0.0, arr), return_inverse=True)
        elif arr.dtype.kind in "iub":
            missing = np.zeros(arr.shape, bool)
            uniq, inv = np.unique(arr, return_inverse=True)
        else:
            obj = arr.astype(object)
            missing = np.array(
                [v is None or v == "" or (isinstance(v, float) and math.isnan(v)) for v in obj],
                dtype=bool,
            )
            text = np.array(["" if m else str(v) for v, m in zip(obj, missing, strict=True)])
            uniq, inv = np.unique(text, return_inverse=True)
        present = np.zeros(len(uniq), bool)
        present[inv[~missing]] = True
        labels = _level_text(uniq)
        keep = [labels[i] for i in range(len(uniq)) if present[i]]
        order = _sort_levels(keep)
        pos = {lab: j for j, lab in enumerate(order)}
        remap = np.array([pos.get(lab, -1) for lab in labels], dtype=np.int64)
        codes = remap[inv] if len(uniq) else np.zeros(0, np.int64)
        codes = np.where(missing, -1, codes).astype(np.int64)
        return cls(_readonly(codes), tuple(order))

    @property
    def missing(self) -> np.ndarray:
        return self.codes < 0

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True, eq=False)
class Recalibrated:
    """Replicate weights after each replicate was raked to the design's margins (R's
    ``calibrate`` on a replicate design): replicate r's weight of row i is
    ``base[i] * multipliers[units[i], r]``.  A unit is a (PSU, calibration cell) pair, so
    the multiplier is the replicate's PSU factor times its raking factor for the cell, and
    a million rows never become a million-by-R matrix."""

    units: np.ndarray  # (rows,) unit code
    multipliers: np.ndarray  # (units, R)
    base: np.ndarray  # (rows,) weights before calibration


@dataclass(frozen=True, eq=False)
class ReplicateWeights:
    """Replicate weights: either PSU-level multipliers of the full-sample weights
    (``factors``, shape (PSUs, R): JK1, JKn, bootstrap) or full replicate weights
    (``weights``, shape (rows, R): user-supplied).  Variance is
    ``scale * sum_r rscales[r] * (theta_r - centre)**2`` with centre the full-sample
    estimate when ``mse`` else the mean of the replicates (R's ``svrVar``).  ``recalibrated``
    holds the replicate weights when the design is calibrated (each replicate raked to the
    same margins); the variance then accounts for the calibration."""

    type: str
    scale: float
    rscales: np.ndarray
    mse: bool = False
    factors: np.ndarray | None = None
    weights: np.ndarray | None = None
    recalibrated: Recalibrated | None = None

    @property
    def count(self) -> int:
        return len(self.rscales)


@dataclass(frozen=True, eq=False)
class Design:
    """A stratified cluster design, as R's ``svydesign(ids=~psu, strata=~stratum,
    weights=~w, fpc=~fpc, nest=TRUE)`` builds it (first stage only: the
    with-replacement / ultimate-cluster approximation, plus the first-stage fpc)."""

    weights: np.ndarray
    strata: np.ndarray
    psu: np.ndarray
    psu_stratum: np.ndarray
    n_psu: np.ndarray
    fpc_popsize: np.ndarray | None
    strata_labels: tuple[str, ...]
    has_strata: bool
    has_psu: bool
    lonely_psu: LonelyPSU = LonelyPSU.FAIL
    calibrations: tuple[Any, ...] = ()
    replicates: ReplicateWeights | None = None
    base_weights: np.ndarray | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return int(self.weights.shape[0])

    @property
    def n_strata(self) -> int:
        return int(self.n_psu.shape[0])

    @property
    def n_psus(self) -> int:
        return int(self.psu_stratum.shape[0])

    @property
    def calibrated(self) -> bool:
        return bool(self.calibrations)

    @property
    def population(self) -> float:
        return float(self.weights.sum())

    def replace(self, **changes: Any) -> Design:
        """A copy with some fields changed (the arrays given are made read-only)."""
        for key, value in changes.items():
            if isinstance(value, np.ndarray):
                changes[key] = _readonly(value)
        return dataclasses.replace(self, **changes)


def degrees_of_freedom(design: Design, rows: np.ndarray | None = None) -> int:
    """Design degrees of freedom, R's ``degf``: PSUs with a nonzero weight minus strata
    with a nonzero weight, counted over ``rows`` (a domain, as ``degf(subset(...))``)."""
    if design.replicates is not None and rows is None:
        return _replicate_df(design)
    inset = design.weights != 0
    if rows is not None:
        inset = inset & rows
    psus = np.bincount(design.psu[inset], minlength=design.n_psus) > 0
    strata = np.bincount(design.strata[inset], minlength=design.n_strata) > 0
    return int(psus.sum() - strata.sum())


def _replicate_df(design: Design) -> int:
    """R's ``degf.svyrep.design``: rank of the replicate weight matrix minus 1 (computed
    as PSUs - strata for PSU-level replicates, which is that rank)."""
    rep = design.replicates
    assert rep is not None
    if rep.factors is not None:
        return int(np.linalg.matrix_rank(rep.factors, tol=1e-5) - 1)
    assert rep.weights is not None
    return int(np.linalg.matrix_rank(rep.weights, tol=1e-5 * np.abs(rep.weights).max()) - 1)


def _name(names: Mapping[str, str] | None, role: str) -> str:
    if names and role in names:
        return f"column '{names[role]}'"
    return role


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0]) + 1


def check_weight_range(
    w: np.ndarray, label: str, *, column: str | None = None, raked: bool = False
) -> None:
    """Raise :class:`WeightRangeError` for the first weight that is neither 0 nor within
    [``WEIGHT_MIN``, ``WEIGHT_MAX``]; ``label`` names the weights (e.g. "column 'w'")."""
    out = (w != 0) & ~((w >= WEIGHT_MIN) & (w <= WEIGHT_MAX))
    if out.any():
        i = _first(out)
        value = float(w[i - 1])
        cause = ": the margins are out of proportion to the sample" if raked else ""
        raise WeightRangeError(
            f"{label} gives row {i} a weight of {value:g}, outside the sane range (0, or "
            f"{WEIGHT_MIN:g} to {WEIGHT_MAX:g}){cause}",
            column=column,
            row=i,
            value=value,
            raked=raked,
        )


def svydesign(
    weights: Any,
    *,
    strata: Any = None,
    psu: Any = None,
    fpc: Any = None,
    lonely_psu: str | LonelyPSU = LonelyPSU.FAIL,
    names: Mapping[str, str] | None = None,
) -> Design:
    """Build and validate a design (R: ``svydesign(ids, strata, weights, fpc, nest=TRUE)``).

    ``weights`` are inverse inclusion probabilities (0, or from ``WEIGHT_MIN`` to
    ``WEIGHT_MAX``; a zero weight is allowed and the row then counts in no estimate).
    ``strata`` and ``psu`` are categorical (any labels, PSU labels need only be unique
    within a stratum); without ``psu`` each row is its own PSU, without ``strata`` there is
    one stratum.  ``fpc`` holds per row the stratum's
    population size in PSUs, or the sampling fraction when every value is at most 1; it
    must be constant within a stratum.  ``names`` maps the roles ``weights``, ``strata``,
    ``psu``, ``fpc`` to column names used in error messages.
    """
    rule = parse(LonelyPSU, lonely_psu, "the lonely-PSU rule")
    w = np.array(weights, dtype=np.float64, copy=True)
    if w.ndim != 1 or w.size == 0:
        raise SurveyError(f"{_name(names, 'weights')} must be a non-empty column")
    n = w.size
    bad = ~np.isfinite(w)
    if bad.any():
        raise SurveyError(
            f"{_name(names, 'weights')} is missing or not finite in row {_first(bad)}"
        )
    if (w < 0).any():
        i = _first(w < 0)
        raise SurveyError(f"{_name(names, 'weights')} is negative in row {i} ({w[i - 1]:g})")
    check_weight_range(w, _name(names, "weights"), column=(names or {}).get("weights"))
    if not (w > 0).any():
        raise SurveyError(f"{_name(names, 'weights')} has no positive weight")

    if strata is None:
        s_codes = np.zeros(n, np.int64)
        s_labels: tuple[str, ...] = ("1",)
    else:
        sf = Factor.from_values(strata)
        if len(sf) != n:
            raise SurveyError(f"{_name(names, 'strata')} has {len(sf)} rows, weights have {n}")
        if sf.missing.any():
            raise SurveyError(f"{_name(names, 'strata')} is missing in row {_first(sf.missing)}")
        s_codes, s_labels = np.asarray(sf.codes, np.int64), sf.levels
    H = len(s_labels)

    if psu is None:
        p_local = np.arange(n, dtype=np.int64)
    else:
        pf = Factor.from_values(psu)
        if len(pf) != n:
            raise SurveyError(f"{_name(names, 'psu')} has {len(pf)} rows, weights have {n}")
        if pf.missing.any():
            raise SurveyError(f"{_name(names, 'psu')} is missing in row {_first(pf.missing)}")
        p_local = np.asarray(pf.codes, np.int64)
    # nest PSUs within strata: a PSU is a (stratum, psu label) pair
    key = s_codes * (int(p_local.max()) + 1) + p_local
    uniq, psu_codes = np.unique(key, return_inverse=True)
    psu_codes = psu_codes.astype(np.int64)
    psu_stratum = (uniq // (int(p_local.max()) + 1)).astype(np.int64)
    n_psu = np.bincount(psu_stratum, minlength=H).astype(np.int64)

    popsize = None
    if fpc is not None:
        f = np.asarray(fpc, dtype=np.float64)
        if f.shape != (n,):
            raise SurveyError(f"{_name(names, 'fpc')} has {f.size} rows, weights have {n}")
        bad = ~np.isfinite(f)
        if bad.any():
            raise SurveyError(
                f"{_name(names, 'fpc')} is missing or not finite in row {_first(bad)}"
            )
        if (f <= 0).any():
            raise SurveyError(f"{_name(names, 'fpc')} is not positive in row {_first(f <= 0)}")
        first_row = np.full(H, -1, np.int64)
        first_row[s_codes[::-1]] = np.arange(n - 1, -1, -1)
        per_stratum = f[first_row]
        varies = f != per_stratum[s_codes]
        if varies.any():
            i = _first(varies)
            raise SurveyError(
                f"{_name(names, 'fpc')} varies within stratum '{s_labels[s_codes[i - 1]]}' "
                f"(row {i}: {f[i - 1]:g}, row {first_row[s_codes[i - 1]] + 1}: "
                f"{per_stratum[s_codes[i - 1]]:g})"
            )
        is_popsize = bool((f > 1).any())
        if is_popsize and (f < 1).any():
            i = _first(f < 1)
            raise SurveyError(
                f"{_name(names, 'fpc')} mixes population sizes (> 1) and sampling fractions "
                f"(< 1), e.g. row {i}"
            )
        popsize = per_stratum if is_popsize else n_psu / per_stratum
        small = popsize < n_psu
        if small.any():
            h = int(np.flatnonzero(small)[0])
            raise SurveyError(
                f"{_name(names, 'fpc')} implies more than 100% sampling in stratum "
                f"'{s_labels[h]}' ({n_psu[h]} PSUs sampled, population {popsize[h]:g})"
            )
        popsize = _readonly(np.asarray(popsize, np.float64))

    return Design(
        weights=_readonly(w),
        strata=_readonly(s_codes),
        psu=_readonly(psu_codes),
        psu_stratum=_readonly(psu_stratum),
        n_psu=_readonly(n_psu),
        fpc_popsize=popsize,
        strata_labels=s_labels,
        has_strata=strata is not None,
        has_psu=psu is not None,
        lonely_psu=rule,
    )
