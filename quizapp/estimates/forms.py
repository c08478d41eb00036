import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, FloatField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from quizapp.estimates.services import CI_METHODS, LONELY_PSU_RULES, STANDARD_BY
from quizapp.inputs import Form
from quizapp.shared.forms import MultiCheckboxField, choices

VARIABLE_LABELS = {
    "sex": _l("Sex"),
    "urban_rural": _l("Urban or rural"),
    "age_band": _l("Age band"),
    "education": _l("Education"),
    "group": _l("Population group"),
}
CI_LABELS = {
    "logit": _l("Logit (as svyciprop, the default)"),
    "beta": _l("Beta (Korn–Graubard)"),
    "wald": _l("Wald"),
    "wilson": _l("Wilson"),
}
LONELY_PSU_LABELS = {
    "fail": _l("Stop with an error (default)"),
    "remove": _l("Leave the stratum out of the variance"),
    "adjust": _l("Centre on the grand mean (adjust)"),
    "average": _l("Use the average of the other strata"),
}
MARGINS_LABELS = (
    ("none", _l("None: design weights as they are")),
    ("shipped", _l("Xinzheng adults 18–69 (shipped, placeholder figures)")),
    ("upload", _l("Upload a margins CSV")),
)
MAX_BY_OTHER = 10
_BY_SPEC = re.compile(r"[^:,]{1,64}(:[^:,]{1,64})?")


class EstimateForm(Form):
    """The choices of ``python -m analysis estimate`` that a statistician needs."""

    survey_file = FileField(_l("Survey file (.csv)"))
    use_demo = BooleanField(_l("Use the simulated demo survey instead"))
    indicator = StringField(_l("Column of the 0/1 outcome (meets the standard)"),
                            default="meets", validators=[DataRequired(), Length(max=64)])
    weight = StringField(_l("Weight column"), default="weight",
                         validators=[DataRequired(), Length(max=64)])
    strata = StringField(_l("Stratum column (empty: no strata)"), default="stratum",
                         validators=[Optional(), Length(max=64)])
    psu = StringField(_l("PSU column (empty: respondents are the PSUs)"), default="psu",
                      validators=[Optional(), Length(max=64)])
    fpc = StringField(_l("Population-size column for the finite population correction "
                         "(optional)"), validators=[Optional(), Length(max=64)])
    by = MultiCheckboxField(_l("Estimates by group"),
                            choices=choices((v, VARIABLE_LABELS[v]) for v in STANDARD_BY),
                            default=list(STANDARD_BY))
    by_other = StringField(_l("Other grouping columns (comma-separated; a:b crosses two)"),
                           validators=[Optional(), Length(max=300)])
    margins = SelectField(_l("Raking margins"), choices=choices(MARGINS_LABELS),
                          default="none")
    margins_file = FileField(_l("Margins file (.csv)"))
    allow_placeholder_margins = BooleanField(_l("Allow placeholder margins"))
    ci = SelectField(_l("Confidence interval"),
                     choices=choices((c, CI_LABELS[c]) for c in CI_METHODS), default="logit")
    level = FloatField(_l("Confidence level"), default=0.95, validators=[
        InputRequired(), NumberRange(min=0.5, max=0.999,
                                     message=_l("Enter a level from 0.5 to 0.999, e.g. 0.95."))])
    goal = FloatField(_l("Goal (share, 0.178 = 17.8%)"), default=0.178, validators=[
        InputRequired(), NumberRange(min=0, max=1,
                                     message=_l("Enter the goal as a share from 0 to 1."))])
    lonely_psu = SelectField(_l("Stratum with a single PSU"),
                             choices=choices((r, LONELY_PSU_LABELS[r]) for r in LONELY_PSU_RULES),
                             default="fail")

    def other_by(self) -> list[str]:
        """The extra grouping specifications, in order, without duplicates."""
        parts = [p.strip() for p in (self.by_other.data or "").split(",")]
        return list(dict.fromkeys(p for p in parts if p))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        has_file = bool(self.survey_file.data and self.survey_file.data.filename)
        if self.use_demo.data and has_file:
            self.survey_file.errors.append(
                _l("Choose either an uploaded file or the demo survey, not both."))
            ok = False
        elif not self.use_demo.data and not has_file:
            self.survey_file.errors.append(
                _l("Upload a survey CSV file, or tick the simulated demo survey."))
            ok = False
        has_margins = bool(self.margins_file.data and self.margins_file.data.filename)
        if self.margins.data == "upload" and not has_margins:
            self.margins_file.errors.append(_l("Choose the margins CSV file to upload."))
            ok = False
        elif self.margins.data != "upload" and has_margins:
            self.margins_file.errors.append(
                _l("To rake to this file, choose “Upload a margins CSV” above."))
            ok = False
        other = self.other_by()
        if len(other) > MAX_BY_OTHER:
            self.by_other.errors.append(_l("At most %(n)s grouping columns.", n=MAX_BY_OTHER))
            ok = False
        elif any(not _BY_SPEC.fullmatch(spec) for spec in other):
            self.by_other.errors.append(
                _l("Write column names separated by commas, or two names joined by a colon."))
            ok = False
        return ok
