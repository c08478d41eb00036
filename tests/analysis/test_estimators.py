"""Known answers: textbook SRS formulas, hand-computed cluster variances, lonely-PSU rules,
quantile rule, intervals, domains and differences."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import analysis as A
from analysis.design import Factor
from tests.analysis.helpers import clustered


def test_srs_mean_matches_textbook_formula_with_fpc() -> None:
    y = np.array([3.0, 5.0, 9.0, 4.0, 6.0, 8.0, 2.0, 7.0])
    n, N = y.size, 40
    d = A.svydesign(np.full(n, N / n), fpc=np.full(n, N))
    est = A.mean(d, y)
    assert est.estimate == pytest.approx(y.mean(), rel=1e-15)
    assert est.se == pytest.approx(math.sqrt((1 - n / N) * y.var(ddof=1) / n), rel=1e-13)
    assert est.df == n - 1
    q = stats.t.ppf(0.975, n - 1)
    assert est.ci_low == pytest.approx(y.mean() - q * est.se, rel=1e-12)
    # deff of an SRS is 1 (the SRS-without-replacement variance is the design variance)
    assert est.deff == pytest.approx(1.0, rel=1e-12)


def test_srs_total_matches_textbook_formula() -> None:
    y = np.array([1.0, 0.0, 4.0, 2.0, 3.0])
    n, N = 5, 50
    est = A.total(A.svydesign(np.full(n, N / n), fpc=np.full(n, N)), y)
    assert est.estimate == pytest.approx(N * y.mean())
    assert est.se == pytest.approx(N * math.sqrt((1 - n / N) * y.var(ddof=1) / n), rel=1e-13)


def test_clustered_variance_by_hand() -> None:
    # two strata, PSU totals of w*(y - ybar)/W computed by hand
    w = np.array([2.0, 2.0, 3.0, 1.0, 4.0, 4.0, 2.0])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0])
    strata = np.array(["a", "a", "a", "a", "b", "b", "b"])
    psu = np.array([1, 1, 2, 3, 1, 2, 2])
    est = A.proportion(A.svydesign(w, strata=strata, psu=psu), y)
    W = w.sum()
    p = (w * y).sum() / W
    z = w * (y - p) / W
    v = 0.0
    for _h, members in (("a", [(0, 1), (2,), (3,)]), ("b", [(4,), (5, 6)])):
        t = np.array([z[list(m)].sum() for m in members])
        v += len(t) / (len(t) - 1) * ((t - t.mean()) ** 2).sum()
    assert est.estimate == pytest.approx(p, rel=1e-15)
    assert est.se == pytest.approx(math.sqrt(v), rel=1e-13)
    assert est.df == 5 - 2


def _lonely_design(rule: str) -> tuple[A.Design, np.ndarray]:
    w = np.array([1.0, 2.0, 1.0, 3.0, 2.0, 5.0])
    strata = np.array(["a", "a", "a", "a", "lonely", "lonely"])
    psu = np.array([1, 1, 2, 3, 1, 1])
    y = np.array([2.0, 4.0, 1.0, 5.0, 10.0, 12.0])
    return A.svydesign(w, strata=strata, psu=psu, lonely_psu=rule), y


def _psu_totals(y: np.ndarray) -> tuple[np.ndarray, float]:
    w = np.array([1.0, 2.0, 1.0, 3.0, 2.0, 5.0])
    t = np.array([w[0] * y[0] + w[1] * y[1], w[2] * y[2], w[3] * y[3]])
    return t, w[4] * y[4] + w[5] * y[5]


def test_lonely_fail_names_the_stratum_and_suggests_adjust() -> None:
    d, y = _lonely_design("fail")
    with pytest.raises(A.LonelyPSUError, match=r"stratum 'lonely'.*adjust"):
        A.total(d, y)


@pytest.mark.parametrize("rule", ["remove", "adjust", "average"])
def test_lonely_rules_for_a_total(rule: str) -> None:
    d, y = _lonely_design(rule)
    t, lone = _psu_totals(y)
    v_a = 3 / 2 * ((t - t.mean()) ** 2).sum()
    grand = (t.sum() + lone) / 4  # grand mean of all four PSU totals (survey >= 4.4-3)
    expected = {
        "remove": v_a,
        "adjust": v_a + (lone - grand) ** 2,
        "average": v_a * 2 / 1,
    }[rule]
    assert A.total(d, y).se == pytest.approx(math.sqrt(expected), rel=1e-13)


def test_lonely_stratum_outside_a_domain_is_ignored_under_fail() -> None:
    # R drops the other rows when it subsets an uncalibrated design
    d, y = _lonely_design("fail")
    dom = np.array([True, True, True, True, False, False])
    assert A.mean(d, y, domain=dom).se is not None


def test_certainty_stratum_contributes_nothing_and_is_not_lonely() -> None:
    w = np.array([1.0, 1.0, 2.0, 2.0, 1.0])
    strata = np.array(["a", "a", "b", "b", "c"])
    fpc = np.array([10, 10, 10, 10, 1])  # stratum c: one PSU out of one
    y = np.array([1.0, 2.0, 3.0, 5.0, 100.0])
    d = A.svydesign(w, strata=strata, fpc=fpc)
    d2 = A.svydesign(w[:4], strata=strata[:4], fpc=fpc[:4])
    assert A.total(d, y).se == pytest.approx(A.total(d2, y[:4]).se, rel=1e-13)


def test_missing_outcome_is_left_out_but_psus_are_kept() -> None:
    design, _, score, _ = clustered()
    s = score.copy()
    s[::7] = np.nan
    est = A.mean(design, s)
    ok = ~np.isnan(s)
    assert est.n == int(ok.sum())
    assert est.estimate == pytest.approx(np.average(s[ok], weights=design.weights[ok]), rel=1e-13)
    # same as the mean over the domain "has a score"
    dom = A.mean(design, np.where(ok, s, 0.0), domain=ok)
    assert dom.se == pytest.approx(est.se, rel=1e-13)


def test_zero_weight_rows_count_in_no_estimate() -> None:
    design, y, _, extra = clustered()
    w = extra["w"].copy()
    w[:5] = 0.0
    d0 = A.svydesign(w, strata=extra["stratum"], psu=extra["psu"])
    y2 = y.copy()
    y2[:5] = 1 - y2[:5]  # changing a zero-weight row changes nothing
    a, b = A.proportion(d0, y), A.proportion(d0, y2)
    assert a.estimate == b.estimate and a.se == b.se
    assert a.n == y.size - 5


def test_indicator_must_be_zero_or_one() -> None:
    design, y, _, _ = clustered()
    bad = y.copy()
    bad[3] = 2.0
    with pytest.raises(A.SurveyError, match=r"'meets' must be 0 or 1; row 4 has 2"):
        A.proportion(design, bad, name="meets")


@pytest.mark.parametrize("method", ["logit", "xlogit", "wald", "beta", "wilson"])
def test_interval_contains_estimate_and_stays_in_unit_interval(method: str) -> None:
    design, y, _, _ = clustered(seed=3)
    est = A.proportion(design, y, ci=method)
    assert est.ci_low is not None and est.ci_high is not None
    assert 0 <= est.ci_low < est.estimate < est.ci_high <= 1


def test_logit_interval_formula() -> None:
    design, y, _, _ = clustered(seed=4)
    est = A.proportion(design, y)
    p, se = est.estimate, est.se
    q = stats.t.ppf(0.975, est.df)
    eta = math.log(p / (1 - p))
    half = q * se / (p * (1 - p))
    assert est.ci_low == pytest.approx(1 / (1 + math.exp(-(eta - half))), rel=1e-12)
    assert est.ci_high == pytest.approx(1 / (1 + math.exp(-(eta + half))), rel=1e-12)


def test_share_of_zero_has_no_interval() -> None:
    design, y, _, _ = clustered()
    est = A.proportion(design, np.zeros_like(y))
    assert est.estimate == 0.0 and est.se == 0.0
    assert est.ci_low is None and est.ci_high is None


def test_quantile_math_rule() -> None:
    d = A.svydesign([1.0, 1.0, 1.0, 1.0], psu=[1, 2, 3, 4])
    y = np.array([4.0, 1.0, 3.0, 2.0])
    # cdf reaches exactly 0.5 at 2 -> the math rule takes 2; 0.6 -> 3
    assert A.quantile(d, y, 0.5).estimate == 2.0
    assert A.quantile(d, y, 0.6).estimate == 3.0
    heavy = A.svydesign([1.0, 1.0, 10.0, 1.0], psu=[1, 2, 3, 4])
    assert A.quantile(heavy, y, 0.5).estimate == 3.0


def test_domains_partition_the_total() -> None:
    design, y, _, extra = clustered()
    rows = A.by(design, y, [Factor.from_values(extra["sex"])], ["sex"], statistic="total")
    overall = A.total(design, y)
    assert [r.levels for r in rows] == [("F",), ("M",)]
    assert sum(r.estimate.estimate for r in rows) == pytest.approx(overall.estimate, rel=1e-12)


def test_domain_variance_is_not_the_subset_design_variance() -> None:
    # R keeps every PSU in a domain; dropping the other rows would lose PSUs with zero totals
    design, y, _, extra = clustered()
    dom = (extra["sex"] == "F") & (extra["psu"] <= 3)  # PSUs 4 and 5 have no one in it
    kept = A.total(design, y, domain=dom)
    sub = A.svydesign(extra["w"][dom], strata=extra["stratum"][dom], psu=extra["psu"][dom])
    dropped = A.total(sub, y[dom])
    assert kept.estimate == pytest.approx(dropped.estimate)
    assert kept.se != pytest.approx(dropped.se, rel=1e-6)


def test_domain_difference_by_hand() -> None:
    """Two strata of two PSUs; domain A is rows marked "A", B the others (no fpc).

    A: w (2, 1, 4, 2), y (1, 1, 0, 1): p_A = 5/9;  B: w (2, 3, 1), y (0, 1, 1): p_B = 2/3.
    z = w (y - p_A)/9 on A's rows minus w (y - p_B)/6 on B's rows; PSU totals
    a1 = 8/81 + 2/9 = 52/162, a2 = 4/81 - 1/6 = -19/162, b1 = -20/81 - 1/18 = -49/162,
    b2 = 8/81 = 16/162.  Stratum a: mean 33/324, deviations +-71/324; stratum b: mean
    -33/324, deviations +-65/324.  V = 2/(2-1) * 2 (71^2 + 65^2) / 324^2 = 37064/104976,
    SE = sqrt(9266)/162; df = 4 PSUs - 2 strata = 2, qt(0.975, 2) = 0.95/sqrt(2*0.975*0.025).
    """
    w = np.array([2.0, 2.0, 1.0, 3.0, 4.0, 1.0, 2.0])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0])
    strata = np.array(["a", "a", "a", "a", "b", "b", "b"])
    psu = np.array([1, 1, 2, 2, 1, 1, 2])
    dom = np.array(["A", "B", "A", "B", "A", "B", "A"])
    design = A.svydesign(w, strata=strata, psu=psu)
    diff = A.domain_difference(design, y, dom == "A", dom == "B", statistic="proportion")
    se = math.sqrt(9266) / 162
    q = 0.95 / math.sqrt(2 * 0.975 * 0.025)
    assert diff.estimate == pytest.approx(-1 / 9, rel=1e-14)
    assert diff.se == pytest.approx(se, rel=1e-13)
    assert diff.df == 2
    assert diff.ci_low == pytest.approx(-1 / 9 - q * se, rel=1e-12)
    assert diff.ci_high == pytest.approx(-1 / 9 + q * se, rel=1e-12)
    # B touches only 3 of the 4 PSUs: the df are those of the two domains together
    back = A.domain_difference(design, y, dom == "B", dom == "A", statistic="proportion")
    assert (back.estimate, back.df) == (pytest.approx(1 / 9, rel=1e-14), 2)
    assert back.se == pytest.approx(se, rel=1e-13)


@pytest.mark.parametrize(
    ("statistic", "column", "expected"),
    [
        # R: b <- svyby(~high, ~stype, d, svymean, covmat=TRUE);
        #    svycontrast(b, c(E=1, H=0, M=-1)); df = degf(subset(d, stype %in% c("E","M")))
        ("proportion", "high",
         (0.128055555555555589, 0.086014346434042696, 14,
          -0.056426869646129418, 0.312537980757240597)),
        # R: the same with svyby(~api00, ~stype, d, svytotal, covmat=TRUE)
        ("total", "api00",
         (2628253.11026382074, 812446.61201030214, 14,
          885728.43218020373, 4370777.78834743798)),
    ],
)  # fmt: skip
def test_domain_difference_matches_r_svycontrast(
    statistic: str, column: str, expected: tuple
) -> None:
    """apiclus1 (R 4.2.2, survey 4.1): d <- svydesign(ids=~dnum, fpc=~fpc, weights=~pw);
    elementary minus middle schools, which share school districts (PSUs); interval =
    contrast -/+ qt(0.975, df) SE."""
    from analysis.estimators import estimate_many
    from analysis.io import read_columns

    cols, _ = read_columns(
        str(Path(__file__).parent / "fixtures" / "apiclus1.csv"),
        numeric=["pw", "fpc", column],
        categorical=["dnum", "stype"],
    )
    design = A.svydesign(cols["pw"], psu=cols["dnum"], fpc=cols["fpc"])
    stype = cols["stype"]
    e = stype.codes == stype.levels.index("E")
    m = stype.codes == stype.levels.index("M")
    diff = A.domain_difference(design, cols[column], e, m, statistic=statistic)
    est, se, df, low, high = expected
    assert diff.estimate == pytest.approx(est, rel=1e-12)
    assert diff.se == pytest.approx(se, rel=1e-9)
    assert diff.df == df
    assert diff.ci_low == pytest.approx(low, rel=1e-9)
    assert diff.ci_high == pytest.approx(high, rel=1e-9)
    # the domains share PSUs: the SE is not that of two independent estimates
    a = estimate_many(design, cols[column], [e, m], statistic=statistic)
    assert diff.se != pytest.approx(math.hypot(a[0].se, a[1].se), rel=1e-3)
    # the difference of a domain with itself has no variance
    same = A.domain_difference(design, cols[column], e, e, statistic=statistic)
    assert same.estimate == 0.0 and same.se == pytest.approx(0.0, abs=1e-9 * abs(est))


def test_independent_difference_between_years() -> None:
    d1, y1, _, _ = clustered(seed=6)
    d2, y2, _, _ = clustered(seed=7)
    a, b = A.proportion(d1, y1), A.proportion(d2, y2)
    diff = A.independent_difference(a, b)
    assert diff.estimate == pytest.approx(a.estimate - b.estimate)
    assert diff.se == pytest.approx(math.hypot(a.se, b.se))
    assert diff.df == a.df + b.df
    q = stats.t.ppf(0.975, diff.df)
    assert diff.ci_high == pytest.approx(diff.estimate + q * diff.se, rel=1e-12)
