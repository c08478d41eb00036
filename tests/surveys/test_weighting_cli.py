"""``python -m surveys weight``: the same numbers as :func:`surveys.weight_cases`, a file that
reads back to the same weights and that ``python -m analysis estimate`` reads, placeholder
warnings first and last, and one-line errors with nothing written."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from surveys import WeightingSettings, cases_csv, load_version, read_cases, weight_cases
from surveys.cli import main
from tests.surveys.weighting_cases import synthetic_wave

ROOT = Path(__file__).resolve().parents[2]
MARGINS = "xinzheng_adults_18_69"


@pytest.fixture
def cases_file(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(cases_csv(synthetic_wave()))
    return path


def _run(capsys, *args):
    try:
        status = main([str(a) for a in args])
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def test_json_output_is_weight_cases_and_the_file_reads_back_exactly(cases_file, tmp_path,
                                                                     capsys):
    out_file = tmp_path / "weighted.csv"
    status, out, err = _run(capsys, "weight", cases_file, "--margins", MARGINS,
                            "--allow-placeholder-margins", "--min-class", 30,
                            "--trim-upper", 3.0, "--out", out_file, "--format", "json")
    assert status == 0
    assert err.startswith("WARNING: raked to 14 PLACEHOLDER margins")
    expected = weight_cases(
        read_cases(cases_file), load_version(MARGINS),
        WeightingSettings(min_class_respondents=30, trim_upper=3.0,
                          allow_placeholder_margins=True),
    )
    assert json.loads(out) == json.loads(json.dumps(expected.to_dict()))
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert tuple(int(r["case_id"]) for r in rows) == expected.case_ids
    assert tuple(float(r["final_weight"]) for r in rows) == expected.final_weight
    assert tuple(float(r["nr_weight"]) for r in rows) == expected.nr_weight
    assert {r["placeholder_margins"] for r in rows} == {"sex=male;sex=female;urban_rural=urban;"
                                                         "urban_rural=rural;age_band=18-29;"
                                                         "age_band=30-39;age_band=40-49;"
                                                         "age_band=50-59;age_band=60-69;"
                                                         "education=primary_or_less;"
                                                         "education=junior_secondary;"
                                                         "education=senior_secondary;"
                                                         "education=junior_college;"
                                                         "education=bachelor_plus"}


def test_table_output_has_the_warning_first_and_last_and_every_diagnostic(cases_file, tmp_path,
                                                                          capsys):
    status, out, _ = _run(capsys, "weight", cases_file, "--margins", MARGINS,
                          "--allow-placeholder-margins", "--min-class", 30,
                          "--out", tmp_path / "w.csv")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("WARNING: raked to 14 PLACEHOLDER margins")
    assert lines[-1] == lines[0]
    text = "\n".join(lines)
    # 8 classes of ~27 respondents; those below 30 are merged within their stratum
    assert "collapsed below 30 respondents" in text
    assert "410184101:rural  410184101" in text and "410184100:rural  -" in text
    for step in ("base", "non-response", "raked", "trimmed (final)"):
        assert any(line.strip().startswith(step) for line in lines), step
    for head in ("min", "q1", "median", "q3", "max/min", "Kish deff", "effective n"):
        assert head in text
    assert "education    bachelor_plus" in text and "1.000000" in text
    assert "Trimming to [0.3 x mean" in text


def test_no_margins_no_trim(cases_file, tmp_path, capsys):
    status, out, err = _run(capsys, "weight", cases_file, "--no-trim", "--out",
                            tmp_path / "w.csv")
    assert status == 0 and err == ""
    assert "no margins (no raking)" in out and "Trimming: none" in out
    assert "WARNING" not in out


def test_a_subset_of_the_margins_says_the_estimate_must_rake_to_the_same(cases_file, tmp_path,
                                                                        capsys):
    status, out, _ = _run(capsys, "weight", cases_file, "--margins", MARGINS,
                          "--allow-placeholder-margins", "--rake-variables", "sex,age_band",
                          "--no-trim", "--out", tmp_path / "w.csv")
    assert status == 0
    assert "note: raked to sex, age_band only; an estimate must rake to the same" in out
    status, out, _ = _run(capsys, "weight", cases_file, "--margins", MARGINS,
                          "--allow-placeholder-margins", "--no-trim", "--out", tmp_path / "v.csv")
    assert status == 0 and "note: raked to" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--margins", MARGINS], "error: margins file 'xinzheng_adults_18_69.csv' has 14 "
                                 "placeholder rows"),
        (["--margins", "no_such_margins"], "error: unknown margins version 'no_such_margins'"),
        (["--classes", "psu"], "error: class_variables must be stratum, psu_urban_rural"),
        (["--trim-lower", "abc"], "error: argument --trim-lower: 'abc' is not a number"),
        (["--trim-upper", "0.5"], "error: trim_upper must be above 1"),
        (["--min-class", "0"], "error: min_class_respondents must be"),
        (["--margins", MARGINS, "--allow-placeholder-margins", "--rake-variables", "colour"],
         "error: rake variable 'colour' is not in margins"),
        (["--margins", MARGINS, "--allow-placeholder-margins", "--trim-lower", "0.9",
          "--trim-upper", "1.1"], "error: weight trimming to"),
    ],
)
def test_errors_are_one_line_exit_2_and_nothing_is_written(cases_file, tmp_path, capsys, args,
                                                           message):
    out_file = tmp_path / "w.csv"
    status, out, err = _run(capsys, "weight", cases_file, *args, "--out", out_file)
    assert status == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1
    assert not out_file.exists() and list(tmp_path.iterdir()) == [cases_file]


def test_a_bad_cases_file_names_row_and_column(tmp_path, capsys):
    bad = tmp_path / "cases.csv"
    bad.write_bytes(cases_csv(synthetic_wave()).replace(b",0.", b",x0.", 1))
    status, out, err = _run(capsys, "weight", bad, "--out", tmp_path / "w.csv")
    assert status == 2 and out == ""
    assert err.startswith("error: the cases file has 1 problem(s): row 1, column pi1: 'x0.")
    assert not (tmp_path / "w.csv").exists()


def test_module_entry_point_and_analysis_estimate_on_the_written_file(cases_file, tmp_path):
    out_file = tmp_path / "weighted.csv"
    run = subprocess.run(
        [sys.executable, "-m", "surveys", "weight", str(cases_file), "--margins", MARGINS,
         "--allow-placeholder-margins", "--out", str(out_file), "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    est = subprocess.run(
        [sys.executable, "-m", "analysis", "estimate", str(out_file), "--indicator", "meets",
         "--weight", "final_weight", "--strata", "stratum", "--psu", "psu",
         "--by", "sex", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert est.returncode == 0, est.stderr
    report = json.loads(est.stdout)
    assert report["n"] == len(result["case_ids"])
    assert report["population"] == pytest.approx(750_000, rel=1e-9)
    by_sex = {r["level"]: r for r in report["by"]["sex"]}
    assert set(by_sex) == {"male", "female"}
