"""Allocation, the design plan, systematic PPS with certainty PSUs, household selection, the
base weight, the design summary and reproducibility from the seed.  Every expected number is
worked by hand in the comments."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import (
    AllocationMethod,
    DesignSpec,
    Frame,
    FramePSU,
    StratumPlan,
    StratumSummary,
    SurveyInputError,
    UrbanRural,
    allocate,
    base_weight,
    design_summary,
    draw_psus,
    plan_design,
    pps_inclusion_probabilities,
    select_households,
    select_psus,
    stage_rng,
    systematic_pps,
)

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- allocation --------------------------------------------------------------------------------

@pytest.mark.parametrize(("sizes", "total", "kwargs", "expected"), [
    # 10 x 500/1000, 300/1000, 200/1000 = 5, 3, 2 exactly.
    ({"a": 500, "b": 300, "c": 200}, 10, {}, {"a": 5, "b": 3, "c": 2}),
    # 4, 2.5, 3.5: floors 4, 2, 3 leave 1; b and c tie at .5, c is larger -> c.
    ({"a": 400, "b": 250, "c": 350}, 10, {}, {"a": 4, "b": 2, "c": 4}),
    # 3.33 each: the one left over goes to the first stratum in order.
    ({"a": 1, "b": 1, "c": 1}, 10, {}, {"a": 4, "b": 3, "c": 3}),
    # Equal ignores the sizes.
    ({"a": 1000, "b": 10, "c": 10}, 9, {"method": "equal"}, {"a": 3, "b": 3, "c": 3}),
    # Power 0.5: sqrt = 20, 10, 5 of 35; 14 x 20/35 = 8, 4, 2.
    ({"a": 400, "b": 100, "c": 25}, 14, {"method": "power"}, {"a": 8, "b": 4, "c": 2}),
    # Minimum 2: quotas 18, 1.2, 0.8 -> b, c get 2, a the other 16.
    ({"a": 900, "b": 60, "c": 40}, 20, {"minimum": 2}, {"a": 16, "b": 2, "c": 2}),
    # Minimum 3, two rounds: quotas 6, 3.1, 0.9 -> c = 3; 7 x 600/910 = 4.62 and
    # 7 x 310/910 = 2.38 -> b = 3; a = 4.  (One round would give a 5, b 2.)
    ({"a": 600, "b": 310, "c": 90}, 10, {"minimum": 3}, {"a": 4, "b": 3, "c": 3}),
    # Nothing to share.
    ({"a": 5, "b": 7}, 0, {}, {"a": 0, "b": 0}),
])
def test_allocation_hand_worked(sizes, total, kwargs, expected):
    result = allocate(total, sizes, **kwargs)
    assert result == expected and list(result) == list(sizes)


def test_power_zero_is_equal_and_power_one_is_proportional():
    sizes = {"a": 731, "b": 212, "c": 57, "d": 1000}
    assert allocate(40, sizes, method="power", power=0) == allocate(40, sizes, method="equal")
    assert allocate(40, sizes, method="power", power=1) == allocate(40, sizes)


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((7, {"a": 1, "b": 1, "c": 1, "d": 1}), {"minimum": 2}, "needs 8 units, more than the total 7"),
    ((10, {"a": 1, "b": 0}), {}, "stratum b: the size must be > 0"),
    ((10, {"a": 1, "b": float("nan")}), {}, "stratum b"),
    ((10, {}), {}, "no stratum"),
    ((10, {"a": 1}), {"method": "neyman"}, "not one of"),
    ((10, {"a": 1}), {"method": "power", "power": 1.5}, "power"),
    ((-1, {"a": 1}), {}, "total"),
    ((10, {"a": 5, "b": 5}), {"capacity": {"a": 4, "b": 9}}, r"a \(allocated 5, has 4\)"),
    ((10, {"a": 5, "b": 5}), {"minimum": 3, "capacity": {"a": 2, "b": 9}}, r"a \(2\)"),
])
def test_impossible_allocations_are_refused(args, kwargs, message):
    with pytest.raises(SurveyInputError, match=message):
        allocate(*args, **kwargs)


@SETTINGS
@given(sizes=st.lists(st.integers(1, 10_000), min_size=1, max_size=8),
       total=st.integers(0, 300), minimum=st.integers(0, 4),
       method=st.sampled_from(list(AllocationMethod)), power=st.floats(0, 1))
def test_allocation_sums_to_the_total_and_respects_the_minimum(sizes, total, minimum, method,
                                                               power):
    named = {f"s{k}": v for k, v in enumerate(sizes)}
    if minimum * len(sizes) > total:
        with pytest.raises(SurveyInputError):
            allocate(total, named, method=method, power=power, minimum=minimum)
        return
    result = allocate(total, named, method=method, power=power, minimum=minimum)
    assert sum(result.values()) == total
    assert all(n >= minimum for n in result.values())
    if minimum == 0 and method is AllocationMethod.PROPORTIONAL:
        # Largest remainders stay within one unit of the exact quota.
        for h, n in result.items():
            assert abs(n - Fraction(total * named[h], sum(sizes))) < 1


# --- the design plan -------------------------------------------------------------------------

def psu(township: str, name: str, size: float, households: int = 200,
        area: UrbanRural = UrbanRural.URBAN) -> FramePSU:
    return FramePSU(township, name, area, size, households)


# Stratum sizes 3000, 2000, 1000 of 6000.
FRAME = Frame((
    *(psu("xinjianlu", f"x{k}", s) for k, s in enumerate((900, 400, 400, 300, 300, 300, 200,
                                                           200))),
    *(psu("longhu", f"l{k}", s) for k, s in enumerate((800, 500, 300, 250, 150))),
    *(psu("baqian", f"b{k}", s, area=UrbanRural.RURAL) for k, s in enumerate((400, 300, 200,
                                                                              100))),
))
SPEC = DesignSpec(interviews=120, take=10)


def test_plan_allocates_psus_by_size_and_interviews_are_psus_times_take():
    # 12 PSUs: 12 x 3000/6000 = 6, 12 x 2000/6000 = 4, 12 x 1000/6000 = 2.
    assert plan_design(FRAME, SPEC) == (
        StratumPlan("xinjianlu", 8, 1600, 3000.0, 6, 60),
        StratumPlan("longhu", 5, 1000, 2000.0, 4, 40),
        StratumPlan("baqian", 4, 800, 1000.0, 2, 20),
    )


def test_plan_with_power_and_equal_allocation():
    # sqrt(3000) = 54.77, sqrt(2000) = 44.72, sqrt(1000) = 31.62 of 131.11: quotas 5.01, 4.09,
    # 2.89 -> 5, 4, 2 and the one left to baqian (.89): 5, 4, 3.
    power = plan_design(FRAME, DesignSpec(120, 10, method="power"))
    assert [p.psus for p in power] == [5, 4, 3]
    assert [p.psus for p in plan_design(FRAME, DesignSpec(120, 10, method="equal"))] == [4, 4, 4]


def test_interviews_must_be_whole_psus():
    with pytest.raises(SurveyInputError, match="use 120 or 130"):
        DesignSpec(interviews=125, take=10)


def test_plan_refuses_more_psus_than_a_stratum_has():
    with pytest.raises(SurveyInputError, match=r"xinjianlu \(allocated 10, has 8\).*longhu "
                                               r"\(allocated 10, has 5\).*baqian"):
        plan_design(FRAME, DesignSpec(300, 10, method="equal"))


def test_plan_refuses_more_interviews_than_households():
    small = Frame((psu("a", "a1", 10, households=6), psu("a", "a2", 10, households=5)))
    with pytest.raises(SurveyInputError, match=r"a \(20 interviews, 11 households\)"):
        plan_design(small, DesignSpec(20, 10))


def test_plan_refuses_a_minimum_a_stratum_cannot_meet():
    with pytest.raises(SurveyInputError, match=r"more than these strata have: baqian \(4\)"):
        plan_design(FRAME, DesignSpec(150, 10, min_psus=5))


# --- PPS -----------------------------------------------------------------------------------------

def test_inclusion_probabilities_with_one_certainty_psu():
    # 100 / 3 = 33.3: 50 is certain.  Then 50 left for 2: pi = 2 M / 50 = 0.4 and 0.2.
    pi, certain = pps_inclusion_probabilities([50, 10, 10, 10, 10, 5, 5], 3)
    assert pi == pytest.approx([1, 0.4, 0.4, 0.4, 0.4, 0.2, 0.2])
    assert certain == (True, False, False, False, False, False, False)
    assert math.fsum(pi) == pytest.approx(3)


def test_certainty_is_found_again_after_the_interval_is_recomputed():
    # 100 / 3 = 33.3: 40 is certain, 32 is not yet.  60 left for 2: interval 30, so 32 is
    # certain.  28 left for 1: pi = 10/28, 10/28, 4/28, 4/28.  (Without recomputing, 32 would
    # get 2 x 32 / 60 = 1.07 > 1.)
    pi, certain = pps_inclusion_probabilities([40, 32, 10, 10, 4, 4], 3)
    assert pi == pytest.approx([1, 1, 10 / 28, 10 / 28, 4 / 28, 4 / 28])
    assert certain == (True, True, False, False, False, False)


def test_a_size_equal_to_the_interval_is_certain():
    # 100 / 2 = 50: the 50 is a certainty PSU (pi would be 1 either way, but it is reported
    # as certain); 50 left for 1: pi = 25/50.
    pi, certain = pps_inclusion_probabilities([50, 25, 25], 2)
    assert certain == (True, False, False) and pi == pytest.approx([1, 0.5, 0.5])
    # 2000 / 4 = 500: 800 and 500 are certain; 700 left for 2: pi = 2 M / 700.
    pi, certain = pps_inclusion_probabilities([800, 500, 300, 250, 150], 4)
    assert certain == (True, True, False, False, False)
    assert pi == pytest.approx([1, 1, 6 / 7, 5 / 7, 3 / 7])


@pytest.mark.parametrize(("n", "expected"), [(0, [0, 0, 0]), (3, [1, 1, 1])])
def test_none_or_all(n, expected):
    pi, _ = pps_inclusion_probabilities([5, 1, 1], n)
    assert list(pi) == expected


@pytest.mark.parametrize(("sizes", "n", "message"), [
    ([1, 2], 3, "cannot select 3 units from 2"),
    ([1, 0], 1, "> 0"),
    ([], 1, "non-empty"),
    ([1, 2], -1, "whole number"),
])
def test_bad_pps_input_is_refused(sizes, n, message):
    with pytest.raises(SurveyInputError, match=message):
        pps_inclusion_probabilities(sizes, n)


def test_systematic_pps_hand_worked():
    # Sizes 10, 20, 30, 40, n = 2: interval 50, cumulated 10, 30, 60, 100.  The generator's
    # first uniform(0, 50) is 31.848 (seed 0): points 31.85 -> [30, 60) -> unit 2, and
    # 81.85 -> [60, 100) -> unit 3.
    assert np.random.default_rng(0).uniform(0, 50) == pytest.approx(31.848084366)
    chosen, pi, certain = systematic_pps([10, 20, 30, 40], 2, np.random.default_rng(0))
    assert chosen == (2, 3)
    assert pi == pytest.approx([0.2, 0.4, 0.6, 0.8]) and not any(certain)


@SETTINGS
@given(sizes=st.lists(st.floats(0.5, 1000), min_size=1, max_size=25), data=st.data())
def test_pps_selects_exactly_n_distinct_units_and_pi_sums_to_n(sizes, data):
    n = data.draw(st.integers(0, len(sizes)))
    seed = data.draw(st.integers(0, 2**32 - 1))
    chosen, pi, certain = systematic_pps(sizes, n, np.random.default_rng(seed))
    assert len(chosen) == n and len(set(chosen)) == n
    assert math.fsum(pi) == pytest.approx(n)
    assert all(0 < p <= 1 for p in pi) if n else all(p == 0 for p in pi)
    assert all(k in chosen for k, c in enumerate(certain) if c)
    assert all(p == 1 for p, c in zip(pi, certain, strict=True) if c)


# --- first stage on the frame, summary ------------------------------------------------------

def test_design_summary_pinned():
    sample = draw_psus(FRAME, SPEC, np.random.default_rng(11))
    summary = design_summary(sample, FRAME)
    assert [(s.stratum, s.frame_psus, s.sampled_psus, s.certainty_psus, s.interviews)
            for s in summary] == [
        ("xinjianlu", 8, 6, 1, 60), ("longhu", 5, 4, 2, 40), ("baqian", 4, 2, 0, 20)]
    assert [s.sum_pi for s in summary] == pytest.approx([6, 4, 2])
    assert isinstance(summary[0], StratumSummary)
    # xinjianlu: 3000 / 6 = 500, so 900 is certain; 2100 left for 5: pi = 5 M / 2100.
    assert sample.inclusion["x0"] == 1 and "x0" in sample.certainty
    assert sample.inclusion["x1"] == pytest.approx(2000 / 2100)
    assert sample.inclusion["x6"] == pytest.approx(1000 / 2100)
    # baqian: 1000 / 2 = 500, none certain: pi = 2 M / 1000.
    assert [sample.inclusion[f"b{k}"] for k in range(4)] == pytest.approx([0.8, 0.6, 0.4, 0.2])
    # Every sampled PSU carries its pi and the take.
    for chosen in sample.psus:
        assert chosen.pi == sample.inclusion[chosen.psu] and chosen.take == 10
    assert {p.psu for p in sample.psus} >= {"x0", "l0", "l1"}


def test_same_seed_same_sample_and_another_seed_another():
    first = draw_psus(FRAME, SPEC, np.random.default_rng(2025))
    assert draw_psus(FRAME, SPEC, np.random.default_rng(2025)) == first
    others = {tuple(p.psu for p in draw_psus(FRAME, SPEC, np.random.default_rng(s)).psus)
              for s in range(10)}
    assert len(others) > 1


def test_select_psus_takes_the_plan_as_given():
    plan = plan_design(FRAME, SPEC)
    sample = select_psus(FRAME, SPEC, plan, np.random.default_rng(1))
    assert [len(sample.stratum(p.stratum)) for p in plan] == [6, 4, 2]
    with pytest.raises(SurveyInputError, match="not selected"):
        sample.psu("nowhere")


# --- households and weights ----------------------------------------------------------------

LISTING = [f"h{k:02d}" for k in range(1, 11)]


def test_households_hand_worked():
    # 10 listed, take 4: interval 2.5; seed 3's first uniform(0, 2.5) is 0.214, so positions
    # floor(0.214), floor(2.714), floor(5.214), floor(7.714) = 0, 2, 5, 7.
    assert np.random.default_rng(3).uniform(0, 2.5) == pytest.approx(0.2141229)
    sample = select_households("x1", LISTING, 4, np.random.default_rng(3))
    assert sample.selected == ("h01", "h03", "h06", "h08")
    assert sample.pi == 0.4 and sample.interval == 2.5 and sample.listed == 10


def test_every_household_has_probability_take_over_listed():
    # 4,000 seeded draws of 3 of 7: each household's frequency within 4 standard errors of 3/7.
    rng = np.random.default_rng(99)
    counts = dict.fromkeys(LISTING[:7], 0)
    draws = 4000
    for _ in range(draws):
        for h in select_households("p", LISTING[:7], 3, rng).selected:
            counts[h] += 1
    expected = 3 / 7
    bound = 4 * math.sqrt(expected * (1 - expected) / draws)
    assert all(abs(c / draws - expected) <= bound for c in counts.values())


def test_taking_every_household():
    sample = select_households("p", LISTING[:3], 3, np.random.default_rng(0))
    assert sample.selected == tuple(LISTING[:3]) and sample.pi == 1


@pytest.mark.parametrize(("listing", "take", "message"), [
    (LISTING[:3], 4, "more than the 3 listed"),
    ([], 1, "empty"),
    (["h1", "h1"], 1, "listed twice"),
    (LISTING, 0, "whole number >= 1"),
])
def test_bad_household_selection_is_refused(listing, take, message):
    with pytest.raises(SurveyInputError, match=message):
        select_households("p", listing, take, np.random.default_rng(0))


def test_base_weight_hand_worked():
    # 3 adults / (0.25 x 0.1) = 120.
    assert base_weight(0.25, 0.1, 3) == pytest.approx(120)
    assert base_weight(1, 1, 1) == 1


@pytest.mark.parametrize(("args", "message"), [
    ((0, 0.5, 1), "pi1"), ((0.5, 1.2, 1), "pi2"), ((0.5, 0.5, 0), "adults")])
def test_bad_weight_input_is_refused(args, message):
    with pytest.raises(SurveyInputError, match=message):
        base_weight(*args)


def test_stage_rng_depends_only_on_the_seed_and_the_keys():
    assert stage_rng(7, "households", "x1").random() == stage_rng(7, "households", "x1").random()
    assert stage_rng(7, "households", "x1").random() != stage_rng(7, "households", "x2").random()
    assert stage_rng(7, "households", "x1").random() != stage_rng(8, "households", "x1").random()
    # "1" and 1 are different keys.
    assert stage_rng(7, "1").random() != stage_rng(7, 1).random()
    with pytest.raises(SurveyInputError):
        stage_rng(-1)


def test_whole_design_is_reproducible_from_one_seed():
    """PSUs, then households per PSU from their own generator: the same seed gives the same
    sample whatever order the PSUs are worked in, and the base weight follows."""
    seed = 20250601

    def households(order):
        sample = draw_psus(FRAME, SPEC, stage_rng(seed, "psus"))
        out = {}
        for chosen in sorted(sample.psus, key=lambda p: p.psu, reverse=order):
            listing = [f"{chosen.psu}-{k}" for k in range(chosen.households)]
            out[chosen.psu] = select_households(chosen.psu, listing, chosen.take,
                                                stage_rng(seed, "households", chosen.psu))
        return sample, out

    sample, forward = households(False)
    _, backward = households(True)
    assert forward == backward
    x0 = forward["x0"]
    # x0 is certain (pi1 = 1), 10 of 200 households (pi2 = 0.05): 2 adults -> 40.
    assert base_weight(sample.psu("x0").pi, x0.pi, 2) == pytest.approx(40)
