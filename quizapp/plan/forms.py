"""The plan pages' forms: one yearly figure, and the spreadsheet upload."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from quizapp.inputs import Form
from quizapp.plan.progress import PLAN_YEARS
from quizapp.shared.forms import choices


class AtLeast:
    """The number is at least ``low`` (a field that did not read as a number is left to its
    own error, unlike WTForms' ``NumberRange``, which would add a second one)."""

    def __init__(self, low: int, message) -> None:
        self.low, self.message = low, message

    def __call__(self, form, field) -> None:
        if field.data is not None and field.data < self.low:
            raise ValidationError(self.message)


class FigureForm(Form):
    """A target's figure for one plan year (the share's denominator only for shares)."""

    year = SelectField(_l("Year"), coerce=int, choices=choices((y, str(y)) for y in PLAN_YEARS))
    value = IntegerField(_l("Figure"), validators=[
        InputRequired(_l("Enter a whole number.")),
        AtLeast(0, _l("The figure cannot be negative."))])
    denominator = IntegerField(_l("Denominator"), validators=[
        Optional(), AtLeast(1, _l("The denominator must be at least 1."))])


class UploadForm(Form):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose a file."))])


class ReporterForm(Form):
    """An account to report a target's figures, by username."""

    username = StringField(_l("Username"), validators=[InputRequired(_l("Enter a username."))])
