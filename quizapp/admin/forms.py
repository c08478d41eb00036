from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from quizapp.access import ROLES
from quizapp.credentials import (
    MAX_LENGTH,
    USERNAME_PATTERN,
    min_length,
    normalise_username,
    password_problem,
)
from quizapp.inputs import Form
from quizapp.models.places import ORGANISATION_KINDS, TOWNSHIP_KINDS
from quizapp.shared.forms import MultiCheckboxField, choices
from quizapp.shared.labels import ROLE_LABELS

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


PASSWORD_PROBLEM_LABELS = {
    "too_short": _l("Use at least %(min)d characters (10 for staff accounts, 8 for residents)."),
    "too_long": _l("Use at most %(max)d characters."),
    "common": _l("This is one of the most common passwords; choose another."),
    "pattern": _l("This password is a trivial pattern (a repeated character or group, or a run "
                  "of keys); choose another."),
    "username": _l("The password must not contain the username."),
}


def _normalised_username(value: str | None) -> str | None:
    return normalise_username(value) if value else value


class UserForm(Form):
    username = StringField(_l("Username"), filters=[_normalised_username], validators=[
        DataRequired(), Length(min=3, max=64),
        Regexp(USERNAME_PATTERN, message=_l("Use letters, digits, dot, dash or underscore.")),
    ])
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[Optional()])
    roles = MultiCheckboxField(_l("Roles"), choices=choices((r, ROLE_LABELS[r]) for r in ROLES),
                               validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)
    schools = MultiCheckboxField(_l("Schools (teachers)"), coerce=int, choices=[])
    townships = MultiCheckboxField(_l("Townships (interviewers)"), coerce=int, choices=[])

    def validate_password(self, field: PasswordField) -> None:
        """The shared password policy, for the roles ticked on this form."""
        roles = self.roles.data or []
        problem = password_problem(field.data, username=self.username.data or "", roles=roles)
        if problem is not None:
            raise ValidationError(PASSWORD_PROBLEM_LABELS[problem] % {
                "min": min_length(roles), "max": MAX_LENGTH})


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
