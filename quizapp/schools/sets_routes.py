"""The teachers' question-set pages: the list, a new set, one set, the builder, copy, delete.

The builder works without JavaScript: every button posts a small form (add, add all shown,
up, down, remove) that is saved at once and comes back to the same filtered list.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from quizapp.access import roles_required
from quizapp.models.schools import QuestionSet
from quizapp.schools import bp, sets_services
from quizapp.schools.ownership import my_school_ids, my_schools, require_school
from quizapp.schools.sets_access import is_admin, require_own_set, require_set
from quizapp.schools.sets_forms import (
    CandidateFilterForm,
    ItemsForm,
    NewSetForm,
    SetDetailsForm,
    set_error_text,
)
from quizapp.schools.sets_services import PAGE_SIZE, SetError
from quizapp.shared.forms import ActionForm, choices
from quizapp.shared.labels import (
    DIFFICULTY_LABELS,
    DIMENSION_LABELS,
    GROUP_LABELS,
    TOPIC_LABELS,
    TYPE_LABELS,
)

teachers = roles_required("teacher", "admin")


@bp.context_processor
def _set_labels() -> dict:
    return {"set_labels": {"topic": TOPIC_LABELS, "dimension": DIMENSION_LABELS,
                           "difficulty": DIFFICULTY_LABELS, "type": TYPE_LABELS,
                           "group": GROUP_LABELS}}


def _optional_url(endpoint: str, **values) -> str | None:
    """The URL of another part of the schools feature, or ``None`` while it is not built."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.route("/sets")
@teachers
def sets():
    mine, shared = [], []
    for qset in sets_services.sets_for(current_user.id, my_school_ids()):
        (mine if qset.owner_id == current_user.id else shared).append(qset)
    return render_template("schools/sets_list.html", mine=mine, shared=shared,
                           many_schools=len(my_school_ids()) > 1)


def _new_set_form() -> NewSetForm:
    form = NewSetForm()
    form.school_id.choices = choices((school.id, school.name) for school in my_schools())
    return form


@bp.route("/sets/new", methods=["GET", "POST"])
@teachers
def set_new():
    form = _new_set_form()
    if not form.school_id.choices:
        flash(_("You are not assigned to a school yet; an administrator can assign you."))
        return redirect(url_for("schools.index"))
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("schools/sets_new.html", form=form), 400
        require_school(form.school_id.data)
        try:
            qset = sets_services.create_set(
                form.school_id.data, current_user.id, form.title.data, [],
                description=form.description.data or "", shared=form.shared.data)
        except SetError as error:
            form.title.errors.append(set_error_text(error))
            return render_template("schools/sets_new.html", form=form), 400
        flash(_("Set saved. Now add questions to it."))
        return redirect(url_for("schools.set_edit", set_id=qset.id))
    return render_template("schools/sets_new.html", form=form)


@bp.route("/sets/<int:set_id>")
@teachers
def set_view(set_id: int):
    qset = require_set(set_id)
    entries = sets_services.entries(qset)
    playable = sum(1 for entry in entries if entry.playable)
    links = {"live": _optional_url("schools.live_new", set_id=qset.id),
             "homework": _optional_url("schools.homework_new", set_id=qset.id)}
    return render_template(
        "schools/sets_view.html", qset=qset, entries=entries, playable=playable, links=links,
        can_change=sets_services.can_change(qset, current_user.id, is_admin()),
        action_form=ActionForm())


def _render_builder(qset: QuestionSet, filter_form, details: SetDetailsForm,
                    error: str | None = None, status: int = 200):
    entries = sets_services.entries(qset)
    in_set = {entry.question_id for entry in entries}
    candidates, total, page = [], 0, 1
    if not filter_form.errors:
        filters = filter_form.filters()
        total = sets_services.count_candidates(filters)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(filter_form.page.data or 1, pages)
        candidates = sets_services.candidate_questions(
            group=filters.group, topic=filters.topic, dimension=filters.dimension,
            difficulty=filters.difficulty, search=filters.search, limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE)
    args = {k: v for k, v in filter_form.args().items() if k != "page"} \
        if not filter_form.errors else {}
    return render_template(
        "schools/sets_edit.html", qset=qset, entries=entries, in_set=in_set,
        candidates=candidates, total=total, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), args=args, filter_form=filter_form,
        details=details, items_form=ItemsForm(formdata=None), error=error), status


