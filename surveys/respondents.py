"""Choosing the one adult to interview in a sampled household: the Kish grid or the next
birthday.

**Kish grid** (Kish, L. 1949, "A procedure for objective respondent selection within the
household", *Journal of the American Statistical Association* 44(247), 380-387).  The
interviewer lists the household's eligible adults, men first from the oldest to the youngest,
then women from the oldest to the youngest, and numbers them 1, 2, ...  Each sampled household
carries one of eight selection tables, which names the adult to interview for each number of
adults (the last column serves six or more):

=====  =====  ==  ==  ==  ==  ==  ===
table  share  1   2   3   4   5   6+
=====  =====  ==  ==  ==  ==  ==  ===
A      1/6    1   1   1   1   1   1
B1     1/12   1   1   1   1   2   2
B2     1/12   1   1   1   2   2   2
C      1/6    1   1   2   2   3   3
D      1/6    1   2   2   3   4   4
E1     1/12   1   2   3   3   3   5
E2     1/12   1   2   3   4   5   5
F      1/6    1   2   3   4   5   6
=====  =====  ==  ==  ==  ==  ==  ===

Tables are assigned to households in those shares by :func:`kish_tables`: permuted blocks of
twelve (A, A, B1, B2, C, C, D, D, E1, E2, F, F in a random order), as the Survey Research
Center dealt them to its cover sheets.  The grid gives every adult exactly 1/n for households
of 1, 2, 3, 4 or 6 adults.  With 5 adults, adults 3 and 5 have 1/4 and the others 1/6, and with
7 or more adults only the first six can be chosen: Kish accepted these as rare.  The selection
records the exact probability (``probability``); the base weight uses the count of eligible
adults as the design says (:func:`surveys.sampling.base_weight`).

**Next birthday** (Salmon & Nichols 1983, "The next-birthday method of respondent selection",
*Public Opinion Quarterly* 47(2), 270-276): the adult whose birthday comes first *after* the
reference date (the day of the visit; a birthday on that very day comes last, a year later).
A 29 February birthday falls on 28 February in other years.  Adults sharing the next birthday
are split by a seeded draw.  Its probability is taken as 1/n (birthdays spread evenly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from numbers import Integral
from types import MappingProxyType

import numpy as np

from surveys.demographics import Sex
from surveys.errors import SurveyInputError

__all__ = [
    "KISH_SELECTION",
    "KISH_SHARES",
    "Adult",
    "KishTable",
    "RespondentSelection",
    "SelectionMethod",
    "kish_order",
    "kish_probability",
    "kish_tables",
    "next_birthday",
    "select_by_kish",
    "select_by_next_birthday",
]


class KishTable(StrEnum):
    A = "A"
    B1 = "B1"
    B2 = "B2"
    C = "C"
    D = "D"
    E1 = "E1"
    E2 = "E2"
    F = "F"


#: Table -> adult number to interview for 1, 2, 3, 4, 5 and 6+ adults (Kish 1949).
KISH_SELECTION = MappingProxyType({
    KishTable.A: (1, 1, 1, 1, 1, 1),
    KishTable.B1: (1, 1, 1, 1, 2, 2),
    KishTable.B2: (1, 1, 1, 2, 2, 2),
    KishTable.C: (1, 1, 2, 2, 3, 3),
    KishTable.D: (1, 2, 2, 3, 4, 4),
    KishTable.E1: (1, 2, 3, 3, 3, 5),
    KishTable.E2: (1, 2, 3, 4, 5, 5),
    KishTable.F: (1, 2, 3, 4, 5, 6),
})
#: Share of households given each table (Kish 1949).
KISH_SHARES = MappingProxyType({
    KishTable.A: Fraction(1, 6), KishTable.B1: Fraction(1, 12), KishTable.B2: Fraction(1, 12),
    KishTable.C: Fraction(1, 6), KishTable.D: Fraction(1, 6), KishTable.E1: Fraction(1, 12),
    KishTable.E2: Fraction(1, 12), KishTable.F: Fraction(1, 6),
})
_KISH_BLOCK = tuple(table for table, share in KISH_SHARES.items()
                    for _ in range(int(share * 12)))


class SelectionMethod(StrEnum):
    KISH = "kish"
    NEXT_BIRTHDAY = "next_birthday"


@dataclass(frozen=True)
class Adult:
    """An eligible adult of the household as listed (birthday needed for the next-birthday
    method only)."""

    person_id: str
    sex: Sex
    age: int
    birth_month: int | None = None
    birth_day: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.person_id, str) or not self.person_id:
            raise SurveyInputError(f"person id must be non-empty text, got {self.person_id!r}")
        try:
            object.__setattr__(self, "sex", Sex(self.sex))
        except ValueError:
            raise SurveyInputError(
                f"person {self.person_id}: sex {self.sex!r} is not male or female") from None
        if isinstance(self.age, bool) or not isinstance(self.age, Integral) or self.age < 0:
            raise SurveyInputError(f"person {self.person_id}: age must be a whole number >= 0")


@dataclass(frozen=True)
class RespondentSelection:
    """The adult to interview: how chosen, out of how many eligible adults, and the exact
    within-household probability of that choice under the method."""

    person_id: str
    method: SelectionMethod
    eligible_adults: int
    probability: Fraction
    kish_table: KishTable | None = None
    kish_number: int | None = None


def _check_adults(adults: Sequence[Adult]) -> list[Adult]:
    listed = list(adults)
    if not listed:
        raise SurveyInputError("the household has no eligible adult")
    for adult in listed:
        if not isinstance(adult, Adult):
            raise SurveyInputError(f"expected Adult, got {type(adult).__name__}")
    ids = [a.person_id for a in listed]
    if len(set(ids)) != len(ids):
        raise SurveyInputError("the household lists a person twice")
    return listed


def kish_order(adults: Sequence[Adult]) -> tuple[Adult, ...]:
    """Kish's numbering: men oldest first, then women oldest first (equal ages keep the
    listing's order)."""
    listed = _check_adults(adults)
    men = sorted((a for a in listed if a.sex is Sex.MALE), key=lambda a: -a.age)
    women = sorted((a for a in listed if a.sex is Sex.FEMALE), key=lambda a: -a.age)
    return (*men, *women)


