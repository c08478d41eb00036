"""Replicate variance after raking: every replicate is raked to the same margins (R's
``calibrate`` on a replicate design), so a raked margin's total has no replicate variance;
known answers from R 4.2.2 / survey 4.1 (script in each test's docstring)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

import analysis as A
from analysis.cli import main
from analysis.design import Factor

FIXTURES = Path(__file__).parent / "fixtures"
MARGINS = str(FIXTURES / "synthetic_margins.csv")
FEMALE_TOTAL = 1591109  # synthetic_margins.csv: sex,F


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> str:
    """synthetic.csv with one more column: female = 1 when sex is F (a raked margin)."""
    with (FIXTURES / "synthetic.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    sex = rows[0].index("sex")
    path = tmp_path_factory.mktemp("recal") / "synthetic_female.csv"
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([*rows[0], "female"])
        out.writerows([*r, "1" if r[sex] == "F" else "0"] for r in rows[1:])
    return str(path)


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["estimate", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


DESIGNS = {  # JK1 needs an unstratified design
    "jk1": ["--psu", "psu"],
    "jkn": ["--strata", "stratum", "--psu", "psu", "--lonely-psu", "adjust"],
    "bootstrap": ["--strata", "stratum", "--psu", "psu", "--lonely-psu", "adjust"],
}


@pytest.mark.parametrize("kind", ["jk1", "jkn", "bootstrap"])
def test_a_raked_margins_total_has_no_replicate_variance(
    kind: str, survey: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = [survey, "--total", "female", "--weight", "weight", *DESIGNS[kind]]
    raked = _json([*base, "--rake", MARGINS, "--replicates", kind], capsys)
    assert raked["estimate"] == pytest.approx(FEMALE_TOTAL, rel=1e-9)
    # every replicate reproduces the margin to 1e-10, so the SE is rounding noise (without
    # recalibration it was 209,386 for jkn)
    assert raked["se"] < 1e-6
    plain = _json([*base, "--replicates", kind], capsys)
    assert plain["se"] > 50_000  # not raked: the total of women varies between replicates
    # a variable that is not a margin keeps a positive replicate SE after raking
    other = _json([survey, "--mean", "score", "--weight", "weight", *DESIGNS[kind],
                   "--rake", MARGINS, "--replicates", kind], capsys)
    assert other["se"] > 0.1


def _apiclus1() -> tuple[A.Design, dict]:
    from analysis.io import read_columns

    cols, _ = read_columns(
        str(FIXTURES / "apiclus1.csv"),
        numeric=["pw", "fpc", "api00"],
        categorical=["dnum", "stype", "sch.wide", "awards"],
    )
    return A.svydesign(cols["pw"], psu=cols["dnum"], fpc=cols["fpc"]), cols


APICLUS1_MARGINS = {
    "stype": {"E": 4421, "H": 755, "M": 1018},
    "sch.wide": {"No": 1072, "Yes": 5122},
}


def test_recalibrated_jk1_matches_r() -> None:
    """R: d <- svydesign(ids=~dnum, fpc=~fpc, weights=~pw, data=apiclus1.csv);
    rc <- calibrate(as.svrepdesign(d, type="JK1"), ~stype+sch.wide, c(6194, 755, 1018, 5122),
    calfun="raking", epsilon=1e-13); svymean(~api00, rc); svytotal(~api00, rc);
    svyby(~api00, ~awards, rc, svymean)."""
    design, cols = _apiclus1()
    factors = {v: cols[v] for v in APICLUS1_MARGINS}
    rc = A.rake(A.jk1(design), factors, APICLUS1_MARGINS)
    mean = A.mean(rc, cols["api00"])
    assert mean.estimate == pytest.approx(641.230320926820013, rel=1e-12)
    assert mean.se == pytest.approx(26.873980435666741, rel=1e-9)
    total = A.total(rc, cols["api00"])
    assert total.se == pytest.approx(166457.43481852915, rel=1e-9)
    rows = A.by(rc, cols["api00"], [cols["awards"]], ["awards"], statistic="mean")
    assert [r.estimate.se for r in rows] == pytest.approx(
        [37.004728292267977, 23.265156772918836], rel=1e-9
    )
    # raking after or before building the replicates gives the same replicate design
    after = A.jk1(A.rake(design, factors, APICLUS1_MARGINS))
    assert A.mean(after, cols["api00"]).se == pytest.approx(mean.se, rel=1e-12)
    # the total of a raked margin's level: R gives 755 with SE 1.5e-11
    is_h = (cols["stype"].codes == cols["stype"].levels.index("H")).astype(float)
    h = A.total(rc, is_h)
    assert h.estimate == pytest.approx(755, rel=1e-12) and h.se < 1e-6


def test_recalibrated_jkn_matches_r() -> None:
    """R: d2 <- svydesign(ids=~1, strata=~stype, fpc=~fpc, weights=~pw, data=apistrat.csv);
    rc2 <- calibrate(as.svrepdesign(d2, type="JKn"), ~sch.wide+awards, c(6194, 5122, 3800),
    calfun="raking", epsilon=1e-13); svymean(~api00, rc2) -> 661.99871669862318 (SE
    9.4455652442363256)."""
    spec = A.EstimateSpec(
        data=FIXTURES / "apistrat.csv", outcome="api00", weight="pw", strata="stype",
        fpc="fpc", statistic="mean", replicates="jkn",
        margins={"sch.wide": {"No": 1072, "Yes": 5122}, "awards": {"No": 2394, "Yes": 3800}},
    )
    report = A.estimate(spec)
    assert report.estimate == pytest.approx(661.9987166986231841, rel=1e-12)
    assert report.se == pytest.approx(9.4455652442363256, rel=1e-9)
    assert report.method.replicates == 200  # one jackknife replicate per PSU


def test_user_replicate_weights_are_raked_column_by_column() -> None:
    design, cols = _apiclus1()
    boot = A.bootstrap(design, 20, rng=np.random.default_rng(3))
    full = design.weights[:, None] * boot.replicates.factors[design.psu]
    user = A.with_replicate_weights(design, full, scale=1 / 19)
    factors = {v: cols[v] for v in APICLUS1_MARGINS}
    a = A.mean(A.rake(user, factors, APICLUS1_MARGINS), cols["api00"])
    b = A.mean(A.rake(boot, factors, APICLUS1_MARGINS), cols["api00"])
    assert a.se == pytest.approx(b.se, rel=1e-9)
    assert a.se != pytest.approx(A.mean(user, cols["api00"]).se, rel=1e-3)


def test_a_replicate_that_loses_a_margin_level_is_refused() -> None:
    # the only respondent in level "b" is in PSU 1: the jackknife replicate without PSU 1
    # has no weight in "b" and cannot be raked to it
    design = A.svydesign([1.0, 1.0, 1.0, 1.0], psu=[1, 2, 3, 4])
    group = Factor.from_values(["b", "a", "a", "a"])
    with pytest.raises(A.SurveyError, match=r"replicate 1 has no weight in level 'b'"):
        A.rake(A.jk1(design), {"g": group}, {"g": {"a": 3.0, "b": 1.0}})
