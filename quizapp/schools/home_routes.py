"""The teacher's landing page (my schools, their classes and sizes, my sets) and class sizes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.access import roles_required
from quizapp.schools import bp, classes_services, homework_services, live_lookup, sets_services
from quizapp.schools.labels import GAME_STATE_LABELS
from quizapp.schools.ownership import my_school_ids, require_school
from quizapp.schools.sets_forms import ClassSizeForm

teachers = roles_required("teacher", "admin")
RECENT_SETS = 5
RECENT_GAMES = 3


def _home(size_form: ClassSizeForm, **extra) -> str:
    school_ids = my_school_ids()
    sets = sets_services.sets_for(current_user.id, school_ids)
    return render_template(
        "schools/sets_home.html", schools=classes_services.schools_with_classes(school_ids),
        sets=sets[:RECENT_SETS], more_sets=len(sets) > RECENT_SETS, size_form=size_form,
        games=live_lookup.my_games()[:RECENT_GAMES], game_states=GAME_STATE_LABELS,
        contests=homework_services.contests_for(school_ids)[:RECENT_GAMES], **extra)


@bp.route("/")
@teachers
def index():
    return _home(ClassSizeForm(formdata=None))


@bp.route("/classes/<int:school_class_id>/size", methods=["POST"])
@teachers
def class_size(school_class_id: int):
    school_class = classes_services.get_class(school_class_id)
    if school_class is None:
        abort(404)
    require_school(school_class.organisation_id)
    form = ClassSizeForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _home(form, size_error_class=school_class.id), 400
    classes_services.set_class_size(school_class, form.size.data)
    flash(_("Class size saved."))
    return redirect(url_for("schools.index", _anchor=f"class-{school_class.id}"))
