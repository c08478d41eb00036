"""Display names of the survey's codes in the page's language.

The names themselves are ``surveys.labels`` (Chinese and English for every code, kept beside
the rules); this only picks the language Flask-Babel chose for the request, so no code is ever
shown raw and no name is written twice.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

import surveys
from quizapp.shared.labels import code_label, language  # one definition, shared


def dimension(code: object) -> str:
    return code_label(surveys.Dimension, code)


def urban_rural(code: object) -> str:
    return code_label(surveys.UrbanRural, code)


def allocation(code: object) -> str:
    return code_label(surveys.AllocationMethod, code)


def selection_method(code: object) -> str:
    return code_label(surveys.SelectionMethod, code)


def boundary(code: object) -> str:
    return code_label(surveys.Boundary, code)


def disposition(code: object) -> str:
    return code_label(surveys.Disposition, code)


def sex(code: object) -> str:
    return code_label(surveys.Sex, code)


# The frame reader's one-line faults (surveys/frame.py), worded for the page: pattern of the
# reader's English message -> the app's translatable message with the same values.
_FRAME_FAULTS: tuple[tuple[re.Pattern[str], object], ...] = (
    (re.compile(r"this required column is missing"), _l("This required column is missing.")),
    (re.compile(r"this column appears more than once"), _l("This column appears twice.")),
    (re.compile(r"unknown column \(use (?P<columns>.*)\)"),
     _l("Unknown column (the columns are %(columns)s).")),
    (re.compile(r"the frame has no PSU rows"), _l("The file has no village or community rows.")),
    (re.compile(r"empty"), _l("Empty.")),
    (re.compile(r"(?P<value>.*) is not a known township"),
     _l("%(value)s is not a township of the city (use its name or code).")),
    (re.compile(r"PSU (?P<value>.*) is also on row (?P<row>\d+)"),
     _l("%(value)s is also on row %(row)s.")),
    (re.compile(r"(?P<value>.*) is not urban or rural .*"),
     _l("%(value)s is not urban or rural (urban, rural, 城镇, 乡村, or a code 111–123 / 210, "
        "220).")),
    (re.compile(r"must be a number greater than 0, got (?P<value>.*)"),
     _l("Must be a number greater than 0, not %(value)s.")),
    (re.compile(r"must be a whole number of at least 1, got (?P<value>.*)"),
     _l("Must be a whole number of at least 1, not %(value)s.")),
    (re.compile(r"this file is not an \.xlsx spreadsheet|the spreadsheet cannot be read"),
     _l("This file cannot be read as an .xlsx spreadsheet.")),
    (re.compile(r"the spreadsheet unpacks to too much data"),
     _l("The spreadsheet unpacks to too much data.")),
    (re.compile(r"more than (?P<value>\d+) rows"), _l("More than %(value)s rows.")),
    (re.compile(r"this file is not a text CSV file"), _l("This file is not a text CSV file.")),
    (re.compile(r"use a \.csv or \.xlsx file"), _l("Upload a .csv or .xlsx file.")),
    (re.compile(r"the file is empty"), _l("The file is empty.")),
)


def frame_fault(message: str) -> str:
    """A frame fault in the page's language (a message not known here is shown as it is)."""
    for pattern, text in _FRAME_FAULTS:
        match = pattern.fullmatch(message)
        if match:
            return str(text) % match.groupdict() if match.groupdict() else str(text)
    return message


# --- fieldwork codes the app defines itself ---------------------------------------------------

def _pick(table: dict[str, dict[str, str]], code: object) -> str:
    names = table.get(str(code))
    return str(code) if names is None else names[language()]


# What a visit ended in: the keys of ``quizapp.surveys.interviews.CONTACT_OUTCOMES`` and its
# ``INTERVIEW_OUTCOME``, in the order the visit form lists them (a test keeps them in step).
CONTACT_OUTCOME_LABELS: dict[str, dict[str, str]] = {
    "no_contact": {"zh": "无人在家", "en": "Nobody at home"},
    "appointment": {"zh": "约好改天再来", "en": "Appointment to come back"},
    "refusal": {"zh": "拒绝访问", "en": "Refused"},
    "consent_refused": {"zh": "知情同意时拒绝", "en": "Declined at the consent screen"},
    "unable": {"zh": "无法访问（患病、语言不通、长期外出）",
               "en": "Unable to take part (ill, language, away)"},
    "not_eligible": {"zh": "不符合条件（空房、无 18–69 岁居民）",
                     "en": "Not eligible (vacant, no one aged 18–69)"},
    "not_found": {"zh": "找不到住户或无法进入", "en": "Not found or no access"},
    "no_reply": {"zh": "邀请函未回复", "en": "Invitation letter not answered"},
    "interview": {"zh": "进行访问", "en": "Interview"},
}
# Where a case stands for the interviewer: adults to record, ready, interviewed.
CASE_PROGRESS_LABELS: dict[str, dict[str, str]] = {
    "to_screen": {"zh": "待登记成人", "en": "Adults to record"},
    "ready": {"zh": "待访问", "en": "Ready to interview"},
    "interviewed": {"zh": "已访问", "en": "Interviewed"},
}


def contact_outcome(code: object) -> str:
    """The name of a visit's outcome in the page's language."""
    return _pick(CONTACT_OUTCOME_LABELS, code)


def case_progress(code: object) -> str:
    """The name of a case's progress (``to_screen``, ``ready``, ``interviewed``)."""
    return _pick(CASE_PROGRESS_LABELS, code)
