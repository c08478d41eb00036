"""One adult per household: Kish's 1949 selection table exactly, his ordering of adults, the
tables dealt in his shares, and the next-birthday method."""

from __future__ import annotations

from collections import Counter
from datetime import date
from fractions import Fraction

import numpy as np
import pytest

from surveys import (
    Adult,
    KishTable,
    SelectionMethod,
    Sex,
    SurveyInputError,
    kish_tables,
    select_by_kish,
    select_by_next_birthday,
)
from surveys.respondents import KISH_SELECTION, KISH_SHARES, kish_order, kish_probability

# Kish (1949), JASA 44, 380-387: table, share, adult chosen for 1, 2, 3, 4, 5, 6+ adults.
KISH_1949 = [
    ("A", Fraction(1, 6), (1, 1, 1, 1, 1, 1)),
    ("B1", Fraction(1, 12), (1, 1, 1, 1, 2, 2)),
    ("B2", Fraction(1, 12), (1, 1, 1, 2, 2, 2)),
    ("C", Fraction(1, 6), (1, 1, 2, 2, 3, 3)),
    ("D", Fraction(1, 6), (1, 2, 2, 3, 4, 4)),
    ("E1", Fraction(1, 12), (1, 2, 3, 3, 3, 5)),
    ("E2", Fraction(1, 12), (1, 2, 3, 4, 5, 5)),
    ("F", Fraction(1, 6), (1, 2, 3, 4, 5, 6)),
]


def test_the_table_is_kish_1949_exactly():
    assert [(str(t), KISH_SHARES[t], KISH_SELECTION[t]) for t in KishTable] == KISH_1949
    assert sum(KISH_SHARES.values()) == 1


@pytest.mark.parametrize(("adults", "expected"), [
    (1, [1]),
    (2, [Fraction(1, 2)] * 2),
    (3, [Fraction(1, 3)] * 3),
    (4, [Fraction(1, 4)] * 4),
    # Five adults: 1 by A (1/6); 2 by B1, B2 (1/6); 3 by C, E1 (1/4); 4 by D (1/6);
    # 5 by E2, F (1/4).
    (5, [Fraction(1, 6), Fraction(1, 6), Fraction(1, 4), Fraction(1, 6), Fraction(1, 4)]),
    (6, [Fraction(1, 6)] * 6),
    # Seven: the seventh is never chosen.
    (7, [Fraction(1, 6)] * 6 + [Fraction(0)]),
])
def test_probability_of_each_adult_under_the_grid(adults, expected):
    assert [kish_probability(k, adults) for k in range(1, adults + 1)] == expected


HOUSEHOLD = [
    Adult("wife", Sex.FEMALE, 40), Adult("son", Sex.MALE, 19), Adult("grandpa", Sex.MALE, 70),
    Adult("grandma", "female", 65), Adult("husband", Sex.MALE, 42),
]


def test_kish_order_is_men_oldest_first_then_women_oldest_first():
    assert [a.person_id for a in kish_order(HOUSEHOLD)] == [
        "grandpa", "husband", "son", "grandma", "wife"]


def test_equal_ages_keep_the_listing_order():
    twins = [Adult("t2", Sex.MALE, 30), Adult("t1", Sex.MALE, 30)]
    assert [a.person_id for a in kish_order(twins)] == ["t2", "t1"]


@pytest.mark.parametrize(("table", "person", "number", "probability"), [
    ("A", "grandpa", 1, Fraction(1, 6)),
    ("B1", "husband", 2, Fraction(1, 6)),
    ("C", "son", 3, Fraction(1, 4)),
    ("D", "grandma", 4, Fraction(1, 6)),
    ("E1", "son", 3, Fraction(1, 4)),
    ("F", "wife", 5, Fraction(1, 4)),
])
def test_select_by_kish_in_a_five_adult_household(table, person, number, probability):
    chosen = select_by_kish(HOUSEHOLD, table)
    assert (chosen.person_id, chosen.kish_number, chosen.probability) == (person, number,
                                                                          probability)
    assert chosen.eligible_adults == 5 and chosen.kish_table is KishTable(table)
    assert chosen.method is SelectionMethod.KISH


