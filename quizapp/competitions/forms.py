from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from quizapp.inputs import Form
from quizapp.models.questions import GROUPS, TOPICS
from quizapp.shared.forms import MultiCheckboxField, choices
from quizapp.shared.labels import DIFFICULTY_LABELS, GROUP_LABELS, TOPIC_LABELS

FIELD_MODE_LABELS = (("off", _l("Not asked")), ("optional", _l("Optional")),
                     ("required", _l("Required")))


class RegistrationForm(Form):
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=64)])
    township_id = SelectField(_l("Township or subdistrict"), coerce=int, validators=[Optional()])
    organisation_id = SelectField(_l("School or work unit"), coerce=int, validators=[Optional()])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=20)])
    school_class_id = SelectField(_l("Class"), coerce=int, validators=[Optional()])


class CompetitionForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(_l("Short name in the link"), validators=[
        DataRequired(), Length(max=64),
        Regexp(r"^[a-z0-9-]+$", message=_l("Use lower-case letters, digits or dashes."))])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    rules_text = TextAreaField(
        _l("Rules"), validators=[Optional(), Length(max=8000)],
        description=_l("Shown below the rules the settings make (questions, points, time "
                       "limits, attempts, ties, when answers are shown): write only what they "
                       "do not say."))
    audience = MultiCheckboxField(_l("Audience (none ticked: everyone)"),
                                  choices=choices((g, GROUP_LABELS[g]) for g in GROUPS))
    starts_at = DateTimeLocalField(_l("Opens (Beijing time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Closes (Beijing time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired()])
    field_name = SelectField(_l("Full name"), choices=choices(FIELD_MODE_LABELS))
    field_township = SelectField(_l("Township or subdistrict"), choices=choices(FIELD_MODE_LABELS))
    field_organisation = SelectField(_l("School or work unit"),
                                     choices=choices(FIELD_MODE_LABELS))
    field_phone = SelectField(_l("Mobile phone"), choices=choices(FIELD_MODE_LABELS))
    question_count = IntegerField(_l("Questions per attempt"), default=20,
                                  validators=[DataRequired(), NumberRange(min=1, max=100)])
    pool_size = IntegerField(
        _l("Questions in the competition's pool"), default=100,
        description=_l("Drawn once from the bank; each attempt draws from it. Kept out of "
                       "practice until the competition closes. At least the questions per "
                       "attempt; about five times as many gives everyone a different paper."),
        validators=[DataRequired(), NumberRange(min=1, max=2000)])
    quota_true_false = IntegerField(_l("of which true/false"), validators=[
        Optional(), NumberRange(min=0, max=100)])
    quota_single = IntegerField(_l("of which single choice"), validators=[
        Optional(), NumberRange(min=0, max=100)])
    quota_multiple = IntegerField(_l("of which multiple choice"), validators=[
        Optional(), NumberRange(min=0, max=100)])
    seconds_per_question = IntegerField(_l("Seconds per question (empty: no limit)"),
                                        validators=[Optional(), NumberRange(min=5, max=600)])
    seconds_per_attempt = IntegerField(_l("Seconds per attempt (empty: no limit)"),
                                       validators=[Optional(), NumberRange(min=30, max=36000)])
    attempts_per_day = IntegerField(_l("Scored attempts per day (empty: unlimited)"),
                                    validators=[Optional(), NumberRange(min=1, max=100)])
    counting = SelectField(_l("Which attempt counts"), choices=choices(
        (("best", _l("The best")), ("last", _l("The last")))))
    points_per_correct = FloatField(_l("Points per correct answer"), default=5,
                                    validators=[DataRequired(), NumberRange(min=0.1, max=100)])
    reveal = SelectField(
        _l("Show right answers"), default="after_window",
        description=_l("Only \"after the competition closes\" keeps the pool's answers secret "
                       "while it is open: otherwise anyone who registers again and again can "
                       "read them."),
        choices=choices(
        (("after_window", _l("After the competition closes")),
         ("after_attempt", _l("After each attempt")),
         ("after_item", _l("After each question")))))
    board_names = SelectField(
        _l("Names on the boards"), default="masked",
        description=_l("Masked names keep the first and the last character (张*明), as "
                       "Chinese contests publish them. Full names only when every participant "
                       "has agreed to it."),
        choices=choices((("masked", _l("Masked (张*明)")), ("full", _l("Full names")))))
    certificate_min_score = FloatField(
        _l("Certificate from this score"), default=0,
        description=_l("A finished attempt scoring at least this earns a certificate with a "
                       "public check code; 0: every finished attempt."),
        validators=[Optional(), NumberRange(min=0, max=10000)])
    published = BooleanField(_l("Published"))

    def quota_fields(self, dimension: str) -> list:
        """The per-value quota fields of ``difficulty`` or ``topic``, in the label order."""
        return [getattr(self, quota_field(dimension, code)) for code in QUOTA_CODES[dimension]]


# How many questions of an attempt must have each difficulty or topic: one number per value,
# named by the value's label (the competition keeps them as ``quotas[dimension][code]``).
QUOTA_CODES = {"difficulty": [str(level) for level in DIFFICULTY_LABELS],
               "topic": [topic for topic in TOPIC_LABELS if topic in TOPICS]}
QUOTA_LABELS = {"difficulty": DIFFICULTY_LABELS, "topic": TOPIC_LABELS}


def quota_field(dimension: str, code: str) -> str:
    """The form field holding the quota of one difficulty or topic."""
    return f"quota_{dimension}_{code}"


for _dimension, _codes in QUOTA_CODES.items():
    for _code in _codes:
        setattr(CompetitionForm, quota_field(_dimension, _code), IntegerField(
            QUOTA_LABELS[_dimension][int(_code) if _dimension == "difficulty" else _code],
            validators=[Optional(), NumberRange(min=0, max=100)]))


class RoundForm(Form):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=120)])
    starts_at = DateTimeLocalField(_l("Opens (Beijing time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Closes (Beijing time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired()])


class VoidForm(Form):
    reason = StringField(_l("Reason"), validators=[
        DataRequired(message=_l("Please give a reason.")), Length(max=200)])
