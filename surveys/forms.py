"""Two parallel forms per survey wave from the reserved items, and who gets which form.

Design (a project choice): each wave fields two forms, A and B, of 50 items each, 20 K, 10 M,
10 S and 10 A, as the scoring rule's form of about 50 items (``docs/domain-notes.md``).  The
two forms share 10 **anchor** items, allocated in proportion to the dimensions (4 K, 2 M, 2 S,
2 A), so that the forms can be linked by the common-item non-equivalent-groups design (Kolen &
Brennan, *Test Equating, Scaling, and Linking*, 3rd ed. 2014: the anchor should be a mini
version of the whole test, in content and difficulty).  The other 40 items of each
form are unique to it.

**Balance.** Forms are assembled by a seeded local search: items of one dimension are dealt
at random into anchor / A-only / B-only / unused, then pairs of items of the same dimension
with different roles are swapped, in a random order, whenever the swap improves, in this
order of priority:

1. difficulty: 2 x the sum over dimensions of |sum of difficulty of the A-only items - that of
   the B-only items|, plus the same difference over all dimensions together.  The counts are
   equal, so equal sums mean equal mean difficulty per dimension and overall (the anchors are
   common).  The factor 2 lets a swap that narrows one dimension's gap always count as an
   improvement even if it widens the overall gap;
2. empirical p-values, where the pool has them: the sum over dimensions of |mean p of A-only -
   mean p of B-only|;
3. the anchors' representativeness: the sum over dimensions of |mean difficulty of the
   anchors - mean difficulty of the unique items|.

The search stops when no single swap improves.  At that point, in every dimension the two
forms' difficulty sums differ by at most 2 (a larger gap always leaves a swap of difficulty 1
or 2 that narrows it), which is a mean-difficulty gap of at most 2/16 for K and 2/8 for
M, S, A; with a pool of mixed difficulties the gap is usually 0.

**Assignment.** Respondents get a form by permuted blocks (each block of ``block_size``
consecutive respondents holds every form equally often, in a random order; Friedman, Furberg
& DeMets, *Fundamentals of Clinical Trials*, permuted-block randomisation), optionally within
each stratum (e.g. PSU), so the forms stay balanced in every part of the sample.  The caller
stores the assignment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from surveys.errors import PoolTooSmallError, SurveyInputError
from surveys.scoring import Dimension

__all__ = [
    "DEFAULT_BLUEPRINT",
    "Blueprint",
    "ComparisonRow",
    "Form",
    "FormAssignment",
    "ParallelForms",
    "PoolItem",
    "assemble_parallel_forms",
    "assign_forms",
    "comparison_table",
    "permuted_blocks",
]

DIFFICULTIES = (1, 2, 3)
_EPS = 1e-12


@dataclass(frozen=True)
class PoolItem:
    """A reserved survey item: id, dimension, rated difficulty (1 easy - 3 hard) and, once the
    item has been fielded, its empirical p-value (share answering correctly, 0-1)."""

    id: str
    dimension: Dimension
    difficulty: int
    p_value: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise SurveyInputError(f"item id must be non-empty text, got {self.id!r}")
        try:
            object.__setattr__(self, "dimension", Dimension(self.dimension))
        except ValueError:
            raise SurveyInputError(
                f"item {self.id}: dimension {self.dimension!r} is not one of K, M, S, A") from None
        if isinstance(self.difficulty, bool) or self.difficulty not in DIFFICULTIES:
            raise SurveyInputError(
                f"item {self.id}: difficulty must be 1, 2 or 3, got {self.difficulty!r}")
        if self.p_value is not None:
            p = float(self.p_value)
            if not 0 <= p <= 1:
                raise SurveyInputError(f"item {self.id}: p-value must be in [0, 1], got {p}")
            object.__setattr__(self, "p_value", p)


@dataclass(frozen=True)
class Blueprint:
    """Items per form and anchors (shared items) per dimension."""

    items: Mapping[Dimension, int] = field(default_factory=lambda: MappingProxyType(
        {Dimension.K: 20, Dimension.M: 10, Dimension.S: 10, Dimension.A: 10}))
    anchors: Mapping[Dimension, int] = field(default_factory=lambda: MappingProxyType(
        {Dimension.K: 4, Dimension.M: 2, Dimension.S: 2, Dimension.A: 2}))

    def __post_init__(self) -> None:
        items = {Dimension(d): int(n) for d, n in self.items.items()}
        anchors = {Dimension(d): int(n) for d, n in self.anchors.items()}
        for d in Dimension:
            items.setdefault(d, 0)
            anchors.setdefault(d, 0)
            if items[d] < 1:
                raise SurveyInputError(f"a form needs at least one {d} item")
            if not 0 <= anchors[d] <= items[d]:
                raise SurveyInputError(
                    f"anchors for {d} must be between 0 and the {items[d]} items per form")
        object.__setattr__(self, "items", MappingProxyType(items))
        object.__setattr__(self, "anchors", MappingProxyType(anchors))

    def unique(self, dimension: Dimension) -> int:
        """Items of ``dimension`` on one form only."""
        return self.items[dimension] - self.anchors[dimension]

    def needed(self, dimension: Dimension) -> int:
        """Pool items of ``dimension`` the two forms use: anchors + 2 x unique."""
        return self.anchors[dimension] + 2 * self.unique(dimension)

    @property
    def form_length(self) -> int:
        return sum(self.items.values())


DEFAULT_BLUEPRINT = Blueprint()


@dataclass(frozen=True)
class Form:
    """One form: its items grouped by dimension (K, M, S, A), anchors first, each part by id.

    That order is for listing; the order respondents see is the caller's."""

    code: str
    items: tuple[PoolItem, ...]
    anchor_ids: frozenset[str]

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    def of(self, dimension: Dimension | str) -> tuple[PoolItem, ...]:
        return tuple(i for i in self.items if i.dimension == Dimension(dimension))

    def mean_difficulty(self, dimension: Dimension | str | None = None) -> float:
        chosen = self.items if dimension is None else self.of(dimension)
        return sum(i.difficulty for i in chosen) / len(chosen)


