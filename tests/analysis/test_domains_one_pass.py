"""Every domain of a breakdown in one pass: the same figures as one domain at a time, and a
cost that grows with rows + levels (20,000 levels of a 20,000-row upload took 79 s and
894 MB when each domain was a pass over every row; 250,000 levels never finished)."""

from __future__ import annotations

import math
import time
import tracemalloc

import numpy as np
import pytest

import analysis as A
from analysis.design import Factor
from analysis.estimators import group_influence
from analysis.linearization import linearized_variance


def _survey(seed: int, *, fpc: bool = False, lonely: bool = True):  # noqa: ANN202
    """A stratified cluster sample (stratum h4 has a single PSU when ``lonely``), a 0/1
    outcome, a score with missing values and a 40-level grouping column."""
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(5):
        n_psu = 1 if (lonely and h == 4) else int(rng.integers(2, 5))
        for j in range(n_psu):
            rows += [(h, j)] * int(rng.integers(5, 15))
    n = len(rows)
    strata = np.array([f"h{r[0]}" for r in rows])
    psu = np.array([r[1] for r in rows])
    w = rng.uniform(1, 30, n)
    w[rng.random(n) < 0.05] = 0.0  # zero weights count in no estimate but keep their PSU
    y = (rng.random(n) < 0.35).astype(float)
    score = np.round(rng.normal(60, 12, n), 1)
    score[rng.random(n) < 0.1] = np.nan
    group = rng.integers(0, 40, n).astype(str)
    sex = rng.choice(["F", "M"], n)
    age = rng.choice(["young", "old"], n)
    pop = {f"h{h}": 50.0 + 10 * h for h in range(5)}
    f = np.array([pop[s] for s in strata]) if fpc else None
    return w, strata, psu, f, y, score, group, sex, age


def _naive_variance(w, strata, psu, popsize, z, rows, rule):  # noqa: ANN001, ANN202
    """The textbook formula, one domain, loops only: sum_h (1 - f_h) n_h/(n_h - 1)
    sum_j (t_hj - tbar_h)^2 over every PSU of the stratum, lonely strata by ``rule`` among
    the strata holding the domain's rows (R drops the others when it subsets)."""
    totals: dict[tuple[str, int], float] = {}
    for s, p, v in zip(strata, psu, z, strict=True):
        totals[(s, p)] = totals.get((s, p), 0.0) + v
    present = set(strata[rows])
    var, lonely, n_all = 0.0, [], 0
    for s in sorted(set(strata)):
        t = np.array([v for (h, _), v in totals.items() if h == s])
        f = 1.0 if popsize is None else 1 - t.size / popsize[strata == s][0]
        n_all += t.size if s in present else 0
        if t.size > 1:
            var += f * t.size / (t.size - 1) * ((t - t.mean()) ** 2).sum()
        elif s in present:
            lonely.append((t[0], f))
    if not lonely or rule == "remove":
        return var
    if rule == "adjust":
        grand = sum(totals.values()) / n_all
        return var + sum(f * (t - grand) ** 2 for t, f in lonely)
    return var * len(present) / (len(present) - len(lonely))  # average


@pytest.mark.parametrize("rule", ["adjust", "average", "remove"])
@pytest.mark.parametrize("fpc", [False, True])
@pytest.mark.parametrize("statistic", ["proportion", "mean", "total"])
def test_one_pass_equals_the_textbook_formula_domain_by_domain(
    rule: str, fpc: bool, statistic: str
) -> None:
    w, strata, psu, f, y, score, group, *_ = _survey(11, fpc=fpc)
    design = A.svydesign(w, strata=strata, psu=psu, fpc=f, lonely_psu=rule)
    values = y if statistic == "proportion" else score
    rows = A.by(design, values, [Factor.from_values(group)], ["group"], statistic=statistic)
    assert [r.levels[0] for r in rows] == sorted(set(group[w > 0]), key=int)
    valid = ~np.isnan(values)
    y0 = np.where(valid, values, 0.0)
    for r in rows:
        dom = valid & (group == r.levels[0])
        wd = np.where(dom, w, 0.0)
        if wd.sum() == 0:  # every row of the domain lacks the outcome (or has weight 0)
            empty = r.estimate
            assert (empty.n, empty.population, empty.df) == (0, 0.0, 0)
            assert empty.estimate == (0.0 if statistic == "total" else None)
            continue
        if statistic == "total":
            est, z = (wd * y0).sum(), wd * y0
        else:
            est = (wd * y0).sum() / wd.sum()
            z = wd * (y0 - est) / wd.sum()
        v = _naive_variance(w, strata, psu, f, z, dom, rule)
        assert r.estimate.estimate == pytest.approx(est, rel=1e-12)
        assert r.estimate.se == pytest.approx(math.sqrt(v), rel=1e-9, abs=1e-15)
        inset = dom & (w > 0)
        df = len(set(zip(strata[inset], psu[inset], strict=True))) - len(set(strata[inset]))
        assert r.estimate.df == df and r.estimate.n == int(inset.sum())


