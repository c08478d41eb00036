"""The cases file is read all-or-nothing: every problem names its row (1-based, header not
counted) and column in one line; seeded random corruptions never get through or crash."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from surveys import (
    CASE_COLUMNS,
    CaseIssue,
    CasesError,
    SurveyInputError,
    WeightingSettings,
    cases_csv,
    read_cases,
    weight_cases,
)
from tests.surveys.weighting_cases import case, synthetic_wave

GOOD = [
    case(1, "S1", "P1", "urban", 0.5, 0.1, "eligible", 1, 2),
    case(2, "S1", "P1", "urban", 0.5, 0.1, "eligible", 0),
    case(3, "S1", "P1", "urban", 0.5, 0.1, "unknown", 0),
    case(4, "S1", "P1", "urban", 0.5, 0.1, "ineligible", 0),
]


def _text(rows):
    return cases_csv(rows).decode()


def _with(row: int, column: str, value: str) -> bytes:
    """GOOD as CSV with one cell (1-based data row) replaced by ``value``."""
    lines = list(csv.reader(io.StringIO(_text(GOOD))))
    lines[row][CASE_COLUMNS.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(lines)
    return buf.getvalue().encode()


def _issues(data: bytes) -> list[str]:
    with pytest.raises(CasesError) as info:
        read_cases(data)
    assert "\n" not in str(info.value)
    return [str(i) for i in info.value.issues]


def test_a_good_file_reads_with_types_and_row_numbers(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"\xef\xbb\xbf" + cases_csv(GOOD).replace(b"\n", b"\r\n"))
    t = read_cases(path)
    assert len(t) == 4 and t.rows == (1, 2, 3, 4)
    assert t.column("case_id") == (1, 2, 3, 4)
    assert t.column("household_weight")[0] == 1 / (0.5 * 0.1)
    assert t.column("eligible_adults") == (2, None, None, None)
    assert t.column("sex") == ("male", "", "", "")
    assert t.to_csv() == cases_csv(GOOD)  # canonical bytes again


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("pi1", "abc", "row 2, column pi1: 'abc' is not a number"),
        ("pi1", "0", "row 2, column pi1: 0 is outside (0, 1]"),
        ("pi1", "1.5", "row 2, column pi1: 1.5 is outside (0, 1]"),
        ("pi2", "nan", "row 2, column pi2: 'nan' is not a number"),
        ("pi2", "inf", "row 2, column pi2: 'inf' is not a number"),
        ("pi2", "1e400", "row 2, column pi2: 1e400 is not a finite number"),
        ("pi2", "1_0", "row 2, column pi2: '1_0' is not a number"),
        ("household_weight", "1e300", "row 2, column household_weight: 1e+300 is outside"),
        ("household_weight", "21", "row 2, column household_weight: 21.0 is not 1/(pi1 pi2)"),
        ("case_id", "", "row 2, column case_id: is empty"),
        ("case_id", "1", "row 2, column case_id: 1 is also in row 1"),
        ("case_id", "9" * 30, "row 2, column case_id: '99999999999999999999...' is too large"),
        ("case_id", "2.5", "row 2, column case_id: '2.5' is not a whole number"),
        ("stratum", "S\x001", "row 2, column stratum: contains a NUL byte"),
        ("stratum", "", "row 2, column stratum: is empty"),
        ("psu_urban_rural", "suburb", "row 2, column psu_urban_rural: 'suburb' is not one of"),
        ("psu_urban_rural", "rural", "row 2, column psu_urban_rural: 'rural' differs from row 1"),
        ("eligibility", "maybe", "row 2, column eligibility: 'maybe' is not one of eligible"),
        ("respondent", "2", "row 2, column respondent: 2 must be 0 or 1"),
        ("respondent", "", "row 2, column respondent: is empty"),
        ("eligible_adults", "1000", "row 2, column eligible_adults: 1000 is outside [0, 30]"),
        ("base_weight", "20", "row 2, column base_weight: must be empty for a non-respondent"),
        ("sex", "M", "row 2, column sex: 'M' is not one of male, female"),
        ("total", "101", "row 2, column total: 101 is outside [0, 100]"),
        ("meets", "yes", "row 2, column meets: 'yes' is not a number"),
    ],
)
def test_each_bad_cell_is_named_by_row_and_column(column, value, message):
    issues = _issues(_with(2, column, value))
    assert any(i.startswith(message) for i in issues), issues


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("eligibility", "unknown", "row 1, column eligibility: a respondent must be eligible"),
        ("eligible_adults", "", "row 1, column eligible_adults: is empty (required for a "
                                "respondent)"),
        ("eligible_adults", "0", "row 1, column eligible_adults: a respondent's household"),
        ("base_weight", "", "row 1, column base_weight: is empty (required for a respondent)"),
        ("base_weight", "30", "row 1, column base_weight: 30.0 is not household_weight x "
                              "eligible_adults = 40.0"),
        ("sex_age_band", "female_30-39", "row 1, column sex_age_band: 'female_30-39' must be"),
        ("township", "S2", "row 1, column township: 'S2' must equal the stratum 'S1'"),
    ],
)
def test_respondent_rules(column, value, message):
    issues = _issues(_with(1, column, value))
    assert any(i.startswith(message) for i in issues), issues


def test_every_problem_is_listed_at_once():
    data = _with(1, "pi1", "x").replace(b"ineligible", b"nope")
    with pytest.raises(CasesError) as info:
        read_cases(data)
    assert [str(i) for i in info.value.issues] == [
        "row 1, column pi1: 'x' is not a number",
        "row 4, column eligibility: 'nope' is not one of eligible, ineligible, unknown",
    ]
    assert str(info.value).startswith("the cases file has 2 problem(s): row 1, column pi1")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (",".join(CASE_COLUMNS).encode() + b"\n", "the file has no cases"),
        (b"case_id,stratum\n1,S\n", "column psu: is missing from the header"),
        (",".join(CASE_COLUMNS + ("extra",)).encode() + b"\n",
         "column extra: is not a column of the cases file"),
        (",".join(("stratum", "case_id") + CASE_COLUMNS[2:]).encode() + b"\n1\n",
         "column stratum: is in position 1"),
        (b"\xff\xfe" + b"x" * 10, "the file is not UTF-8 text"),
        (b"case_id\x00,stratum\n", "the header contains a NUL byte"),
    ],
)
def test_whole_file_problems(data, message):
    issues = _issues(data)
    assert any(message in i for i in issues), issues


def test_a_short_row_is_named():
    text = _text(GOOD).splitlines()
    text[3] = text[3].rsplit(",", 2)[0]
    issues = _issues(("\n".join(text) + "\n").encode())
    assert issues == [f"row 3: has {len(CASE_COLUMNS) - 2} fields, the header "
                      f"{len(CASE_COLUMNS)}"]


def test_a_missing_file_and_a_file_without_respondents(tmp_path):
    with pytest.raises(SurveyInputError, match="does not exist"):
        read_cases(tmp_path / "nope.csv")
    rows = [dict(r) for r in GOOD[1:]]
    t = read_cases(cases_csv(rows))
    with pytest.raises(SurveyInputError, match="no respondent"):
        weight_cases(t, None, WeightingSettings())


def test_case_issue_text():
    assert str(CaseIssue(3, "pi1", "bad")) == "row 3, column pi1: bad"
    assert str(CaseIssue(None, None, "empty")) == "empty"


# seeded corruptions: clearly invalid values for a column's type
BAD_NUMBERS = ["abc", "nan", "-inf", "1e400", "1_0", "0x10", "1,5", "--1", "\x00"]
BAD_CODES = ["maybe", "\x00", "MALE "]
NUMBER_COLUMNS = ("case_id", "pi1", "pi2", "household_weight", "respondent",
                  "eligible_adults", "base_weight", "total", "score_K", "score_M", "score_S",
                  "score_A", "meets")
CODE_COLUMNS = ("psu_urban_rural", "eligibility", "sex", "age_band", "education",
                "urban_rural", "group", "form", "level")


@pytest.mark.parametrize("seed", range(12))
def test_fuzz_seeded_corruptions_are_reported_with_row_and_column(seed):
    rng = np.random.default_rng(seed)
    lines = list(csv.reader(io.StringIO(cases_csv(synthetic_wave(seed, 2, 12)).decode())))
    expected = set()
    for _ in range(int(rng.integers(1, 5))):
        row = int(rng.integers(1, len(lines)))
        if rng.random() < 0.6:
            col = NUMBER_COLUMNS[int(rng.integers(len(NUMBER_COLUMNS)))]
            value = BAD_NUMBERS[int(rng.integers(len(BAD_NUMBERS)))]
        else:
            col = CODE_COLUMNS[int(rng.integers(len(CODE_COLUMNS)))]
            value = BAD_CODES[int(rng.integers(len(BAD_CODES)))]
        lines[row][CASE_COLUMNS.index(col)] = value
        expected.add((row, col))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(lines)
    with pytest.raises(CasesError) as info:
        read_cases(buf.getvalue().encode())
    found = {(i.row, i.column) for i in info.value.issues}
    assert expected <= found
    assert "\n" not in str(info.value) and "Traceback" not in str(info.value)


def test_absurd_margins_name_the_case(tmp_path):
    rows = [case(7, "S", "P", "urban", 1, 1, "eligible", 1, 1),
            case(8, "S", "P", "urban", 1, 1, "eligible", 1, 1, sex="female")]
    path = tmp_path / "m.csv"
    path.write_text("variable,level,population_total\nsex,male,5e9\nsex,female,5e9\n",
                    encoding="utf-8")
    from surveys import load_version

    with pytest.raises(SurveyInputError, match=r"raking gives case 7 \(row 1\) a weight of "
                                               r"5e\+09, outside the sane range"):
        weight_cases(read_cases(cases_csv(rows)), load_version(str(path)),
                     WeightingSettings(min_class_respondents=1))