@dataclass(frozen=True)
class ComparisonRow:
    """One line of the forms' comparison table (``dimension`` None = the whole form)."""

    form: str
    dimension: Dimension | None
    items: int
    anchors: int
    mean_difficulty: float
    mean_p_value: float | None
    p_values: int


@dataclass(frozen=True)
class ParallelForms:
    """The wave's two forms and the anchors they share."""

    forms: tuple[Form, Form]
    anchors: tuple[PoolItem, ...]
    unused: tuple[str, ...]
    blueprint: Blueprint = DEFAULT_BLUEPRINT

    def form(self, code: str) -> Form:
        for form in self.forms:
            if form.code == code:
                return form
        raise SurveyInputError(f"no form {code!r} (forms: {', '.join(f.code for f in self.forms)})")

    def difficulty_gap(self, dimension: Dimension | str | None = None) -> float:
        """|mean difficulty of form A - of form B| in one dimension or overall."""
        a, b = self.forms
        return abs(a.mean_difficulty(dimension) - b.mean_difficulty(dimension))


# --- assembly --------------------------------------------------------------------------------

_ANCHOR, _FORM_A, _FORM_B, _UNUSED = 0, 1, 2, 3


class _Search:
    """The running sums the objective needs, per dimension and role."""

    def __init__(self, groups: dict[Dimension, list[PoolItem]],
                 roles: dict[Dimension, list[int]]) -> None:
        self.groups = groups
        self.roles = roles
        # [dimension][role] -> [sum difficulty, sum p, count with p, count]
        self.sums = {d: [[0.0, 0.0, 0, 0] for _ in range(4)] for d in groups}
        for d, items in groups.items():
            for item, role in zip(items, roles[d], strict=True):
                self._add(d, role, item, 1)

    def _add(self, d: Dimension, role: int, item: PoolItem, sign: int) -> None:
        cell = self.sums[d][role]
        cell[0] += sign * item.difficulty
        if item.p_value is not None:
            cell[1] += sign * item.p_value
            cell[2] += sign
        cell[3] += sign

    def objective(self) -> tuple[int, float, float]:
        primary = 0
        overall = 0
        p_gap = 0.0
        anchor_gap = 0.0
        for d in self.groups:
            anchor, form_a, form_b, _ = self.sums[d]
            diff = int(form_a[0] - form_b[0])
            primary += abs(diff)
            overall += diff
            if form_a[2] and form_b[2]:
                p_gap += abs(form_a[1] / form_a[2] - form_b[1] / form_b[2])
            if anchor[3] and form_a[3]:
                unique_mean = (form_a[0] + form_b[0]) / (form_a[3] + form_b[3])
                anchor_gap += abs(anchor[0] / anchor[3] - unique_mean)
        return 2 * primary + abs(overall), p_gap, anchor_gap

    def swap(self, d: Dimension, i: int, j: int) -> None:
        items, roles = self.groups[d], self.roles[d]
        ri, rj = roles[i], roles[j]
        self._add(d, ri, items[i], -1)
        self._add(d, rj, items[j], -1)
        roles[i], roles[j] = rj, ri
        self._add(d, rj, items[i], 1)
        self._add(d, ri, items[j], 1)


