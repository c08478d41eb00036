"""Respondents' derived characteristics: age and age band, education level, target group,
urban/rural residence and years lived in the city.

Codes match the population margins (``surveys/margins/xinzheng_adults_18_69.csv``) and the
question bank's groups (``question_bank.schema.GROUPS``), so a derived value can be raked and
tabulated as it is.  Bilingual display names are in :mod:`surveys.labels`.

Sources of the rules:

* Eligibility: the national civic science-literacy survey covers residents aged **18-69**
  (``docs/domain-notes.md``); the age bands are its reporting bands.
* Age: completed years at the wave's reference date, from birth year and month only; the
  day is unknown, so a person is taken to have been born on the **1st** of the month: in the
  birth month itself the birthday has passed.
* Education: the five levels of national reporting (primary or less, junior secondary, senior
  secondary, junior college, bachelor's or higher), mapped from the census's detailed
  categories (secondary vocational schools count as senior secondary, as in the census's
  "高中（含中专）").
* Target groups: the five key groups of 《全民科学素质行动规划纲要（2021—2035年）》: youth
  (青少年), farmers, industrial workers, the elderly, officials (领导干部和公务员).  Occupations
  follow the eight major groups of 《中华人民共和国职业分类大典（2015年版）》, with civil servants
  kept apart from other office staff.  Elderly = aged 60 or over (《老年人权益保障法》, art. 2);
  youth = aged 35 or under (《中长期青年发展规划（2016—2025年）》: 14-35), or a student.
* Urban/rural: the NBS urban-rural classification codes (《统计上划分城乡的规定》, 2008;
  统计用区划代码和城乡划分代码): 1xx (111 主城区 ... 123) urban, 2xx (210 乡中心区, 220 村庄)
  rural.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from numbers import Integral
from types import MappingProxyType

from surveys.errors import SurveyInputError

__all__ = [
    "CADRE_OCCUPATIONS",
    "EDUCATION_OF_DETAIL",
    "ELDER_AGE",
    "ELIGIBLE_AGES",
    "YOUTH_MAX_AGE",
    "AgeBand",
    "Education",
    "EducationDetail",
    "Occupation",
    "Profile",
    "Sex",
    "TargetGroup",
    "UrbanRural",
    "age_at",
    "age_band",
    "completed_years",
    "derive_profile",
    "education_level",
    "is_eligible",
    "target_group",
    "urban_rural_from_code",
    "years_in_city",
]


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class UrbanRural(StrEnum):
    URBAN = "urban"
    RURAL = "rural"


class AgeBand(StrEnum):
    """The survey's age bands, youngest first."""

    AGE_18_29 = "18-29"
    AGE_30_39 = "30-39"
    AGE_40_49 = "40-49"
    AGE_50_59 = "50-59"
    AGE_60_69 = "60-69"


_BAND_BOUNDS = ((AgeBand.AGE_18_29, 18, 29), (AgeBand.AGE_30_39, 30, 39),
                (AgeBand.AGE_40_49, 40, 49), (AgeBand.AGE_50_59, 50, 59),
                (AgeBand.AGE_60_69, 60, 69))
#: Youngest and oldest eligible age (inclusive).
ELIGIBLE_AGES = (18, 69)


class Education(StrEnum):
    """The five reported levels, lowest first."""

    PRIMARY_OR_LESS = "primary_or_less"
    JUNIOR_SECONDARY = "junior_secondary"
    SENIOR_SECONDARY = "senior_secondary"
    JUNIOR_COLLEGE = "junior_college"
    BACHELOR_PLUS = "bachelor_plus"


