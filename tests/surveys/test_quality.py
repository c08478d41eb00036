"""Data-quality flags, each on both sides of its threshold, with its reason and evidence."""

from __future__ import annotations

import pytest

from surveys import (
    DEFAULT_THRESHOLDS,
    FlagCode,
    InterviewRecord,
    SurveyInputError,
    Thresholds,
    check_quality,
)
from surveys.quality import (
    flag_duplicates,
    flag_many_changes,
    flag_outside_psu,
    flag_straight_lining,
    flag_too_fast,
    longest_run,
)

VARIED = (0, 1, 2, 3) * 12 + (0, 1)  # 50 positions, no run longer than 1


def record(case_id: str = "c1", **fields) -> InterviewRecord:
    base = dict(duration_seconds=1500, items_presented=50, positions=VARIED, answer_changes=0,
                assigned_psu="x1", interview_psu="x1", sex="female", birth_year=1980,
                birth_month=5, education="junior_secondary", township="xinjianlu")
    return InterviewRecord(case_id, **(base | fields))


def test_defaults_are_the_stated_ones():
    assert (DEFAULT_THRESHOLDS.min_seconds_per_item, DEFAULT_THRESHOLDS.straight_run,
            DEFAULT_THRESHOLDS.max_answer_changes) == (5.0, 10, 10)
    assert DEFAULT_THRESHOLDS.fingerprint == ("sex", "birth_year", "birth_month", "education",
                                              "township", "assigned_psu")


def test_a_clean_interview_has_no_flag():
    assert check_quality([record()]) == ()


# --- too fast: seconds per item < 5 ----------------------------------------------------------

def test_too_fast_on_both_sides_of_five_seconds_per_item():
    # 249 s / 50 items = 4.98 s per item: flagged; 250 s = 5.0 exactly: not flagged.
    flag = flag_too_fast(record(duration_seconds=249))
    assert flag.code is FlagCode.TOO_FAST
    assert flag.evidence["seconds_per_item"] == pytest.approx(4.98)
    assert flag.evidence["items_presented"] == 50 and flag.evidence["threshold"] == 5.0
    assert flag.reason("zh") == "每题平均用时 4.98 秒，少于 5 秒"
    assert flag.reason("en") == "4.98 seconds per item, under 5"
    assert flag_too_fast(record(duration_seconds=250)) is None
    # The rate is per presented item: 249 s over 45 items is 5.53 s per item.
    assert flag_too_fast(record(duration_seconds=249, items_presented=45)) is None


def test_the_speed_threshold_is_a_parameter():
    assert flag_too_fast(record(duration_seconds=300), Thresholds(min_seconds_per_item=6.5))
    with pytest.raises(SurveyInputError):
        flag_too_fast(record(items_presented=0))


# --- straight-lining: a run >= 10 -------------------------------------------------------------

def test_straight_lining_on_both_sides_of_a_run_of_ten():
    ten = (0, 1) + (2,) * 10 + VARIED[:38]
    nine = (0, 1) + (2,) * 9 + VARIED[:39]
    flag = flag_straight_lining(record(positions=ten))
    assert flag.code is FlagCode.STRAIGHT_LINING
    assert dict(flag.evidence) == {"run": 10, "first_item": 3, "option": 3, "position": 2,
                                   "threshold": 10}
    assert flag.reason("en") == "option 3 chosen 10 times in a row from item 3 (threshold 10)"
    assert flag_straight_lining(record(positions=nine)) is None


def test_blanks_break_a_run():
    broken = (1,) * 5 + (None,) + (1,) * 5
    assert longest_run(broken) == (5, 0, 1)
    assert flag_straight_lining(record(positions=broken), Thresholds(straight_run=6)) is None
    assert longest_run([None, None]) == (0, 0, None)
    assert longest_run([3, 3, 1, 1, 1, 2]) == (3, 2, 1)
    assert longest_run([3, 3, 1, 1]) == (2, 0, 3)  # the earliest run wins a tie


# --- answer changes: more than 10 -------------------------------------------------------------

def test_many_changes_on_both_sides_of_ten():
    flag = flag_many_changes(record(answer_changes=11))
    assert flag.code is FlagCode.MANY_CHANGES and flag.evidence["changes"] == 11
    assert flag.reason("zh") == "改答 11 次，超过 10 次"
    assert flag_many_changes(record(answer_changes=10)) is None


# --- outside the assigned PSU ------------------------------------------------------------------