def _better(new: tuple[int, float, float], old: tuple[int, float, float]) -> bool:
    if new[0] != old[0]:
        return new[0] < old[0]
    if abs(new[1] - old[1]) > _EPS:
        return new[1] < old[1]
    return new[2] < old[2] - _EPS


def _check_pool(items: list[PoolItem], blueprint: Blueprint) -> dict[Dimension, list[PoolItem]]:
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, PoolItem):
            raise SurveyInputError(f"expected PoolItem, got {type(item).__name__}")
        if item.id in seen:
            raise SurveyInputError(f"item {item.id} appears twice in the pool")
        seen.add(item.id)
    groups = {d: sorted((i for i in items if i.dimension is d), key=lambda i: i.id)
              for d in Dimension}
    shortfalls = {str(d): (len(groups[d]), blueprint.needed(d)) for d in Dimension
                  if len(groups[d]) < blueprint.needed(d)}
    if shortfalls:
        parts = [f"{d} has {have}, needs {need} ({blueprint.anchors[Dimension(d)]} anchors + "
                 f"2 x {blueprint.unique(Dimension(d))} unique)"
                 for d, (have, need) in shortfalls.items()]
        raise PoolTooSmallError("the reserved pool is too small for two parallel forms: "
                                + "; ".join(parts), shortfalls)
    return groups


def assemble_parallel_forms(pool: Iterable[PoolItem], rng: np.random.Generator, *,
                            blueprint: Blueprint = DEFAULT_BLUEPRINT,
                            codes: tuple[str, str] = ("A", "B"),
                            max_passes: int = 100) -> ParallelForms:
    """Two parallel forms sharing the blueprint's anchors, balanced as the module docstring says.

    The result depends only on the pool's content (not its order) and on ``rng``'s state.
    Raises :class:`PoolTooSmallError` naming every dimension with too few items.
    """
    if not isinstance(rng, np.random.Generator):
        raise SurveyInputError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")
    if len(codes) != 2 or codes[0] == codes[1] or not all(codes):
        raise SurveyInputError(f"two distinct form codes are needed, got {codes!r}")
    groups = _check_pool(list(pool), blueprint)
    roles: dict[Dimension, list[int]] = {}
    for d in Dimension:
        a, u = blueprint.anchors[d], blueprint.unique(d)
        start = [_ANCHOR] * a + [_FORM_A] * u + [_FORM_B] * u
        start += [_UNUSED] * (len(groups[d]) - len(start))
        order = rng.permutation(len(start))
        roles[d] = [start[k] for k in order]
    search = _Search(groups, roles)
    pairs = {d: [(i, j) for i in range(len(groups[d])) for j in range(i + 1, len(groups[d]))]
             for d in Dimension}
    current = search.objective()
    for _ in range(max_passes):
        improved = False
        for d in Dimension:
            dim_roles = roles[d]
            for k in rng.permutation(len(pairs[d])):
                i, j = pairs[d][k]
                if dim_roles[i] == dim_roles[j]:
                    continue
                search.swap(d, i, j)
                candidate = search.objective()
                if _better(candidate, current):
                    current = candidate
                    improved = True
                else:
                    search.swap(d, i, j)
        if not improved:
            break

    def chosen(role: int) -> list[PoolItem]:
        return [item for d in Dimension for item, r in zip(groups[d], roles[d], strict=True)
                if r == role]

    anchors = chosen(_ANCHOR)
    anchor_ids = frozenset(i.id for i in anchors)

    def build(code: str, role: int) -> Form:
        own = chosen(role)
        items = tuple(item for d in Dimension
                      for item in [*(x for x in anchors if x.dimension is d),
                                   *(x for x in own if x.dimension is d)])
        return Form(code=code, items=items, anchor_ids=anchor_ids)

    return ParallelForms(
        forms=(build(codes[0], _FORM_A), build(codes[1], _FORM_B)),
        anchors=tuple(anchors),
        unused=tuple(i.id for i in chosen(_UNUSED)),
        blueprint=blueprint,
    )


