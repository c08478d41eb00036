"""Forms of the weighting and estimate pages (statistician)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FloatField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from quizapp.inputs import Form
from quizapp.shared.forms import choices

# The weighting classes of the non-response adjustment the form offers.
CLASS_CHOICES = {
    "stratum,psu_urban_rural": _l("Township × urban/rural (default)"),
    "stratum": _l("Township"),
    "psu_urban_rural": _l("Urban/rural"),
}
TRIM_LOWER_MAX = 1.0
TRIM_UPPER_MAX = 100.0
MIN_CLASS_MAX = 100_000


class WeightingForm(Form):
    """A new weighting run: the margins version (or none), the placeholder override, the
    weighting classes, the minimum respondents per class and the trimming bounds."""

    margins = SelectField(_l("Margins version (population totals)"))
    allow_placeholder_margins = BooleanField(
        _l("Use placeholder margins (stand-in figures; every page and file will say so)"))
    classes = SelectField(_l("Weighting classes for the non-response adjustment"),
                          default="stratum,psu_urban_rural")
    min_class = IntegerField(_l("Minimum respondents per class (smaller classes are merged)"),
                             default=20, validators=[InputRequired(),
                                                     NumberRange(min=1, max=MIN_CLASS_MAX)])
    trim = BooleanField(_l("Trim extreme weights"), default=True)
    trim_lower = FloatField(_l("Lower bound (× mean weight)"), default=0.3, validators=[
        Optional(), NumberRange(min=0, max=TRIM_LOWER_MAX)])
    trim_upper = FloatField(_l("Upper bound (× mean weight)"), default=3.5, validators=[
        Optional(), NumberRange(min=1, max=TRIM_UPPER_MAX)])

    def __init__(self, margins_choices: list[tuple[str, str]], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.margins.choices = choices(margins_choices)
        self.classes.choices = choices(CLASS_CHOICES.items())

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.trim.data and self.trim_lower.data is None and self.trim_upper.data is None:
            self.trim_upper.errors.append(_l("Give at least one bound, or untick trimming."))
            ok = False
        if ok and self.trim.data and None not in (self.trim_lower.data, self.trim_upper.data) \
                and self.trim_lower.data >= self.trim_upper.data:
            self.trim_upper.errors.append(_l("The upper bound must be above the lower bound."))
            ok = False
        return ok


class EstimateForm(Form):
    """A new estimate run on a weighting run: the goal and the small-cell rule."""

    goal = FloatField(_l("Goal: share meeting the standard (%)"), default=17.8, validators=[
        InputRequired(), NumberRange(min=0, max=100)])
    min_n = IntegerField(_l("Flag domains with fewer respondents than"), default=30,
                         validators=[InputRequired(), NumberRange(min=1, max=100_000)])
    max_cv = FloatField(_l("Flag domains whose coefficient of variation is above (%)"),
                        default=30, validators=[InputRequired(), NumberRange(min=1, max=1000)])


class PublishForm(Form):
    confirm = BooleanField(_l("I have checked the figures: publish this run (the wave's "
                              "published run, if any, becomes superseded)"))


class CompareForm(Form):
    """Two estimate runs to compare (the query string, so the page can be linked)."""

    class Meta(Form.Meta):
        csrf = False

    a = SelectField(_l("Run A"))
    b = SelectField(_l("Run B"))

    def __init__(self, run_choices: list[tuple[str, str]], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.a.choices = choices(run_choices)
        self.b.choices = choices(run_choices)
