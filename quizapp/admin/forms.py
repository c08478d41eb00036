from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from quizapp.access import ROLES
from quizapp.inputs import Form
from quizapp.models.places import ORGANISATION_KINDS, TOWNSHIP_KINDS
from quizapp.shared.forms import MultiCheckboxField, choices

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "statistician": _l("Statistician"),
    "teacher": _l("Teacher"),
    "interviewer": _l("Interviewer"),
    "resident": _l("Resident"),
}
TOWNSHIP_KIND_LABELS = {
    "subdistrict": _l("Subdistrict"),
    "town": _l("Town"),
    "township": _l("Rural township"),
}
ORGANISATION_KIND_LABELS = {
    "school": _l("School"),
    "village": _l("Village"),
    "community": _l("Community"),
    "work_unit": _l("Work unit"),
    "agency": _l("Government agency"),
}


class UserForm(Form):
    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(min=3, max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dot, dash or underscore.")),
    ])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=256)])
    roles = MultiCheckboxField(_l("Roles"), choices=choices((r, ROLE_LABELS[r]) for r in ROLES),
                               validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)
    schools = MultiCheckboxField(_l("Schools (teachers)"), coerce=int, choices=[])
    townships = MultiCheckboxField(_l("Townships (interviewers)"), coerce=int, choices=[])


class TownshipForm(Form):
    code = StringField(_l("Code"), validators=[
        DataRequired(), Length(max=32),
        Regexp(r"^[a-z0-9_-]+$", message=_l("Use lower-case letters, digits, dash or underscore.")),
    ])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    kind = SelectField(_l("Kind"),
                       choices=choices((k, TOWNSHIP_KIND_LABELS[k]) for k in TOWNSHIP_KINDS))
    airport_zone = BooleanField(_l("Managed by the Zhengzhou Airport Economy Zone"))
    population = IntegerField(_l("Resident population"),
                              validators=[Optional(), NumberRange(min=0)])
    population_source = StringField(_l("Source of the population figure"),
                                    validators=[Optional(), Length(max=200)])
    sort_order = IntegerField(_l("Sort order"), default=0, validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


class OrganisationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=choices(
        (k, ORGANISATION_KIND_LABELS[k]) for k in ORGANISATION_KINDS))
    township_id = SelectField(_l("Township"), coerce=int, validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)


class SchoolClassForm(Form):
    grade = IntegerField(_l("Grade"), validators=[DataRequired(), NumberRange(min=1, max=12)])
    name = StringField(_l("Class name"), validators=[DataRequired(), Length(max=32)])