def test_zero_weight_rows_count_in_no_domains_df() -> None:
    # domain x has rows in PSUs 1, 2 and 3 of stratum a, but weight only in 1 and 2
    w = [1.0, 1.0, 0.0, 2.0, 1.0, 1.0]
    design = A.svydesign(w, strata=["a"] * 6, psu=[1, 2, 3, 1, 2, 3])
    group = Factor.from_values(["x", "x", "x", "y", "y", "y"])
    x, y = A.by(design, [1.0, 0.0, 1.0, 0.0, 1.0, 1.0], [group], ["g"], statistic="mean")
    assert (x.estimate.df, x.estimate.n) == (2 - 1, 2)
    assert (y.estimate.df, y.estimate.n) == (3 - 1, 3)


def test_a_lonely_stratum_stops_only_the_domains_in_it() -> None:
    w, strata, psu, _, y, _, group, *_ = _survey(12)
    design = A.svydesign(w, strata=strata, psu=psu, lonely_psu="fail")
    with pytest.raises(A.LonelyPSUError, match="stratum 'h4'"):
        A.by(design, y, [Factor.from_values(group)], ["group"])
    outside = np.where(strata == "h4", "lonely", "other")
    mask = outside == "other"
    rows = A.by(design, np.where(mask, y, np.nan), [Factor.from_values(outside)], ["s"])
    assert [r.levels for r in rows] == [("lonely",), ("other",)]  # h4's rows have no outcome
    assert rows[1].estimate.se is not None


@pytest.mark.parametrize("variance", ["calibrate", "ipf"])
@pytest.mark.parametrize("rule", ["adjust", "average", "remove"])
def test_one_pass_equals_the_row_residuals_after_raking(variance: str, rule: str) -> None:
    """The calibrated variance in one pass (margin-level algebra) against the GREG / rake()
    residuals computed row by row for each domain."""
    w, strata, psu, _, y, score, group, sex, age = _survey(13)
    design = A.svydesign(w, strata=strata, psu=psu, lonely_psu=rule)
    wpos = w > 0
    margins = {
        "sex": {s: float(w[wpos & (sex == s)].sum()) * 1.1 for s in ("F", "M")},
        "age": {a: float(w[wpos & (age == a)].sum()) * 1.1 for a in ("old", "young")},
    }
    factors = {"sex": Factor.from_values(sex), "age": Factor.from_values(age)}
    raked = A.rake(design, factors, margins, variance=variance)
    for values, statistic in ((y, "proportion"), (score, "total")):
        rows = A.by(raked, values, [Factor.from_values(group)], ["g"], statistic=statistic)
        valid = ~np.isnan(values)
        y0 = np.where(valid, values, 0.0)
        for r in rows:
            dom = valid & (group == r.levels[0])
            _, _, z = group_influence(raked, y0, np.where(dom, 0, -1), 1, statistic)
            v = float(linearized_variance(raked, z, rows=dom)[0])
            assert r.estimate.se == pytest.approx(math.sqrt(v), rel=1e-8)


def _many_levels(n: int, levels: int, seed: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "weight": rng.uniform(50, 150, n),
        "meets": (rng.random(n) < 0.2).astype(float),
        "stratum": rng.integers(0, 8, n),
        "psu": rng.integers(0, 25, n),
        "village": rng.permutation(np.arange(n) % levels),
    }


@pytest.mark.parametrize(("rows", "levels", "seconds", "megabytes"), [
    (20_000, 20_000, 10, 100),  # the 189 KB upload of the issue (was 79 s and 894 MB)
    (250_000, 250_000, 60, 600),  # did not finish
])  # fmt: skip
def test_many_levels_cost_rows_plus_levels(
    rows: int, levels: int, seconds: float, megabytes: float
) -> None:
    spec = A.EstimateSpec(data=_many_levels(rows, levels), outcome="meets", weight="weight",
                          strata="stratum", psu="psu", by=("village",), lonely_psu="adjust")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        report = A.estimate(spec)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    (village,) = report.by
    assert len(village) == levels
    assert sum(village.n) == report.n
    assert elapsed < seconds and peak < megabytes, (elapsed, peak)
