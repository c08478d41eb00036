"""Scoring one literacy-survey form: the single rule the web form, imports and exports all use.

The rule (a project choice modelled on the national civic science-literacy survey's 100-point
scale used since 2022; ``docs/domain-notes.md``):

* every item carries exactly one dimension: K knowledge, M method, S spirit and thinking,
  A application, worth at most 40, 20, 20 and 20 points;
* dimension score = max points x correct / items *presented* in that dimension;
  total = the sum of the four, 0-100, kept exact (a :class:`~fractions.Fraction`) and shown as
  a float, so that "exactly 70" is never lost to rounding;
* "don't know" and blanks are wrong; an answer is right only if it is exactly the set of right
  choices (multiple choice is all-or-nothing);
* levels (reported nationally since 2024): high 85+, meets 70+, basic 55+, low below 55.  The
  cut points follow one :class:`Boundary` setting: ``INCLUSIVE`` ("70分及以上", the default)
  puts a score equal to a cut point in the upper level (score >= 85 high, >= 70 meets,
  >= 55 basic); ``EXCLUSIVE`` ("超过70分") puts it in the lower level (score > 85 high,
  > 70 meets, > 55 basic).  So under ``EXCLUSIVE`` exactly 85 is "meets", exactly 70 is
  "basic" and exactly 55 is "low";
* a form is **complete** only if it was not broken off, at least 90% of its items were
  presented and every dimension had at least one presented item (a dimension with no
  presented item has no score, 0/0, so neither has the total).  Anything else is **partial**:
  scored separately where it can be, never "complete", never in the literacy indicator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from numbers import Integral, Real
from types import MappingProxyType

from surveys.errors import SurveyInputError

__all__ = [
    "meets_standard",
    "CUT_POINTS",
    "DEFAULT_RULE",
    "MAX_POINTS",
    "MEETS_CUT",
    "Boundary",
    "CutReport",
    "Dimension",
    "DimensionScore",
    "FormScore",
    "FormStatus",
    "IncompleteReason",
    "ItemResponse",
    "Level",
    "NonAnswer",
    "ScoringRule",
    "cut_report",
    "is_correct",
    "level_for",
    "score_form",
]


class Dimension(StrEnum):
    """The four dimensions, in report order (codes as ``question_bank.schema.DIMENSIONS``)."""

    K = "K"
    M = "M"
    S = "S"
    A = "A"


#: Maximum points per dimension (the national 100-point scale: 40 + 20 + 20 + 20).
MAX_POINTS = MappingProxyType({Dimension.K: 40, Dimension.M: 20, Dimension.S: 20,
                               Dimension.A: 20})


class Level(StrEnum):
    """The four reported levels, highest first."""

    HIGH = "high"
    MEETS = "meets"
    BASIC = "basic"
    LOW = "low"


#: Lower cut point of each level above "low" (national reporting since 2024).
CUT_POINTS = ((Level.HIGH, 85), (Level.MEETS, 70), (Level.BASIC, 55))


def meets_standard(level: Level | str | None) -> bool | None:
    """Whether a level meets the standard (``high`` or ``meets``); None for no level."""
    return None if level is None else Level(level) in (Level.HIGH, Level.MEETS)
#: The "meets the standard" cut point.
MEETS_CUT = 70


class Boundary(StrEnum):
    """Where a score equal to a cut point goes; one setting for all three cut points."""

    INCLUSIVE = "inclusive"  # 70分及以上: score >= cut
    EXCLUSIVE = "exclusive"  # 超过70分: score > cut


class NonAnswer(StrEnum):
    """An item without a chosen option."""

    BLANK = "blank"  # presented, left empty: wrong
    DONT_KNOW = "dont_know"  # presented, "don't know": wrong
    NOT_PRESENTED = "not_presented"  # never shown (break-off, skipped page): not in the divisor


class FormStatus(StrEnum):
    COMPLETE = "complete"
    PARTIAL = "partial"


class IncompleteReason(StrEnum):
    """Why a form is not complete (a form may have several)."""

    BROKEN_OFF = "broken_off"
    TOO_FEW_PRESENTED = "too_few_presented"
    DIMENSION_NOT_PRESENTED = "dimension_not_presented"


@dataclass(frozen=True)
class ScoringRule:
    """The settings of the rule.

    ``boundary``: where a score equal to a cut point goes (module docstring).
    ``min_presented``: the share of the form's items that must be presented for the form to be
    complete (90%, compared exactly: 45 of 50 is complete, 899 of 1000 is not).
    """

    boundary: Boundary = Boundary.INCLUSIVE
    min_presented: Fraction = Fraction(9, 10)

    def __post_init__(self) -> None:
        object.__setattr__(self, "boundary", Boundary(self.boundary))
        share = Fraction(self.min_presented)
        if not 0 < share <= 1:
            raise SurveyInputError(f"min_presented must be in (0, 1], got {self.min_presented}")
        object.__setattr__(self, "min_presented", share)


DEFAULT_RULE = ScoringRule()


def _choices(value: object, what: str) -> frozenset[int]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise SurveyInputError(f"{what} must be a collection of option indexes, got {value!r}")
    out = set()
    for choice in value:
        if isinstance(choice, bool) or not isinstance(choice, Integral) or choice < 0:
            raise SurveyInputError(f"{what} holds {choice!r}, not an option index (0, 1, ...)")
        out.add(int(choice))
    return frozenset(out)


@dataclass(frozen=True)
class ItemResponse:
    """One item of a form as the respondent met it.

    ``key``: the right option indexes (``QuestionSpec.answer``: option positions, or for
    true/false 0 = true, 1 = false).  ``answer``: the chosen option indexes, or a
    :class:`NonAnswer`.  An empty selection counts as a blank.
    """

    item_id: str
    dimension: Dimension
    key: frozenset[int]
    answer: frozenset[int] | NonAnswer

    def __post_init__(self) -> None:
        if not isinstance(self.item_id, str) or not self.item_id:
            raise SurveyInputError(f"item id must be non-empty text, got {self.item_id!r}")
        try:
            object.__setattr__(self, "dimension", Dimension(self.dimension))
        except ValueError:
            raise SurveyInputError(
                f"item {self.item_id}: dimension {self.dimension!r} is not one of K, M, S, A"
            ) from None
        key = _choices(self.key, f"item {self.item_id}: key")
        if not key:
            raise SurveyInputError(f"item {self.item_id}: the key has no right option")
        object.__setattr__(self, "key", key)
        if isinstance(self.answer, NonAnswer):
            return
        if isinstance(self.answer, str):
            try:
                object.__setattr__(self, "answer", NonAnswer(self.answer))
            except ValueError:
                raise SurveyInputError(
                    f"item {self.item_id}: answer {self.answer!r} is neither option indexes "
                    f"nor one of {', '.join(NonAnswer)}") from None
            return
        object.__setattr__(self, "answer", _choices(self.answer, f"item {self.item_id}: answer"))

    @property
    def presented(self) -> bool:
        return self.answer is not NonAnswer.NOT_PRESENTED

    @property
    def correct(self) -> bool:
        return is_correct(self.key, self.answer)


def is_correct(key: frozenset[int], answer: frozenset[int] | NonAnswer) -> bool:
    """Right only if the chosen options are exactly the right ones (all-or-nothing).

    Blanks, "don't know", items never presented and empty selections are wrong.
    """
    if isinstance(answer, NonAnswer):
        return False
    return bool(answer) and frozenset(answer) == frozenset(key)


@dataclass(frozen=True)
class DimensionScore:
    """One dimension of a form: ``points`` = max_points x correct / presented (None if 0/0)."""

    dimension: Dimension
    items: int
    presented: int
    correct: int
    max_points: int
    points_exact: Fraction | None

    @property
    def points(self) -> float | None:
        return None if self.points_exact is None else float(self.points_exact)


@dataclass(frozen=True)
class FormScore:
    """The scored form.

    ``total_exact`` and ``level`` are ``None`` when some dimension had no presented item.
    A partial form keeps its score (reported separately) but ``in_indicator`` is False.
    """

    status: FormStatus
    reasons: tuple[IncompleteReason, ...]
    items: int
    presented: int
    dimensions: tuple[DimensionScore, ...]
    total_exact: Fraction | None
    level: Level | None
    rule: ScoringRule = field(default=DEFAULT_RULE)

    @property
    def total(self) -> float | None:
        """The total as a float (0-100); the level was decided on ``total_exact``."""
        return None if self.total_exact is None else float(self.total_exact)

    @property
    def complete(self) -> bool:
        return self.status is FormStatus.COMPLETE

    @property
    def in_indicator(self) -> bool:
        """Only complete forms count towards the share meeting the standard."""
        return self.complete

    @property
    def meets_standard(self) -> bool | None:
        """Whether the total reaches "meets" (high or meets); None without a total."""
        return meets_standard(self.level)

    @property
    def presented_share(self) -> Fraction:
        return Fraction(self.presented, self.items)

    def dimension(self, dimension: Dimension | str) -> DimensionScore:
        return next(d for d in self.dimensions if d.dimension == Dimension(dimension))


def _as_fraction(total: float | Fraction | int) -> Fraction:
    if isinstance(total, bool) or not isinstance(total, Real | Fraction):
        raise SurveyInputError(f"a score must be a number, got {total!r}")
    if isinstance(total, float) and total != total:  # NaN
        raise SurveyInputError("a score must be a number, got NaN")
    try:
        exact = Fraction(total)
    except (OverflowError, ValueError):
        raise SurveyInputError(f"a score must be a finite number, got {total!r}") from None
    if not 0 <= exact <= 100:
        raise SurveyInputError(f"a score must be between 0 and 100, got {total}")
    return exact


def level_for(total: float | Fraction | int, boundary: Boundary | str = Boundary.INCLUSIVE
              ) -> Level:
    """The level of a total (0-100) under ``boundary``; the comparison is exact.

    INCLUSIVE: high if total >= 85, meets if >= 70, basic if >= 55, else low.
    EXCLUSIVE: high if total > 85, meets if > 70, basic if > 55, else low.
    A float is taken at its exact value: 69.999 is below 70 under both settings.
    """
    exact = _as_fraction(total)
    inclusive = Boundary(boundary) is Boundary.INCLUSIVE
    for level, cut in CUT_POINTS:
        if exact > cut or (inclusive and exact == cut):
            return level
    return Level.LOW


def score_form(responses: Iterable[ItemResponse], *, broken_off: bool = False,
               rule: ScoringRule = DEFAULT_RULE) -> FormScore:
    """Score one form: every item of the form, presented or not, in any order.

    The rule is the module docstring's.  ``broken_off``: the interview ended before the form
    did (AAPOR's break-off); such a form is partial whatever share was presented.
    """
    items = list(responses)
    if not items:
        raise SurveyInputError("a form needs at least one item")
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, ItemResponse):
            raise SurveyInputError(f"expected ItemResponse, got {type(item).__name__}")
        if item.item_id in seen:
            raise SurveyInputError(f"item {item.item_id} appears twice on the form")
        seen.add(item.item_id)

    dimensions = []
    total: Fraction | None = Fraction(0)
    for dimension in Dimension:
        mine = [item for item in items if item.dimension is dimension]
        presented = [item for item in mine if item.presented]
        correct = sum(1 for item in presented if item.correct)
        points = (Fraction(MAX_POINTS[dimension] * correct, len(presented)) if presented
                  else None)
        dimensions.append(DimensionScore(dimension, len(mine), len(presented), correct,
                                         MAX_POINTS[dimension], points))
        total = None if points is None or total is None else total + points

    presented_count = sum(1 for item in items if item.presented)
    reasons = []
    if broken_off:
        reasons.append(IncompleteReason.BROKEN_OFF)
    if Fraction(presented_count, len(items)) < rule.min_presented:
        reasons.append(IncompleteReason.TOO_FEW_PRESENTED)
    if any(d.presented == 0 for d in dimensions):
        reasons.append(IncompleteReason.DIMENSION_NOT_PRESENTED)
    return FormScore(
        status=FormStatus.PARTIAL if reasons else FormStatus.COMPLETE,
        reasons=tuple(reasons),
        items=len(items),
        presented=presented_count,
        dimensions=tuple(dimensions),
        total_exact=total,
        level=None if total is None else level_for(total, rule.boundary),
        rule=rule,
    )


@dataclass(frozen=True)
class CutReport:
    """How much the boundary setting matters at one cut point, over complete forms only.

    ``meets_inclusive - meets_exclusive == exactly_at_cut`` always.
    """

    cut: int
    complete: int
    exactly_at_cut: int
    at_or_above: int
    above: int

    @property
    def share_exactly_at_cut(self) -> float | None:
        return None if self.complete == 0 else self.exactly_at_cut / self.complete


def cut_report(scores: Iterable[FormScore], cut: int = MEETS_CUT) -> CutReport:
    """Count complete forms scoring exactly ``cut`` (default 70), at or above it, and above it.

    Domain rule: public wording differs on whether exactly 70 passes, so every report states
    how many respondents score exactly 70.  Partial forms are left out (they are never in the
    indicator); the comparison uses the exact total.
    """
    exact_cut = _as_fraction(cut)
    complete = [s for s in scores if s.complete]
    totals = [s.total_exact for s in complete]
    return CutReport(
        cut=cut,
        complete=len(complete),
        exactly_at_cut=sum(1 for t in totals if t == exact_cut),
        at_or_above=sum(1 for t in totals if t >= exact_cut),
        above=sum(1 for t in totals if t > exact_cut),
    )
