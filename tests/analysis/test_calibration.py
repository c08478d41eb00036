"""Post-stratification, raking, non-response adjustment, trimming, weight summaries."""

from __future__ import annotations

import math

import numpy as np
import pytest

import analysis as A
from analysis.design import Factor
from tests.analysis.helpers import clustered


def _setup():  # noqa: ANN202
    design, y, score, extra = clustered(seed=11)
    factors = {"sex": Factor.from_values(extra["sex"]), "age": Factor.from_values(extra["age"])}
    total = 1.2 * design.population
    margins = {
        "sex": {"F": 0.51 * total, "M": 0.49 * total},
        "age": {"young": 0.3 * total, "mid": 0.4 * total, "old": 0.3 * total},
    }
    return design, y, factors, margins


def test_rake_returns_a_new_design_and_reproduces_margins() -> None:
    design, y, factors, margins = _setup()
    raked = A.rake(design, factors, margins)
    assert raked is not design and not design.calibrated and raked.calibrated
    for var, pop in margins.items():
        got = np.bincount(factors[var].codes, weights=raked.weights)
        for lev, target in pop.items():
            assert got[factors[var].levels.index(lev)] == pytest.approx(target, rel=1e-10)
    assert raked.population == pytest.approx(1.2 * design.population, rel=1e-10)


def test_calibration_changes_the_se_of_a_calibrated_total() -> None:
    # the total of a margin variable's indicator is known exactly after raking: SE 0
    design, _, factors, margins = _setup()
    raked = A.rake(design, factors, margins)
    is_f = (factors["sex"].codes == factors["sex"].levels.index("F")).astype(float)
    est = A.total(raked, is_f)
    assert est.estimate == pytest.approx(margins["sex"]["F"], rel=1e-10)
    assert est.se == pytest.approx(0.0, abs=1e-6 * est.estimate)
    assert A.total(design, is_f).se > 1.0


def test_rake_ipf_variance_differs_slightly_from_calibrate() -> None:
    design, y, factors, margins = _setup()
    cal = A.proportion(A.rake(design, factors, margins), y)
    ipf = A.proportion(A.rake(design, factors, margins, variance="ipf"), y)
    assert cal.estimate == pytest.approx(ipf.estimate, rel=1e-12)
    assert cal.se == pytest.approx(ipf.se, rel=0.05)


def test_poststratify_matches_one_margin_raking() -> None:
    design, y, factors, margins = _setup()
    ps = A.poststratify(design, factors["age"], margins["age"], name="age")
    rk = A.rake(design, {"age": factors["age"]}, {"age": margins["age"]})
    assert A.proportion(ps, y).se == pytest.approx(A.proportion(rk, y).se, rel=1e-9)
    assert np.allclose(ps.weights, rk.weights, rtol=1e-12)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["sex"].pop("M"), r"level 'M' of column 'sex' is in the data but not"),
        (lambda m: m["sex"].update({"X": 5.0}), r"margin level 'X' of variable 'sex' does not"),
        (lambda m: m["sex"].update({"F": m["sex"]["F"] * 1.01}), r"margin totals disagree"),
        (lambda m: m.update({"region": {"n": 1.0}}), r"'region' is not a column"),
        (lambda m: m["age"].update({"old": -3.0}), r"'age' level 'old' must be positive"),
    ],
)
def test_bad_margins_are_named(change, message: str) -> None:  # noqa: ANN001
    design, _, factors, margins = _setup()
    change(margins)
    with pytest.raises(A.SurveyError, match=message):
        A.rake(design, factors, margins)


def test_small_disagreement_within_a_tenth_of_a_percent_is_allowed() -> None:
    design, _, factors, margins = _setup()
    margins["sex"]["F"] *= 1.0005
    assert A.rake(design, factors, margins).calibrated


def test_raking_that_cannot_converge_is_an_error() -> None:
    # level 'u' of a only occurs with level 'p' of b, but needs more weight than 'p' allows
    w = np.ones(4)
    d = A.svydesign(w, psu=[1, 2, 3, 4])
    factors = {
        "a": Factor.from_values(["u", "v", "v", "v"]),
        "b": Factor.from_values(["p", "p", "q", "q"]),
    }
    margins = {"a": {"u": 90.0, "v": 10.0}, "b": {"p": 20.0, "q": 80.0}}
    with pytest.raises(A.ConvergenceError, match="did not converge"):
        A.rake(d, factors, margins)


def test_nonresponse_adjustment_keeps_class_totals() -> None:
    design, y, _, extra = clustered(seed=12)
    rng = np.random.default_rng(0)
    responded = (rng.random(design.n) < 0.7).astype(float)
    classes = Factor.from_values(extra["age"])
    adj = A.nonresponse_adjust(design, responded, classes)
    before = np.bincount(classes.codes, weights=design.weights)
    after = np.bincount(classes.codes, weights=adj.weights)
    assert np.allclose(before, after, rtol=1e-12)
    assert (adj.weights[responded == 0] == 0).all()


def test_nonresponse_class_without_respondents_is_named() -> None:
    d = A.svydesign(np.ones(4), psu=[1, 2, 3, 4])
    with pytest.raises(A.SurveyError, match="class 'b'"):
        A.nonresponse_adjust(d, [1, 1, 0, 0], Factor.from_values(["a", "a", "b", "b"]))


def test_trimming_with_reraking_meets_bounds_and_margins() -> None:
    design, y, factors, margins = _setup()
    raked = A.rake(design, factors, margins)
    cap = float(np.quantile(raked.weights, 0.9))
    trimmed = A.trim_weights(raked, upper=cap, factors=factors, margins=margins)
    assert trimmed.weights.max() <= cap * (1 + 1e-6)
    for var, pop in margins.items():
        got = np.bincount(factors[var].codes, weights=trimmed.weights)
        for lev, target in pop.items():
            assert got[factors[var].levels.index(lev)] == pytest.approx(target, rel=1e-8)
    assert trimmed.calibrated


def test_trimming_without_margins_keeps_the_total() -> None:
    design, *_ = _setup()
    cap = float(np.quantile(design.weights, 0.8))
    trimmed = A.trim_weights(design, upper=cap)
    assert trimmed.population == pytest.approx(design.population, rel=1e-10)
    assert trimmed.weights.max() <= cap * (1 + 1e-6)


def test_impossible_trimming_is_an_error() -> None:
    design, _, factors, margins = _setup()
    with pytest.raises(A.ConvergenceError, match="trimming"):
        A.trim_weights(design, upper=1.0, factors=factors, margins=margins, maxit=5)


def test_weight_summary_known_answer() -> None:
    s = A.weight_summary([1.0, 1.0, 2.0, 4.0, 0.0])
    assert (s.n, s.n_zero, s.min, s.max, s.total) == (4, 1, 1.0, 4.0, 8.0)
    assert s.kish_deff == pytest.approx(4 * 22 / 64)
    assert s.effective_n == pytest.approx(64 / 22)
    assert s.kish_deff == pytest.approx(1 + s.cv**2)
    assert s.mean == 2.0 and s.cv == pytest.approx(math.sqrt(1.5) / 2)
