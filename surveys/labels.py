"""Display names of every code the survey shows a person, Chinese first, then English.

One plain dict per code list, ``code -> {"zh": ..., "en": ...}``, in the order a page should
list them (the enum's order: lowest education first, highest level first, AAPOR's disposition
order ...), so the web app never shows a raw code.  ``LABEL_TABLES`` names them all.
"""

from __future__ import annotations

from surveys.demographics import (
    AgeBand,
    Education,
    EducationDetail,
    Occupation,
    Sex,
    TargetGroup,
    UrbanRural,
)
from surveys.dispositions import Disposition, GroupBy
from surveys.quality import FlagCode
from surveys.respondents import SelectionMethod
from surveys.sampling import AllocationMethod
from surveys.scoring import Boundary, Dimension, FormStatus, IncompleteReason, Level, NonAnswer

__all__ = [
    "AGE_BAND_LABELS",
    "ALLOCATION_LABELS",
    "BOUNDARY_LABELS",
    "DIMENSION_LABELS",
    "DISPOSITION_LABELS",
    "EDUCATION_DETAIL_LABELS",
    "EDUCATION_LABELS",
    "FLAG_LABELS",
    "FORM_STATUS_LABELS",
    "GROUP_BY_LABELS",
    "INCOMPLETE_REASON_LABELS",
    "LABEL_TABLES",
    "LEVEL_LABELS",
    "NON_ANSWER_LABELS",
    "OCCUPATION_LABELS",
    "SELECTION_METHOD_LABELS",
    "SEX_LABELS",
    "TARGET_GROUP_LABELS",
    "URBAN_RURAL_LABELS",
    "label",
]


def _table(*rows: tuple[object, str, str]) -> dict[str, dict[str, str]]:
    return {str(code): {"zh": zh, "en": en} for code, zh, en in rows}


DIMENSION_LABELS = _table(
    (Dimension.K, "科学知识", "Scientific knowledge"),
    (Dimension.M, "科学方法", "Scientific method"),
    (Dimension.S, "科学精神与思维", "Scientific spirit and thinking"),
    (Dimension.A, "应用科学解决问题", "Applying science to problems"),
)
LEVEL_LABELS = _table(
    (Level.HIGH, "高水平", "High"),
    (Level.MEETS, "具备科学素质", "Meets the standard"),
    (Level.BASIC, "基础水平", "Basic"),
    (Level.LOW, "低水平", "Low"),
)
BOUNDARY_LABELS = _table(
    (Boundary.INCLUSIVE, "70分及以上为具备（含分界分数）", "70 or more meets (cut point included)"),
    (Boundary.EXCLUSIVE, "超过70分为具备（不含分界分数）", "Over 70 meets (cut point excluded)"),
)
FORM_STATUS_LABELS = _table(
    (FormStatus.COMPLETE, "完整问卷", "Complete"),
    (FormStatus.PARTIAL, "不完整问卷", "Partial"),
)
INCOMPLETE_REASON_LABELS = _table(
    (IncompleteReason.BROKEN_OFF, "访问中断", "Interview broken off"),
    (IncompleteReason.TOO_FEW_PRESENTED, "呈现题目不足90%", "Fewer than 90% of items presented"),
    (IncompleteReason.DIMENSION_NOT_PRESENTED, "有维度未呈现任何题目",
     "A dimension had no item presented"),
)
NON_ANSWER_LABELS = _table(
    (NonAnswer.BLANK, "未作答", "Blank"),
    (NonAnswer.DONT_KNOW, "不知道", "Don't know"),
    (NonAnswer.NOT_PRESENTED, "未呈现", "Not presented"),
)
DISPOSITION_LABELS = _table(
    (Disposition.COMPLETE, "完成访问", "Complete interview"),
    (Disposition.PARTIAL, "部分完成", "Partial interview"),
    (Disposition.REFUSAL, "拒访", "Refusal"),
    (Disposition.BREAK_OFF, "中途退出", "Break-off"),
    (Disposition.NON_CONTACT, "未接触到", "Non-contact"),
    (Disposition.OTHER, "其他未访问（如患病、语言障碍）", "Other non-interview"),
    (Disposition.UNKNOWN_HOUSEHOLD, "不确定是否为住户", "Unknown if housing unit"),
    (Disposition.UNKNOWN_OTHER, "资格不明（其他）", "Unknown eligibility, other"),
    (Disposition.NOT_ELIGIBLE, "不符合调查条件", "Not eligible"),
)
GROUP_BY_LABELS = _table(
    (GroupBy.STRATUM, "乡镇（街道）", "Township"),
    (GroupBy.PSU, "村（居）委会", "Village or community"),
    (GroupBy.INTERVIEWER, "访问员", "Interviewer"),
)
FLAG_LABELS = _table(
    (FlagCode.TOO_FAST, "答题过快", "Too fast"),
    (FlagCode.STRAIGHT_LINING, "连续选同一选项", "Straight-lining"),
    (FlagCode.DUPLICATE, "疑似重复受访者", "Possible duplicate respondent"),
    (FlagCode.OUTSIDE_PSU, "不在分配的村居访问", "Interviewed outside the assigned PSU"),
    (FlagCode.MANY_CHANGES, "改答过多", "Many answer changes"),
)
SEX_LABELS = _table((Sex.MALE, "男", "Male"), (Sex.FEMALE, "女", "Female"))
URBAN_RURAL_LABELS = _table((UrbanRural.URBAN, "城镇", "Urban"),
                            (UrbanRural.RURAL, "乡村", "Rural"))
