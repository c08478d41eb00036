"""Label tables for codes that more than one feature shows.

English msgids here, Chinese in ``translations/zh``; each table is in the order pages list it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import surveys

# Accounts' roles (quizapp.access.ROLES), from the most to the least powerful.
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "statistician": _l("Statistician"),
    "teacher": _l("Teacher"),
    "interviewer": _l("Interviewer"),
    "resident": _l("Resident"),
}

# Where an attempt stands (quizapp.models.attempts.ATTEMPT_STATUSES), in the order it goes.
ATTEMPT_STATUS_LABELS = {
    "open": _l("In progress"),
    "finished": _l("Completed"),
    "expired": _l("Time ran out"),
    "voided": _l("Voided"),
}

# The five key groups of the national science-literacy plan (全民科学素质行动规划纲要
# 2021–2035), in the plan's order: 青少年, 农民, 产业工人, 老年人, 领导干部和公务员.
GROUP_LABELS = {
    "youth": _l("Young people"),
    "farmer": _l("Farmers"),
    "worker": _l("Industrial workers"),
    "elder": _l("Older people"),
    "cadre": _l("Officials and civil servants"),
}

# The question bank's codes (question_bank.schema): the bank's pages and the schools' sets.
TOPIC_LABELS = {
    "basic_science": _l("Basic science"), "method": _l("Scientific method"),
    "health": _l("Health and medicines"), "emergency": _l("Emergencies and disasters"),
    "agriculture": _l("Agriculture"), "digital_life": _l("Digital life"),
    "environment": _l("Environment"), "superstition": _l("Against superstition"),
    "sts": _l("Science, technology and society"),
}
DIMENSION_LABELS = {
    "K": _l("Knowledge"), "M": _l("Method"), "S": _l("Spirit and thinking"),
    "A": _l("Application"),
}
TYPE_LABELS = {
    "true_false": _l("True or false"), "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
}
DIFFICULTY_LABELS = {1: _l("Easy"), 2: _l("Medium"), 3: _l("Hard")}

# The one-sided test against the goal (analysis.Report.verdict): heading and sentence.
VERDICTS = {
    "above": (_l("Above the goal"),
              _l("The share is significantly higher than %(goal)s (one-sided test at the "
                 "%(level)s level).")),
    "below": (_l("Below the goal"),
              _l("The share is significantly lower than %(goal)s (one-sided test at the "
                 "%(level)s level).")),
    "not distinguishable": (_l("Not distinguishable from the goal"),
                            _l("The survey cannot tell the share from %(goal)s at the "
                               "%(level)s level.")),
}


def class_label(school_class) -> str:
    """How a school class is named on every page: its grade, then its name ("7年级 1班");
    "No class" for None. ``school_class``: anything with ``grade`` and ``name``."""
    if school_class is None:
        return _("No class")
    return f"{_('Grade %(grade)s', grade=school_class.grade)} {school_class.name}"


# --- the survey's codes (names in surveys.labels, Chinese and English for every code) ----------

def language() -> str:
    """``zh`` or ``en``: the request's language as ``surveys.label`` takes it."""
    locale = get_locale() if has_request_context() else None
    return "zh" if locale is None or locale.language == "zh" else "en"


def code_label(enum: type[StrEnum], code: object) -> str:
    """The name of ``code`` (a member of ``enum`` or its value) in the page's language; a code
    the table does not know is shown as it is."""
    try:
        member = enum(str(code))
    except ValueError:
        return str(code)
    return surveys.label(member, language())


# The survey files' usual grouping columns and the code lists of their values.
SURVEY_VARIABLE_CODES: dict[str, type[StrEnum]] = {
    "sex": surveys.Sex, "urban_rural": surveys.UrbanRural, "age_band": surveys.AgeBand,
    "education": surveys.Education, "group": surveys.TargetGroup,
}


def survey_level_label(variable: str, level: object) -> str:
    """The name of one value of a survey column (``education``, ``junior_secondary`` ->
    初中); a crossing (``sex:urban_rural``, ``male:urban``) is named part by part; a column or
    value without a table is shown as it is."""
    variables, levels = variable.split(":"), str(level).split(":")
    if len(variables) != len(levels):
        return str(level)
    names = [code_label(SURVEY_VARIABLE_CODES[v], code) if v in SURVEY_VARIABLE_CODES else code
             for v, code in zip(variables, levels, strict=True)]
    return " · ".join(names)


def survey_level_rank(variable: str, level: object) -> tuple:
    """A sort key putting the values of a survey column in their table's order (lowest
    education first, youngest age band first ...); values without a table come after, in
    their own order (the sort is stable)."""
    rank = []
    for v, code in zip(variable.split(":"), str(level).split(":"), strict=False):
        order = [str(m) for m in SURVEY_VARIABLE_CODES.get(v, ())]
        rank.append(order.index(code) if code in order else len(order))
    return tuple(rank)


def in_label_order(variable: str, levels: Iterable[object]) -> list:
    """``levels`` of a survey column in their table's order (see :func:`survey_level_rank`)."""
    return sorted(levels, key=lambda level: survey_level_rank(variable, level))