class EducationDetail(StrEnum):
    """Highest completed schooling as the census asks it, lowest first."""

    NONE = "none"  # 未上过学
    PRIMARY = "primary"  # 小学
    JUNIOR_SECONDARY = "junior_secondary"  # 初中
    SENIOR_SECONDARY = "senior_secondary"  # 普通高中
    SECONDARY_VOCATIONAL = "secondary_vocational"  # 中专、职高、技校
    JUNIOR_COLLEGE = "junior_college"  # 大学专科（大专、高职）
    BACHELOR = "bachelor"  # 大学本科
    MASTER = "master"  # 硕士研究生
    DOCTORATE = "doctorate"  # 博士研究生


EDUCATION_OF_DETAIL = MappingProxyType({
    EducationDetail.NONE: Education.PRIMARY_OR_LESS,
    EducationDetail.PRIMARY: Education.PRIMARY_OR_LESS,
    EducationDetail.JUNIOR_SECONDARY: Education.JUNIOR_SECONDARY,
    EducationDetail.SENIOR_SECONDARY: Education.SENIOR_SECONDARY,
    EducationDetail.SECONDARY_VOCATIONAL: Education.SENIOR_SECONDARY,
    EducationDetail.JUNIOR_COLLEGE: Education.JUNIOR_COLLEGE,
    EducationDetail.BACHELOR: Education.BACHELOR_PLUS,
    EducationDetail.MASTER: Education.BACHELOR_PLUS,
    EducationDetail.DOCTORATE: Education.BACHELOR_PLUS,
})


class Occupation(StrEnum):
    """Current occupation: the 2015 occupational classification's major groups (1-8), civil
    servants apart, then the statuses of people without work."""

    LEADER = "leader"  # 1 党政机关、群团和社会组织、企事业单位负责人
    CIVIL_SERVANT = "civil_servant"  # 公务员（含参照公务员法管理）
    PROFESSIONAL = "professional"  # 2 专业技术人员
    CLERK = "clerk"  # 3 办事人员和有关人员（公务员除外）
    SERVICE = "service"  # 4 社会生产服务和生活服务人员
    AGRICULTURE = "agriculture"  # 5 农、林、牧、渔业生产及辅助人员
    PRODUCTION = "production"  # 6 生产制造及有关人员（含建筑、采矿、运输设备操作）
    MILITARY = "military"  # 7 军人
    OTHER_EMPLOYED = "other_employed"  # 8 不便分类的其他从业人员
    STUDENT = "student"  # 在校学生
    RETIRED = "retired"  # 离退休
    HOMEMAKER = "homemaker"  # 料理家务
    UNEMPLOYED = "unemployed"  # 失业、无业


class TargetGroup(StrEnum):
    """The plan's five key groups (``question_bank.schema.GROUPS`` order), then everyone else."""

    YOUTH = "youth"
    FARMER = "farmer"
    WORKER = "worker"
    ELDER = "elder"
    CADRE = "cadre"
    OTHER = "other"


CADRE_OCCUPATIONS = frozenset({Occupation.LEADER, Occupation.CIVIL_SERVANT})
ELDER_AGE = 60
YOUTH_MAX_AGE = 35


