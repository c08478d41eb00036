"""The forms of the live-game pages: a new game's options, a player's extra time, and the
students' join form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from quizapp.inputs import Form
from quizapp.schools.live_players import MAX_EXTRA_SECONDS, NICKNAME_MAX
from quizapp.schools.live_state import SECONDS_CHOICES, TEAM_COUNTS
from quizapp.shared.forms import choices

# The teacher's game controls: form value → live_state function name.
GAME_ACTIONS = {
    "start": "start", "close": "close_question", "reveal": "reveal", "next": "next_question",
    "skip": "skip", "pause": "pause", "resume": "resume", "end": "end", "extend": "extend",
}
EXTEND_SECONDS = (10, 30)


class NewGameForm(Form):
    """A live game's options."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    seconds_per_question = SelectField(
        _l("Seconds per question"), coerce=int, default=20,
        choices=choices((s, str(s)) for s in SECONDS_CHOICES))
    speed_points = BooleanField(_l("Speed points (faster right answers score more)"),
                                default=True)
    team_count = SelectField(
        _l("Teams"), coerce=int, default=0,
        choices=choices([(0, _l("No teams: everyone for themselves"))]
                        + [(n, _l("%(n)s teams", n=n)) for n in TEAM_COUNTS if n]))
    calm = BooleanField(_l("Calm mode (no animation)"), default=False)


class ExtraTimeForm(Form):
    """Extra seconds on every question for one player."""

    seconds = IntegerField(_l("Extra seconds"), validators=[
        InputRequired(), NumberRange(min=0, max=MAX_EXTRA_SECONDS)])


class JoinForm(Form):
    """A student joins: the game's code, a nickname, their class."""

    code = StringField(_l("Game code"), validators=[DataRequired(), Length(max=20)])
    nickname = StringField(_l("Nickname"), validators=[
        DataRequired(), Length(max=NICKNAME_MAX)])
    school_class_id = SelectField(_l("Your class"), coerce=int, validate_choice=False,
                                  default=0)


class CodeForm(Form):
    """The first step when the code was not in the link: just the code."""

    code = StringField(_l("Game code"), validators=[DataRequired(), Length(max=20)])

    class Meta(Form.Meta):
        csrf = False  # a GET form: nothing changes
