"""Parallel forms: the blueprint holds, the forms are balanced in difficulty, a pinned seed
gives a pinned pair of forms, the constraints hold for many seeds and pools (hypothesis), and
form assignment by permuted blocks stays balanced."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import (
    Blueprint,
    Dimension,
    PoolItem,
    PoolTooSmallError,
    SurveyInputError,
    assemble_parallel_forms,
    assign_forms,
    comparison_table,
    permuted_blocks,
)

NEEDED = {"K": 36, "M": 18, "S": 18, "A": 18}  # anchors + 2 x unique: 4 + 32, 2 + 16
PER_FORM = {"K": 20, "M": 10, "S": 10, "A": 10}
ANCHORS = {"K": 4, "M": 2, "S": 2, "A": 2}


def pool(extra: int = 4, with_p: bool = True) -> list[PoolItem]:
    """A fixed synthetic pool: ``needed + extra`` items per dimension, difficulties cycling
    1, 2, 3, 1, 2, ... and p-values falling with difficulty (0.8, 0.6, 0.4) plus a small
    item-specific step, so items differ."""
    items = []
    for d, n in NEEDED.items():
        for k in range(n + extra):
            difficulty = k % 3 + 1
            p = round(1.0 - 0.2 * difficulty - 0.003 * k, 3) if with_p else None
            items.append(PoolItem(f"{d}{k:02d}", d, difficulty, p))
    return items


def check_forms(result, items: list[PoolItem]) -> None:
    """The blueprint: 50 items per form (20/10/10/10), 10 shared anchors (4/2/2/2), the
    rest unique, every item from the pool once per form with its own dimension."""
    by_id = {i.id: i for i in items}
    a, b = result.forms
    for f in (a, b):
        assert len(f.items) == 50 and len(set(f.item_ids)) == 50
        assert Counter(str(i.dimension) for i in f.items) == PER_FORM
        assert all(by_id[i.id] == i for i in f.items)
    shared = set(a.item_ids) & set(b.item_ids)
    assert shared == {i.id for i in result.anchors} == a.anchor_ids == b.anchor_ids
    assert Counter(str(by_id[i].dimension) for i in shared) == ANCHORS
    used = set(a.item_ids) | set(b.item_ids)
    assert set(result.unused) == set(by_id) - used


def test_blueprint_holds_and_forms_are_balanced():
    items = pool()
    result = assemble_parallel_forms(items, np.random.default_rng(2025))
    check_forms(result, items)
    # Difficulties 1-3 in every dimension: equal sums are reachable, so the means are equal.
    for d in Dimension:
        assert result.difficulty_gap(d) == 0
    assert result.difficulty_gap() == 0


def test_pinned_seed_gives_pinned_forms():
    result = assemble_parallel_forms(pool(), np.random.default_rng(2025))
    assert sorted(i.id for i in result.anchors) == [
        "A04", "A13", "K01", "K10", "K14", "K18", "M04", "M16", "S14", "S18"]
    a, b = result.forms
    assert a.item_ids[:6] == ("K01", "K10", "K14", "K18", "K00", "K03")
    assert b.item_ids[:6] == ("K01", "K10", "K14", "K18", "K02", "K04")
    assert sorted(result.unused) == [
        "A03", "A07", "A09", "A15", "K16", "K20", "K29", "K38", "M08", "M10", "M11", "M20",
        "S01", "S02", "S06", "S08"]
    rows = comparison_table(result)
    assert [(r.form, r.dimension, r.mean_difficulty) for r in rows[:5]] == [
        ("A", Dimension.K, 1.9), ("A", Dimension.M, 1.8), ("A", Dimension.S, 1.9),
        ("A", Dimension.A, 2.1), ("A", None, 1.92)]
    assert [r.mean_p_value for r in rows[:5]] == pytest.approx(
        [0.566, 0.6097, 0.5831, 0.5479, 0.57454])
    assert [(r.mean_difficulty, r.mean_p_value) for r in rows[5:]] == [
        (r.mean_difficulty, r.mean_p_value) for r in rows[:5]]
    # The same seed again: the same forms.
    again = assemble_parallel_forms(pool(), np.random.default_rng(2025))
    assert again == result


def test_pool_order_does_not_matter():
    items = pool()
    shuffled = [items[k] for k in np.random.default_rng(1).permutation(len(items))]
    assert (assemble_parallel_forms(items, np.random.default_rng(3))
            == assemble_parallel_forms(shuffled, np.random.default_rng(3)))


def test_different_seeds_give_different_forms():
    one = assemble_parallel_forms(pool(), np.random.default_rng(1))
    two = assemble_parallel_forms(pool(), np.random.default_rng(2))
    assert one.forms[0].item_ids != two.forms[0].item_ids


def test_comparison_table_rows_and_equal_means():
    result = assemble_parallel_forms(pool(with_p=False), np.random.default_rng(2025))
    rows = comparison_table(result)
    assert [(r.form, r.dimension, r.items, r.anchors) for r in rows] == [
        ("A", Dimension.K, 20, 4), ("A", Dimension.M, 10, 2), ("A", Dimension.S, 10, 2),
        ("A", Dimension.A, 10, 2), ("A", None, 50, 10),
        ("B", Dimension.K, 20, 4), ("B", Dimension.M, 10, 2), ("B", Dimension.S, 10, 2),
        ("B", Dimension.A, 10, 2), ("B", None, 50, 10)]
    assert all(r.mean_p_value is None and r.p_values == 0 for r in rows)
    means = {(r.form, r.dimension): r.mean_difficulty for r in rows}
    for d in (*Dimension, None):
        assert means[("A", d)] == means[("B", d)]


def test_comparison_table_hand_worked_on_a_tight_pool():
    # Exactly the needed items, so all are used: every K item has difficulty 2; in M, S and A
    # two items have difficulty 3 (p 0.3) and sixteen difficulty 1 (p 0.9).  Equal sums need
    # the two 3s both among the anchors or one on each form: then A and B have the same
    # difficulties and the same p-values in every dimension.
    items = [PoolItem(f"K{k:02d}", "K", 2, 0.5) for k in range(36)]
    for d in "MSA":
        items += [PoolItem(f"{d}{k:02d}", d, 3 if k < 2 else 1, 0.3 if k < 2 else 0.9)
                  for k in range(18)]
    result = assemble_parallel_forms(items, np.random.default_rng(0))
    check_forms(result, items)
    rows = {(r.form, r.dimension): r for r in comparison_table(result)}
    assert rows[("A", Dimension.K)].mean_difficulty == 2.0
    for d in (Dimension.M, Dimension.S, Dimension.A):
        assert rows[("A", d)].mean_difficulty == rows[("B", d)].mean_difficulty
        assert rows[("A", d)].mean_p_value == pytest.approx(rows[("B", d)].mean_p_value)
    assert rows[("A", None)].mean_difficulty == rows[("B", None)].mean_difficulty
    assert result.unused == ()


def test_p_values_are_balanced_when_difficulties_cannot_tell_items_apart():
    # All difficulty 2: only the p-values can separate the forms.  Pairs of p-values
    # (0.30, 0.90), (0.31, 0.89), ... make equal means reachable.
    items = [PoolItem(f"{d}{k:02d}", d, 2, round(0.3 + 0.01 * (k // 2) if k % 2 == 0
                                                  else 0.9 - 0.01 * (k // 2), 2))
             for d, n in NEEDED.items() for k in range(n)]
    result = assemble_parallel_forms(items, np.random.default_rng(5))
    rows = {(r.form, r.dimension): r for r in comparison_table(result)}
    for d in Dimension:
        assert abs(rows[("A", d)].mean_p_value - rows[("B", d)].mean_p_value) < 0.01


@pytest.mark.parametrize("seed", range(5))
def test_odd_gaps_alternate_so_the_whole_forms_balance(seed):
    # No anchors and exactly the items needed: in each dimension every item has difficulty 1
    # but one has 2, so each dimension's sums must differ by exactly 1.  The overall term puts
    # the extra point on form A in two dimensions and on form B in the other two.
    no_anchors = Blueprint(anchors={"K": 0, "M": 0, "S": 0, "A": 0})
    items = [PoolItem(f"{d}{k:02d}", d, 2 if k == 0 else 1)
             for d, n in {"K": 40, "M": 20, "S": 20, "A": 20}.items() for k in range(n)]
    result = assemble_parallel_forms(items, np.random.default_rng(seed), blueprint=no_anchors)
    a, b = result.forms
    gaps = [sum(i.difficulty for i in a.of(d)) - sum(i.difficulty for i in b.of(d))
            for d in Dimension]
    assert sorted(gaps) == [-1, -1, 1, 1]
    assert result.difficulty_gap() == 0 and result.anchors == ()


def test_pool_too_small_names_every_short_dimension():
    items = [i for i in pool(extra=0) if not (i.dimension is Dimension.K and i.id >= "K30")]
    items = [i for i in items if i.id != "M17"]
    with pytest.raises(PoolTooSmallError) as caught:
        assemble_parallel_forms(items, np.random.default_rng(0))
    message = str(caught.value)
    assert "K has 30, needs 36 (4 anchors + 2 x 16 unique)" in message
    assert "M has 17, needs 18 (2 anchors + 2 x 8 unique)" in message
    assert "S has" not in message and "A has" not in message
    assert caught.value.shortfalls == {"K": (30, 36), "M": (17, 18)}


def test_exactly_enough_items_works():
    items = pool(extra=0)
    check_forms(assemble_parallel_forms(items, np.random.default_rng(9)), items)


@pytest.mark.parametrize(("items", "message"), [
    ([PoolItem("K1", "K", 1), PoolItem("K1", "K", 2)], "twice"),
    (["K1"], "PoolItem"),
])
def test_bad_pool_is_refused(items, message):
    with pytest.raises(SurveyInputError, match=message):
        assemble_parallel_forms(items, np.random.default_rng(0))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"difficulty": 4}, "difficulty"),
    ({"difficulty": True}, "difficulty"),
    ({"dimension": "Q"}, "dimension"),
    ({"p_value": 1.5}, "p-value"),
])
def test_bad_item_is_refused(kwargs, message):
    with pytest.raises(SurveyInputError, match=message):
        PoolItem(**({"id": "K1", "dimension": "K", "difficulty": 2} | kwargs))


def test_seed_must_be_a_generator():
    with pytest.raises(SurveyInputError, match="Generator"):
        assemble_parallel_forms(pool(), 2025)


def test_blueprint_is_configurable_and_checked():
    small = Blueprint(items={"K": 4, "M": 2, "S": 2, "A": 2}, anchors={"K": 2, "M": 0, "S": 0,
                                                                       "A": 0})
    assert small.needed(Dimension.K) == 6 and small.needed(Dimension.M) == 4
    result = assemble_parallel_forms(pool(extra=0), np.random.default_rng(1), blueprint=small)
    assert len(result.forms[0].items) == 10 and len(result.anchors) == 2
    with pytest.raises(SurveyInputError):
        Blueprint(items={"K": 4, "M": 2, "S": 2, "A": 2}, anchors={"K": 5})


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def pools(draw: st.DrawFn) -> list[PoolItem]:
    items = []
    for d, n in NEEDED.items():
        size = n + draw(st.integers(0, 6))
        difficulties = draw(st.lists(st.sampled_from((1, 2, 3)), min_size=size, max_size=size))
        with_p = draw(st.booleans())
        items += [PoolItem(f"{d}{k:02d}", d, x, (0.9 - 0.2 * x + 0.001 * k) if with_p else None)
                  for k, x in enumerate(difficulties)]
    return items


@SETTINGS
@given(items=pools(), seed=st.integers(0, 2**32 - 1))
def test_constraints_hold_for_many_seeds_and_pools(items, seed):
    result = assemble_parallel_forms(items, np.random.default_rng(seed))
    check_forms(result, items)
    a, b = result.forms
    for d in Dimension:
        gap = abs(sum(i.difficulty for i in a.of(d)) - sum(i.difficulty for i in b.of(d)))
        # The local-search bound (forms module docstring): a gap of 3 or more always leaves
        # an improving swap.
        assert gap <= 2


# --- assignment --------------------------------------------------------------------------------

def test_permuted_blocks_pinned():
    sequence = permuted_blocks(10, np.random.default_rng(42))
    assert sequence == ("B", "B", "A", "A", "B", "B", "A", "A", "A", "B")
    for start in (0, 4):
        assert Counter(sequence[start:start + 4]) == {"A": 2, "B": 2}


def test_assignment_is_balanced_within_each_stratum_and_in_input_order():
    ids = [f"r{k}" for k in range(30)]
    strata = {rid: ("psu1" if k % 3 else "psu2") for k, rid in enumerate(ids)}
    assignments = assign_forms(ids, np.random.default_rng(7), strata=strata)
    assert [a.respondent_id for a in assignments] == ids
    for psu in ("psu1", "psu2"):
        forms = [a.form for a in assignments if a.stratum == psu]
        for end in range(1, len(forms) + 1):
            counts = Counter(forms[:end])
            assert abs(counts["A"] - counts["B"]) <= 2
        assert abs(forms.count("A") - forms.count("B")) <= 2
    assert assign_forms(ids, np.random.default_rng(7), strata=strata) == assignments


@SETTINGS
@given(n=st.integers(0, 60), seed=st.integers(0, 2**32 - 1), half=st.integers(1, 4))
def test_blocks_keep_the_forms_balanced(n, seed, half):
    sequence = permuted_blocks(n, np.random.default_rng(seed), block_size=2 * half)
    assert len(sequence) == n
    for end in range(n + 1):
        counts = Counter(sequence[:end])
        assert abs(counts["A"] - counts["B"]) <= half
        if end % (2 * half) == 0:
            assert counts["A"] == counts["B"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"block_size": 3}, "multiple"),
    ({"forms": ("A",)}, "two distinct"),
    ({"forms": ("A", "A")}, "two distinct"),
])
def test_bad_assignment_settings_are_refused(kwargs, message):
    with pytest.raises(SurveyInputError, match=message):
        assign_forms(["r1", "r2"], np.random.default_rng(0), **kwargs)


def test_assignment_refuses_repeated_or_unstratified_respondents():
    with pytest.raises(SurveyInputError, match="twice"):
        assign_forms(["r1", "r1"], np.random.default_rng(0))
    with pytest.raises(SurveyInputError, match="no stratum"):
        assign_forms(["r1", "r2"], np.random.default_rng(0), strata={"r1": "p"})