def _integer(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise SurveyInputError(f"{what} must be a whole number, got {value!r}")
    return int(value)


def completed_years(year: int, month: int, reference: date) -> int:
    """Whole years from the 1st of ``year``-``month`` to ``reference`` (not before it)."""
    year = _integer(year, "year")
    month = _integer(month, "month")
    if not 1 <= month <= 12:
        raise SurveyInputError(f"month must be 1-12, got {month}")
    if not isinstance(reference, date):
        raise SurveyInputError(f"the reference date must be a date, got {reference!r}")
    if (year, month) > (reference.year, reference.month):
        raise SurveyInputError(f"{year}-{month:02d} is after the reference date {reference}")
    return reference.year - year - (1 if reference.month < month else 0)


def age_at(birth_year: int, birth_month: int, reference: date) -> int:
    """Age in completed years at ``reference``, taking the birthday as the 1st of the month."""
    return completed_years(birth_year, birth_month, reference)


def age_band(age: int) -> AgeBand | None:
    """The age band, or None when the age is outside 18-69 (not eligible)."""
    age = _integer(age, "age")
    for band, low, high in _BAND_BOUNDS:
        if low <= age <= high:
            return band
    return None


def is_eligible(age: int) -> bool:
    """Aged 18-69 inclusive."""
    return age_band(age) is not None


def education_level(detail: EducationDetail | str) -> Education:
    """The reported level of a detailed education category."""
    try:
        return EDUCATION_OF_DETAIL[EducationDetail(detail)]
    except ValueError:
        raise SurveyInputError(
            f"education {detail!r} is not one of {', '.join(EducationDetail)}") from None


def target_group(occupation: Occupation | str, age: int) -> TargetGroup:
    """One primary target group; the first rule that applies wins:

    1. leader or civil servant -> cadre;
    2. agriculture, forestry, animal husbandry, fishery -> farmer;
    3. production and manufacturing (incl. construction, mining, equipment operation) -> worker;
    4. aged 60 or over -> elder;
    5. student, or aged 35 or under -> youth;
    6. anyone else -> other.

    So a 65-year-old farmer is a farmer, a retired official of 62 an elder, a 30-year-old
    service worker a youth.
    """
    try:
        occupation = Occupation(occupation)
    except ValueError:
        raise SurveyInputError(
            f"occupation {occupation!r} is not one of {', '.join(Occupation)}") from None
    age = _integer(age, "age")
    if age < 0:
        raise SurveyInputError(f"age must be >= 0, got {age}")
    if occupation in CADRE_OCCUPATIONS:
        return TargetGroup.CADRE
    if occupation is Occupation.AGRICULTURE:
        return TargetGroup.FARMER
    if occupation is Occupation.PRODUCTION:
        return TargetGroup.WORKER
    if age >= ELDER_AGE:
        return TargetGroup.ELDER
    if occupation is Occupation.STUDENT or age <= YOUTH_MAX_AGE:
        return TargetGroup.YOUTH
    return TargetGroup.OTHER


def urban_rural_from_code(code: str | int) -> UrbanRural:
    """Urban for NBS urban-rural codes 111, 112, 121, 122, 123; rural for 210, 220."""
    text = str(code).strip()
    if text in {"111", "112", "121", "122", "123"}:
        return UrbanRural.URBAN
    if text in {"210", "220"}:
        return UrbanRural.RURAL
    raise SurveyInputError(
        f"{code!r} is not an urban-rural classification code (111-123 urban, 210/220 rural)")


def years_in_city(since_year: int, since_month: int, reference: date) -> int:
    """Completed years lived in the city since ``since_year``-``since_month`` (for someone
    living there since birth, pass the birth year and month: the result is the age)."""
    return completed_years(since_year, since_month, reference)


@dataclass(frozen=True)
class Profile:
    """What the survey derives for one respondent (``age_band`` None = not eligible)."""

    age: int
    age_band: AgeBand | None
    eligible: bool
    sex: Sex
    education: Education
    group: TargetGroup
    urban_rural: UrbanRural
    years_in_city: int | None


def derive_profile(*, reference: date, birth_year: int, birth_month: int, sex: Sex | str,
                   education: EducationDetail | str, occupation: Occupation | str,
                   urban_rural: UrbanRural | str, in_city_since: tuple[int, int] | None = None
                   ) -> Profile:
    """All derived characteristics at once; ``in_city_since`` = (year, month) of moving in,
    or None if unknown."""
    age = age_at(birth_year, birth_month, reference)
    band = age_band(age)
    try:
        sex = Sex(sex)
        area = UrbanRural(urban_rural)
    except ValueError as error:
        raise SurveyInputError(str(error)) from None
    return Profile(
        age=age, age_band=band, eligible=band is not None, sex=sex,
        education=education_level(education), group=target_group(occupation, age),
        urban_rural=area,
        years_in_city=None if in_city_since is None else years_in_city(*in_city_since,
                                                                         reference),
    )
