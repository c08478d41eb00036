"""The command line: R figures end to end, JSON shape and nulls, and every bad input of the
issue's list (exit 2, one line naming the column/row/level, no traceback, nothing written)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
SYN = str(FIXTURES / "synthetic.csv")
MARGINS = str(FIXTURES / "synthetic_margins.csv")
ROOT = Path(__file__).resolve().parents[2]
KEYS = [
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "deff",
    "df",
    "n",
    "population",
    "goal",
    "statistic",
    "p_value",
    "verdict",
    "by",
    "weights",
    "method",
]
DOMAIN_KEYS = ["level", "estimate", "se", "ci_low", "ci_high", "df", "n", "deff", "levels"]


def _reject_constant(name: str) -> None:
    raise AssertionError(f"JSON contains {name}")


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    code = main(["estimate", *args, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out, parse_constant=_reject_constant)


def _reference(case_id: str) -> dict:
    cases = json.loads((FIXTURES / "reference.json").read_text())["cases"]
    return next(c for c in cases if c["id"] == case_id)


def test_cli_matches_r_after_raking_with_domains(capsys: pytest.CaptureFixture[str]) -> None:
    res = run_json(
        [
            SYN,
            "--indicator",
            "meets",
            "--weight",
            "weight",
            "--strata",
            "stratum",
            "--psu",
            "psu",
            "--rake",
            MARGINS,
            "--lonely-psu",
            "adjust",
            "--by",
            "group",
        ],
        capsys,
    )
    assert list(res) == KEYS
    ref = _reference("synthetic_calibrate_raking_ciprop_meets_logit")["results"][0]
    for key in ("estimate", "se", "ci_low", "ci_high", "deff"):
        assert res[key] == pytest.approx(ref[key], rel=1e-6 if key != "estimate" else 1e-9)
    assert res["df"] == ref["df"] and res["n"] == ref["n"]
    by_ref = {
        r["level"]["group"]: r
        for r in _reference("synthetic_calibrate_raking_by_group_ciprop_meets_logit")["results"]
    }
    assert [r["level"] for r in res["by"]["group"]] == ["g1", "g2", "g3", "g4", "g5"]
    for row in res["by"]["group"]:
        assert list(row) == DOMAIN_KEYS
        ref = by_ref[row["level"]]
        assert row["levels"] == [row["level"]]
        for key in ("se", "ci_low", "ci_high", "deff"):
            if ref[key] is None:
                assert row[key] is None
            else:
                assert row[key] == pytest.approx(ref[key], rel=1e-6, abs=1e-15)
        assert row["df"] == ref["df"] and row["n"] == ref["n"]
    assert res["goal"] == 0.178 and res["verdict"] == "above"
    assert 0 < res["p_value"] < 0.05
    assert res["population"] == pytest.approx(3150710, rel=1e-10)


def test_json_nulls_for_mean_without_goal(capsys: pytest.CaptureFixture[str]) -> None:
    res = run_json(
        [
            SYN,
            "--mean",
            "score",
            "--weight",
            "weight",
            "--strata",
            "stratum",
            "--psu",
            "psu",
            "--lonely-psu",
            "remove",
        ],
        capsys,
    )
    assert res["goal"] is None and res["statistic"] is None
    assert res["p_value"] is None and res["verdict"] is None
    ref = _reference("synthetic_remove_mean_score_na")["results"][0]
    assert res["estimate"] == pytest.approx(ref["estimate"], rel=1e-9)
    assert res["se"] == pytest.approx(ref["se"], rel=1e-6)
    assert res["n"] == ref["n"]


def test_json_null_interval_for_a_domain_with_nobody_meeting(capsys) -> None:  # noqa: ANN001
    res = run_json(
        [
            SYN,
            "--indicator",
            "meets",
            "--weight",
            "weight",
            "--strata",
            "stratum",
            "--psu",
            "psu",
            "--lonely-psu",
            "adjust",
            "--by",
            "group",
        ],
        capsys,
    )
    g5 = next(r for r in res["by"]["group"] if r["level"] == "g5")
    assert g5["estimate"] == 0 and g5["se"] == 0
    assert g5["ci_low"] is None and g5["ci_high"] is None


def test_goal_for_mean_only_when_given(capsys: pytest.CaptureFixture[str]) -> None:
    res = run_json(
        [
            SYN,
            "--mean",
            "score",
            "--weight",
            "weight",
            "--strata",
            "stratum",
            "--psu",
            "psu",
            "--lonely-psu",
            "adjust",
            "--goal",
            "70",
        ],
        capsys,
    )
    assert res["goal"] == 70 and res["verdict"] == "below" and res["statistic"] < 0


def test_table_and_csv_formats(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        SYN,
        "--indicator",
        "meets",
        "--weight",
        "weight",
        "--strata",
        "stratum",
        "--psu",
        "psu",
        "--lonely-psu",
        "adjust",
        "--by",
        "sex:urban",
    ]
    assert main(["estimate", *args]) == 0
    table = capsys.readouterr().out
    assert "Share of meets" in table and "By sex:urban" in table and "F:urban" in table
    assert "above the goal" in table and "not the official rate" in table
    assert main(["estimate", *args, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "domain,level,estimate,se,ci_low,ci_high,df,n"
    assert lines[1].startswith("(all),,0.24") and len(lines) == 2 + 4


@pytest.mark.parametrize(
    ("kind", "case"), [("jk1", "apiclus1_jk1_mean_api00"), ("jkn", "apistrat_jkn_mean_api00")]
)
def test_jackknife_replicates_from_the_cli_match_r(
    kind: str, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    api = str(FIXTURES / "apiclus1.csv" if kind == "jk1" else FIXTURES / "apistrat.csv")
    design = ["--psu", "dnum"] if kind == "jk1" else ["--strata", "stype"]
    args = [api, "--mean", "api00", "--weight", "pw", "--fpc", "fpc", *design]
    res = run_json([*args, "--replicates", kind], capsys)
    ref = _reference(case)["results"][0]
    assert res["se"] == pytest.approx(ref["se"], rel=1e-6)
    assert res["ci_low"] == pytest.approx(ref["ci_low"], rel=1e-6)
    assert res["df"] == ref["df"]


def test_bootstrap_replicates_from_the_cli_follow_the_seed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [SYN, "--indicator", "meets", "--weight", "weight", "--strata", "stratum", "--psu",
            "psu", "--lonely-psu", "adjust"]
    boot = ["--replicates", "bootstrap", "--n-replicates", "50"]
    a = run_json([*args, *boot, "--seed", "1"], capsys)
    b = run_json([*args, *boot, "--seed", "1"], capsys)
    c = run_json([*args, *boot, "--seed", "2"], capsys)
    assert a == b and a["se"] != c["se"]
    lin = run_json(args, capsys)
    assert a["estimate"] == lin["estimate"]
    assert a["se"] == pytest.approx(lin["se"], rel=0.3)  # the same quantity, Monte Carlo error


def test_rake_subcommand_writes_weights(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "raked.csv"
    assert main(["rake", SYN, "--weight", "weight", "--rake", MARGINS, "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    import csv

    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    total = sum(float(r["raked_weight"]) for r in rows)
    assert total == pytest.approx(3150710, rel=1e-10)
    f = sum(float(r["raked_weight"]) for r in rows if r["sex"] == "F")
    assert f == pytest.approx(1591109, rel=1e-10)
    assert rows[0]["weight_nr"] == "1798.1373704263488"  # original text kept


# ---------------------------------------------------------------- bad input -------------

HEADER = "stratum,psu,fpc,w,meets,score,sex,grp\n"


def _csv(tmp_path: Path, rows: list[str], name: str = "d.csv") -> str:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return str(path)


GOOD = [
    "A,1,10,2.0,1,71.5,F,g1",
    "A,1,10,2.5,0,50.0,M,g1",
    "A,2,10,1.5,1,80.0,F,g2",
    "A,2,10,2.0,0,40.0,M,g2",
    "B,1,8,3.0,1,75.0,F,g1",
    "B,1,8,1.0,0,60.0,M,g2",
    "B,2,8,2.0,0,55.0,F,g1",
    "B,2,8,2.0,1,90.0,M,g2",
]


def _margins(tmp_path: Path, text: str) -> str:
    path = tmp_path / "m.csv"
    path.write_text("variable,level,population_total\n" + text)
    return str(path)


GOOD_MARGINS = "sex,F,100\nsex,M,100\ngrp,g1,90\ngrp,g2,110\n"


def _bad(rows: list[str] | None = None, extra: list[str] | None = None, margins: str | None = None):  # noqa: ANN202
    def build(tmp_path: Path) -> list[str]:
        args = [
            "estimate",
            _csv(tmp_path, rows or GOOD),
            "--indicator",
            "meets",
            "--weight",
            "w",
            "--strata",
            "stratum",
            "--psu",
            "psu",
        ]
        if margins is not None:
            args += ["--rake", _margins(tmp_path, margins)]
        return args + (extra or [])

    return build


def _replace(i: int, row: str) -> list[str]:
    rows = list(GOOD)
    rows[i] = row
    return rows


BAD_CASES = {
    "missing column": (_bad(extra=["--by", "region"]), ["region"]),
    "missing outcome column": (
        lambda p: ["estimate", _csv(p, GOOD), "--indicator", "passed", "--weight", "w"],
        ["passed"],
    ),
    "non-0/1 indicator": (_bad(_replace(2, "A,2,10,1.5,2,80.0,F,g2")), ["meets", "row 3"]),
    "negative weight": (_bad(_replace(1, "A,1,10,-2.5,0,50.0,M,g1")), ["'w'", "row 2", "negative"]),
    "missing weight": (_bad(_replace(4, "B,1,8,,1,75.0,F,g1")), ["'w'", "row 5"]),
    "non-numeric weight": (_bad(_replace(4, "B,1,8,abc,1,75.0,F,g1")), ["'w'", "row 5", "abc"]),
    "missing stratum": (_bad(_replace(3, ",2,10,2.0,0,40.0,M,g2")), ["'stratum'", "row 4"]),
    "missing psu": (_bad(_replace(6, "B,,8,2.0,0,55.0,F,g1")), ["'psu'", "row 7"]),
    "missing fpc": (
        _bad(_replace(6, "B,2,,2.0,0,55.0,F,g1"), ["--fpc", "fpc"]),
        ["'fpc'", "row 7"],
    ),
    "fpc varies in stratum": (
        _bad(_replace(7, "B,2,9,2.0,1,90.0,M,g2"), ["--fpc", "fpc"]),
        ["'fpc'", "stratum 'B'", "row 8"],
    ),
    "data level not in margins": (
        _bad(margins="sex,F,100\nsex,X,100\ngrp,g1,90\ngrp,g2,110\n"),
        ["level 'M'", "'sex'"],
    ),
    "margin level not in data": (_bad(margins=GOOD_MARGINS + "grp,g3,5\n"), ["'g3'", "'grp'"]),
    "margin totals disagree": (
        _bad(margins="sex,F,100\nsex,M,100\ngrp,g1,90\ngrp,g2,120\n"),
        ["'sex'", "'grp'", "0.1%"],
    ),
    "margin total not a number": (_bad(margins="sex,F,lots\nsex,M,100\n"), ["row 1", "lots"]),
    "raking does not converge": (
        _bad(
            [
                "A,1,10,1,1,70,F,g1",
                "A,1,10,1,0,70,M,g1",
                "A,2,10,1,1,70,M,g2",
                "A,2,10,1,0,70,M,g2",
            ],
            margins="sex,F,90\nsex,M,10\ngrp,g1,20\ngrp,g2,80\n",
            extra=["--lonely-psu", "adjust"],
        ),
        ["converge", "sex"],
    ),
    "lonely PSU": (_bad(_replace(5, "C,1,8,1.0,0,60.0,M,g2")), ["stratum 'C'", "adjust"]),
    "missing file": (
        lambda p: ["estimate", str(p / "nope.csv"), "--indicator", "meets", "--weight", "w"],
        ["nope.csv"],
    ),
    "bad level": (_bad(extra=["--level", "95"]), ["--level"]),
}


@pytest.mark.parametrize("name", list(BAD_CASES))
def test_bad_input_one_line_exit_2(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, needles = BAD_CASES[name]
    args = build(tmp_path)
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


def test_rake_subcommand_writes_nothing_on_bad_margins(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "out.csv"
    code = main(
        [
            "rake",
            _csv(tmp_path, GOOD),
            "--weight",
            "w",
            "--rake",
            _margins(tmp_path, GOOD_MARGINS + "grp,g9,5\n"),
            "--out",
            str(out),
        ]
    )
    assert code == 2 and not out.exists()
    assert "'g9'" in capsys.readouterr().err


def test_process_exit_status_and_no_traceback(tmp_path: Path) -> None:
    path = _csv(tmp_path, _replace(1, "A,1,10,-2.5,0,50.0,M,g1"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "estimate",
            path,
            "--indicator",
            "meets",
            "--weight",
            "w",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "error: column 'w' is negative in row 2 (-2.5)\n"


def test_usage_errors_are_one_line_too(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["estimate", SYN, "--weight", "weight"])  # no --indicator/--mean/--total
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "one of the arguments" in err


def test_analysis_does_not_import_flask_or_scipy_stats() -> None:
    code = (
        "import sys, analysis, analysis.cli; "
        "print('flask' in sys.modules, 'scipy.stats' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    assert out.split() == ["False", "False"]
