"""Form pieces every feature uses: select choices, a list of checkboxes, a bare button, an
uploaded file read within its size limit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from quizapp.inputs import Form


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Select choices from (value, label) pairs, in the form WTForms 3.3+ expects."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (thumb-sized on phones, unlike a
    multi-select box)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(Form):
    """An empty form: a CSRF-protected button (start, answer, confirm, delete, toggle)."""


def read_upload(field, limit: int) -> bytes | None:
    """The bytes of the file uploaded in ``field`` (read no further than ``limit`` + 1), or
    ``None`` with "too large" added to the field's errors."""
    storage = field.data
    data = storage.read(limit + 1)
    storage.close()
    if len(data) > limit:
        field.errors.append(_("The file is larger than %(size)s MB.",
                              size=round(limit / 1024 ** 2, 1)))
        return None
    return data
