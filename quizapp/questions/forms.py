from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from question_bank.schema import DIMENSIONS, GROUPS, LETTERS, QUESTION_TYPES, TOPICS
from quizapp.formtools import choices
from quizapp.inputs import Form
from quizapp.questions.labels import (
    DIFFICULTY_LABELS,
    DIMENSION_LABELS,
    GROUP_LABELS,
    TOPIC_LABELS,
    TYPE_LABELS,
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionForm(Form):
    """The fields of one question; the rules are checked by ``question_bank.validate``."""

    topic = SelectField(_l("Topic"), choices=choices((t, TOPIC_LABELS[t]) for t in TOPICS))
    type = SelectField(_l("Type"), choices=choices((t, TYPE_LABELS[t]) for t in QUESTION_TYPES))
    stem = TextAreaField(_l("Question"))
    option_a = StringField(_l("Option A"))
    option_b = StringField(_l("Option B"))
    option_c = StringField(_l("Option C"))
    option_d = StringField(_l("Option D"))
    option_e = StringField(_l("Option E"))
    answer_letters = MultiCheckboxField(_l("Right options (choice questions)"),
                                        choices=choices((x, x) for x in LETTERS))
    answer_tf = SelectField(_l("Right answer (true/false questions)"), choices=choices(
        [("true", _l("True")), ("false", _l("False"))]))
    explanation = TextAreaField(_l("Explanation"))
    authority = StringField(_l("Authority the fact rests on"))
    groups = MultiCheckboxField(_l("Groups"), choices=choices((g, GROUP_LABELS[g]) for g in GROUPS))
    dimension = SelectField(_l("Literacy dimension"),
                            choices=choices((d, DIMENSION_LABELS[d]) for d in DIMENSIONS))
    benchmark = IntegerField(_l("Benchmark (1–26, optional)"),
                             validators=[Optional(), NumberRange(min=1, max=26)])
    difficulty = SelectField(_l("Difficulty"), coerce=int,
                             choices=choices(DIFFICULTY_LABELS.items()))
    survey = BooleanField(_l("Reserved for the survey"))

    OPTION_FIELDS = ("option_a", "option_b", "option_c", "option_d", "option_e")


class ImportForm(Form):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired()])


class ConfirmImportForm(Form):
    token = HiddenField()


class ConfirmForm(Form):
    """An empty form: a CSRF-protected button."""
