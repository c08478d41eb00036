"""The survey's sample: allocation to townships, PPS selection of villages/communities,
systematic selection of households, and the base weight.

The design is stratified two-stage (with a third, within-household stage in
:mod:`surveys.respondents`), as the national survey's stratified multi-stage PPS sample:

1. **Allocation** of the sample to strata (townships), :func:`allocate`: proportional
   (n_h ∝ N_h), equal, or power allocation n_h ∝ N_h^p, 0 <= p <= 1 (Bankier, M. D. 1988,
   "Power allocations: determining sample sizes for subnational areas", *The American
   Statistician* 42(3), 174-177), with a minimum per stratum: strata whose share falls below
   the minimum get the minimum and the rest is shared again among the others, until no share
   is below it.  Shares are rounded by largest remainders (Hamilton's method), so the integers
   sum exactly to the total: each stratum gets the whole part of its share, and the units left
   over go to the largest fractional parts (ties: larger measure first, then frame order).
   Impossible inputs are refused, never silently repaired.
2. **PSUs** by systematic PPS within each stratum, :func:`systematic_pps` (Cochran 1977,
   *Sampling Techniques*, 3rd ed., ch. 9A, selection with unequal probabilities; Särndal,
   Swensson & Wretman 1992, *Model Assisted Survey Sampling*, §3.6, πps sampling): with
   m PSUs to take and sizes M_i, the interval is I = ΣM / m; a PSU with M_i >= I is taken with
   certainty (π = 1) and removed, m and I recomputed, until none is left at or above the
   interval; then a random start r in [0, I), points r, r + I, ..., and the PSU whose
   cumulated-size range [C_{i-1}, C_i) holds a point is taken, in frame order.  A
   non-certainty PSU's first-stage inclusion probability is π_i = m' M_i / ΣM' (m' and ΣM'
   after removing the certainty PSUs); π sums to m over the stratum.
3. **Households**, :func:`select_households`: systematic equal-probability selection of the
   PSU's fixed take b from its listing (interval k = N / b, fractional allowed, random start in
   [0, k), the listing's households at floor(start + j k)); every household has π₂ = b / N.
4. **Base weight**, :func:`base_weight` = eligible adults / (π₁ π₂): one adult is interviewed
   per household, so within the household each of the A eligible adults has 1 / A chance.

The number of interviews per sampled PSU is a fixed take b (the design's ``take``), so a
stratum's interviews are its PSUs x b.  Every draw takes an explicit
:class:`numpy.random.Generator`; :func:`stage_rng` derives one per stage and unit from the
wave's seed, so the same seed gives the same sample whatever order the PSUs are worked in.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from numbers import Integral, Real
from types import MappingProxyType

import numpy as np

from surveys.errors import SurveyInputError
from surveys.frame import Frame

__all__ = [
    "AllocationMethod",
    "DesignSpec",
    "HouseholdSample",
    "PsuSample",
    "SelectedPSU",
    "StratumPlan",
    "StratumSummary",
    "allocate",
    "base_weight",
    "design_summary",
    "draw_psus",
    "pps_inclusion_probabilities",
    "plan_design",
    "select_households",
    "select_psus",
    "stage_rng",
    "systematic_pps",
]


class AllocationMethod(StrEnum):
    PROPORTIONAL = "proportional"
    EQUAL = "equal"
    POWER = "power"


def _count(value: object, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise SurveyInputError(f"{what} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def _check_rng(rng: object) -> None:
    if not isinstance(rng, np.random.Generator):
        raise SurveyInputError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")


def stage_rng(seed: int, *keys: str | int) -> np.random.Generator:
    """A generator for one stage and unit of the wave, e.g. ``stage_rng(seed, "households",
    psu_id)``: a function of the seed and the keys only (SHA-256 of the keys feeds NumPy's
    SeedSequence), so draws never depend on the order in which units are processed."""
    seed = _count(seed, "seed")
    words = [seed]
    for key in keys:
        digest = hashlib.sha256(f"{type(key).__name__}:{key}".encode()).digest()
        words.extend(int.from_bytes(digest[k:k + 4], "little") for k in range(0, 16, 4))
    return np.random.default_rng(np.random.SeedSequence(words))


# --- allocation ------------------------------------------------------------------------------

def allocate(total: int, sizes: Mapping[str, float], *,
             method: AllocationMethod | str = AllocationMethod.PROPORTIONAL, power: float = 0.5,
             minimum: int = 0, capacity: Mapping[str, int] | None = None) -> dict[str, int]:
    """Share ``total`` units among strata with measures ``sizes`` (module docstring, step 1).

    ``capacity``: the most units each stratum can take (e.g. its PSUs); an allocation above it
    is refused with every such stratum named.  Returns stratum -> units, in ``sizes`` order.
    """
    total = _count(total, "the total")
    minimum = _count(minimum, "the minimum")
    try:
        method = AllocationMethod(method)
    except ValueError:
        raise SurveyInputError(
            f"allocation {method!r} is not one of {', '.join(AllocationMethod)}") from None
    if not sizes:
        raise SurveyInputError("there is no stratum to allocate to")
    for stratum, size in sizes.items():
        if (isinstance(size, bool) or not isinstance(size, Real) or not math.isfinite(size)
                or size <= 0):
            raise SurveyInputError(f"stratum {stratum}: the size must be > 0, got {size!r}")
    if method is AllocationMethod.POWER and not (isinstance(power, Real) and 0 <= power <= 1):
        raise SurveyInputError(f"the power must be between 0 and 1, got {power!r}")
    if minimum * len(sizes) > total:
        raise SurveyInputError(
            f"a minimum of {minimum} in each of {len(sizes)} strata needs {minimum * len(sizes)}"
            f" units, more than the total {total}")
    if capacity is not None:
        short = [f"{h} ({capacity.get(h, 0)})" for h in sizes if capacity.get(h, 0) < minimum]
        if short:
            raise SurveyInputError(
                f"the minimum {minimum} is more than these strata have: {', '.join(short)}")

    if method is AllocationMethod.PROPORTIONAL:
        weights = {h: Fraction(s) for h, s in sizes.items()}
    elif method is AllocationMethod.EQUAL:
        weights = {h: Fraction(1) for h in sizes}
    else:
        weights = {h: Fraction(float(s) ** float(power)) for h, s in sizes.items()}

    fixed: dict[str, int] = {}
    while True:
        free = [h for h in sizes if h not in fixed]
        remaining = total - minimum * len(fixed)
        weight_sum = sum(weights[h] for h in free)
        quotas = {h: remaining * weights[h] / weight_sum for h in free}
        low = [h for h in free if quotas[h] < minimum]
        if not low:
            break
        for h in low:
            fixed[h] = minimum

    result = dict.fromkeys(sizes, 0) | fixed
    for h, quota in quotas.items():
        result[h] = math.floor(quota)
    left = remaining - sum(result[h] for h in free)
    order = {h: k for k, h in enumerate(sizes)}
    by_remainder = sorted(free, key=lambda h: (-(quotas[h] - math.floor(quotas[h])),
                                               -weights[h], order[h]))
    for h in by_remainder[:left]:
        result[h] += 1

    if capacity is not None:
        over = [f"{h} (allocated {n}, has {capacity.get(h, 0)})" for h, n in result.items()
                if n > capacity.get(h, 0)]
        if over:
            raise SurveyInputError(
                "the allocation needs more than these strata have: " + ", ".join(over))
    return result


@dataclass(frozen=True)
class DesignSpec:
    """The wave's design: ``interviews`` in all, a fixed ``take`` per sampled PSU, the
    allocation of PSUs to strata (by the strata's total size), at least ``min_psus`` per
    stratum (2 by default, so every stratum has a variance estimate)."""

    interviews: int
    take: int
    method: AllocationMethod = AllocationMethod.PROPORTIONAL
    power: float = 0.5
    min_psus: int = 2

    def __post_init__(self) -> None:
        _count(self.interviews, "the number of interviews", 1)
        _count(self.take, "the take per PSU", 1)
        _count(self.min_psus, "the minimum PSUs per stratum", 1)
        object.__setattr__(self, "method", AllocationMethod(self.method))
        if self.interviews % self.take:
            low = self.interviews - self.interviews % self.take
            raise SurveyInputError(
                f"{self.interviews} interviews is not a whole number of PSUs of {self.take}: "
                f"use {low or self.take} or {low + self.take}")

    @property
    def psus(self) -> int:
        return self.interviews // self.take


@dataclass(frozen=True)
class StratumPlan:
    """One stratum's share: its frame totals, PSUs to select and interviews (PSUs x take)."""

    stratum: str
    frame_psus: int
    frame_households: int
    size: float
    psus: int
    interviews: int


def plan_design(frame: Frame, spec: DesignSpec) -> tuple[StratumPlan, ...]:
    """Allocate the design's PSUs to the frame's strata (in frame order).

    Refused: a stratum allocated more PSUs than it has, or more interviews than households.
    """
    strata = frame.strata
    sizes = {h: math.fsum(p.size for p in frame.stratum(h)) for h in strata}
    counts = {h: len(frame.stratum(h)) for h in strata}
    psus = allocate(spec.psus, sizes, method=spec.method, power=spec.power,
                    minimum=spec.min_psus, capacity=counts)
    plans = []
    short = []
    for h in strata:
        households = sum(p.households for p in frame.stratum(h))
        interviews = psus[h] * spec.take
        if interviews > households:
            short.append(f"{h} ({interviews} interviews, {households} households)")
        plans.append(StratumPlan(h, counts[h], households, sizes[h], psus[h], interviews))
    if short:
        raise SurveyInputError("these strata have fewer households than interviews: "
                               + ", ".join(short))
    return tuple(plans)


# --- PSUs: systematic PPS --------------------------------------------------------------------

def _sizes(sizes: Sequence[float]) -> list[float]:
    values = [float(v) for v in sizes]
    if not values:
        raise SurveyInputError("sizes must be a non-empty list of numbers")
    if not all(math.isfinite(v) and v > 0 for v in values):
        raise SurveyInputError("every size must be a finite number > 0")
    return values


def pps_inclusion_probabilities(sizes: Sequence[float], n: int
                                ) -> tuple[tuple[float, ...], tuple[bool, ...]]:
    """(π, certainty) for selecting ``n`` units with probability proportional to ``sizes``.

    Certainty units (size >= interval) are removed iteratively and the interval recomputed;
    the others get π_i = n' M_i / ΣM'.  Σπ = n.
    """
    m = _sizes(sizes)
    n = _count(n, "the number of units to select")
    if n > len(m):
        raise SurveyInputError(f"cannot select {n} units from {len(m)}")
    certain = [False] * len(m)
    left = n
    while left:
        interval = math.fsum(v for v, c in zip(m, certain, strict=True) if not c) / left
        new = [k for k, v in enumerate(m) if not certain[k] and v >= interval]
        if not new:
            break
        for k in new:
            certain[k] = True
        left = n - sum(certain)
    rest = math.fsum(v for v, c in zip(m, certain, strict=True) if not c)
    pi = tuple(1.0 if c else (left * v / rest if left else 0.0)
               for v, c in zip(m, certain, strict=True))
    return pi, tuple(certain)


def systematic_pps(sizes: Sequence[float], n: int, rng: np.random.Generator
                   ) -> tuple[tuple[int, ...], tuple[float, ...], tuple[bool, ...]]:
    """Select ``n`` of the units by systematic PPS (module docstring, step 2).

    Returns (selected indexes in frame order, π of every unit, certainty of every unit).
    """
    _check_rng(rng)
    pi, certain = pps_inclusion_probabilities(sizes, n)
    left = n - sum(certain)
    chosen = set(k for k, c in enumerate(certain) if c)
    if left:
        index = [k for k, c in enumerate(certain) if not c]
        cumulated = list(itertools.accumulate(float(sizes[k]) for k in index))
        interval = cumulated[-1] / left
        start = float(rng.uniform(0.0, interval))
        for j in range(left):
            hit = bisect.bisect_right(cumulated, start + j * interval)
            # A point can only fall past the end by rounding, when start + (left-1) I ≈ ΣM.
            chosen.add(index[min(hit, len(index) - 1)])
    return tuple(sorted(chosen)), pi, certain


@dataclass(frozen=True)
class SelectedPSU:
    """A sampled PSU with its first-stage probability ``pi`` and interviews to do (``take``)."""

    stratum: str
    psu: str
    size: float
    households: int
    pi: float
    certainty: bool
    take: int


@dataclass(frozen=True)
class PsuSample:
    """The first stage: the plan, the selected PSUs (frame order within strata) and the
    first-stage probability of every frame PSU (``inclusion``; 1 for certainty PSUs)."""

    spec: DesignSpec
    plan: tuple[StratumPlan, ...]
    psus: tuple[SelectedPSU, ...]
    inclusion: Mapping[str, float]
    certainty: frozenset[str]

    def stratum(self, stratum: str) -> tuple[SelectedPSU, ...]:
        return tuple(p for p in self.psus if p.stratum == stratum)

    def psu(self, psu_id: str) -> SelectedPSU:
        for p in self.psus:
            if p.psu == psu_id:
                return p
        raise SurveyInputError(f"PSU {psu_id} was not selected")


def select_psus(frame: Frame, spec: DesignSpec, plan: Sequence[StratumPlan],
                rng: np.random.Generator) -> PsuSample:
    """Systematic PPS in each stratum (frame order), strata in frame order from one ``rng``."""
    _check_rng(rng)
    selected: list[SelectedPSU] = []
    inclusion: dict[str, float] = {}
    certainty: set[str] = set()
    for stratum_plan in plan:
        units = frame.stratum(stratum_plan.stratum)
        if not units:
            raise SurveyInputError(f"stratum {stratum_plan.stratum} is not in the frame")
        chosen, pi, certain = systematic_pps([u.size for u in units], stratum_plan.psus, rng)
        for unit, p, c in zip(units, pi, certain, strict=True):
            inclusion[unit.psu] = p
            if c:
                certainty.add(unit.psu)
        for k in chosen:
            unit = units[k]
            selected.append(SelectedPSU(unit.township, unit.psu, unit.size, unit.households,
                                        pi[k], certain[k], spec.take))
    return PsuSample(spec, tuple(plan), tuple(selected), MappingProxyType(inclusion),
                     frozenset(certainty))


def draw_psus(frame: Frame, spec: DesignSpec, rng: np.random.Generator) -> PsuSample:
    """:func:`plan_design` then :func:`select_psus`: the wave's first stage in one call."""
    return select_psus(frame, spec, plan_design(frame, spec), rng)


# --- households ------------------------------------------------------------------------------

@dataclass(frozen=True)
class HouseholdSample:
    """The households taken from one PSU's listing, with their probability ``pi`` = take / listed
    (the same for every household), the start and the interval used."""

    psu: str
    listed: int
    take: int
    selected: tuple[str, ...]
    pi: float
    start: float
    interval: float


def select_households(psu: str, listing: Sequence[str], take: int, rng: np.random.Generator
                      ) -> HouseholdSample:
    """Systematic equal-probability selection of ``take`` households from the PSU's listing
    (module docstring, step 3).  A listing shorter than the take is refused: lower the take for
    that PSU explicitly (its households are then all taken, π₂ = 1)."""
    _check_rng(rng)
    take = _count(take, "the take", 1)
    households = list(listing)
    if not households:
        raise SurveyInputError(f"PSU {psu}: the household listing is empty")
    if len(set(households)) != len(households):
        dup = next(h for h in households if households.count(h) > 1)
        raise SurveyInputError(f"PSU {psu}: household {dup} is listed twice")
    if take > len(households):
        raise SurveyInputError(
            f"PSU {psu}: the take {take} is more than the {len(households)} listed households")
    interval = len(households) / take
    start = float(rng.uniform(0.0, interval))
    positions = [min(math.floor(start + j * interval), len(households) - 1)
                 for j in range(take)]
    return HouseholdSample(psu, len(households), take,
                           tuple(households[k] for k in positions), take / len(households),
                           start, interval)


def base_weight(pi1: float, pi2: float, eligible_adults: int) -> float:
    """Base weight of the interviewed adult: eligible adults / (π₁ x π₂) (module docstring)."""
    for name, value in (("pi1", pi1), ("pi2", pi2)):
        if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value <= 1:
            raise SurveyInputError(f"{name} must be a probability in (0, 1], got {value!r}")
    adults = _count(eligible_adults, "the number of eligible adults", 1)
    return adults / (float(pi1) * float(pi2))


# --- summary ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class StratumSummary:
    """One stratum of the design: PSUs in the frame, sampled, taken with certainty, Σπ over the
    frame's PSUs (equal to the sampled PSUs), and the allocated interviews."""

    stratum: str
    frame_psus: int
    sampled_psus: int
    certainty_psus: int
    sum_pi: float
    interviews: int


def design_summary(sample: PsuSample, frame: Frame) -> tuple[StratumSummary, ...]:
    """Per stratum, in the plan's order: the figures a design report shows."""
    rows = []
    for plan in sample.plan:
        units = frame.stratum(plan.stratum)
        rows.append(StratumSummary(
            stratum=plan.stratum,
            frame_psus=len(units),
            sampled_psus=len(sample.stratum(plan.stratum)),
            certainty_psus=sum(1 for u in units if u.psu in sample.certainty),
            sum_pi=math.fsum(sample.inclusion[u.psu] for u in units),
            interviews=plan.interviews,
        ))
    return tuple(rows)
