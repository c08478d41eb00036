"""AAPOR Standard Definitions (10th edition, 2023) outcome rates on a hand-computed example,
the e estimate, zero denominators, interviews' dispositions from the scoring rule, and the
breakdown by stratum, PSU and interviewer.

Formulas (AAPOR 2023):
  RR1 = I / ((I+P) + (R+NC+O) + (UH+UO))        RR2 = (I+P) / (same)
  RR3 = I / ((I+P) + (R+NC+O) + e(UH+UO))       RR4 = (I+P) / (same)
  COOP1 = I / ((I+P) + R + O)
  CON1 = ((I+P) + R + O) / ((I+P) + R + O + NC + (UH+UO))
  e = (I+P+R+NC+O) / (I+P+R+NC+O+NE)  (eligible share of the resolved cases; our choice)
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from surveys import (
    Case,
    Disposition,
    DispositionCounts,
    GroupBy,
    ItemResponse,
    NonAnswer,
    SurveyInputError,
    disposition_of_interview,
    rates_by,
    response_rates,
    score_form,
)
from surveys.dispositions import AAPOR_CODE, CATEGORY_OF, E_BASIS_RESOLVED, RateCategory

# I 400, P 20, R 100 (80 refusals + 20 break-offs), NC 60, O 20, UH 50, UO 30, NE 70.
EXAMPLE = ([Disposition.COMPLETE] * 400 + [Disposition.PARTIAL] * 20
           + [Disposition.REFUSAL] * 80 + [Disposition.BREAK_OFF] * 20
           + [Disposition.NON_CONTACT] * 60 + [Disposition.OTHER] * 20
           + [Disposition.UNKNOWN_HOUSEHOLD] * 50 + [Disposition.UNKNOWN_OTHER] * 30
           + [Disposition.NOT_ELIGIBLE] * 70)


def test_codes_and_categories_follow_aapor():
    assert [(str(d), AAPOR_CODE[d], str(CATEGORY_OF[d])) for d in Disposition] == [
        ("complete", "1.1", "I"), ("partial", "1.2", "P"), ("refusal", "2.11", "R"),
        ("break_off", "2.12", "R"), ("non_contact", "2.20", "NC"), ("other", "2.30", "O"),
        ("unknown_household", "3.10", "UH"), ("unknown_other", "3.90", "UO"),
        ("not_eligible", "4.0", "NE")]


def test_counts_by_category():
    counts = DispositionCounts.of(EXAMPLE)
    assert counts == DispositionCounts(I=400, P=20, R=100, NC=60, O=20, UH=50, UO=30, NE=70)
    assert counts.total == 750 and counts.eligible_resolved == 600 and counts.unknown == 80


def test_rates_hand_computed():
    rates = response_rates(EXAMPLE)
    # e = 600 / (600 + 70) = 60/67.
    assert rates.e == pytest.approx(60 / 67) and rates.e_basis == E_BASIS_RESOLVED
    # RR1 = 400 / (420 + 180 + 80) = 400/680 = 10/17.
    assert rates.rr1 == pytest.approx(10 / 17)
    # RR2 = 420/680 = 21/34.
    assert rates.rr2 == pytest.approx(21 / 34)
    # RR3 = 400 / (600 + 80 x 60/67) = 400 / (45000/67) = 26800/45000 = 134/225.
    assert rates.rr3 == pytest.approx(134 / 225)
    # RR4 = 420 x 67 / 45000 = 469/750.
    assert rates.rr4 == pytest.approx(469 / 750)
    # COOP1 = 400 / (420 + 100 + 20) = 20/27.
    assert rates.coop1 == pytest.approx(20 / 27)
    # CON1 = (420 + 100 + 20) / (540 + 60 + 80) = 540/680 = 27/34.
    assert rates.con1 == pytest.approx(27 / 34)


def test_a_given_e_is_used_and_stated():
    # e = 0.5: RR3 = 400 / (600 + 40) = 0.625.
    rates = response_rates(EXAMPLE, e=0.5, e_basis="screener study 2024")
    assert rates.rr3 == pytest.approx(0.625) and rates.e_basis == "screener study 2024"
    # e = 1 gives RR1, e = 0 ignores the unknowns.
    assert response_rates(EXAMPLE, e=1).rr3 == pytest.approx(10 / 17)
    assert response_rates(EXAMPLE, e=0).rr3 == pytest.approx(400 / 600)
    with pytest.raises(SurveyInputError):
        response_rates(EXAMPLE, e=1.2)


def test_zero_denominators_give_none():
    rates = response_rates([Disposition.NOT_ELIGIBLE] * 3)
    assert (rates.rr1, rates.rr3, rates.coop1, rates.con1) == (None, None, None, None)
    assert rates.e == 0
    unknown_only = response_rates([Disposition.UNKNOWN_OTHER])
    assert unknown_only.e is None and unknown_only.rr3 is None and unknown_only.rr1 == 0
    assert response_rates([]).rr1 is None


def test_counts_can_be_passed_directly():
    counts = DispositionCounts(I=5, R=5)
    assert response_rates(counts).rr1 == 0.5
    with pytest.raises(SurveyInputError, match="not a disposition"):
        DispositionCounts.of(["maybe"])


def test_rate_categories_are_aapor_letters():
    assert [str(c) for c in RateCategory] == ["I", "P", "R", "NC", "O", "UH", "UO", "NE"]


# --- interviews ------------------------------------------------------------------------------

def presented_form(presented: int, broken_off: bool):
    """A 20-item form (5 per dimension); the first ``presented`` items shown, in K, M, S, A
    blocks, every shown item right."""
    items = []
    for k in range(20):
        dimension = "KMSA"[k // 5]
        answer = frozenset({0}) if k < presented else NonAnswer.NOT_PRESENTED
        items.append(ItemResponse(f"q{k}", dimension, {0}, answer))
    return score_form(items, broken_off=broken_off)


@pytest.mark.parametrize(("presented", "broken_off", "expected"), [
    (20, False, Disposition.COMPLETE),
    (18, False, Disposition.COMPLETE),  # 90%, and A still has 3 of its 5 items
    (17, False, Disposition.PARTIAL),  # 85%: not complete, at least half: partial
    (20, True, Disposition.PARTIAL),  # broken off is never complete
    (10, True, Disposition.PARTIAL),  # exactly half: partial
    (9, True, Disposition.BREAK_OFF),  # under half: break-off (an R in the rates)
])
def test_interview_disposition_from_the_score(presented, broken_off, expected):
    assert disposition_of_interview(presented_form(presented, broken_off)) is expected


def test_partial_threshold_is_a_setting():
    score = presented_form(9, True)
    assert disposition_of_interview(score, partial_min=Fraction(2, 5)) is Disposition.PARTIAL


# --- breakdown ---------------------------------------------------------------------------------

CASES = [
    Case("c1", "complete", "xinjianlu", "x1", "wang"),
    Case("c2", "refusal", "xinjianlu", "x1", "wang"),
    Case("c3", "non_contact", "xinjianlu", "x2", "li"),
    Case("c4", "complete", "baqian", "b1", "li"),
    Case("c5", "complete", "baqian", "b1", "li"),
    Case("c6", "not_eligible", "baqian", "b1", "li"),
    Case("c7", "unknown_household", "baqian", "b2", None),
]


def test_rates_by_group_use_one_pooled_e():
    # Pooled: I 3, R 1, NC 1, UH 1, NE 1 -> e = 5/6.
    by_stratum = rates_by(CASES, GroupBy.STRATUM)
    assert list(by_stratum) == ["xinjianlu", "baqian"]
    # xinjianlu: I 1, R 1, NC 1 -> RR1 = 1/3, COOP1 = 1/2, CON1 = 2/3.
    x = by_stratum["xinjianlu"]
    assert (x.rr1, x.coop1, x.con1) == pytest.approx((1 / 3, 1 / 2, 2 / 3))
    # baqian: I 2, UH 1, NE 1 -> RR1 = 2/3, RR3 = 2 / (2 + 5/6) = 12/17.
    b = by_stratum["baqian"]
    assert b.rr1 == pytest.approx(2 / 3) and b.rr3 == pytest.approx(12 / 17)
    assert b.e == pytest.approx(5 / 6) and b.e_basis.startswith("all cases together")


def test_rates_by_interviewer_psu_or_any_key():
    by_interviewer = rates_by(CASES, "interviewer")
    assert list(by_interviewer) == ["wang", "li", ""]
    assert by_interviewer["wang"].rr1 == 0.5
    assert by_interviewer["li"].counts == DispositionCounts(I=2, NC=1, NE=1)
    assert set(rates_by(CASES, "psu")) == {"x1", "x2", "b1", "b2"}
    odd = rates_by(CASES, lambda c: c.case_id[-1] in "1357")
    assert set(odd) == {True, False}
    with pytest.raises(SurveyInputError, match="group by"):
        rates_by(CASES, "weekday")
    with pytest.raises(SurveyInputError):
        Case("c9", "lost")
