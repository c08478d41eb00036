"""Extreme numbers are refused with one clear line (exit 2), never computed into a verdict:
weights outside 0 or 1e-6..1e9, margins with absurd totals, figures that overflow, NaN and
inf written as text, empty files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import analysis as A
from analysis.cli import main

HEADER = "stratum,psu,w,meets,score,sex\n"
ROWS = [
    ("A", 1, "1", 1, 50, "F"),
    ("A", 1, "1", 0, 60, "M"),
    ("A", 2, "1", 1, 70, "F"),
    ("A", 2, "1", 0, 55, "M"),
    ("B", 1, "1", 1, 65, "F"),
    ("B", 1, "1", 0, 45, "M"),
    ("B", 2, "1", 0, 75, "F"),
    ("B", 2, "1", 1, 80, "M"),
]


def _survey(tmp_path: Path, weight: str = "1", score: str | None = None) -> str:
    path = tmp_path / "s.csv"
    lines = [
        f"{s},{p},{weight if i == 2 else w},{m},{score if score is not None else sc},{x}"
        for i, (s, p, w, m, sc, x) in enumerate(ROWS)
    ]
    path.write_text(HEADER + "\n".join(lines) + "\n")
    return str(path)


def _all_weights(tmp_path: Path, weight: str) -> str:
    path = tmp_path / "all.csv"
    lines = [f"{s},{p},{weight},{m},{sc},{x}" for s, p, _, m, sc, x in ROWS]
    path.write_text(HEADER + "\n".join(lines) + "\n")
    return str(path)


def _refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["estimate", *args])
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1, err
    return err


DESIGN = ["--weight", "w", "--strata", "stratum", "--psu", "psu"]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize("weight", ["1e308", "1.7976931348623157e308", "2e9", "1e-320", "5e-7"])
def test_a_weight_outside_the_sane_range_is_refused(
    weight: str, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused([_survey(tmp_path, weight), "--indicator", "meets", *DESIGN, "--format", fmt],
                   capsys)
    assert f"column 'w' gives row 3 a weight of {float(weight):g}" in err
    assert "outside the sane range (0, or 1e-06 to 1e+09)" in err


@pytest.mark.parametrize("weight", ["1e308", "1e-320"])
def test_every_weight_extreme_is_refused_too(
    weight: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _refused([_all_weights(tmp_path, weight), "--indicator", "meets", *DESIGN], capsys)
    assert "row 1" in err and "sane range" in err


@pytest.mark.parametrize(
    ("weights", "ok"),
    [
        ([1e-6, 1.0, 1e9, 0.0], True),  # both ends of the range, and a zero weight
        ([1e-6 * (1 - 1e-12), 1.0, 1.0, 1.0], False),
        ([1.0, 1e9 * (1 + 1e-12), 1.0, 1.0], False),
        ([1.0, -0.0, 1.0, 1.0], True),
    ],
)
def test_the_range_ends_are_inclusive(weights: list[float], ok: bool) -> None:
    if ok:
        assert A.svydesign(weights).n == 4
    else:
        with pytest.raises(A.WeightRangeError) as caught:
            A.svydesign(weights, names={"weights": "pw"})
        row = next(i for i, w in enumerate(weights) if w not in (0.0, 1.0)) + 1
        assert caught.value.row == row and caught.value.column == "pw"
        assert caught.value.value == weights[row - 1]


@pytest.mark.parametrize(
    ("total", "needle"),
    [
        ("1e308", "level 'F' must be positive and at most 1e+10 (1e+308)"),
        ("1.5e10", "level 'F' must be positive and at most 1e+10 (1.5e+10)"),
    ],
)
def test_margins_with_an_absurd_total_are_refused(
    total: str, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    margins = tmp_path / "m.csv"
    margins.write_text(f"variable,level,population_total\nsex,F,{total}\nsex,M,{total}\n")
    err = _refused([_survey(tmp_path), "--indicator", "meets", *DESIGN, "--rake", str(margins)],
                   capsys)
    assert "population total of 'sex' " + needle in err


def test_margins_out_of_proportion_to_the_sample_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 8 respondents of weight 1 raked to 9 billion people: each would stand for > 1e9
    margins = tmp_path / "m.csv"
    margins.write_text("variable,level,population_total\nsex,F,4.5e9\nsex,M,4.5e9\n")
    err = _refused([_survey(tmp_path), "--indicator", "meets", *DESIGN, "--rake", str(margins)],
                   capsys)
    assert "raking gives row 1 a weight of 1.125e+09" in err
    assert "margins are out of proportion to the sample" in err


@pytest.mark.parametrize(
    ("what", "score", "needle"),
    [
        ("--total", "1e308", "the total of column 'score' overflows"),
        ("--mean", "1e308", "the mean of column 'score' overflows"),
        ("--mean", "1e200", "the variance of the mean of column 'score' overflows"),
        ("--total", "1e170", "the variance of the total of column 'score' overflows"),
    ],
)
def test_figures_that_overflow_are_refused(
    what: str, score: str, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _all_weights(tmp_path, "1")
    text = Path(path).read_text().splitlines()
    rows = [text[0]] + [
        ",".join([*line.split(",")[:4], score if i < 2 else "1", line.split(",")[5]])
        for i, line in enumerate(text[1:])  # large in PSU A/1 only
    ]
    Path(path).write_text("\n".join(rows) + "\n")
    err = _refused([path, what, "score", *DESIGN], capsys)
    assert needle in err


def test_overflow_is_refused_by_the_api_too() -> None:
    with pytest.raises(A.NonFiniteError) as caught:
        A.estimate(A.EstimateSpec(data={"w": [1.0, 1.0, 1.0], "y": [1e308, 1e308, 0.0]},
                                  outcome="y", weight="w", statistic="total"))
    assert caught.value.what == "total of y"


@pytest.mark.parametrize(
    ("weight", "score", "needle"),
    [
        ("inf", None, "column 'w' is missing or not finite in row 3"),
        ("-inf", None, "column 'w' is missing or not finite in row 3"),
        ("NaN", None, "column 'w' is missing or not finite in row 3"),
        ("1", "inf", "column 'score' is infinite in row 1"),
    ],
)
def test_nan_and_inf_written_as_text(
    weight: str, score: str | None, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    what = ["--mean", "score"] if score else ["--indicator", "meets"]
    err = _refused([_survey(tmp_path, weight, score), *what, *DESIGN], capsys)
    assert needle in err


def test_nan_text_in_a_mean_is_a_missing_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["estimate", _survey(tmp_path, score="NaN"), "--mean", "score", *DESIGN]) == 2
    assert "no value with a positive weight" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "needle"), [("", "is empty"), (HEADER, "has no data rows")])
def test_empty_files(
    content: str, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "e.csv"
    path.write_text(content)
    assert needle in _refused([str(path), "--indicator", "meets", *DESIGN], capsys)


def test_in_memory_tables_get_the_same_checks() -> None:
    spec = {"outcome": "y", "weight": "w", "statistic": "mean"}
    with pytest.raises(A.WeightRangeError, match="column 'w' gives row 2"):
        A.estimate(A.EstimateSpec(data={"w": [1.0, 1e308], "y": [1.0, 2.0]}, **spec))
    with pytest.raises(A.SurveyError, match=r"column 'y' is not numeric in row 2 \('lots'\)"):
        A.estimate(A.EstimateSpec(data={"w": [1.0, 1.0], "y": ["1", "lots"]}, **spec))
    with pytest.raises(A.SurveyError, match="different lengths"):
        A.estimate(A.EstimateSpec(data={"w": [1.0, 1.0], "y": np.ones(3)}, **spec))
    with pytest.raises(A.SurveyError, match="has no rows"):
        A.estimate(A.EstimateSpec(data={"w": [], "y": []}, **spec))
