"""The survey pages' forms (choices are labelled in the request's language when built)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

import surveys
from quizapp.inputs import Form
from quizapp.shared.forms import choices
from quizapp.surveys import labels
from quizapp.surveys.services import SEED_MAX


class WaveForm(Form):
    """A new wave's settings."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    year = IntegerField(_l("Survey year"), validators=[
        InputRequired(), NumberRange(min=2000, max=2099)])
    reference_date = DateField(_l("Reference date"), validators=[InputRequired()])
    instrument_version = StringField(_l("Questionnaire version"), default="1.0",
                                     validators=[DataRequired(), Length(max=32)])
    target_sample_size = IntegerField(_l("Target sample size (interviews)"), default=3000,
                                      validators=[InputRequired(),
                                                  NumberRange(min=1, max=1_000_000)])
    selection_method = SelectField(_l("Choosing the adult in a household"))
    boundary = SelectField(_l("Cut point of 70"))
    seed = IntegerField(_l("Random seed (empty: chosen at random)"),
                        validators=[Optional(), NumberRange(min=0, max=SEED_MAX)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.selection_method.choices = choices(
            (str(m), labels.selection_method(m)) for m in surveys.SelectionMethod)
        self.boundary.choices = choices((str(b), labels.boundary(b)) for b in surveys.Boundary)


class FrameForm(Form):
    file = FileField(_l("Sampling frame (.csv or .xlsx)"), validators=[FileRequired()])


class DesignForm(Form):
    """The allocation: interviews, a fixed take per PSU, the method and a minimum."""

    interviews = IntegerField(_l("Interviews in all"), validators=[
        InputRequired(), NumberRange(min=1, max=1_000_000)])
    take = IntegerField(_l("Interviews per sampled village or community"), default=10,
                        validators=[InputRequired(), NumberRange(min=1, max=1000)])
    method = SelectField(_l("Allocation to townships"), default="power")
    power = FloatField(_l("Exponent of the power allocation (0 to 1)"), default=0.5,
                       validators=[InputRequired(), NumberRange(min=0, max=1)])
    min_psus = IntegerField(_l("Minimum villages or communities per township"), default=2,
                            validators=[InputRequired(), NumberRange(min=1, max=1000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = choices(
            (str(m), labels.allocation(m)) for m in surveys.AllocationMethod)

    def spec(self) -> surveys.DesignSpec:
        """The design; raises ``surveys.SurveyInputError`` (e.g. interviews not a multiple of
        the take)."""
        return surveys.DesignSpec(interviews=self.interviews.data, take=self.take.data,
                                  method=self.method.data, power=self.power.data,
                                  min_psus=self.min_psus.data)


class ListingForm(Form):
    """A sampled PSU's household listing, typed or uploaded (one household a line)."""

    lines = TextAreaField(_l("Households, one per line (e.g. house number)"),
                          validators=[Optional(), Length(max=200_000)])
    file = FileField(_l("Or upload the listing (.txt or .csv, one household a line)"))


class AdultsForm(Form):
    """The eligible adults (aged 18-69) of a selected household."""

    adults = TextAreaField(_l("Eligible adults aged 18–69, one per line: sex, age, birthday"),
                           validators=[DataRequired(), Length(max=2000)])
    visit = DateField(_l("Day of the visit"), validators=[Optional()])
