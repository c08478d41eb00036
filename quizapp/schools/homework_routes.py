"""Teachers' homework contest pages: open a set as homework, the contests, a contest's class
board (with the students' link and QR code), and the school board comparing classes."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.access import roles_required
from quizapp.engine import clock
from quizapp.inputs import db_int
from quizapp.schools import bp, sets_services
from quizapp.schools import homework_services as services
from quizapp.schools.homework_forms import HomeworkForm
from quizapp.schools.ownership import my_school_ids, my_schools, require_school
from quizapp.shared.forms import choices
from quizapp.shared.qr import qr_svg
from quizapp.timezone import from_local, to_local

teachers = roles_required("teacher", "admin")
HOMEWORK_ERRORS = {
    "empty": ("question_set_id", lambda: _("This set has no question that can be played now.")),
    "window": ("ends_at", lambda: _("The end must be after the start.")),
    "past": ("ends_at", lambda: _("The end must be in the future.")),
}


def _usable_sets():
    return sets_services.sets_for(current_user.id, my_school_ids(),
                                  everything=current_user.has_any_role("admin"))


def _homework_or_404(homework_id: int):
    contest = services.get_homework(homework_id)
    if contest is None:
        abort(404)
    require_school(contest.school_id)
    return contest


@bp.route("/homework/")
@teachers
def homework():
    contests = services.contests_for(my_school_ids())
    return render_template("schools/homework_list.html", contests=contests,
                           state=services.window_state, schools=my_schools())


@bp.route("/homework/new", methods=["GET", "POST"])
@teachers
def homework_new():
    sets = _usable_sets()
    form = HomeworkForm()
    form.question_set_id.choices = choices(
        (s.id, f"{s.title} · {s.school.name}") for s in sets)
    if request.method == "GET":
        wanted = request.args.get("set_id", type=db_int)
        if wanted is not None and wanted not in {s.id for s in sets}:
            abort(404)
        chosen = next((s for s in sets if s.id == wanted), sets[0] if sets else None)
        start = to_local(clock.now()).replace(tzinfo=None, second=0, microsecond=0)
        form.question_set_id.data = chosen.id if chosen else None
        form.title.data = chosen.title if chosen else ""
        form.starts_at.data, form.ends_at.data = start, start + timedelta(days=7)
    elif form.validate_on_submit():
        qset = next(s for s in sets if s.id == form.question_set_id.data)
        try:
            contest = services.open_homework(
                qset, teacher_id=current_user.id, school_id=qset.school_id,
                title=form.title.data, starts_at=from_local(form.starts_at.data),
                ends_at=from_local(form.ends_at.data),
                seconds_per_question=form.seconds_per_question.data or None)
        except services.HomeworkError as error:
            field, message = HOMEWORK_ERRORS[error.code]
            getattr(form, field).errors.append(message())
        else:
            flash(_("The homework contest is open. Give your students the link or the QR code."))
            return redirect(url_for("schools.homework_view", homework_id=contest.id))
    status = 400 if request.method == "POST" else 200
    return render_template("schools/homework_new.html", form=form, sets=sets), status


@bp.route("/homework/<int:homework_id>")
@teachers
def homework_view(homework_id: int):
    contest = _homework_or_404(homework_id)
    class_id = request.args.get("class", type=db_int)
    classes = {c.id: c for c in services.school_classes(contest.school_id)}
    if class_id is not None and class_id not in classes:
        abort(404)
    link = url_for("competitions.detail", slug=contest.slug, _external=True)
    return render_template(
        "schools/homework_view.html", contest=contest, link=link,
        qr_svg=qr_svg(link), state=services.window_state(contest),
        rows=services.class_board(contest), chosen_class=classes.get(class_id),
        students=class_id is not None and services.student_board(contest, class_id))


@bp.route("/<int:school_id>/board")
@teachers
def school_board(school_id: int):
    require_school(school_id)
    wanted = {value for value in (db_int_or_none(v) for v in request.args.getlist("contest"))
              if value is not None}
    board = services.school_board(school_id, wanted)
    return render_template("schools/homework_school_board.html",
                           school=services.get_school(school_id), board=board)


def db_int_or_none(text: str) -> int | None:
    try:
        return db_int(text)
    except ValueError:
        return None
