from flask_wtf import FlaskForm
from wtforms import HiddenField


class LanguageForm(FlaskForm):
    language = HiddenField()
    next = HiddenField()


class LargeTypeForm(FlaskForm):
    on = HiddenField()
    next = HiddenField()