def _filter_form_from_query() -> CandidateFilterForm:
    form = CandidateFilterForm(request.args)
    form.validate()
    return form


@bp.route("/sets/<int:set_id>/edit", methods=["GET", "POST"])
@teachers
def set_edit(set_id: int):
    qset = require_own_set(set_id)
    filter_form = _filter_form_from_query()
    if request.method == "GET":
        details = SetDetailsForm(obj=qset)
        return _render_builder(qset, filter_form, details,
                               status=400 if filter_form.errors else 200)
    details = SetDetailsForm()
    if not details.validate_on_submit():
        return _render_builder(qset, filter_form, details, status=400)
    try:
        sets_services.update_set(qset, title=details.title.data,
                                 description=details.description.data or "",
                                 shared=details.shared.data)
    except SetError as error:
        details.title.errors.append(set_error_text(error))
        return _render_builder(qset, filter_form, details, status=400)
    flash(_("Saved."))
    return redirect(url_for("schools.set_edit", set_id=qset.id, **filter_form.args()))


@bp.route("/sets/<int:set_id>/items", methods=["POST"])
@teachers
def set_items(set_id: int):
    """One builder button: add a question, add all shown, move one up or down, remove one."""
    qset = require_own_set(set_id)
    form = ItemsForm()
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        abort(400)  # an expired form: the error page says so
    action = form.action() if valid else None
    if action is None:
        return _render_builder(
            qset, CandidateFilterForm(formdata=None), SetDetailsForm(obj=qset), status=400,
            error=_("This button could not be understood. Reload the page and try again."))
    name, value = action
    try:
        if name == "add":
            sets_services.add_questions(qset, [value])
        elif name == "add_all":
            added = sets_services.add_questions(qset, value)
            flash(_("%(count)s questions added.", count=added))
        elif name == "remove":
            sets_services.remove_question(qset, value)
        else:
            sets_services.move_question(qset, value, -1 if name == "up" else 1)
    except SetError as error:
        return _render_builder(qset, _filter_form_from(form), SetDetailsForm(obj=qset),
                               error=set_error_text(error), status=400)
    anchor = "set-items" if name in ("remove", "up", "down") else "candidates"
    return redirect(url_for("schools.set_edit", set_id=qset.id, _anchor=anchor,
                            **form.args()))


def _filter_form_from(form: ItemsForm) -> CandidateFilterForm:
    """The filters the builder's button carried back (already validated)."""
    return CandidateFilterForm(data={"q": form.q.data, "group": form.group.data,
                                     "topic": form.topic.data,
                                     "dimension": form.dimension.data,
                                     "difficulty": form.difficulty.data,
                                     "page": form.page.data}, formdata=None)


@bp.route("/sets/<int:set_id>/copy", methods=["POST"])
@teachers
def set_copy(set_id: int):
    """Copy a set one may see (a colleague's shared set, or one's own) into one's own sets."""
    qset = require_set(set_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    copy = sets_services.copy_set(
        qset, current_user.id, qset.school_id,
        title=_("Copy of %(title)s", title=qset.title))
    flash(_("Copied. The copy is yours to change; the original stays as it was."))
    return redirect(url_for("schools.set_view", set_id=copy.id))


@bp.route("/sets/<int:set_id>/delete", methods=["POST"])
@teachers
def set_delete(set_id: int):
    qset = require_own_set(set_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    sets_services.delete_set(qset)
    flash(_("Set deleted. Games and homework made from it keep their questions."))
    return redirect(url_for("schools.sets"))
