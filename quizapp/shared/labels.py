"""Label tables for codes that more than one feature shows.

English msgids here, Chinese in ``translations/zh``; each table is in the order pages list it.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

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