def test_outside_the_assigned_psu():
    flag = flag_outside_psu(record(interview_psu="x2"))
    assert flag.code is FlagCode.OUTSIDE_PSU
    assert dict(flag.evidence) == {"assigned_psu": "x1", "interview_psu": "x2"}
    assert flag.reason("en") == "interviewed in x2, assigned to x1"
    assert flag_outside_psu(record()) is None
    assert flag_outside_psu(record(interview_psu=None)) is None


# --- duplicates ----------------------------------------------------------------------------------

def test_duplicates_share_every_fingerprint_field():
    records = [record("c1"), record("c2"), record("c3", birth_month=6), record("c4"),
               record("c5", education=None)]
    flags = flag_duplicates(records)
    assert [(f.case_id, f.evidence["others"]) for f in flags] == [
        ("c1", ("c2", "c4")), ("c2", ("c1", "c4")), ("c4", ("c1", "c2"))]
    assert flags[0].evidence["fingerprint"] == {
        "sex": "female", "birth_year": 1980, "birth_month": 5,
        "education": "junior_secondary", "township": "xinjianlu", "assigned_psu": "x1"}
    assert flags[0].reason("en") == (
        "same sex, birth year-month, education, township and PSU as c2, c4")


def test_cases_missing_a_fingerprint_field_are_not_compared():
    # Two unknown educations are not evidence of the same person.
    assert flag_duplicates([record("a", education=None), record("b", education=None)]) == []
    assert flag_duplicates([record("a", township=""), record("b", township="")]) == []


def test_one_differing_field_is_not_a_duplicate():
    for field, value in [("sex", "male"), ("birth_year", 1981), ("birth_month", 4),
                         ("education", "primary_or_less"), ("township", "baqian"),
                         ("assigned_psu", "x9")]:
        assert flag_duplicates([record("a"), record("b", **{field: value})]) == []


def test_the_fingerprint_is_a_parameter():
    records = [record("a"), record("b", birth_month=6)]
    coarse = Thresholds(fingerprint=("sex", "birth_year", "township"))
    assert [f.case_id for f in flag_duplicates(records, coarse)] == ["a", "b"]
    with pytest.raises(SurveyInputError):
        Thresholds(fingerprint=("shoe_size",))


# --- all together ------------------------------------------------------------------------------

def test_check_quality_lists_every_flag_case_by_case():
    records = [
        record("c1", duration_seconds=100, answer_changes=20, birth_year=1990),
        record("c2"),
        record("c3", positions=(0,) * 50, interview_psu="x7"),
        record("c4"),
    ]
    flags = check_quality(records)
    assert [(f.case_id, f.code) for f in flags] == [
        ("c1", FlagCode.TOO_FAST), ("c1", FlagCode.MANY_CHANGES),
        ("c2", FlagCode.DUPLICATE),
        ("c3", FlagCode.STRAIGHT_LINING), ("c3", FlagCode.DUPLICATE),
        ("c3", FlagCode.OUTSIDE_PSU),
        ("c4", FlagCode.DUPLICATE),
    ]


def test_bad_records_are_refused():
    with pytest.raises(SurveyInputError, match="twice"):
        check_quality([record("a"), record("a")])
    with pytest.raises(SurveyInputError, match="duration"):
        record(duration_seconds=-1)
    with pytest.raises(SurveyInputError, match="items_presented"):
        record(items_presented=2.5)


def test_a_run_of_right_answers_only_is_not_straight_lining():
    # Twelve answers in the first position: all right (a knowledgeable respondent meeting
    # twelve keys in one place) is no flag; one wrong among them is.
    twelve = (0,) * 12
    assert flag_straight_lining(record(positions=twelve, correct=(True,) * 12)) is None
    one_wrong = (True,) * 5 + (False,) + (True,) * 6
    flag = flag_straight_lining(record(positions=twelve, correct=one_wrong))
    assert flag is not None and flag.evidence["run"] == 12
    # Without correctness, any run counts (the earlier behaviour).
    assert flag_straight_lining(record(positions=twelve)) is not None


def test_the_longest_counted_run_is_reported_when_a_longer_one_is_all_right():
    positions = (1,) * 14 + (None,) + (2,) * 10
    correct = (True,) * 14 + (False,) + (False,) + (True,) * 9
    assert longest_run(positions, correct) == (10, 15, 2)
    assert longest_run(positions) == (14, 0, 1)
