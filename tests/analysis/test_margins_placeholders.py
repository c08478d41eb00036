"""Margins as sourced data: the optional metadata columns, refusing placeholder figures unless
``--allow-placeholder-margins`` is given, marking every output that used them, and the shipped
Xinzheng file (every row a placeholder, all variables on one total)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from analysis.cli import main
from analysis.errors import SurveyError
from analysis.io import (
    GEOGRAPHIES,
    PlaceholderMarginsError,
    read_margins,
    read_margins_file,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "surveys" / "margins" / "xinzheng_adults_18_69.csv"
FIXTURES = Path(__file__).parent / "fixtures"
SYN = str(FIXTURES / "synthetic.csv")
SYN_MARGINS = str(FIXTURES / "synthetic_margins.csv")
LEVELS = {
    "sex": ["male", "female"],
    "urban_rural": ["urban", "rural"],
    "age_band": ["18-29", "30-39", "40-49", "50-59", "60-69"],
    "education": [
        "primary_or_less",
        "junior_secondary",
        "senior_secondary",
        "junior_college",
        "bachelor_plus",
    ],
}
PAIRS = [f"{v}={lev}" for v, levels in LEVELS.items() for lev in levels]


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small stratified cluster sample coded as the shipped margins file codes it."""
    rng = np.random.default_rng(7)
    n = 800
    path = tmp_path_factory.mktemp("survey") / "xinzheng_sample.csv"
    stratum = rng.integers(1, 5, n)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["stratum", "psu", "weight", "meets", *LEVELS])
        for i in range(n):
            w.writerow(
                [
                    f"S{stratum[i]}",
                    int(rng.integers(1, 6)),
                    round(float(rng.uniform(500, 1500)), 3),
                    int(rng.random() < 0.2),
                    *(levels[int(rng.integers(len(levels)))] for levels in LEVELS.values()),
                ]
            )
    return str(path)


def _estimate(survey: str, *extra: str, margins: Path | str = SHIPPED) -> list[str]:
    return [
        "estimate",
        survey,
        "--indicator",
        "meets",
        "--weight",
        "weight",
        "--strata",
        "stratum",
        "--psu",
        "psu",
        "--by",
        "sex",
        "--rake",
        str(margins),
        *extra,
    ]


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


# --- refusal ----------------------------------------------------------------------------


