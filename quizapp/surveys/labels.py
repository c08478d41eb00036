"""Display names of the survey's codes in the page's language.

The names themselves are ``surveys.labels`` (Chinese and English for every code, kept beside
the rules); this only picks the language Flask-Babel chose for the request, so no code is ever
shown raw and no name is written twice.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import get_locale

import surveys


def language() -> str:
    """``zh`` or ``en``: the request's language as ``surveys.label`` takes it."""
    locale = get_locale()
    return "zh" if locale is None or locale.language == "zh" else "en"


def code_label(enum: type[StrEnum], code: object) -> str:
    """The name of ``code`` (a member of ``enum`` or its value) in the page's language; a code
    the table does not know is shown as it is."""
    try:
        member = enum(str(code))
    except ValueError:
        return str(code)
    return surveys.label(member, language())


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