def kish_probability(number: int, adults: int) -> Fraction:
    """Exact chance that adult ``number`` of ``adults`` is chosen by the grid."""
    column = min(adults, 6) - 1
    return sum((share for table, share in KISH_SHARES.items()
                if KISH_SELECTION[table][column] == number), Fraction(0))


def kish_tables(households: int, rng: np.random.Generator) -> tuple[KishTable, ...]:
    """A table for each of ``households`` sampled households (in their order): permuted
    blocks of twelve in Kish's shares."""
    if not isinstance(rng, np.random.Generator):
        raise SurveyInputError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")
    if isinstance(households, bool) or not isinstance(households, Integral) or households < 0:
        raise SurveyInputError(f"households must be a whole number >= 0, got {households!r}")
    out: list[KishTable] = []
    while len(out) < households:
        out.extend(_KISH_BLOCK[k] for k in rng.permutation(len(_KISH_BLOCK)))
    return tuple(out[:households])


def select_by_kish(adults: Sequence[Adult], table: KishTable | str) -> RespondentSelection:
    """The adult the household's Kish table names."""
    ordered = kish_order(adults)
    try:
        table = KishTable(table)
    except ValueError:
        raise SurveyInputError(f"{table!r} is not a Kish table ({', '.join(KishTable)})") from None
    number = KISH_SELECTION[table][min(len(ordered), 6) - 1]
    return RespondentSelection(ordered[number - 1].person_id, SelectionMethod.KISH, len(ordered),
                               kish_probability(number, len(ordered)), table, number)


def next_birthday(month: int, day: int, reference: date) -> date:
    """The first birthday strictly after ``reference`` (29 February -> 28 February in a year
    without one)."""
    for year in (reference.year, reference.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            if (month, day) != (2, 29):
                raise SurveyInputError(f"{month}-{day} is not a day of the year") from None
            candidate = date(year, 2, 28)
        if candidate > reference:
            return candidate
    raise AssertionError("unreachable: a birthday recurs within a year")  # pragma: no cover


def select_by_next_birthday(adults: Sequence[Adult], reference: date,
                            rng: np.random.Generator) -> RespondentSelection:
    """The adult whose birthday comes next after ``reference``; a tie is split by ``rng``."""
    listed = _check_adults(adults)
    if not isinstance(rng, np.random.Generator):
        raise SurveyInputError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")
    dates = []
    for adult in listed:
        if adult.birth_month is None or adult.birth_day is None:
            raise SurveyInputError(f"person {adult.person_id}: the birthday is not known")
        dates.append(next_birthday(adult.birth_month, adult.birth_day, reference))
    first = min(dates)
    tied = [a for a, d in zip(listed, dates, strict=True) if d == first]
    chosen = tied[int(rng.integers(len(tied)))] if len(tied) > 1 else tied[0]
    return RespondentSelection(chosen.person_id, SelectionMethod.NEXT_BIRTHDAY, len(listed),
                               Fraction(1, len(listed)))
