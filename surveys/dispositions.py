"""Final case dispositions and outcome rates by the AAPOR Standard Definitions.

Source: The American Association for Public Opinion Research (2023), *Standard Definitions:
Final Dispositions of Case Codes and Outcome Rates for Surveys*, 10th edition (in-person
household surveys).  Each :class:`Disposition` falls in one rate category:

====================  ==========  ======================================================
disposition           AAPOR code  category
====================  ==========  ======================================================
complete              1.1         I   complete interview
partial               1.2         P   partial interview
refusal               2.11        R   refusal
break_off             2.12        R   break-off (too little of the interview for a partial)
non_contact           2.20        NC  non-contact
other                 2.30        O   other non-interview (e.g. ill, language)
unknown_household     3.10        UH  unknown if an occupied housing unit
unknown_other         3.90        UO  unknown eligibility, other (incl. 3.20 no screener)
not_eligible          4.0         NE  not eligible (not counted in any rate)
====================  ==========  ======================================================

The rates (AAPOR 2023):

* RR1 = I / ((I+P) + (R+NC+O) + (UH+UO))
* RR2 = (I+P) / ((I+P) + (R+NC+O) + (UH+UO))
* RR3 = I / ((I+P) + (R+NC+O) + e(UH+UO))
* RR4 = (I+P) / ((I+P) + (R+NC+O) + e(UH+UO))
* COOP1 = I / ((I+P) + R + O)
* CON1 = ((I+P) + R + O) / ((I+P) + R + O + NC + (UH+UO))

e, the estimated share of the unknown-eligibility cases that are eligible, must be stated.
Ours by default: the share eligible among the cases whose eligibility was resolved,
e = (I+P+R+NC+O) / (I+P+R+NC+O+NE) (AAPOR's proportional allocation).  A rate whose
denominator is 0 is ``None``.

Interviews become complete, partial or break-off by the scoring rule
(:func:`disposition_of_interview`): complete = the form is complete (:mod:`surveys.scoring`);
otherwise partial if at least half of the form's items were presented, else break-off (AAPOR
leaves the thresholds to the survey and gives 50% as the usual break-off line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from surveys.errors import SurveyInputError
from surveys.scoring import FormScore

__all__ = [
    "AAPOR_CODE",
    "CATEGORY_OF",
    "E_BASIS_RESOLVED",
    "Case",
    "Disposition",
    "DispositionCounts",
    "GroupBy",
    "RateCategory",
    "ResponseRates",
    "disposition_of_interview",
    "rates_by",
    "response_rates",
]


class Disposition(StrEnum):
    """Final disposition of a sampled case, in AAPOR's order."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    REFUSAL = "refusal"
    BREAK_OFF = "break_off"
    NON_CONTACT = "non_contact"
    OTHER = "other"
    UNKNOWN_HOUSEHOLD = "unknown_household"
    UNKNOWN_OTHER = "unknown_other"
    NOT_ELIGIBLE = "not_eligible"


class RateCategory(StrEnum):
    I = "I"  # noqa: E741 - AAPOR's own letter
    P = "P"
    R = "R"
    NC = "NC"
    O = "O"  # noqa: E741 - AAPOR's own letter
    UH = "UH"
    UO = "UO"
    NE = "NE"


AAPOR_CODE = MappingProxyType({
    Disposition.COMPLETE: "1.1", Disposition.PARTIAL: "1.2", Disposition.REFUSAL: "2.11",
    Disposition.BREAK_OFF: "2.12", Disposition.NON_CONTACT: "2.20", Disposition.OTHER: "2.30",
    Disposition.UNKNOWN_HOUSEHOLD: "3.10", Disposition.UNKNOWN_OTHER: "3.90",
    Disposition.NOT_ELIGIBLE: "4.0",
})
CATEGORY_OF = MappingProxyType({
    Disposition.COMPLETE: RateCategory.I, Disposition.PARTIAL: RateCategory.P,
    Disposition.REFUSAL: RateCategory.R, Disposition.BREAK_OFF: RateCategory.R,
    Disposition.NON_CONTACT: RateCategory.NC, Disposition.OTHER: RateCategory.O,
    Disposition.UNKNOWN_HOUSEHOLD: RateCategory.UH, Disposition.UNKNOWN_OTHER: RateCategory.UO,
    Disposition.NOT_ELIGIBLE: RateCategory.NE,
})
E_BASIS_RESOLVED = "eligible share of resolved cases: (I+P+R+NC+O) / (I+P+R+NC+O+NE)"


