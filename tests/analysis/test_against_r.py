"""Every case of the R reference fixtures (tests/analysis/fixtures/reference.json, made by
make_reference.R with R's survey package) run through the Python API.

Tolerances: estimates 1e-9 relative, SEs, interval ends and design effects 1e-6 relative;
an absolute tolerance only where the reference is exactly 0.  df and n must be equal.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import analysis as A
from analysis.io import read_columns, read_header

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = FIXTURES / "reference.json"

CASES = json.loads(REFERENCE.read_text())["cases"] if REFERENCE.exists() else []

R_TYPES = {"JK1": A.jk1, "JKn": A.jkn}


def _margins(cal: dict[str, Any]) -> dict[str, dict[str, float]]:
    if cal.get("margins_file"):
        from analysis.io import read_margins

        return read_margins(str(FIXTURES / cal["margins_file"]))
    out: dict[str, dict[str, float]] = {}
    for m in cal["margins"]:
        out.setdefault(m["variable"], {})[str(m["level"])] = float(m["population_total"])
    return out


def _run(case: dict[str, Any]) -> list[tuple[dict[str, str] | None, A.Estimate]]:
    path = str(FIXTURES / case["data"])
    spec = case["design"]
    cal = case.get("calibration")
    margins = _margins(cal) if cal else None
    by = case.get("by") or []
    reps = case.get("replicates")
    numeric = [spec["weights"], case["variable"]] + ([spec["fpc"]] if spec["fpc"] else [])
    rep_cols: list[str] = []
    if reps and reps["type"] == "user":
        rep_cols = [h for h in read_header(path) if re.fullmatch(r"rep[0-9]+", h)]
        numeric += rep_cols
    categorical = [c for c in (spec["strata"], spec["psu"]) if c] + list(by)
    if margins:
        categorical += list(margins)
    cols, _ = read_columns(path, numeric=numeric, categorical=categorical)
    design = A.svydesign(
        cols[spec["weights"]],
        strata=cols[spec["strata"]] if spec["strata"] else None,
        psu=cols[spec["psu"]] if spec["psu"] else None,
        fpc=cols[spec["fpc"]] if spec["fpc"] else None,
        lonely_psu=case["lonely_psu"],
    )
    if cal:
        factors = {v: cols[v] for v in margins}
        if cal["method"] == "rake":
            design = A.rake(design, factors, margins, variance="ipf")
        elif cal["method"] == "calibrate_raking":
            design = A.rake(design, factors, margins, variance="calibrate")
        else:
            (var,) = margins
            design = A.poststratify(design, cols[var], margins[var], name=var)
    if reps:
        if reps["type"] == "user":
            w = np.stack([cols[c] for c in rep_cols], axis=1)
            design = A.with_replicate_weights(
                design, w, scale=reps["scale"], rscales=reps["rscales"], mse=reps["mse"]
            )
        else:
            design = R_TYPES[reps["type"]](design)
    y = cols[case["variable"]]
    stat = case["statistic"]
    level = case["level"]

    def one(domain: np.ndarray | None) -> A.Estimate:
        if stat == "mean":
            return A.mean(design, y, domain=domain, level=level)
        if stat == "total":
            return A.total(design, y, domain=domain, level=level)
        if stat == "ciprop":
            return A.proportion(design, y, domain=domain, ci=case["ci_method"], level=level)
        return A.quantile(design, y, case["quantile"], domain=domain, level=level)

    if not by:
        return [(None, one(None))]
    from analysis.domains import domain_codes

    codes, labels = domain_codes([cols[b] for b in by], design)
    return [(dict(zip(by, lab, strict=True)), one(codes == i)) for i, lab in enumerate(labels)]


def _close(ours: float | None, ref: float | None, rel: float, what: str) -> None:
    if ref is None:
        assert ours is None, f"{what}: R has no figure, we have {ours}"
        return
    assert ours is not None, f"{what}: R has {ref}, we have none"
    if ref == 0:
        assert abs(ours) <= 1e-12, f"{what}: {ours} vs 0"
    else:
        assert math.isclose(ours, ref, rel_tol=rel, abs_tol=0), (
            f"{what}: {ours!r} vs R {ref!r} (rel diff {abs(ours / ref - 1):.2e})"
        )


@pytest.mark.skipif(not CASES, reason="no R reference fixtures")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_matches_r(case: dict[str, Any]) -> None:
    if case.get("error"):
        with pytest.raises(A.SurveyError, match=r"S8"):
            _run(case)
        return
    got = _run(case)
    expected = {json.dumps(r["level"], sort_keys=True): r for r in case["results"]}
    assert sorted(expected) == sorted(json.dumps(lv, sort_keys=True) for lv, _ in got)
    for lv, est in got:
        ref = expected[json.dumps(lv, sort_keys=True)]
        tag = f"{case['id']} {lv or ''}"
        _close(est.estimate, ref["estimate"], 1e-9, f"{tag} estimate")
        _close(est.se, ref["se"], 1e-6, f"{tag} se")
        _close(est.ci_low, ref["ci_low"], 1e-6, f"{tag} ci_low")
        _close(est.ci_high, ref["ci_high"], 1e-6, f"{tag} ci_high")
        if ref.get("deff") is not None:
            _close(est.deff, ref["deff"], 1e-6, f"{tag} deff")
        if ref.get("df") is not None:
            assert est.df == ref["df"], f"{tag} df {est.df} vs R {ref['df']}"
        if ref.get("n") is not None:
            assert est.n == ref["n"], f"{tag} n {est.n} vs R {ref['n']}"


def test_reference_has_the_cases_the_issue_asks_for() -> None:
    ids = " ".join(c["id"] for c in CASES)
    for needle in (
        "apistrat",
        "apiclus1",
        "apiclus2",
        "synthetic",
        "rake",
        "by_",
        "ciprop",
        "quantile",
        "lonely_fail",
        "adjust",
        "average",
        "remove",
    ):
        assert needle in ids
