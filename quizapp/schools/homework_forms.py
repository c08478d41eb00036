"""The form a teacher fills to open a question set as a homework contest."""

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from quizapp.inputs import Form


class HomeworkForm(Form):
    question_set_id = SelectField(_l("Question set"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    starts_at = DateTimeLocalField(_l("Opens (Beijing time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Closes (Beijing time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired()])
    seconds_per_question = IntegerField(_l("Seconds per question (empty: no limit)"),
                                        validators=[Optional(), NumberRange(min=5, max=600)])
