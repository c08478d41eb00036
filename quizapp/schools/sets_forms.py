"""The forms of the set pages and the teacher's landing page, and the text of set errors."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from question_bank.schema import DIMENSIONS, GROUPS, TOPICS
from quizapp.inputs import INT_MAX, Form
from quizapp.schools.classes_services import SIZE_MAX
from quizapp.schools.sets_services import (
    DESCRIPTION_MAX,
    MAX_ITEMS,
    SEARCH_MAX,
    TITLE_MAX,
    CandidateFilter,
)
from quizapp.shared.forms import choices
from quizapp.shared.labels import DIFFICULTY_LABELS, DIMENSION_LABELS, GROUP_LABELS, TOPIC_LABELS

SET_ERRORS = {
    "title_empty": _l("Give the set a title."),
    "title_long": _l("The title is longer than %(max)s characters."),
    "description_long": _l("The description is longer than %(max)s characters."),
    "duplicate": _l("A question can be in a set only once."),
    "too_many": _l("A set holds at most %(max)s questions."),
    "not_offered": _l("This question cannot be added to a set: it is not in use in the bank."),
    "not_in_set": _l("This question is not in the set (perhaps it was removed in another "
                     "window)."),
    "empty": _l("This set has no question that can be played."),
}


def set_error_text(error) -> str:
    """The message of a ``SetError`` in the visitor's language."""
    return str(SET_ERRORS[error.code]) % error.params if error.params \
        else str(SET_ERRORS[error.code])


def _filter_select(label, pairs: list) -> SelectField:
    """A filter's select: "All" (empty) first; a value not in the list is a form error."""
    return SelectField(label, default="", validators=[Optional()],
                       choices=choices([("", _l("All")), *pairs]))


class SetDetailsForm(Form):
    """A set's title, description and whether the school's other teachers see it."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField(_l("Description (optional)"),
                                validators=[Optional(), Length(max=DESCRIPTION_MAX)])
    shared = BooleanField(_l("Share with the other teachers of the school"))


class NewSetForm(SetDetailsForm):
    """A new set: its details and the school it belongs to (the choices are set by the view:
    the person's schools)."""

    school_id = SelectField(_l("School"), coerce=int)


class _FilterFields(Form):
    """The bank filters of the set builder (a GET form; repeated in its POST forms so that
    adding a question comes back to the same list)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=SEARCH_MAX)])
    group = _filter_select(_l("Group"), [(g, GROUP_LABELS[g]) for g in GROUPS])
    topic = _filter_select(_l("Topic"), [(t, TOPIC_LABELS[t]) for t in TOPICS])
    dimension = _filter_select(_l("Dimension"),
                               [(d, DIMENSION_LABELS[d]) for d in DIMENSIONS])
    difficulty = _filter_select(_l("Difficulty"),
                                [(str(k), v) for k, v in DIFFICULTY_LABELS.items()])
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=10_000)])

    def filters(self) -> CandidateFilter:
        """The validated filters (call after ``validate``)."""
        return CandidateFilter(group=self.group.data or None, topic=self.topic.data or None,
                               dimension=self.dimension.data or None,
                               difficulty=int(self.difficulty.data) if self.difficulty.data
                               else None, search=(self.q.data or "").strip())

    def args(self) -> dict:
        """The filters as query-string arguments (empty ones left out), page included."""
        values = {"q": (self.q.data or "").strip(), "group": self.group.data,
                  "topic": self.topic.data, "dimension": self.dimension.data,
                  "difficulty": self.difficulty.data, "page": self.page.data}
        return {k: v for k, v in values.items() if v}


class CandidateFilterForm(_FilterFields):
    """The filter form itself: read from the query string, no CSRF (it changes nothing)."""

    class Meta(_FilterFields.Meta):
        csrf = False


class IdListField(Field):
    """Several ids under one name (``shown=3&shown=7``): whole numbers that fit an id column."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = []
            raise ValueError(_l("Not a valid question.")) from None
        if any(not 0 < value <= INT_MAX for value in self.data) or len(self.data) > MAX_ITEMS:
            self.data = []
            raise ValueError(_l("Not a valid question."))

    def _value(self) -> str:
        return ""


def _id_field() -> IntegerField:
    return IntegerField(validators=[Optional(), NumberRange(min=1)])


class ItemsForm(_FilterFields):
    """The builder's buttons: each names its question (``add=12``, ``up=12`` …); ``add_all``
    adds every question shown (``shown``)."""

    add = _id_field()
    remove = _id_field()
    up = _id_field()
    down = _id_field()
    add_all = StringField(validators=[Optional(), Length(max=1)])
    shown = IdListField()

    def action(self) -> tuple[str, int | list[int]] | None:
        """The button pressed and its question (or the shown ones), or ``None``."""
        for name in ("add", "remove", "up", "down"):
            value = getattr(self, name).data
            if value is not None:
                return name, value
        if self.add_all.data:
            return "add_all", list(self.shown.data or [])
        return None


class ClassSizeForm(Form):
    """How many students a class has (empty: unknown)."""

    size = IntegerField(_l("Students"), validators=[Optional(), NumberRange(min=1, max=SIZE_MAX)])
