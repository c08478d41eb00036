"""Systematic PPS by simulation: in 10,000 seeded draws every PSU is selected as often as its
first-stage inclusion probability says, within Monte Carlo error.

The bound: a PSU with probability π is selected in a draw with probability π, so over
R = 10,000 independent draws its frequency f has standard error sqrt(π(1-π)/R) (at most 0.005).
We accept |f - π| <= 4 standard errors: for one PSU a true π falls outside with probability
6.3e-5 (two-sided normal tail), for all ten together (Bonferroni) under 7e-4, while a π off by
0.02 (four standard errors at π = 0.5) is caught.  The expected π are worked by hand.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from surveys import pps_inclusion_probabilities, systematic_pps

DRAWS = 10_000
Z = 4.0
# Total 200, n = 4: interval 50, so 60 is certain.  The other nine share 140 for 3:
# pi = 3 M / 140, i.e. 30 -> 9/14, 20 -> 6/14, 10 -> 3/14, 5 -> 3/28.
SIZES = [10, 60, 30, 5, 20, 10, 30, 20, 10, 5]
N = 4
EXPECTED = [Fraction(3, 14), Fraction(1), Fraction(9, 14), Fraction(3, 28), Fraction(6, 14),
            Fraction(3, 14), Fraction(9, 14), Fraction(6, 14), Fraction(3, 14), Fraction(3, 28)]


def test_hand_worked_probabilities_sum_to_the_number_of_psus():
    assert sum(EXPECTED) == N
    pi, certain = pps_inclusion_probabilities(SIZES, N)
    assert pi == pytest.approx([float(p) for p in EXPECTED], abs=1e-15)
    assert certain == tuple(p == 1 for p in EXPECTED)
    assert math.fsum(pi) == pytest.approx(N, abs=1e-12)


def test_selection_frequencies_match_the_inclusion_probabilities():
    rng = np.random.default_rng(20250101)
    counts = np.zeros(len(SIZES))
    for _ in range(DRAWS):
        chosen, _, _ = systematic_pps(SIZES, N, rng)
        assert len(chosen) == N
        counts[list(chosen)] += 1
    frequencies = counts / DRAWS
    for k, expected in enumerate(EXPECTED):
        p = float(expected)
        bound = Z * math.sqrt(p * (1 - p) / DRAWS)
        assert abs(frequencies[k] - p) <= bound, (k, frequencies[k], p, bound)
    # Every draw takes exactly N PSUs, so the frequencies sum to N like the probabilities.
    assert frequencies.sum() == pytest.approx(N)