def test_tables_are_dealt_in_kish_shares_by_blocks_of_twelve():
    tables = kish_tables(36, np.random.default_rng(4))
    for start in (0, 12, 24):
        assert Counter(tables[start:start + 12]) == {
            KishTable.A: 2, KishTable.B1: 1, KishTable.B2: 1, KishTable.C: 2, KishTable.D: 2,
            KishTable.E1: 1, KishTable.E2: 1, KishTable.F: 2}
    assert kish_tables(36, np.random.default_rng(4)) == tables
    assert tables[:5] == kish_tables(5, np.random.default_rng(4))
    assert kish_tables(0, np.random.default_rng(4)) == ()


def test_tables_pinned_for_a_seed():
    assert [str(t) for t in kish_tables(12, np.random.default_rng(2025))] == [
        "B1", "B2", "A", "F", "A", "E1", "C", "E2", "C", "D", "D", "F"]


@pytest.mark.parametrize(("adults", "message"), [
    ([], "no eligible adult"),
    ([Adult("a", Sex.MALE, 30), Adult("a", Sex.FEMALE, 30)], "twice"),
])
def test_bad_households_are_refused(adults, message):
    with pytest.raises(SurveyInputError, match=message):
        select_by_kish(adults, "A")


def test_bad_adults_and_tables_are_refused():
    with pytest.raises(SurveyInputError, match="male or female"):
        Adult("a", "x", 30)
    with pytest.raises(SurveyInputError, match="age"):
        Adult("a", Sex.MALE, -1)
    with pytest.raises(SurveyInputError, match="Kish table"):
        select_by_kish(HOUSEHOLD, "G")


# --- next birthday ---------------------------------------------------------------------------

def born(person: str, month: int, day: int) -> Adult:
    return Adult(person, Sex.FEMALE, 40, month, day)


def test_next_birthday_is_the_first_after_the_reference_date():
    # Visit on 15 June: a birthday today comes last (next year); 16 June is next.
    adults = [born("today", 6, 15), born("december", 12, 1), born("tomorrow", 6, 16),
              born("january", 1, 2)]
    chosen = select_by_next_birthday(adults, date(2025, 6, 15), np.random.default_rng(0))
    assert chosen.person_id == "tomorrow"
    assert chosen.eligible_adults == 4 and chosen.probability == Fraction(1, 4)
    assert chosen.method is SelectionMethod.NEXT_BIRTHDAY
    # Late in the year the next birthday wraps into January.
    late = select_by_next_birthday(adults, date(2025, 12, 5), np.random.default_rng(0))
    assert late.person_id == "january"


def test_29_february_falls_on_28_february_in_other_years():
    adults = [born("leap", 2, 29), born("march", 3, 1)]
    assert select_by_next_birthday(adults, date(2025, 2, 27),
                                   np.random.default_rng(0)).person_id == "leap"
    # On 28 February 2025 the leap birthday has been (today is last): 1 March is next.
    assert select_by_next_birthday(adults, date(2025, 2, 28),
                                   np.random.default_rng(0)).person_id == "march"


def test_a_shared_birthday_is_split_by_the_seed():
    twins = [born("t1", 5, 5), born("t2", 5, 5), born("other", 9, 9)]
    picks = {select_by_next_birthday(twins, date(2025, 1, 1),
                                     np.random.default_rng(s)).person_id for s in range(20)}
    assert picks == {"t1", "t2"}
    one = select_by_next_birthday(twins, date(2025, 1, 1), np.random.default_rng(3))
    assert select_by_next_birthday(twins, date(2025, 1, 1),
                                   np.random.default_rng(3)).person_id == one.person_id


def test_next_birthday_needs_every_birthday():
    with pytest.raises(SurveyInputError, match="birthday is not known"):
        select_by_next_birthday([Adult("a", Sex.MALE, 30)], date(2025, 1, 1),
                                np.random.default_rng(0))
    with pytest.raises(SurveyInputError, match="not a day"):
        select_by_next_birthday([born("a", 2, 30)], date(2025, 1, 1), np.random.default_rng(0))
