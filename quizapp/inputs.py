"""Input hygiene for the whole app: the one place that decides which text and numbers may reach
the database, so that bad input is a 400, a 404 or a form error, never a 500.

Rules (each is the cause of a 500 seen before this module existed):

- **NUL** (U+0000) in the URL path, the query string or a form (names, values, uploaded file
  names) is refused with 400: PostgreSQL's text types cannot hold it, and no person types it.
- **URL integers** (every ``<int:...>`` rule) are limited to the range of the database's
  ``INTEGER`` columns, 0 … 2³¹−1 (PostgreSQL's ``integer`` is 32-bit; SQLite overflows past
  2⁶³): a larger id names no row, so it is a 404. Query-string integers go through
  :func:`db_int` for the same reason.
- **Forms** derive from :class:`Form`, which binds every field with the rules of its kind:
  text fields lose control characters (:func:`strip_control`; a one-line field also turns tabs
  and line breaks into spaces), because a stored control character breaks every later XLSX
  export; integer fields must fit an ``INTEGER`` column; float and decimal fields must be finite
  (``nan`` passes every ``NumberRange``); date fields must lie within
  :data:`DATE_MIN` … :data:`DATE_MAX` unless the field
  carries its own :class:`DateRange`. Passwords are left exactly as typed.
"""

from __future__ import annotations

import builtins
import math
import re
from datetime import date, datetime
from decimal import Decimal

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter
from wtforms import (
    DateTimeField,
    DecimalField,
    Field,
    FloatField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL ``integer``, the type of every id column
# C0 controls except tab, line feed and carriage return; DEL; C1 controls. openpyxl refuses
# a subset of these (IllegalCharacterError), and none of them is ever typed on purpose.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def strip_control(value):
    """``value`` without control characters (tab and line breaks are kept); non-text unchanged."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value


def strip_control_one_line(value):
    """As :func:`strip_control`, and tabs and line breaks become one space (one-line fields)."""
    if isinstance(value, str):
        return _LINE_BREAKS.sub(" ", CONTROL_CHARACTERS.sub("", value))
    return value


def db_int(text: str) -> int:
    """An integer that fits an ``INTEGER`` column, for ``request.args.get(..., type=db_int)``.

    Raises ``ValueError`` (so ``args.get`` returns its default) for anything else.
    """
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise ValueError(f"{text!r} is outside the range of an INTEGER column")
    return value


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` limited to the ``INTEGER`` range: a larger id names no row, so 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        low = (INT_MIN if signed else 0) if min is None else builtins.max(min, INT_MIN)
        high = INT_MAX if max is None else builtins.min(max, INT_MAX)
        super().__init__(map, fixed_digits=fixed_digits, min=low, max=high, signed=signed)


# --- forms -------------------------------------------------------------------------------------

# The dates any form accepts unless a field says otherwise. Far-away years are typing slips,
# and near the ends of Python's range (year 1 or 9999) converting Beijing time to UTC or adding
# a competition's duration overflows.
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2099, 12, 31)


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



def _fits_integer_column(form, field) -> None:
    if field.data is not None and not field.errors and not INT_MIN <= field.data <= INT_MAX:
        raise ValidationError(_l("This number is too large."))


def _finite(form, field) -> None:
    data = field.data
    if data is None or field.errors:
        return
    finite = data.is_finite() if isinstance(data, Decimal) else math.isfinite(data)
    if not finite:
        raise ValidationError(_l("Not a valid number."))


def _rules_for(field: Field) -> tuple[list, list]:
    """(filters to run first, validators to run last) for a bound field of any kind."""
    if isinstance(field, PasswordField):
        return [], []
    if isinstance(field, TextAreaField):
        return [strip_control], []
    if isinstance(field, StringField):
        return [strip_control_one_line], []
    if isinstance(field, IntegerField):
        return [], [_fits_integer_column]
    if isinstance(field, FloatField | DecimalField):
        return [], [_finite]
    if isinstance(field, DateTimeField):  # also DateField, DateTimeLocalField, TimeField
        if any(isinstance(v, DateRange) for v in field.validators):
            return [], []
        return [], [DateRange()]
    return [], []


class Form(FlaskForm):
    """The base of every form in the app: FlaskForm (CSRF) plus the rules above, by field kind."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            filters, validators = _rules_for(field)
            if filters:
                field.filters = (*filters, *field.filters)
            if validators:
                # A new list: the one given in the class body is shared by every instance.
                field.validators = [*field.validators, *validators]
            return field


# --- the request hook --------------------------------------------------------------------------

def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def refuse_nul() -> None:
    """400 for a NUL anywhere in the path, the query string or the submitted form."""
    if "\x00" in request.path or _has_nul(request.args.items(multi=True)):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH"):
        if _has_nul(request.form.items(multi=True)):
            abort(400)
        if any("\x00" in key or "\x00" in (upload.filename or "")
               for key, upload in request.files.items(multi=True)):
            abort(400)


def register(app: Flask) -> None:
    """Install the URL converter and the NUL guard; call before any blueprint is registered."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.before_request(refuse_nul)