def test_estimate_refuses_placeholder_margins(
    survey: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in ("table", "json", "csv"):
        assert main(_estimate(survey, "--format", fmt)) == 2
        out, err = capsys.readouterr()
        assert out == ""
        line = _one_line_error(err)
        assert "placeholder" in line and "--allow-placeholder-margins" in line
        for pair in PAIRS:
            assert pair in line


def test_rake_refuses_placeholder_margins_and_writes_nothing(
    survey: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "raked.csv"
    args = ["rake", survey, "--weight", "weight", "--rake", str(SHIPPED), "--out", str(out_file)]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == "" and not out_file.exists()
    line = _one_line_error(err)
    assert "--allow-placeholder-margins" in line and "sex=male" in line


def test_refusal_names_only_the_placeholder_rows(
    survey: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "variable,level,population_total,source,placeholder\n"
        "sex,male,500,census table 1-1,false\n"
        "sex,female,500,assumed,TRUE\n"
        "urban_rural,urban,700,census table 1-2,\n"
        "urban_rural,rural,300,census table 1-2,no\n"
    )
    assert main(_estimate(survey, margins=path)) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert "1 placeholder row " in line and "sex=female" in line
    assert "sex=male" not in line and "urban_rural" not in line


def test_refusal_happens_before_the_data_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "no_such_survey.csv")
    assert main(_estimate(missing)) == 2
    assert "placeholder" in capsys.readouterr().err


def test_python_api_refuses_unless_allowed() -> None:
    with pytest.raises(PlaceholderMarginsError, match="allow_placeholders=True"):
        read_margins(str(SHIPPED))
    assert issubclass(PlaceholderMarginsError, SurveyError)
    totals = read_margins(str(SHIPPED), allow_placeholders=True)
    assert {v: list(levels) for v, levels in totals.items()} == LEVELS


# --- override and marking ---------------------------------------------------------------


def test_override_json_lists_every_placeholder(
    survey: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_estimate(survey, "--allow-placeholder-margins", "--format", "json")) == 0
    out, err = capsys.readouterr()
    res = json.loads(out)
    used = res["method"]["placeholder_margins"]
    assert [f"{r['variable']}={r['level']}" for r in used] == PAIRS
    assert all(set(r) == {"variable", "level", "source"} for r in used)
    assert all("PLACEHOLDER" in r["source"] for r in used)
    assert res["population"] == pytest.approx(750_000, rel=1e-9)  # raked to the margins
    assert 0 < res["estimate"] < 1 and res["se"] > 0
    assert "WARNING" in err and "PLACEHOLDER" in err  # also said on stderr


def test_json_placeholder_list_is_empty_without_placeholders(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["estimate", SYN, "--indicator", "meets", "--weight", "weight", "--format", "json"]
    base += ["--strata", "stratum", "--psu", "psu", "--lonely-psu", "adjust"]
    for extra in (
        [],
        ["--rake", SYN_MARGINS],
        ["--rake", SYN_MARGINS, "--allow-placeholder-margins"],
    ):
        assert main(base + extra) == 0
        out, err = capsys.readouterr()
        assert json.loads(out)["method"]["placeholder_margins"] == []
        assert "WARNING" not in err


def test_override_gives_the_same_figures_as_unmarked_margins(
    survey: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The flag changes the marking, never the numbers."""
    plain = tmp_path / "plain.csv"
    with SHIPPED.open(newline="") as src, plain.open("w", newline="") as dst:
        w = csv.writer(dst)
        for row in csv.DictReader(src):
            w.writerow([row["variable"], row["level"], row["population_total"]])
    plain.write_text("variable,level,population_total\n" + plain.read_text())
    assert main(_estimate(survey, "--format", "json", margins=plain)) == 0
    ref = json.loads(capsys.readouterr().out)
    assert main(_estimate(survey, "--allow-placeholder-margins", "--format", "json")) == 0
    got = json.loads(capsys.readouterr().out)
    assert ref["method"]["placeholder_margins"] == []
    for key in ("estimate", "se", "ci_low", "ci_high", "deff", "population", "by"):
        assert got[key] == ref[key]


def test_override_table_prints_a_warning(survey: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_estimate(survey, "--allow-placeholder-margins")) == 0
    out, _ = capsys.readouterr()
    lines = out.strip().splitlines()
    for line in (lines[0], lines[-1]):  # first and last line, so it cannot be missed
        assert line.startswith("WARNING: raked to 14 PLACEHOLDER margins")
        assert "--allow-placeholder-margins" in line and "sex=male" in line
    assert main(["estimate", SYN, "--indicator", "meets", "--weight", "weight"]) == 0
    assert "WARNING" not in capsys.readouterr().out


def test_override_csv_has_a_column_on_every_row(
    survey: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_estimate(survey, "--allow-placeholder-margins", "--format", "csv")) == 0
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3  # overall, male, female
    assert all(r["placeholder_margins"] == ";".join(PAIRS) for r in rows)
    assert "WARNING" in err
    assert (
        main(["estimate", SYN, "--indicator", "meets", "--weight", "weight", "--format", "csv"])
        == 0
    )
    header = capsys.readouterr().out.splitlines()[0]
    assert header == "domain,level,estimate,se,ci_low,ci_high,df,n"


def test_override_rake_marks_the_file_and_the_message(
    survey: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "raked.csv"
    args = ["rake", survey, "--weight", "weight", "--rake", str(SHIPPED), "--out", str(out_file)]
    assert main([*args, "--allow-placeholder-margins"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("WARNING: raked to 14 PLACEHOLDER margins")
    assert "'placeholder_margins' = true on every row" in out
    with out_file.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 800
    assert all(r["placeholder_margins"] == "true" for r in rows)
    assert sum(float(r["raked_weight"]) for r in rows) == pytest.approx(750_000, rel=1e-9)
    for var, levels in LEVELS.items():
        got = {lev: sum(float(r["raked_weight"]) for r in rows if r[var] == lev) for lev in levels}
        want = read_margins(str(SHIPPED), allow_placeholders=True)[var]
        for lev in levels:
            assert got[lev] == pytest.approx(want[lev], rel=1e-8)
    bad = [*args, "--allow-placeholder-margins", "--column", "placeholder_margins"]
    assert main(bad) == 2
    _one_line_error(capsys.readouterr().err)


def test_rake_without_placeholders_adds_no_marker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "raked.csv"
    args = ["rake", SYN, "--weight", "weight", "--rake", SYN_MARGINS, "--out", str(out_file)]
    assert main(args) == 0
    assert "WARNING" not in capsys.readouterr().out
    header = out_file.read_text().splitlines()[0]
    assert "placeholder_margins" not in header and header.endswith('"raked_weight"')


# --- the metadata columns and their validation ------------------------------------------


def _margins(tmp_path: Path, header: str, *rows: str) -> str:
    path = tmp_path / "m.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return str(path)


FULL = "variable,level,population_total,source,geography,year,age_base,placeholder"


def test_metadata_is_read(tmp_path: Path) -> None:
    path = _margins(
        tmp_path,
        FULL + ",note",
        "sex,male,501,Henan census table 1-7,Province,2020,18-69,No,extra columns are ignored",
        "sex,female,499,,,,,",
        "urban_rural,urban,700,x,city, 2020 ,all ages,1",
        "urban_rural,rural,300,x,prefecture,2020,all ages,YES",
    )
    m = read_margins_file(path)
    first = m.rows[0]
    assert (first.source, first.geography, first.year, first.age_base) == (
        "Henan census table 1-7",
        "province",
        2020,
        "18-69",
    )
    assert not first.placeholder and first.row == 1
    assert m.rows[1].year is None and m.rows[1].geography == "" and not m.rows[1].placeholder
    assert [r.placeholder for r in m.rows] == [False, False, True, True]
    assert m.totals == {
        "sex": {"male": 501, "female": 499},
        "urban_rural": {"urban": 700, "rural": 300},
    }
    assert [(r.variable, r.level) for r in m.placeholders] == [
        ("urban_rural", "urban"),
        ("urban_rural", "rural"),
    ]


def test_old_three_column_files_still_work(tmp_path: Path) -> None:
    path = _margins(tmp_path, "variable,level,population_total", "sex,F,10", "sex,M,12")
    assert read_margins(path) == {"sex": {"F": 10.0, "M": 12.0}}
    assert read_margins_file(path).placeholders == []


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (FULL, "sex,male,5,s,county,2020,18-69,false", "geography 'county' must be one of"),
        (FULL, "sex,male,5,s,city,20x0,18-69,false", "year '20x0' must be a whole number"),
        (FULL, "sex,male,5,s,city,2020.5,18-69,false", "year '2020.5'"),
        (FULL, "sex,male,5,s,city,1850,18-69,false", "year '1850'"),
        (FULL, "sex,male,5,s,city,2020,18-69,maybe", "placeholder 'maybe' must be true/false"),
        (FULL, "sex,male,5,s,city,2020,18-69,2", "placeholder '2'"),
        (FULL, ",male,5,s,city,2020,18-69,true", "'variable' is empty"),
        (FULL, "sex,male,-5,s,city,2020,18-69,true", "must be positive"),
        (FULL + ",year", "sex,male,5,s,city,2020,18-69,true,2021", "column 'year' twice"),
        ("variable,level,source", "sex,male,s", "no column 'population_total'"),
    ],
)
def test_bad_metadata_is_one_line_exit_2(
    header: str,
    row: str,
    message: str,
    tmp_path: Path,
    survey: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _margins(tmp_path, header, row, "sex,female,5")
    with pytest.raises(SurveyError, match="margins file"):
        read_margins_file(path)
    for flag in ([], ["--allow-placeholder-margins"]):
        assert main(_estimate(survey, *flag, margins=path)) == 2
        out, err = capsys.readouterr()
        assert out == ""
        line = _one_line_error(err)
        assert message in line
        if "column" not in message:
            assert "row 1 ('sex' level 'male')" in line or "row 1:" in line


# --- the shipped file -------------------------------------------------------------------


def test_shipped_file_is_all_placeholders_with_sources() -> None:
    m = read_margins_file(str(SHIPPED))
    assert len(m.rows) == len(PAIRS) == len(m.placeholders)
    for r in m.rows:
        assert r.placeholder
        assert r.source.startswith("PLACEHOLDER") and "Xinzheng" in r.source
        assert r.geography in GEOGRAPHIES and r.year == 2020 and r.age_base == "18-69"
        assert r.population_total == int(r.population_total)
    by_var = {r.variable: r for r in m.rows}
    assert by_var["sex"].geography == "province" and "Henan 2020 census" in by_var["sex"].source
    assert by_var["urban_rural"].geography == "prefecture"
    assert "Zhengzhou 2020 census" in by_var["urban_rural"].source
    assert "ASSUMED" in by_var["age_band"].source and "ASSUMED" in by_var["education"].source


def test_shipped_file_variables_agree_in_total_and_use_the_public_shares() -> None:
    totals = read_margins(str(SHIPPED), allow_placeholders=True)
    assert {v: list(levels) for v, levels in totals.items()} == LEVELS
    sums = {v: sum(levels.values()) for v, levels in totals.items()}
    assert set(sums.values()) == {750_000.0}, sums
    sex, ur = totals["sex"], totals["urban_rural"]
    assert sex["male"] / 750_000 == pytest.approx(0.5015, abs=1e-6)
    assert sex["female"] / 750_000 == pytest.approx(0.4985, abs=1e-6)
    assert ur["urban"] / 750_000 == pytest.approx(0.7840, abs=1e-6)
    assert ur["rural"] / 750_000 == pytest.approx(0.2160, abs=1e-6)
