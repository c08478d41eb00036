"""Weighting a wave: the non-response factors and class collapsing on a hand-computed example,
the collapse rule, trimming (total and bounds kept, margins still met), placeholder margins,
the result's round trip, and the cases file's all-or-nothing validation.  Every expected
number is worked by hand in the comments."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from analysis.io import PlaceholderMarginsError
from surveys import (
    CASE_COLUMNS,
    WEIGHTED_COLUMNS,
    CasesError,
    CaseTable,
    ClassRow,
    PlaceholderMarginsRefused,
    SurveyInputError,
    WeightingResult,
    WeightingSettings,
    cases_csv,
    load_version,
    read_cases,
    weight_cases,
    weighted_csv,
)
from tests.surveys.weighting_cases import case, synthetic_wave

NO_TRIM = {"trim_lower": None, "trim_upper": None}

# Two strata (A, B) x urban/rural, one PSU each.  hw = 1/(pi1 pi2).
#   A1 urban  pi1 .5  pi2 .1  hw 20    A2 rural  pi1 .25 pi2 .1  hw 40
#   B1 urban  pi1 .5  pi2 .2  hw 10    B2 rural  pi1 .2  pi2 .25 hw 20
HAND = [
    case(1, "A", "A1", "urban", 0.5, 0.1, "eligible", 1, 2),  # base 20 x 2 = 40
    case(2, "A", "A1", "urban", 0.5, 0.1, "eligible", 1, 1),  # base 20
    case(3, "A", "A1", "urban", 0.5, 0.1, "eligible", 0),
    case(4, "A", "A1", "urban", 0.5, 0.1, "ineligible", 0),
    case(5, "A", "A1", "urban", 0.5, 0.1, "unknown", 0),
    case(6, "A", "A2", "rural", 0.25, 0.1, "eligible", 1, 3, sex="female"),  # base 40 x 3 = 120
    case(7, "A", "A2", "rural", 0.25, 0.1, "unknown", 0),
    case(8, "A", "A2", "rural", 0.25, 0.1, "eligible", 0),
    case(9, "B", "B1", "urban", 0.5, 0.2, "eligible", 1, 1, sex="female"),  # base 10
    case(10, "B", "B1", "urban", 0.5, 0.2, "eligible", 1, 2),  # base 20
    case(11, "B", "B1", "urban", 0.5, 0.2, "ineligible", 0),
    case(12, "B", "B1", "urban", 0.5, 0.2, "unknown", 0),
    case(13, "B", "B1", "urban", 0.5, 0.2, "eligible", 0),
    case(14, "B", "B2", "rural", 0.2, 0.25, "eligible", 1, 1, sex="female"),  # base 20
    case(15, "B", "B2", "rural", 0.2, 0.25, "eligible", 1, 2),  # base 40
    case(16, "B", "B2", "rural", 0.2, 0.25, "unknown", 0),
    case(17, "B", "B2", "rural", 0.2, 0.25, "unknown", 0),
    case(18, "B", "B2", "rural", 0.2, 0.25, "eligible", 0),
    case(19, "B", "B2", "rural", 0.2, 0.25, "ineligible", 0),
]


def table(rows):
    return read_cases(cases_csv(rows))


def margins_file(tmp_path, rows, name="m"):
    """A margins version from (variable, level, total[, placeholder]) rows."""
    text = "variable,level,population_total,placeholder\n" + "".join(
        f"{r[0]},{r[1]},{r[2]},{'true' if len(r) > 3 and r[3] else 'false'}\n" for r in rows
    )
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    return load_version(str(path))


# --- the hand-computed example ---------------------------------------------------------------


def test_hand_computed_nonresponse_factors_and_collapse():
    res = weight_cases(table(HAND), None,
                       WeightingSettings(min_class_respondents=2, **NO_TRIM))
    # A:rural has 1 respondent < 2, so stratum A's urban and rural classes become class "A".
    #   A: hw all cases = 5 x 20 + 3 x 40 = 220; resolved (eligible + ineligible) = 4 x 20
    #      (cases 1-4) + 2 x 40 (6, 8) = 160 -> f_u = 220/160 = 1.375
    #      eligible hw = 3 x 20 + 2 x 40 = 140, respondents 20 + 20 + 40 = 80; f_r = (1.375 x
    #      140) / (1.375 x 80) = 1.75; f_u f_r = 2.40625
    # B:urban (2 respondents, kept): hw all 5 x 10 = 50, resolved 40 -> f_u 1.25;
    #      eligible 30, respondents 20 -> f_r 1.5; f_u f_r = 1.875
    # B:rural (2 respondents, kept): hw all 6 x 20 = 120, resolved (14, 15, 18, 19) 80 ->
    #      f_u 1.5; eligible 60, respondents 40 -> f_r 1.5; f_u f_r = 2.25
    expected_classes = [
        # cls, into, cases, elig, inel, unkn, resp, f_u, f_r, hw all, resolved, elig, resp
        ("A:rural", "A", 3, 2, 0, 1, 1, 1.375, 1.75, 120, 80, 80, 40),
        ("A:urban", "A", 5, 3, 1, 1, 2, 1.375, 1.75, 100, 80, 60, 40),
        ("B:rural", "B:rural", 6, 3, 1, 2, 2, 1.5, 1.5, 120, 80, 60, 40),
        ("B:urban", "B:urban", 5, 3, 1, 1, 2, 1.25, 1.5, 50, 40, 30, 20),
    ]
    assert [
        (c.cls, c.collapsed_into, c.cases, c.eligible, c.ineligible, c.unknown, c.respondents,
         c.factor_unknown, c.factor_response, c.hw_cases, c.hw_resolved, c.hw_eligible,
         c.hw_respondents)
        for c in res.classes
    ] == expected_classes  # every sum and ratio here is exact in binary
    assert [c.collapsed for c in res.classes] == [True, True, False, False]
    assert res.case_ids == (1, 2, 6, 9, 10, 14, 15)
    assert res.base_weight == (40.0, 20.0, 120.0, 10.0, 20.0, 20.0, 40.0)
    # nr = base x f_u x f_r: 40 x 2.40625 = 96.25, 20 x 2.40625 = 48.125, 120 x 2.40625 =
    # 288.75; 10 x 1.875 = 18.75, 20 x 1.875 = 37.5; 20 x 2.25 = 45, 40 x 2.25 = 90
    assert res.nr_weight == pytest.approx((96.25, 48.125, 288.75, 18.75, 37.5, 45.0, 90.0),
                                          rel=1e-14)
    # no margins, no trimming: raked = final = nr
    assert res.raked_weight == res.nr_weight and res.final_weight == res.nr_weight
    nr = res.step("nonresponse")
    # 7 weights, total 624.375; sorted 18.75 37.5 45 48.125 90 96.25 288.75: q1 (position 1.5)
    # = 41.25, median 48.125, q3 (position 4.5) = 93.125; max/min 288.75/18.75 = 15.4
    assert (nr.n, nr.total, nr.min, nr.q1, nr.median, nr.q3, nr.max, nr.ratio) == pytest.approx(
        (7, 624.375, 18.75, 41.25, 48.125, 93.125, 288.75, 15.4))
    # Kish: sum w^2 = 351.5625 + 1406.25 + 2025 + 2316.015625 + 8100 + 9264.0625 +
    # 83376.5625 = 106839.453125; deff = 7 x 106839.453125 / 624.375^2 = 1.91842...;
    # effective n = 624.375^2 / 106839.453125 = 3.64884...
    assert nr.kish_deff == pytest.approx(7 * 106839.453125 / 624.375**2)
    assert nr.effective_n == pytest.approx(624.375**2 / 106839.453125)
    assert res.step("base").total == 270.0
    assert res.trimmed_low == res.trimmed_high == 0


def test_without_collapse_each_class_keeps_its_own_factors():
    # min 1: A:urban f_u = 100/80 = 1.25, f_r = 60/40 = 1.5; A:rural f_u = 120/80 = 1.5,
    # f_r = 80/40 = 2 -> nr 40 x 1.875 = 75, 20 x 1.875 = 37.5, 120 x 3 = 360
    res = weight_cases(table(HAND), None, WeightingSettings(min_class_respondents=1, **NO_TRIM))
    assert not any(c.collapsed for c in res.classes)
    assert res.nr_weight[:3] == pytest.approx((75.0, 37.5, 360.0))
    assert [(c.factor_unknown, c.factor_response) for c in res.classes[:2]] == [(1.5, 2.0),
                                                                                  (1.25, 1.5)]


def test_row_order_does_not_change_the_weights():
    a = weight_cases(table(HAND), None, WeightingSettings(min_class_respondents=2))
    b = weight_cases(table(HAND[::-1]), None, WeightingSettings(min_class_respondents=2))
    assert a == b


# --- the collapse rule -----------------------------------------------------------------------


def _wave(spec):
    """{(stratum, 'urban'|'rural'): respondents} -> rows: every class also has one eligible
    non-respondent (so no class is empty of eligibles)."""
    rows, cid = [], 1
    for (s, ur), n in spec.items():
        for _ in range(n):
            rows.append(case(cid, s, f"{s}-{ur}", ur, 0.5, 0.5, "eligible", 1, 1))
            cid += 1
        rows.append(case(cid, s, f"{s}-{ur}", ur, 0.5, 0.5, "eligible", 0))
        cid += 1
    return table(rows)


def _into(spec, minimum=3, **kw):
    res = weight_cases(_wave(spec), None,
                       WeightingSettings(min_class_respondents=minimum, **NO_TRIM, **kw))
    return {c.cls: c.collapsed_into for c in res.classes}


def test_collapse_urban_rural_within_the_stratum_first():
    spec = {("S1", "urban"): 5, ("S1", "rural"): 2, ("S2", "urban"): 3, ("S2", "rural"): 4}
    assert _into(spec) == {"S1:rural": "S1", "S1:urban": "S1",
                           "S2:rural": "S2:rural", "S2:urban": "S2:urban"}


def test_a_class_exactly_at_the_minimum_is_not_collapsed():
    spec = {("S1", "urban"): 3, ("S1", "rural"): 3}
    assert _into(spec) == {"S1:rural": "S1:rural", "S1:urban": "S1:urban"}


def test_a_stratum_still_too_small_merges_with_the_next_stratum():
    # S1 has only an urban class with 2 < 3: merged with S2 (both of S2's classes go in)
    spec = {("S1", "urban"): 2, ("S2", "urban"): 3, ("S2", "rural"): 3, ("S3", "urban"): 4}
    assert _into(spec) == {"S1:urban": "S1+S2", "S2:rural": "S1+S2", "S2:urban": "S1+S2",
                           "S3:urban": "S3:urban"}


def test_a_middle_stratum_merges_with_the_next_not_the_previous():
    spec = {("S1", "urban"): 4, ("S2", "urban"): 2, ("S3", "urban"): 4}
    assert _into(spec) == {"S1:urban": "S1:urban", "S2:urban": "S2+S3", "S3:urban": "S2+S3"}


def test_the_last_stratum_merges_with_the_previous():
    # S3: urban 1 + rural 1 -> "S3" with 2 < 3 -> merged with S2 (the previous)
    spec = {("S1", "urban"): 4, ("S2", "rural"): 5, ("S3", "urban"): 1, ("S3", "rural"): 1}
    assert _into(spec) == {"S1:urban": "S1:urban", "S2:rural": "S2+S3",
                           "S3:rural": "S2+S3", "S3:urban": "S2+S3"}


def test_merging_repeats_until_large_enough():
    # S1 (1) + S2 (1) = 2 < 3, + S3 (1) = 3: one class S1+S2+S3; S4 stays
    spec = {("S1", "urban"): 1, ("S2", "urban"): 1, ("S3", "rural"): 1, ("S4", "urban"): 3}
    assert _into(spec) == {"S1:urban": "S1+S2+S3", "S2:urban": "S1+S2+S3",
                           "S3:rural": "S1+S2+S3", "S4:urban": "S4:urban"}


def test_strata_follow_the_sort_order_of_their_codes_not_the_file_order():
    spec = {("S3", "urban"): 4, ("S2", "urban"): 4, ("S1", "urban"): 1}
    assert _into(spec) == {"S1:urban": "S1+S2", "S2:urban": "S1+S2", "S3:urban": "S3:urban"}


def test_classes_by_stratum_only_and_one_class_left_too_small():
    spec = {("S1", "urban"): 1, ("S1", "rural"): 1, ("S2", "urban"): 1}
    res = weight_cases(_wave(spec), None, WeightingSettings(
        class_variables=("stratum",), min_class_respondents=5, **NO_TRIM))
    # all three respondents end in one class S1+S2 (still < 5: nothing left to merge with)
    assert {c.cls: c.collapsed_into for c in res.classes} == {"S1": "S1+S2", "S2": "S1+S2"}
    # one class: f_u = 1 (no unknowns), f_r = 6 eligible x 4 / 3 respondents x 4 = 2
    assert res.nr_weight == pytest.approx((8.0, 8.0, 8.0))


# --- trimming --------------------------------------------------------------------------------


def _one_class(adults, sexes=None):
    rows = [case(i + 1, "S", "P", "urban", 1.0, 1.0, "eligible", 1, a,
                 sex=(sexes[i] if sexes else "male"))
            for i, a in enumerate(adults)]
    return table(rows)


def test_trimming_without_margins_keeps_the_nonresponse_total_and_the_bounds():
    # hw 1, no non-response: nr = base = 1, 1, 1, 1, 10; mean 14/5 = 2.8; upper 2 x 2.8 = 5.6.
    # 10 -> 5.6; the other four share 14 - 5.6 = 8.4: 2.1 each (within the bounds: done)
    res = weight_cases(_one_class([1, 1, 1, 1, 10]), None, WeightingSettings(
        class_variables=("stratum",), min_class_respondents=1, trim_lower=None, trim_upper=2.0))
    assert res.final_weight == pytest.approx((2.1, 2.1, 2.1, 2.1, 5.6), rel=1e-12)
    assert sum(res.final_weight) == pytest.approx(14.0, rel=1e-12)
    assert (res.trimmed_low, res.trimmed_high) == (0, 1)


def test_trimming_with_margins_re_rakes_so_the_margins_still_hold(tmp_path):
    # nr = base: male 1, 1, 10; female 1, 1, 1.  Margins sex male 30, female 30.
    # Raked: male x 30/12 = 2.5, 2.5, 25; female x 10 = 10, 10, 10.  Mean 60/6 = 10, upper
    # 2 x 10 = 20.  Clip 25 -> 20 and re-rake the males (x 30/25: 3, 3, 24), clip again ...
    # the fixed point: the big weight at 20, the two others (30 - 20)/2 = 5 each.
    m = margins_file(tmp_path, [("sex", "male", 30), ("sex", "female", 30)])
    res = weight_cases(_one_class([1, 1, 10, 1, 1, 1], ["male"] * 3 + ["female"] * 3), m,
                       WeightingSettings(class_variables=("stratum",), min_class_respondents=1,
                                         trim_lower=None, trim_upper=2.0))
    assert res.raked_weight == pytest.approx((2.5, 2.5, 25.0, 10.0, 10.0, 10.0), rel=1e-9)
    assert res.final_weight == pytest.approx((5.0, 5.0, 20.0, 10.0, 10.0, 10.0), rel=1e-5)
    assert max(res.final_weight) <= 20.0 * (1 + 1e-6)
    assert [(c.variable, c.level) for c in res.margins] == [("sex", "male"), ("sex", "female")]
    assert [(c.target, c.before, c.after) for c in res.margins] == [
        (30.0, 12.0, pytest.approx(30.0, rel=1e-9)), (30.0, 3.0, pytest.approx(30.0, rel=1e-9))]
    assert res.step("trimmed").total == pytest.approx(60.0, rel=1e-12)


def test_trimming_on_a_synthetic_wave_keeps_total_bounds_and_margins():
    m = load_version("xinzheng_adults_18_69")
    cases = table(synthetic_wave())
    res = weight_cases(cases, m, WeightingSettings(allow_placeholder_margins=True))
    final = np.array(res.final_weight)
    mean = np.mean(res.raked_weight)
    assert (res.trimmed_low, res.trimmed_high) == (72, 10)  # the bounds bite (seed 11)
    assert final.sum() == pytest.approx(750_000, rel=1e-9)  # the margins' total
    assert final.min() >= 0.3 * mean * (1 - 1e-6) and final.max() <= 3.5 * mean * (1 + 1e-6)
    for c in res.margins:
        assert c.after == pytest.approx(c.target, rel=1e-9)
    assert res.step("raked").total == pytest.approx(750_000, rel=1e-9)


def test_no_trimming_makes_the_trimmed_step_the_raked_one():
    m = load_version("xinzheng_adults_18_69")
    res = weight_cases(table(synthetic_wave()), m,
                       WeightingSettings(allow_placeholder_margins=True, **NO_TRIM))
    assert res.final_weight == res.raked_weight
    assert res.step("trimmed") == res.step("raked")


# --- placeholder margins ---------------------------------------------------------------------


def test_placeholder_margins_are_refused_unless_allowed(tmp_path):
    m = margins_file(tmp_path, [("sex", "male", 30, True), ("sex", "female", 30, False)])
    cases = _one_class([1, 1, 2, 1], ["male", "male", "female", "female"])
    s = WeightingSettings(class_variables=("stratum",), min_class_respondents=1)
    with pytest.raises(PlaceholderMarginsRefused, match="1 placeholder row.*sex=male"):
        weight_cases(cases, m, s)
    # both kinds, so either the estimator's or the survey's handler catches it
    assert issubclass(PlaceholderMarginsRefused, PlaceholderMarginsError)
    assert issubclass(PlaceholderMarginsRefused, SurveyInputError)
    res = weight_cases(cases, m, WeightingSettings(
        class_variables=("stratum",), min_class_respondents=1, allow_placeholder_margins=True))
    assert res.placeholder_margins == ("sex=male",)
    rows = list(csv.DictReader(io.StringIO(weighted_csv(res, cases).decode())))
    assert {r["placeholder_margins"] for r in rows} == {"sex=male"}
    # sourced margins: no column
    real = margins_file(tmp_path, [("sex", "male", 30), ("sex", "female", 30)], "real")
    res = weight_cases(cases, real, s)
    assert res.placeholder_margins == ()
    assert weighted_csv(res, cases).decode().splitlines()[0] == ",".join(WEIGHTED_COLUMNS)


def test_the_shipped_margins_are_placeholders_and_refused():
    with pytest.raises(PlaceholderMarginsRefused, match="14 placeholder rows"):
        weight_cases(table(synthetic_wave()), load_version("xinzheng_adults_18_69"),
                     WeightingSettings())


# --- the result and weighted.csv -------------------------------------------------------------


def test_result_round_trips_exactly_through_json_and_weighted_csv_reads_back():
    m = load_version("xinzheng_adults_18_69")
    cases = table(synthetic_wave())
    res = weight_cases(cases, m, WeightingSettings(allow_placeholder_margins=True,
                                                   rake_variables=("sex", "age_band")))
    back = WeightingResult.from_dict(json.loads(json.dumps(res.to_dict())))
    assert back == res
    assert res.margins_name == "xinzheng_adults_18_69" and len(res.margins_sha256) == 64
    assert [c.variable for c in res.margins] == ["sex"] * 2 + ["age_band"] * 5
    rows = list(csv.DictReader(io.StringIO(weighted_csv(res, cases).decode())))
    assert [int(r["case_id"]) for r in rows] == list(res.case_ids)
    for col in ("base_weight", "nr_weight", "raked_weight", "final_weight"):
        assert tuple(float(r[col]) for r in rows) == getattr(res, col)


def test_settings_round_trip_and_are_checked():
    s = WeightingSettings(class_variables=("stratum",), min_class_respondents=5,
                          trim_lower=None, trim_upper=4.0, rake_variables=("sex",))
    assert WeightingSettings.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    for bad, match in [
        ({"class_variables": ["psu"]}, "class_variables"),
        ({"min_class_respondents": 0}, "min_class_respondents"),
        ({"trim_lower": 1.5}, "trim_lower"),
        ({"trim_upper": 0.9}, "trim_upper"),
        ({"trim_upper": float("inf")}, "trim_upper"),
        ({"rake_variables": []}, "rake_variables"),
        ({"colour": "red"}, "unknown weighting setting 'colour'"),
    ]:
        with pytest.raises(SurveyInputError, match=match):
            WeightingSettings.from_dict(bad)


def test_a_respondent_without_a_raking_variable_is_named_by_row_and_column(tmp_path):
    rows = [case(1, "S", "P", "urban", 1, 1, "eligible", 1, 1),
            case(2, "S", "P", "urban", 1, 1, "eligible", 1, 1, sex="female"),
            case(3, "S", "P", "urban", 1, 1, "eligible", 1, 1)]
    rows[2]["education"] = None
    m = margins_file(tmp_path, [("sex", "male", 5), ("sex", "female", 5),
                                ("education", "junior_secondary", 10)])
    s = WeightingSettings(class_variables=("stratum",), min_class_respondents=1)
    with pytest.raises(CasesError, match=r"row 3, column education: is empty"):
        weight_cases(table(rows), m, s)
    rows[2]["education"] = "bachelor_plus"
    with pytest.raises(CasesError, match=r"row 3, column education: 'bachelor_plus' has no "):
        weight_cases(table(rows), m, s)


def test_from_columns_is_read_cases():
    rows = synthetic_wave(strata=2, households=10)
    columns = {c: [r[c] for r in rows] for c in CASE_COLUMNS}
    a, b = CaseTable.from_columns(columns), table(rows)
    assert a.columns == b.columns and a.rows == b.rows
    assert a.to_csv() == cases_csv(rows)
    columns["pi1"][3] = 2.0
    with pytest.raises(CasesError, match="row 4, column pi1: 2 is outside"):
        CaseTable.from_columns(columns)


def test_class_row_fields_are_the_contract_ones_first():
    names = [f for f in ClassRow.__dataclass_fields__][:9]
    assert names == ["cls", "collapsed_into", "cases", "eligible", "ineligible", "unknown",
                     "respondents", "factor_unknown", "factor_response"]


def test_classes_by_urban_rural_only_collapse_into_all():
    spec = {("S1", "urban"): 4, ("S1", "rural"): 1, ("S2", "urban"): 2}
    assert _into(spec, class_variables=("psu_urban_rural",)) == {"rural": "all", "urban": "all"}
    assert _into(spec, minimum=1, class_variables=("psu_urban_rural",)) == {
        "rural": "rural", "urban": "urban"}
