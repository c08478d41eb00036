"""The goal test and the replicate-weight variance path."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import analysis as A
from tests.analysis.helpers import clustered


def _est(p: float, se: float | None, df: int = 30) -> A.Estimate:
    return A.Estimate("proportion", p, se, df, 100, 1000.0, None, None, 0.95, "logit")


def test_goal_test_t_and_p_value() -> None:
    g = A.goal_test(_est(0.25, 0.02, 30))
    assert g.statistic == pytest.approx((0.25 - 0.178) / 0.02)
    assert g.p_value == pytest.approx(stats.t.sf(g.statistic, 30), rel=1e-10)
    assert g.verdict == "above"
    assert "above the goal of 17.8%" in g.sentence()


def test_goal_verdicts() -> None:
    assert A.goal_test(_est(0.10, 0.02)).verdict == "below"
    assert A.goal_test(_est(0.19, 0.02)).verdict == "not distinguishable"
    assert A.goal_test(_est(0.19, 0.02), goal=0.10).verdict == "above"
    # a lower level needs less evidence
    assert A.goal_test(_est(0.21, 0.02), level=0.80).verdict == "above"
    assert A.goal_test(_est(0.21, 0.02), level=0.99).verdict == "not distinguishable"


def test_goal_test_without_variance_has_no_statistic() -> None:
    g = A.goal_test(_est(0.0, 0.0))
    assert g.statistic is None and g.p_value is None and g.verdict == "below"


def test_jkn_total_equals_linearisation() -> None:
    # for a linear statistic the stratified jackknife is the linearised variance exactly
    design, y, _, _ = clustered(seed=21)
    lin = A.total(design, y)
    rep = A.total(A.jkn(design), y)
    assert rep.estimate == pytest.approx(lin.estimate, rel=1e-13)
    assert rep.se == pytest.approx(lin.se, rel=1e-10)


def test_jk1_needs_an_unstratified_design() -> None:
    design, *_ = clustered()
    with pytest.raises(A.SurveyError, match="JK1"):
        A.jk1(design)


def test_bootstrap_is_reproducible_and_needs_a_generator() -> None:
    design, y, _, _ = clustered(seed=22)
    a = A.proportion(A.bootstrap(design, 200, rng=np.random.default_rng(5)), y)
    b = A.proportion(A.bootstrap(design, 200, rng=np.random.default_rng(5)), y)
    c = A.proportion(A.bootstrap(design, 200, rng=np.random.default_rng(6)), y)
    assert a.se == b.se and a.se != c.se
    lin = A.proportion(design, y)
    assert a.se == pytest.approx(lin.se, rel=0.3)  # same quantity, Monte Carlo error
    with pytest.raises(A.SurveyError, match="Generator"):
        A.bootstrap(design, 10, rng=5)  # type: ignore[arg-type]


def test_rao_wu_multipliers_keep_stratum_psu_counts() -> None:
    design, *_ = clustered(seed=23)
    rd = A.bootstrap(design, 50, rng=np.random.default_rng(1))
    f = rd.replicates.factors
    for h in range(design.n_strata):
        members = design.psu_stratum == h
        n_h = members.sum()
        # m_h = n_h - 1 draws, each PSU scaled by n_h/(n_h - 1): multipliers sum to n_h
        assert np.allclose(f[members].sum(axis=0), n_h)


def test_user_replicate_weights() -> None:
    design, y, _, _ = clustered(seed=24)
    reps = A.bootstrap(design, 30, rng=np.random.default_rng(2))
    full = design.weights[:, None] * reps.replicates.factors[design.psu]
    user = A.with_replicate_weights(design, full, scale=1 / 29)
    assert A.mean(user, y).se == pytest.approx(A.mean(reps, y).se, rel=1e-12)
