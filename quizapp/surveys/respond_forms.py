"""Forms of self-completion: the office's invitation issue form, and the respondent's code
entry and personal section (choices are labelled in the request's language when built).

The section pages have no fixed fields (their items are the case's form): :class:`PageForm`
carries the CSRF token and the page's time stamp, and
:func:`quizapp.surveys.invitations.parse_section` reads the choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

import surveys
from quizapp.inputs import Form
from quizapp.shared.forms import choices
from quizapp.surveys import labels
from quizapp.surveys.invitations import DEFAULT_DAYS, MAX_DAYS

ALL_UNINVITED = "all"


class IssueForm(Form):
    """Which cases get a code, and for how long it is valid."""

    scope = SelectField(_l("Cases"))
    days = IntegerField(_l("Valid for (days)"), default=DEFAULT_DAYS, validators=[
        InputRequired(), NumberRange(min=1, max=MAX_DAYS)])

    def __init__(self, psus: list[tuple[int, str]], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope.choices = choices(
            [(ALL_UNINVITED, _l("Every case without an invitation or an interview"))]
            + [(str(psu_id), name) for psu_id, name in psus])

    def sampled_psu_id(self) -> int | None:
        """The chosen sampled PSU's id, or None for every case of the wave."""
        return None if self.scope.data == ALL_UNINVITED else int(self.scope.data)


class CodeForm(Form):
    """The code from the letter, typed in any case, with or without dashes and spaces."""

    code = StringField(_l("Invitation code"), validators=[InputRequired(), Length(max=48)])


class PageForm(Form):
    """A questionnaire page: the step it shows and when it was shown (epoch ms)."""

    step = HiddenField()
    shown = HiddenField()


def _enum_choices(enum) -> list:
    return choices([("", _l("Choose…"))] + [
        (member.value, labels.code_label(enum, member)) for member in enum])


class ProfileForm(PageForm):
    """The personal section (no name, no address, no phone number)."""

    sex = RadioField(_l("Sex"), validators=[InputRequired()])
    birth_year = IntegerField(_l("Year of birth"), validators=[
        InputRequired(), NumberRange(min=1900, max=2100)])
    birth_month = SelectField(_l("Month of birth"), validators=[InputRequired()])
    education = SelectField(_l("Highest schooling completed"), validators=[InputRequired()])
    occupation = SelectField(_l("Current occupation"), validators=[InputRequired()])
    township = SelectField(_l("Township or subdistrict where you live"),
                           validators=[InputRequired()])
    urban_rural = RadioField(_l("You live in"), validators=[InputRequired()])
    in_city_since_year = IntegerField(
        _l("Year you came to live in Xinzheng (leave empty if since birth)"),
        validators=[Optional(), NumberRange(min=1900, max=2100)])
    household_adults = IntegerField(
        _l("How many people aged 18 to 69 live in your household, you included?"),
        validators=[InputRequired(), NumberRange(min=1, max=20)])

    def __init__(self, townships: list[tuple[str, str]], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sex.choices = choices((s.value, labels.sex(s)) for s in surveys.Sex)
        self.birth_month.choices = choices(
            [("", _l("Choose…"))] + [(str(m), str(m)) for m in range(1, 13)])
        self.education.choices = _enum_choices(surveys.EducationDetail)
        self.occupation.choices = _enum_choices(surveys.Occupation)
        self.township.choices = choices([("", _l("Choose…")), *townships])
        self.urban_rural.choices = choices(
            (u.value, labels.urban_rural(u)) for u in surveys.UrbanRural)

    def profile(self) -> dict[str, object]:
        """The answers as the interview's profile takes them."""
        return {"sex": self.sex.data, "birth_year": self.birth_year.data,
                "birth_month": int(self.birth_month.data), "education": self.education.data,
                "occupation": self.occupation.data, "township": self.township.data,
                "urban_rural": self.urban_rural.data,
                "in_city_since_year": self.in_city_since_year.data,
                "household_adults": self.household_adults.data}