@dataclass(frozen=True)
class DispositionCounts:
    """Cases per rate category."""

    I: int = 0  # noqa: E741
    P: int = 0
    R: int = 0
    NC: int = 0
    O: int = 0  # noqa: E741
    UH: int = 0
    UO: int = 0
    NE: int = 0

    @classmethod
    def of(cls, dispositions: Iterable[Disposition | str]) -> DispositionCounts:
        tally = dict.fromkeys(RateCategory, 0)
        for value in dispositions:
            try:
                tally[CATEGORY_OF[Disposition(value)]] += 1
            except ValueError:
                raise SurveyInputError(
                    f"{value!r} is not a disposition ({', '.join(Disposition)})") from None
        return cls(**{c.value: n for c, n in tally.items()})

    @property
    def total(self) -> int:
        return self.I + self.P + self.R + self.NC + self.O + self.UH + self.UO + self.NE

    @property
    def eligible_resolved(self) -> int:
        return self.I + self.P + self.R + self.NC + self.O

    @property
    def unknown(self) -> int:
        return self.UH + self.UO


@dataclass(frozen=True)
class ResponseRates:
    """The AAPOR rates of a set of cases (module docstring), ``None`` where undefined."""

    counts: DispositionCounts
    e: float | None
    e_basis: str
    rr1: float | None
    rr2: float | None
    rr3: float | None
    rr4: float | None
    coop1: float | None
    con1: float | None


def _ratio(numerator: Fraction | int, denominator: Fraction | int) -> float | None:
    return None if denominator == 0 else float(Fraction(numerator) / Fraction(denominator))


def response_rates(dispositions: Iterable[Disposition | str] | DispositionCounts, *,
                   e: float | None = None, e_basis: str | None = None) -> ResponseRates:
    """RR1-RR4, COOP1 and CON1 (AAPOR 2023; module docstring).

    ``e``: the eligible share of unknown-eligibility cases, if known otherwise (say how in
    ``e_basis``); by default estimated from the resolved cases.  Computed exactly, then shown
    as floats.
    """
    counts = (dispositions if isinstance(dispositions, DispositionCounts)
              else DispositionCounts.of(dispositions))
    if e is None:
        resolved = counts.eligible_resolved + counts.NE
        e_exact = None if resolved == 0 else Fraction(counts.eligible_resolved, resolved)
        basis = E_BASIS_RESOLVED
    else:
        if not 0 <= e <= 1:
            raise SurveyInputError(f"e must be between 0 and 1, got {e}")
        e_exact = Fraction(e)
        basis = e_basis or "given"
    c = counts
    interviews = c.I + c.P
    known = interviews + c.R + c.NC + c.O
    with_e = None if e_exact is None else known + e_exact * c.unknown
    return ResponseRates(
        counts=c,
        e=None if e_exact is None else float(e_exact),
        e_basis=basis,
        rr1=_ratio(c.I, known + c.unknown),
        rr2=_ratio(interviews, known + c.unknown),
        rr3=None if with_e is None else _ratio(c.I, with_e),
        rr4=None if with_e is None else _ratio(interviews, with_e),
        coop1=_ratio(c.I, interviews + c.R + c.O),
        con1=_ratio(interviews + c.R + c.O, interviews + c.R + c.O + c.NC + c.unknown),
    )


def disposition_of_interview(score: FormScore, *, partial_min: Fraction = Fraction(1, 2)
                             ) -> Disposition:
    """Complete if the form is complete; else partial if at least ``partial_min`` of its items
    were presented; else break-off (module docstring)."""
    if score.complete:
        return Disposition.COMPLETE
    if score.presented_share >= Fraction(partial_min):
        return Disposition.PARTIAL
    return Disposition.BREAK_OFF


class GroupBy(StrEnum):
    STRATUM = "stratum"
    PSU = "psu"
    INTERVIEWER = "interviewer"


@dataclass(frozen=True)
class Case:
    """A sampled case's final disposition and where it belongs."""

    case_id: str
    disposition: Disposition
    stratum: str | None = None
    psu: str | None = None
    interviewer: str | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "disposition", Disposition(self.disposition))
        except ValueError:
            raise SurveyInputError(
                f"case {self.case_id}: {self.disposition!r} is not a disposition") from None


def rates_by(cases: Iterable[Case], by: GroupBy | str | Callable[[Case], str], *,
             e: float | None = None, e_basis: str | None = None) -> dict[str, ResponseRates]:
    """The rates per group (stratum, PSU, interviewer, or any key function), groups in order
    of first appearance; cases without the key are grouped under ``""``.

    Every group uses the same e: the one given, or else the one estimated from all cases
    together (small groups would give unstable e's), stated in ``e_basis``.
    """
    listed = list(cases)
    if callable(by):
        key = by
    else:
        try:
            attribute = GroupBy(by).value
        except ValueError:
            raise SurveyInputError(
                f"cannot group by {by!r} (use {', '.join(GroupBy)} or a function)") from None

        def key(case: Case) -> str:
            return getattr(case, attribute) or ""

    if e is None:
        overall = response_rates(c.disposition for c in listed)
        e = overall.e
        e_basis = f"all cases together: {overall.e_basis}"
    groups: dict[str, list[Disposition]] = {}
    for case in listed:
        groups.setdefault(key(case), []).append(case.disposition)
    return {name: response_rates(members, e=e, e_basis=e_basis)
            for name, members in groups.items()}
