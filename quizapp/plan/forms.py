"""The plan pages' forms: one yearly figure, and the spreadsheet upload."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from quizapp.inputs import Form
from quizapp.plan.progress import PLAN_YEARS
from quizapp.shared.forms import choices


class FigureForm(Form):
    """A target's figure for one plan year (the share's denominator only for shares)."""

    year = SelectField(_l("Year"), coerce=int, choices=choices((y, str(y)) for y in PLAN_YEARS))
    value = IntegerField(_l("Figure"), validators=[
        InputRequired(_l("Enter a whole number.")),
        NumberRange(min=0, message=_l("The figure cannot be negative."))])
    denominator = IntegerField(_l("Denominator"), validators=[
        Optional(), NumberRange(min=1, message=_l("The denominator must be at least 1."))])


class UploadForm(Form):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose a file."))])
