"""Derived characteristics: age at the reference date, age bands and eligibility, education
levels, the target-group rule with its precedence, urban/rural codes, years in the city."""

from __future__ import annotations

from datetime import date

import pytest

from surveys import (
    AgeBand,
    Education,
    EducationDetail,
    Occupation,
    Sex,
    SurveyInputError,
    TargetGroup,
    UrbanRural,
    age_at,
    age_band,
    derive_profile,
    education_level,
    is_eligible,
    target_group,
    urban_rural_from_code,
    years_in_city,
)

REFERENCE = date(2025, 7, 1)


@pytest.mark.parametrize(("year", "month", "age"), [
    (2000, 6, 25),  # birthday (1 June) passed
    (2000, 7, 25),  # born in the reference month: taken as the 1st, so passed
    (2000, 8, 24),  # birthday still to come
    (2007, 7, 18),
    (2007, 8, 17),
    (1955, 12, 69),
    (2025, 7, 0),
])
def test_age_at_the_reference_date(year, month, age):
    assert age_at(year, month, REFERENCE) == age


@pytest.mark.parametrize(("args", "message"), [
    ((2025, 8), "after the reference date"),
    ((2000, 13), "month must be 1-12"),
    ((2000, 0), "month must be 1-12"),
    (("2000", 1), "whole number"),
])
def test_impossible_birth_dates_are_refused(args, message):
    with pytest.raises(SurveyInputError, match=message):
        age_at(*args, REFERENCE)


@pytest.mark.parametrize(("age", "band"), [
    (17, None), (18, AgeBand.AGE_18_29), (29, AgeBand.AGE_18_29), (30, AgeBand.AGE_30_39),
    (39, AgeBand.AGE_30_39), (40, AgeBand.AGE_40_49), (49, AgeBand.AGE_40_49),
    (50, AgeBand.AGE_50_59), (59, AgeBand.AGE_50_59), (60, AgeBand.AGE_60_69),
    (69, AgeBand.AGE_60_69), (70, None), (0, None), (101, None),
])
def test_age_bands_and_eligibility(age, band):
    assert age_band(age) is band
    assert is_eligible(age) is (band is not None)


def test_band_codes_match_the_margins_file():
    assert [str(b) for b in AgeBand] == ["18-29", "30-39", "40-49", "50-59", "60-69"]


@pytest.mark.parametrize(("detail", "level"), [
    ("none", Education.PRIMARY_OR_LESS),
    ("primary", Education.PRIMARY_OR_LESS),
    ("junior_secondary", Education.JUNIOR_SECONDARY),
    ("senior_secondary", Education.SENIOR_SECONDARY),
    ("secondary_vocational", Education.SENIOR_SECONDARY),
    ("junior_college", Education.JUNIOR_COLLEGE),
    ("bachelor", Education.BACHELOR_PLUS),
    ("master", Education.BACHELOR_PLUS),
    ("doctorate", Education.BACHELOR_PLUS),
])
def test_education_levels(detail, level):
    assert education_level(detail) is level


def test_education_levels_are_in_order_and_match_the_margins_file():
    assert [str(e) for e in Education] == [
        "primary_or_less", "junior_secondary", "senior_secondary", "junior_college",
        "bachelor_plus"]
    # Every detailed category maps, and the mapping never goes down as schooling goes up.
    levels = [list(Education).index(education_level(d)) for d in EducationDetail]
    assert levels == sorted(levels)
    with pytest.raises(SurveyInputError, match="education"):
        education_level("kindergarten")


@pytest.mark.parametrize(("occupation", "age", "group"), [
    # 1. cadre occupations first, whatever the age
    ("leader", 62, TargetGroup.CADRE),
    ("civil_servant", 25, TargetGroup.CADRE),
    # 2. agriculture -> farmer, even at 65 or 20
    ("agriculture", 65, TargetGroup.FARMER),
    ("agriculture", 20, TargetGroup.FARMER),
    # 3. production -> worker, even at 60 or 30
    ("production", 60, TargetGroup.WORKER),
    ("production", 30, TargetGroup.WORKER),
    # 4. 60 or over -> elder
    ("retired", 60, TargetGroup.ELDER),
    ("service", 69, TargetGroup.ELDER),
    ("retired", 59, TargetGroup.OTHER),
    # 5. student, or 35 or under -> youth
    ("student", 40, TargetGroup.YOUTH),
    ("service", 35, TargetGroup.YOUTH),
    ("professional", 18, TargetGroup.YOUTH),
    # 6. everyone else
    ("service", 36, TargetGroup.OTHER),
    ("clerk", 59, TargetGroup.OTHER),
    ("homemaker", 45, TargetGroup.OTHER),
])
def test_target_group_rule_and_precedence(occupation, age, group):
    assert target_group(occupation, age) is group


def test_group_codes_follow_the_question_bank():
    from question_bank.schema import GROUPS

    assert tuple(str(g) for g in TargetGroup)[:5] == GROUPS
    with pytest.raises(SurveyInputError, match="occupation"):
        target_group("astronaut", 40)
    with pytest.raises(SurveyInputError, match="age"):
        target_group("student", -1)


@pytest.mark.parametrize(("code", "area"), [
    ("111", UrbanRural.URBAN), (112, UrbanRural.URBAN), ("121", UrbanRural.URBAN),
    ("122", UrbanRural.URBAN), (" 123 ", UrbanRural.URBAN), ("210", UrbanRural.RURAL),
    (220, UrbanRural.RURAL),
])
def test_urban_rural_codes(code, area):
    assert urban_rural_from_code(code) is area


@pytest.mark.parametrize("code", ["100", "230", "urban", ""])
def test_unknown_urban_rural_codes_are_refused(code):
    with pytest.raises(SurveyInputError):
        urban_rural_from_code(code)


def test_years_in_the_city():
    assert years_in_city(2015, 9, REFERENCE) == 9
    assert years_in_city(2015, 7, REFERENCE) == 10
    assert years_in_city(2025, 7, REFERENCE) == 0


def test_derive_profile_all_at_once():
    profile = derive_profile(reference=REFERENCE, birth_year=1964, birth_month=3, sex="male",
                             education="secondary_vocational", occupation="agriculture",
                             urban_rural="rural", in_city_since=(1964, 3))
    assert (profile.age, profile.age_band, profile.eligible) == (61, AgeBand.AGE_60_69, True)
    assert profile.sex is Sex.MALE and profile.education is Education.SENIOR_SECONDARY
    assert profile.group is TargetGroup.FARMER and profile.urban_rural is UrbanRural.RURAL
    assert profile.years_in_city == 61
    too_old = derive_profile(reference=REFERENCE, birth_year=1950, birth_month=1, sex="female",
                             education="primary", occupation="retired", urban_rural="urban")
    assert too_old.age == 75 and too_old.age_band is None and not too_old.eligible
    assert too_old.group is TargetGroup.ELDER and too_old.years_in_city is None
    with pytest.raises(SurveyInputError):
        derive_profile(reference=REFERENCE, birth_year=1980, birth_month=1, sex="x",
                       education="primary", occupation="retired", urban_rural="urban")


def test_occupations_cover_the_eight_major_groups_and_the_non_working():
    assert len(Occupation) == 13