def comparison_table(forms: ParallelForms) -> tuple[ComparisonRow, ...]:
    """Per form, per dimension (K, M, S, A) then the whole form: items, anchors, mean
    difficulty, and mean p-value over the items that have one (None if none has)."""
    rows = []
    for form in forms.forms:
        for dimension in (*Dimension, None):
            items = form.items if dimension is None else form.of(dimension)
            ps = [i.p_value for i in items if i.p_value is not None]
            rows.append(ComparisonRow(
                form=form.code,
                dimension=dimension,
                items=len(items),
                anchors=sum(1 for i in items if i.id in form.anchor_ids),
                mean_difficulty=sum(i.difficulty for i in items) / len(items),
                mean_p_value=math.fsum(ps) / len(ps) if ps else None,
                p_values=len(ps),
            ))
    return tuple(rows)


# --- assignment ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FormAssignment:
    """Respondent -> form; ``block`` numbers the permuted block within its stratum (from 0)."""

    respondent_id: str
    form: str
    block: int
    stratum: str | None = None


def permuted_blocks(n: int, rng: np.random.Generator, *, forms: Sequence[str] = ("A", "B"),
                    block_size: int = 4) -> tuple[str, ...]:
    """A sequence of ``n`` form codes made of permuted blocks (the last block may be cut short).

    Every complete block holds each form ``block_size / len(forms)`` times, so at any point the
    counts of two forms differ by at most ``block_size / len(forms)``.
    """
    if not isinstance(rng, np.random.Generator):
        raise SurveyInputError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")
    forms = tuple(forms)
    if len(forms) < 2 or len(set(forms)) != len(forms):
        raise SurveyInputError(f"at least two distinct forms are needed, got {forms!r}")
    if isinstance(block_size, bool) or block_size < len(forms) or block_size % len(forms):
        raise SurveyInputError(
            f"block_size must be a positive multiple of the {len(forms)} forms, got {block_size}")
    if n < 0:
        raise SurveyInputError(f"n must be >= 0, got {n}")
    block = [f for f in forms for _ in range(block_size // len(forms))]
    out: list[str] = []
    while len(out) < n:
        out.extend(block[k] for k in rng.permutation(block_size))
    return tuple(out[:n])


def assign_forms(respondent_ids: Sequence[str], rng: np.random.Generator, *,
                 forms: Sequence[str] = ("A", "B"), block_size: int = 4,
                 strata: Mapping[str, str] | None = None) -> tuple[FormAssignment, ...]:
    """Assign each respondent a form by permuted blocks, in the given order.

    With ``strata`` (respondent id -> stratum, e.g. PSU), blocks run within each stratum,
    strata taken in order of first appearance.  Returned in the input order.
    """
    ids = list(respondent_ids)
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise SurveyInputError(f"respondent {dup} appears twice")
    if strata is not None:
        missing = [i for i in ids if i not in strata]
        if missing:
            raise SurveyInputError(f"respondent {missing[0]} has no stratum")
    by_stratum: dict[str | None, list[str]] = {}
    for rid in ids:
        by_stratum.setdefault(None if strata is None else strata[rid], []).append(rid)
    result: dict[str, FormAssignment] = {}
    for stratum, members in by_stratum.items():
        sequence = permuted_blocks(len(members), rng, forms=forms, block_size=block_size)
        for position, (rid, form) in enumerate(zip(members, sequence, strict=True)):
            result[rid] = FormAssignment(rid, form, position // block_size, stratum)
    return tuple(result[rid] for rid in ids)
