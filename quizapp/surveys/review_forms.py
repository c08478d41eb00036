"""The forms of the review and closing pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from quizapp.inputs import Form
from quizapp.shared.forms import choices
from quizapp.surveys.review import REASON_MAX


class ReviewForm(Form):
    """Accept or reject an interview, with a one-line reason (required)."""

    decision = RadioField(_l("Decision"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=REASON_MAX)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.decision.choices = choices((("accepted", _l("Accept: the case goes on")),
                                         ("rejected", _l("Reject: the case is left out"))))


class CloseWaveForm(Form):
    """Closing a wave deletes personal data: the statistician ticks that they mean it."""

    confirm = BooleanField(_l("I understand that the names, phone numbers, addresses, "
                              "household descriptions, visit notes and invitation codes of this "
                              "wave will be deleted for good."),
                           validators=[DataRequired()])