AGE_BAND_LABELS = _table(
    (AgeBand.AGE_18_29, "18—29岁", "18-29"),
    (AgeBand.AGE_30_39, "30—39岁", "30-39"),
    (AgeBand.AGE_40_49, "40—49岁", "40-49"),
    (AgeBand.AGE_50_59, "50—59岁", "50-59"),
    (AgeBand.AGE_60_69, "60—69岁", "60-69"),
)
EDUCATION_LABELS = _table(
    (Education.PRIMARY_OR_LESS, "小学及以下", "Primary school or less"),
    (Education.JUNIOR_SECONDARY, "初中", "Junior secondary"),
    (Education.SENIOR_SECONDARY, "高中（含中专）", "Senior secondary (incl. vocational)"),
    (Education.JUNIOR_COLLEGE, "大学专科", "Junior college"),
    (Education.BACHELOR_PLUS, "大学本科及以上", "Bachelor's degree or higher"),
)
EDUCATION_DETAIL_LABELS = _table(
    (EducationDetail.NONE, "未上过学", "No schooling"),
    (EducationDetail.PRIMARY, "小学", "Primary school"),
    (EducationDetail.JUNIOR_SECONDARY, "初中", "Junior secondary"),
    (EducationDetail.SENIOR_SECONDARY, "普通高中", "General senior secondary"),
    (EducationDetail.SECONDARY_VOCATIONAL, "中专、职高、技校", "Secondary vocational"),
    (EducationDetail.JUNIOR_COLLEGE, "大学专科", "Junior college"),
    (EducationDetail.BACHELOR, "大学本科", "Bachelor's degree"),
    (EducationDetail.MASTER, "硕士研究生", "Master's degree"),
    (EducationDetail.DOCTORATE, "博士研究生", "Doctorate"),
)
OCCUPATION_LABELS = _table(
    (Occupation.LEADER, "党政机关、群团和社会组织、企事业单位负责人",
     "Heads of Party and state organs, organisations and enterprises"),
    (Occupation.CIVIL_SERVANT, "公务员", "Civil servant"),
    (Occupation.PROFESSIONAL, "专业技术人员", "Professional or technical staff"),
    (Occupation.CLERK, "办事人员和有关人员", "Office and related staff"),
    (Occupation.SERVICE, "社会生产服务和生活服务人员", "Service worker"),
    (Occupation.AGRICULTURE, "农、林、牧、渔业生产及辅助人员",
     "Agriculture, forestry, animal husbandry or fishery"),
    (Occupation.PRODUCTION, "生产制造及有关人员", "Production, manufacturing and related"),
    (Occupation.MILITARY, "军人", "Armed forces"),
    (Occupation.OTHER_EMPLOYED, "其他从业人员", "Other employed"),
    (Occupation.STUDENT, "在校学生", "Student"),
    (Occupation.RETIRED, "离退休人员", "Retired"),
    (Occupation.HOMEMAKER, "料理家务", "Homemaker"),
    (Occupation.UNEMPLOYED, "失业或无业", "Unemployed or not working"),
)
TARGET_GROUP_LABELS = _table(
    (TargetGroup.YOUTH, "青少年", "Youth"),
    (TargetGroup.FARMER, "农民", "Farmers"),
    (TargetGroup.WORKER, "产业工人", "Industrial workers"),
    (TargetGroup.ELDER, "老年人", "Older people"),
    (TargetGroup.CADRE, "领导干部和公务员", "Officials and civil servants"),
    (TargetGroup.OTHER, "其他居民", "Other residents"),
)
ALLOCATION_LABELS = _table(
    (AllocationMethod.PROPORTIONAL, "按规模比例分配", "Proportional"),
    (AllocationMethod.EQUAL, "等额分配", "Equal"),
    (AllocationMethod.POWER, "幂分配（Bankier）", "Power allocation (Bankier)"),
)
SELECTION_METHOD_LABELS = _table(
    (SelectionMethod.KISH, "基什表（Kish）", "Kish grid"),
    (SelectionMethod.NEXT_BIRTHDAY, "下一个生日法", "Next birthday"),
)

#: Every table by the enum it labels.
LABEL_TABLES = {
    Dimension: DIMENSION_LABELS, Level: LEVEL_LABELS, Boundary: BOUNDARY_LABELS,
    FormStatus: FORM_STATUS_LABELS, IncompleteReason: INCOMPLETE_REASON_LABELS,
    NonAnswer: NON_ANSWER_LABELS, Disposition: DISPOSITION_LABELS, GroupBy: GROUP_BY_LABELS,
    FlagCode: FLAG_LABELS, Sex: SEX_LABELS, UrbanRural: URBAN_RURAL_LABELS,
    AgeBand: AGE_BAND_LABELS, Education: EDUCATION_LABELS,
    EducationDetail: EDUCATION_DETAIL_LABELS, Occupation: OCCUPATION_LABELS,
    TargetGroup: TARGET_GROUP_LABELS, AllocationMethod: ALLOCATION_LABELS,
    SelectionMethod: SELECTION_METHOD_LABELS,
}


def label(code: object, language: str = "zh") -> str:
    """The display name of an enum member in ``zh`` (default) or ``en``."""
    table = LABEL_TABLES.get(type(code))
    if table is None:
        raise KeyError(f"no label table for {type(code).__name__}")
    return table[str(code)]["zh" if language == "zh" else "en"]
