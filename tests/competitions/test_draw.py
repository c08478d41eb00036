"""The draw rule, without a database."""

import random
from collections import Counter

import pytest

from quizapp.engine.draw import Candidate, DrawError, draw_questions, shuffled_option_order

TYPES = ("true_false", "single", "multiple")
TOPICS = ("health", "emergency", "method", "sts", "agriculture")


def _pool(size=150):
    return [Candidate(i, TYPES[i % 3], TOPICS[i % 5], 1 + (i // 3) % 3) for i in range(size)]


@pytest.mark.parametrize("seed", range(20))
def test_type_quotas_are_met_exactly_without_repeats(seed):
    quota = {"type": {"true_false": 7, "single": 7, "multiple": 6}}
    drawn = draw_questions(_pool(), 20, random.Random(seed), quota)
    assert len(drawn) == 20 and len({c.version_id for c in drawn}) == 20
    assert Counter(c.type for c in drawn) == {"true_false": 7, "single": 7, "multiple": 6}


@pytest.mark.parametrize("seed", range(20))
def test_type_and_difficulty_quotas_together(seed):
    quota = {"type": {"true_false": 7, "single": 7, "multiple": 6},
             "difficulty": {"1": 8, "2": 8, "3": 4}}
    drawn = draw_questions(_pool(), 20, random.Random(seed), quota)
    assert Counter(c.type for c in drawn) == {"true_false": 7, "single": 7, "multiple": 6}
    assert Counter(c.difficulty for c in drawn) == {1: 8, 2: 8, 3: 4}


def test_partial_quota_leaves_the_rest_free_but_never_exceeds_the_listed_value():
    drawn = draw_questions(_pool(), 10, random.Random(1), {"type": {"multiple": 3}})
    assert Counter(c.type for c in drawn)["multiple"] == 3


@pytest.mark.parametrize("seed", range(10))
def test_topics_are_balanced_without_quotas(seed):
    drawn = draw_questions(_pool(), 10, random.Random(seed))
    assert set(Counter(c.topic for c in drawn).values()) == {2}


def test_same_seed_same_draw_and_different_seeds_differ():
    first = draw_questions(_pool(), 20, random.Random(7))
    assert first == draw_questions(_pool(), 20, random.Random(7))
    assert first != draw_questions(_pool(), 20, random.Random(8))


def test_impossible_quota_names_the_problem():
    pool = [c for c in _pool() if c.type != "multiple"][:30]
    with pytest.raises(DrawError, match="type=multiple"):
        draw_questions(pool, 20, random.Random(1), {"type": {"multiple": 6}})
    with pytest.raises(DrawError, match="more than 5"):
        draw_questions(_pool(), 5, random.Random(1), {"type": {"single": 6}})
    with pytest.raises(DrawError, match="needs 500"):
        draw_questions(_pool(), 500, random.Random(1))


def test_option_order_is_a_shuffle_except_true_false():
    rng = random.Random(3)
    orders = {tuple(shuffled_option_order(4, "single", rng)) for _ in range(30)}
    assert len(orders) > 5 and all(sorted(o) == [0, 1, 2, 3] for o in orders)
    assert shuffled_option_order(2, "true_false", rng) == [0, 1]
