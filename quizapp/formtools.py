"""Small helpers shared by forms: choices in the shape WTForms wants, and the date range."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

# The dates any form accepts unless a field says otherwise. Far-away years are typing slips,
# and near the ends of Python's range (year 1 or 9999) converting Beijing time to UTC or adding
# a competition's duration overflows.
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2099, 12, 31)


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select choices from (value, label) pairs, in the form WTForms 3.3+ expects."""
    return [SelectChoice(value, label) for value, label in pairs]


class DateRange:
    """A WTForms validator: the field's date (or datetime's date) lies in ``low`` … ``high``.

    Every date field of a :class:`quizapp.inputs.Form` gets one with the default range; give a
    field its own to widen or narrow it.
    """

    def __init__(self, low: date = DATE_MIN, high: date = DATE_MAX) -> None:
        self.low, self.high = low, high

    def __call__(self, form, field) -> None:
        value = field.data
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            return  # empty, or a time of day
        if not self.low <= value <= self.high:
            raise ValidationError(_l("Enter a date from %(low)s to %(high)s.",
                                     low=self.low.isoformat(), high=self.high.isoformat()))
