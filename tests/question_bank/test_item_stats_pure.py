"""The item-statistics arithmetic on plain arrays (no database)."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from quizapp.questions.item_stats import (
    MIN_ANSWERS,
    ItemStat,
    choice_counts,
    compute_item_stats,
)


def _simulate(rng, people=300, items=8):
    attempts, item_ids, correct = [], [], []
    for person in range(people):
        ability = rng.normal()
        for item in range(items):
            difficulty = (item - items / 2) / 2
            right = rng.random() < 1 / (1 + np.exp(difficulty - ability))
            if item == items - 1:  # a miskeyed item: the able get it wrong
                right = rng.random() < 1 / (1 + np.exp(ability))
            attempts.append(person)
            item_ids.append(100 + item)
            correct.append(right)
    return np.array(attempts), np.array(item_ids), np.array(correct)


def test_matches_scipy_point_biserial_against_the_rest_score():
    attempts, items, correct = _simulate(np.random.default_rng(7))
    result = compute_item_stats(attempts, items, correct)
    totals = np.bincount(attempts, weights=correct)
    for item, stat in result.items():
        mask = items == item
        x = correct[mask].astype(float)
        rest = totals[attempts[mask]] - x
        expected = scipy_stats.pointbiserialr(x, rest).statistic
        assert stat.r_pb == pytest.approx(expected, abs=1e-9)
        assert stat.p == pytest.approx(x.mean())
        assert stat.answered == 300 and stat.correct == int(x.sum())
    assert result[107].r_pb < 0 and "negative" in result[107].flags


def test_known_small_example():
    # Three people, two items. Item 1: right, right, wrong; item 2: right, wrong, wrong.
    attempts = [1, 1, 2, 2, 3, 3]
    items = [1, 2, 1, 2, 1, 2]
    correct = [1, 1, 1, 0, 0, 0]
    result = compute_item_stats(attempts, items, correct)
    # Item 1 against rest (item 2): x = 1,1,0; rest = 1,0,0 → r = 0.5.
    assert result[1].p == pytest.approx(2 / 3) and result[1].r_pb == pytest.approx(0.5)
    assert result[2].p == pytest.approx(1 / 3) and result[2].r_pb == pytest.approx(0.5)


def test_undefined_discrimination_when_nothing_varies():
    result = compute_item_stats([1, 2, 3], [5, 5, 5], [1, 1, 1])
    assert result[5].p == 1.0 and result[5].r_pb is None
    assert compute_item_stats([], [], []) == {}


@pytest.mark.parametrize("p_right, flags", [
    (0.96, ("too_easy",)), (0.95, ()), (0.19, ("too_hard",)), (0.2, ()),
])
def test_flags_at_their_thresholds(p_right, flags):
    answered = 100
    stat = ItemStat(item=1, answered=answered, correct=round(p_right * answered), p=p_right,
                    r_pb=0.3)
    assert stat.flags == flags


def test_no_flags_below_the_minimum_number_of_answers():
    assert ItemStat(1, MIN_ANSWERS - 1, 0, 0.0, -0.5).flags == ()
    assert ItemStat(1, MIN_ANSWERS, 0, 0.0, -0.5).flags == ("too_hard", "negative")


def test_choice_counts_use_original_indexes_and_ignore_blanks():
    counts = choice_counts([1, 1, 1, 2], [[0, 2], [2], None, [1]], {1: 4, 2: 2})
    assert counts == {1: (1, 0, 2, 0), 2: (0, 1)}
    stat = ItemStat(1, 2, 1, 0.5, None, counts[1])
    assert stat.choice_shares == (0.5, 0.0, 1.0, 0.0)
