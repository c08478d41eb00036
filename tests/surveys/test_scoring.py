"""The scoring rule: dimension scores, total, levels at every boundary under both settings,
completeness (90% presented, every dimension presented, break-offs) and the count at 70.

Every expected number is worked by hand in the comments (points = max x correct / presented).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from surveys import (
    Boundary,
    Dimension,
    FormStatus,
    IncompleteReason,
    ItemResponse,
    Level,
    NonAnswer,
    ScoringRule,
    SurveyInputError,
    cut_report,
    is_correct,
    level_for,
    score_form,
)

EXCLUSIVE = ScoringRule(boundary=Boundary.EXCLUSIVE)


def part(dimension: str, items: int, correct: int, *, not_presented: int = 0,
         dont_know: int = 0, blank: int = 0) -> list[ItemResponse]:
    """``items`` items of one dimension, key {0}: ``correct`` answered {0}, ``dont_know`` and
    ``blank`` non-answers, ``not_presented`` never shown, the rest answered {1} (wrong)."""
    wrong = items - correct - not_presented - dont_know - blank
    assert wrong >= 0
    answers = ([frozenset({0})] * correct + [NonAnswer.DONT_KNOW] * dont_know
               + [NonAnswer.BLANK] * blank + [frozenset({1})] * wrong
               + [NonAnswer.NOT_PRESENTED] * not_presented)
    return [ItemResponse(f"{dimension}{k}", dimension, frozenset({0}), answer)
            for k, answer in enumerate(answers)]


def form(k: int, m: int, s: int, a: int, sizes: tuple[int, int, int, int] = (20, 10, 10, 10),
         **not_presented: int) -> list[ItemResponse]:
    """A form with ``k, m, s, a`` correct; ``K=2`` etc. in ``not_presented`` leaves items out."""
    counts = dict(zip("KMSA", (k, m, s, a), strict=True))
    return [item for (d, n) in zip("KMSA", sizes, strict=True)
            for item in part(d, n, counts[d], not_presented=not_presented.get(d, 0))]


# --- correctness -------------------------------------------------------------------------------

@pytest.mark.parametrize(("answer", "right"), [
    (frozenset({0, 2}), True),
    (frozenset({2, 0}), True),
    (frozenset({0}), False),  # part of the right options: all-or-nothing
    (frozenset({0, 2, 3}), False),  # the right options and a wrong one
    (frozenset(), False),  # nothing chosen
    (NonAnswer.BLANK, False),
    (NonAnswer.DONT_KNOW, False),
    (NonAnswer.NOT_PRESENTED, False),
])
def test_multiple_choice_is_all_or_nothing_and_non_answers_are_wrong(answer, right):
    assert is_correct(frozenset({0, 2}), answer) is right
    assert ItemResponse("x", "K", [0, 2], answer).correct is right


def test_nothing_chosen_is_wrong_even_against_an_empty_key():
    assert is_correct(frozenset(), frozenset()) is False


def test_answers_and_keys_are_normalised():
    item = ItemResponse("x", "M", (1,), [1, 1])
    assert item.dimension is Dimension.M and item.key == frozenset({1})
    assert item.answer == frozenset({1}) and item.correct
    assert ItemResponse("y", "S", [0], "dont_know").answer is NonAnswer.DONT_KNOW


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"dimension": "X"}, "dimension"),
    ({"key": []}, "no right option"),
    ({"key": "A"}, "option indexes"),
    ({"answer": [-1]}, "not an option index"),
    ({"answer": "maybe"}, "neither option indexes"),
    ({"item_id": ""}, "item id"),
])
def test_bad_item_is_refused(kwargs, message):
    fields = {"item_id": "q1", "dimension": "K", "key": [0], "answer": [0]} | kwargs
    with pytest.raises(SurveyInputError, match=message):
        ItemResponse(**fields)


# --- pinned hand-worked forms ----------------------------------------------------------------

def test_full_form_at_exactly_70():
    # K 40*14/20 = 28, M 20*7/10 = 14, S 14, A 14: total 70.
    score = score_form(form(14, 7, 7, 7))
    assert [d.points for d in score.dimensions] == [28.0, 14.0, 14.0, 14.0]
    assert score.total_exact == 70 and score.total == 70.0
    assert score.status is FormStatus.COMPLETE and score.reasons == ()
    assert score.level is Level.MEETS and score.meets_standard is True
    # "超过70分": exactly 70 falls to the level below.
    exclusive = score_form(form(14, 7, 7, 7), rule=EXCLUSIVE)
    assert exclusive.total_exact == 70
    assert exclusive.level is Level.BASIC and exclusive.meets_standard is False


def test_full_form_high():
    # K 40*17/20 = 34, M 20*9/10 = 18, S 20*8/10 = 16, A 18: total 86.
    score = score_form(form(17, 9, 8, 9))
    assert score.total == 86.0 and score.level is Level.HIGH


def test_divisor_is_items_presented_and_dont_know_counts_wrong():
    # K: 18 presented (2 not), 12 right -> 40*12/18 = 80/3; M: 10 presented, 6 right, 2 of the
    # wrong ones "don't know" -> 12; S: 5 right, 1 blank -> 10; A: 9 presented, 6 right ->
    # 20*6/9 = 40/3.  Total 80/3 + 12 + 10 + 40/3 = 62.  Presented 47 of 50 = 94%.
    items = (part("K", 20, 12, not_presented=2) + part("M", 10, 6, dont_know=2)
             + part("S", 10, 5, blank=1) + part("A", 10, 6, not_presented=1))
    score = score_form(items)
    assert [d.points_exact for d in score.dimensions] == [
        Fraction(80, 3), Fraction(12), Fraction(10), Fraction(40, 3)]
    assert [(d.items, d.presented, d.correct) for d in score.dimensions] == [
        (20, 18, 12), (10, 10, 6), (10, 10, 5), (10, 9, 6)]
    assert score.total_exact == 62 and score.presented == 47 and score.items == 50
    assert score.complete and score.level is Level.BASIC


def test_exact_arithmetic_keeps_70_where_float_sums_miss_it():
    # K 40*1/1 = 40, M 20*1/3, S 20*3/3 = 20, A 20*1/6: exactly 70, but summing the floats
    # 40 + 6.666... + 20 + 3.333... gives 69.99999999999999.
    items = form(1, 1, 3, 1, sizes=(1, 3, 3, 6))
    assert 40 / 1 + 20 * 1 / 3 + 20 * 3 / 3 + 20 * 1 / 6 < 70
    score = score_form(items)
    assert score.total_exact == 70 and score.level is Level.MEETS


@pytest.mark.parametrize(("total", "inclusive", "exclusive"), [
    (0, Level.LOW, Level.LOW),
    (54.999, Level.LOW, Level.LOW),
    (55, Level.BASIC, Level.LOW),
    (55.001, Level.BASIC, Level.BASIC),
    (69.999, Level.BASIC, Level.BASIC),
    (Fraction(69999, 1000), Level.BASIC, Level.BASIC),
    (70, Level.MEETS, Level.BASIC),
    (70.0, Level.MEETS, Level.BASIC),
    (70.001, Level.MEETS, Level.MEETS),
    (84.999, Level.MEETS, Level.MEETS),
    (85, Level.HIGH, Level.MEETS),
    (85.001, Level.HIGH, Level.HIGH),
    (100, Level.HIGH, Level.HIGH),
])
def test_level_boundaries_under_both_settings(total, inclusive, exclusive):
    assert level_for(total) is inclusive
    assert level_for(total, Boundary.INCLUSIVE) is inclusive
    assert level_for(total, "exclusive") is exclusive


@pytest.mark.parametrize("bad", [-0.001, 100.001, float("nan"), float("inf"), "70", None, True])
def test_level_refuses_impossible_totals(bad):
    with pytest.raises(SurveyInputError):
        level_for(bad)


def test_scored_forms_at_55_and_85_follow_the_setting():
    # 55: K 40*11/20 = 22, M 2 right of 8 presented -> 20*2/8 = 5, S 14, A 14.
    at_55 = form(11, 2, 7, 7, M=2)
    # 85: K 40, M 20*2/8 = 5, S 20, A 20.
    at_85 = form(20, 2, 10, 10, M=2)
    assert score_form(at_55).total_exact == 55 and score_form(at_85).total_exact == 85
    assert score_form(at_55).level is Level.BASIC
    assert score_form(at_55, rule=EXCLUSIVE).level is Level.LOW
    assert score_form(at_85).level is Level.HIGH
    assert score_form(at_85, rule=EXCLUSIVE).level is Level.MEETS


# --- completeness ------------------------------------------------------------------------------

def test_exactly_90_percent_presented_is_complete_and_less_is_partial():
    # 45 of 50 presented (K 17, M 9, S 10, A 9) = 90%: complete.
    ninety = score_form(form(10, 5, 5, 5, K=3, M=1, A=1))
    assert ninety.presented == 45 and ninety.complete and ninety.in_indicator
    # 44 of 50 = 88%: partial, but still scored.
    eighty_eight = score_form(form(10, 5, 5, 5, K=3, M=1, A=2))
    assert eighty_eight.presented == 44
    assert eighty_eight.status is FormStatus.PARTIAL and not eighty_eight.in_indicator
    assert eighty_eight.reasons == (IncompleteReason.TOO_FEW_PRESENTED,)
    assert eighty_eight.total is not None


def test_899_of_1000_presented_is_partial_and_900_complete():
    sizes = (400, 200, 200, 200)
    at_899 = score_form(form(250, 150, 150, 150, sizes=sizes, K=101))
    at_900 = score_form(form(250, 150, 150, 150, sizes=sizes, K=100))
    assert (at_899.presented, at_899.complete) == (899, False)
    assert (at_900.presented, at_900.complete) == (900, True)


def test_the_share_is_a_setting():
    eighty_eight = form(10, 5, 5, 5, K=3, M=1, A=2)
    assert score_form(eighty_eight, rule=ScoringRule(min_presented=Fraction(22, 25))).complete
    with pytest.raises(SurveyInputError):
        ScoringRule(min_presented=Fraction(0))


def test_a_dimension_with_no_presented_item_has_no_score_and_the_form_is_partial():
    # 49 of 50 presented (98%), but the only A item was not shown: A is 0/0.
    score = score_form(form(14, 10, 10, 0, sizes=(20, 14, 15, 1), A=1))
    assert score.presented == 49
    assert score.dimension("A").points is None and score.dimension("A").presented == 0
    assert score.total is None and score.level is None and score.meets_standard is None
    assert score.status is FormStatus.PARTIAL
    assert score.reasons == (IncompleteReason.DIMENSION_NOT_PRESENTED,)


def test_a_form_without_a_dimension_is_never_complete():
    score = score_form(part("K", 20, 20) + part("M", 15, 15) + part("S", 15, 15))
    assert score.dimension("A").items == 0
    assert not score.complete and score.total is None


def test_broken_off_is_partial_even_when_almost_everything_was_presented():
    # 48 of 50 presented: K 40*14/20 = 28, M 14, S 14, A 20*7/8 = 17.5 -> 73.5.
    score = score_form(form(14, 7, 7, 7, A=2), broken_off=True)
    assert score.status is FormStatus.PARTIAL
    assert score.reasons == (IncompleteReason.BROKEN_OFF,)
    assert score.total == 73.5 and score.level is Level.MEETS and not score.in_indicator


def test_a_form_can_have_several_reasons():
    score = score_form(form(5, 5, 5, 0, sizes=(20, 10, 10, 10), A=10), broken_off=True)
    assert score.reasons == (IncompleteReason.BROKEN_OFF, IncompleteReason.TOO_FEW_PRESENTED,
                             IncompleteReason.DIMENSION_NOT_PRESENTED)


def test_items_in_any_order_score_the_same():
    items = form(13, 6, 8, 4, K=1)
    assert score_form(items).total_exact == score_form(list(reversed(items))).total_exact


@pytest.mark.parametrize("items", [[], part("K", 2, 1) + part("K", 1, 1)])
def test_empty_form_or_repeated_item_is_refused(items):
    with pytest.raises(SurveyInputError):
        score_form(items)


# --- the count at 70 -------------------------------------------------------------------------

def test_cut_report_counts_complete_forms_at_exactly_70():
    scores = [
        score_form(form(14, 7, 7, 7)),  # 70
        score_form(form(14, 7, 7, 7)),  # 70
        score_form(form(15, 7, 7, 7)),  # 72
        score_form(form(13, 7, 7, 7)),  # 68
        score_form(form(14, 7, 7, 7), broken_off=True),  # 70 but partial: left out
    ]
    report = cut_report(scores)
    assert (report.cut, report.complete, report.exactly_at_cut, report.at_or_above,
            report.above) == (70, 4, 2, 3, 1)
    assert report.share_exactly_at_cut == 0.5
    assert report.at_or_above - report.above == report.exactly_at_cut
    assert cut_report(scores, cut=72).exactly_at_cut == 1
    assert cut_report([]).share_exactly_at_cut is None
