from wtforms import HiddenField

from quizapp.inputs import Form


class LanguageForm(Form):
    language = HiddenField()
    next = HiddenField()


class LargeTypeForm(Form):
    on = HiddenField()
    next = HiddenField()
