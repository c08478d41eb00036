"""The question bank's admin forms; a question form maps itself to and from a spec."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from question_bank.schema import (
    DIMENSIONS,
    GROUPS,
    LETTERS,
    QUESTION_TYPES,
    TOPICS,
    Issue,
    QuestionSpec,
)
from question_bank.validate import ANY_ID, validate
from quizapp.inputs import Form
from quizapp.questions.labels import (
    DIFFICULTY_LABELS,
    DIMENSION_LABELS,
    TOPIC_LABELS,
    TYPE_LABELS,
    fault_text,
)
from quizapp.shared.forms import MultiCheckboxField, choices
from quizapp.shared.labels import GROUP_LABELS


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
    # Which form field shows a validation fault about each field of a question.
    FIELD_OF = {"stem": "stem", "options": "option_a", "answer": "answer_letters",
                "explanation": "explanation", "authority": "authority", "groups": "groups",
                "dimension": "dimension", "benchmark": "benchmark", "difficulty": "difficulty",
                "type": "type", "topic": "topic"}

    def raw(self, code: str, version: int) -> dict:
        """The submitted question as the raw mapping ``question_bank.validate`` checks."""
        qtype = self.type.data
        options = [(getattr(self, f).data or "").strip() for f in self.OPTION_FIELDS]
        while options and not options[-1]:
            options.pop()
        if qtype == "true_false":
            answer = self.answer_tf.data == "true"
        else:
            letters = list(self.answer_letters.data or [])
            answer = (letters[0] if len(letters) == 1 else letters) if qtype == "single" \
                else letters
        return {"id": code, "version": version, "type": qtype, "stem": self.stem.data or "",
                "options": options if qtype != "true_false" else [], "answer": answer,
                "explanation": self.explanation.data or "",
                "authority": self.authority.data or "", "groups": list(self.groups.data or []),
                "dimension": self.dimension.data, "benchmark": self.benchmark.data,
                "difficulty": self.difficulty.data, "status": "draft",
                "survey": bool(self.survey.data)}

    def spec(self, code: str, version: int) -> QuestionSpec | None:
        """The validated question, or ``None`` with each fault put on its field."""
        spec, faults = validate(self.raw(code, version), self.topic.data, id_pattern=ANY_ID)
        for fault in faults:
            name = self.FIELD_OF.get(fault.field, "stem")
            if name == "answer_letters" and self.type.data == "true_false":
                name = "answer_tf"
            issue = Issue("error", fault.kind, fault.message, column=fault.field,
                          params=fault.params)
            getattr(self, name).errors = [*getattr(self, name).errors, fault_text(issue)]
        return spec

    def keep_topic(self, topic: str) -> None:
        """Offer only ``topic`` (a bank question's id names its topic, so it cannot move)."""
        self.topic.choices = [c for c in self.topic.choices if c.value == topic]

    def fill(self, version, survey_reserved: bool) -> None:
        """Show a stored version (and the question's survey flag) in the fields."""
        self.topic.data = version.topic
        self.type.data = version.type
        self.stem.data = version.stem
        for name, option in zip(self.OPTION_FIELDS, version.options or [], strict=False):
            getattr(self, name).data = option
        if version.type == "true_false":
            self.answer_tf.data = "true" if version.answer == [0] else "false"
        else:
            self.answer_letters.data = [LETTERS[i] for i in version.answer]
        self.explanation.data = version.explanation
        self.authority.data = version.authority
        self.groups.data = version.groups
        self.dimension.data = version.dimension
        self.benchmark.data = version.benchmark
        self.difficulty.data = version.difficulty
        self.survey.data = survey_reserved


class ImportForm(Form):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired()])


class ConfirmImportForm(Form):
    token = HiddenField()
    # Offered, and obeyed, only for accounts with review rights (services.can_review).
    apply_statuses = BooleanField(_l("Apply the statuses in the file as my review: mark "
                                     "others' unchanged questions reviewed, active or retired"))
