"""Forms of the fieldwork pages: interviewer assignment (statistician), and the interviewer's
household listing, adults, visit outcome and contact details."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from quizapp.inputs import INT_MAX, Form
from quizapp.shared.forms import choices
from quizapp.surveys import labels
from quizapp.surveys.fieldwork import VISIT_OUTCOMES, AssignmentPage
from quizapp.surveys.interviews import CLIENT_ID

UNASSIGNED = ""


def _interviewer_id(value: str) -> int | None:
    """A select's value as a user id (``""``: nobody); ``ValueError`` for anything else."""
    if value == UNASSIGNED:
        return None
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= INT_MAX:
        raise ValueError(value)
    return int(value)


def _submitted(form, field) -> None:
    """The select must be in the request: a missing one means the page was out of date."""
    if not field.raw_data:
        raise ValidationError(_l("Missing from the form; reload the page."))
    try:
        _interviewer_id(field.raw_data[0])
    except ValueError:
        raise ValidationError(_l("Choose an interviewer from the list.")) from None


class AssignmentForm(Form):
    """One select per sampled PSU (``psu_<id>``), built by :func:`assignment_form`."""

    psu_fields: tuple[tuple[int, str], ...] = ()

    def assignments(self) -> dict[int, int | None]:
        """Sampled PSU id -> chosen user id (``None``: unassigned), after validation."""
        return {psu_id: _interviewer_id(self[name].data or UNASSIGNED)
                for psu_id, name in self.psu_fields}


def assignment_form(page: AssignmentPage) -> AssignmentForm:
    """The assignment form of ``page``: each PSU's select lists the local interviewers first,
    marked, and keeps the present assignment selected."""

    class Bound(AssignmentForm):
        pass

    names = []
    for row in page.rows:
        name = f"psu_{row.psu.id}"
        options = [(UNASSIGNED, _l("— not assigned —"))]
        for choice in row.choices:
            person = choice.user.display_name or choice.user.username
            options.append((str(choice.user.id),
                            _l("%(name)s (this township)", name=person) if choice.local
                            else person))
        if row.current is not None and all(c.user.id != row.current.id for c in row.choices):
            options.append((str(row.current.id),
                            _l("%(name)s (no longer an interviewer)",
                               name=row.current.display_name or row.current.username)))
        setattr(Bound, name, SelectField(
            _l("Interviewer"), choices=choices(options),
            default=str(row.psu.interviewer_id or UNASSIGNED), validate_choice=False,
            validators=[_submitted]))
        names.append((row.psu.id, name))
    Bound.psu_fields = tuple(names)
    return Bound()


class HouseholdListingForm(Form):
    """The PSU's household listing, typed or uploaded (one dwelling a line, never a name)."""

    lines = TextAreaField(_l("Households, one per line (house number or description, no "
                             "names)"), validators=[Optional(), Length(max=200_000)])
    file = FileField(_l("Or upload the listing (.txt or .csv, one household a line)"))


class HouseholdAdultsForm(Form):
    """The household's residents aged 18-69."""

    adults = TextAreaField(_l("Residents aged 18–69, one per line: sex and age (next-birthday "
                              "method: also the birthday as month-day)"),
                           validators=[DataRequired(), Length(max=2000)])


def new_client_id() -> str:
    """A fresh id for one visit form as shown; the same form sent twice stores one visit."""
    return "web-" + secrets.token_urlsafe(18)


class VisitForm(Form):
    """What came of a visit, with an optional note for the next one (never personal data).

    Shown with ``data={"client_id": new_client_id()}``: the id travels with the form, so the
    same form sent twice is one visit."""

    client_id = HiddenField(validators=[DataRequired(), Regexp(CLIENT_ID.pattern + "$")])
    outcome = RadioField(_l("What came of the visit?"),
                         validators=[DataRequired(_l("Choose what came of the visit."))])
    note = StringField(_l("Note for the next visit (e.g. “come back after 6 pm”; no names or "
                          "phone numbers)"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outcome.choices = choices((code, labels.contact_outcome(code))
                                       for code in VISIT_OUTCOMES)


class ContactForm(Form):
    """The household's contact details for call-backs: kept apart from the answers and
    deleted when the wave closes."""

    name = StringField(_l("Person's name"), validators=[Optional(), Length(max=64)])
    phone = StringField(_l("Phone"), validators=[
        Optional(), Length(max=32),
        Regexp(r"^[0-9+\- ()]*$", message=_l("Digits, spaces, + and - only."))])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
