"""Every case of the R reference fixtures run through the one entry point, ``EstimateSpec`` ->
``analysis.estimate`` -> ``Report``, with the data given three ways: the CSV file's path, a
dict of the file's text columns, and a ``pyarrow.Table``.  Breakdowns go through the
one-pass domain code (``test_against_r.py`` runs the same cases domain by domain through
the lower-level functions).  Tolerances as there: estimates 1e-9 relative, SEs, interval
ends and design effects 1e-6; df and n equal.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pytest

import analysis as A

FIXTURES = Path(__file__).parent / "fixtures"
CASES = json.loads((FIXTURES / "reference.json").read_text())["cases"]
CALIBRATION = {"rake": "raking_ipf", "calibrate_raking": "raking", "poststratify": "poststratify"}
STATISTIC = {"ciprop": "proportion", "mean": "mean", "total": "total", "quantile": "quantile"}


def _data(path: Path, how: str) -> Any:
    if how == "path":
        return path
    if how == "arrow":
        return pacsv.read_csv(path)
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    return {name: [r[j] for r in rows[1:]] for j, name in enumerate(rows[0])}


def _spec(case: dict[str, Any], how: str) -> A.EstimateSpec:
    path = FIXTURES / case["data"]
    design, cal, reps = case["design"], case.get("calibration"), case.get("replicates")
    margins: Any = None
    if cal:
        if cal.get("margins_file"):
            margins = FIXTURES / cal["margins_file"]
        else:
            margins = {}
            for m in cal["margins"]:
                margins.setdefault(m["variable"], {})[str(m["level"])] = m["population_total"]
    user = None
    replicates = None
    if reps and reps["type"] == "user":
        header = path.read_text().splitlines()[0].replace('"', "").split(",")
        user = A.UserReplicates(
            columns=tuple(h for h in header if re.fullmatch(r"rep[0-9]+", h)),
            scale=reps["scale"],
            rscales=tuple(reps["rscales"]),
            mse=reps["mse"],
        )
    elif reps:
        replicates = reps["type"].lower()
    return A.EstimateSpec(
        data=_data(path, how),
        outcome=case["variable"],
        weight=design["weights"],
        statistic=STATISTIC[case["statistic"]],
        strata=design["strata"],
        psu=design["psu"],
        fpc=design["fpc"],
        by=(tuple(case["by"]),) if case.get("by") else (),
        margins=margins,
        calibration=CALIBRATION[cal["method"]] if cal else "raking",
        ci=case["ci_method"] or "logit",
        level=case["level"],
        lonely_psu=case["lonely_psu"],
        replicates=replicates,
        user_replicates=user,
        quantile=case["quantile"] or 0.5,
    )


def _close(ours: float | None, ref: float | None, rel: float, what: str) -> None:
    if ref is None:
        assert ours is None, f"{what}: R has no figure, we have {ours}"
        return
    assert ours is not None, f"{what}: R has {ref}, we have none"
    if ref == 0:
        assert abs(ours) <= 1e-12, f"{what}: {ours} vs 0"
    else:
        assert math.isclose(ours, ref, rel_tol=rel, abs_tol=0), f"{what}: {ours!r} vs R {ref!r}"


@pytest.mark.parametrize("how", ["path", "dict", "arrow"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_matches_r_through_the_api(case: dict[str, Any], how: str) -> None:
    spec = _spec(case, how)
    if case.get("error"):
        with pytest.raises(A.LonelyPSUError, match=r"stratum 'S8'"):
            A.estimate(spec)
        return
    report = A.estimate(spec)
    if case.get("by"):
        (breakdown,) = report.by
        got = {
            json.dumps(dict(zip(case["by"], r.levels, strict=True)), sort_keys=True): r
            for r in breakdown.rows
        }
    else:
        got = {"null": report}
    expected = {json.dumps(r["level"], sort_keys=True): r for r in case["results"]}
    assert sorted(got) == sorted(expected)
    for key, ref in expected.items():
        ours = got[key]
        tag = f"{case['id']} {key}"
        _close(ours.estimate, ref["estimate"], 1e-9, f"{tag} estimate")
        _close(ours.se, ref["se"], 1e-6, f"{tag} se")
        _close(ours.ci_low, ref["ci_low"], 1e-6, f"{tag} ci_low")
        _close(ours.ci_high, ref["ci_high"], 1e-6, f"{tag} ci_high")
        if ref.get("deff") is not None:
            _close(ours.deff, ref["deff"], 1e-6, f"{tag} deff")
        if ref.get("df") is not None:
            assert ours.df == ref["df"], f"{tag} df"
        if ref.get("n") is not None:
            assert ours.n == ref["n"], f"{tag} n"
