"""The bank pages: the question list, one question, create and edit, the review steps."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from question_bank.schema import DIMENSIONS, GROUPS, STATUSES, TOPICS
from quizapp.access import roles_required
from quizapp.engine import clock
from quizapp.inputs import db_int
from quizapp.models import Question
from quizapp.questions import bp, services
from quizapp.questions.forms import QuestionForm
from quizapp.questions.labels import template_globals
from quizapp.shared.forms import ActionForm
from quizapp.timezone import to_local

admin_only = roles_required("admin")
reviewers = roles_required(*services.REVIEW_ROLES)
PER_PAGE = 30
DUE_SHOWN = 10  # the "due for review" box lists this many; the rest are one link away


@bp.context_processor
def _labels():
    return template_globals()


def _question_or_404(question_id: int) -> Question:
    question = services.get_question(question_id)
    if question is None:
        abort(404)
    return question


def _filters() -> services.QuestionFilter:
    args = request.args
    return services.QuestionFilter(
        q=args.get("q", "").strip()[:100],
        group=args.get("group", "") if args.get("group") in GROUPS else "",
        topic=args.get("topic", "") if args.get("topic") in TOPICS else "",
        dimension=args.get("dimension", "") if args.get("dimension") in DIMENSIONS else "",
        difficulty=args.get("difficulty", type=db_int)
        if args.get("difficulty") in ("1", "2", "3") else None,
        status=args.get("status", "") if args.get("status") in STATUSES else "",
        survey=args.get("survey", "") if args.get("survey") in ("yes", "no") else "",
        source=args.get("source", "") if args.get("source") in ("bank", "ui") else "",
        review_due=_today() if args.get("review") == "due" else None)


def _today():
    return to_local(clock.now()).date()


@bp.route("/")
@admin_only
def index():
    filters = _filters()
    listing = services.list_questions(filters, request.args.get("page", 1, type=db_int),
                                      PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    page = {"page": listing.page, "pages": listing.pages, "total": listing.total}
    return render_template("questions/index.html", rows=listing.rows, page=page,
                           filters=filters, args=args, counts=services.counts_by_status(),
                           due=services.reviews_due(_today(), DUE_SHOWN))


@bp.route("/<int:question_id>")
@admin_only
def view(question_id: int):
    question = _question_or_404(question_id)
    return render_template("questions/view.html", question=question,
                           versions=sorted(question.versions, key=lambda v: -v.version),
                           pending=services.pending_version(question), action_form=ActionForm(),
                           changed_here=services.changed_in_ui(question), wrote=services.wrote)


# --- create and edit -----------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@admin_only
def new():
    form = QuestionForm()
    if form.validate_on_submit():
        spec = form.spec(services.next_ui_code(form.topic.data), 1)
        if spec is not None:
            question = services.create_question(spec, by_user_id=current_user.id)
            flash(_("Saved as a draft. Review it, then activate it."))
            return redirect(url_for("questions.view", question_id=question.id))
    return render_template("questions/form.html", form=form, question=None)


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@admin_only
def edit(question_id: int):
    question = _question_or_404(question_id)
    latest = services.pending_version(question) or question.current
    form = QuestionForm()
    if question.source == "bank":
        form.keep_topic(latest.topic)  # a bank question's id names its topic
    if request.method == "GET":
        form.fill(latest, question.survey_reserved)
    if form.validate_on_submit():
        spec = form.spec(question.code, latest.version)
        if spec is not None:
            version = services.save_edit(question, spec, by_user_id=current_user.id)
            if spec.survey != question.survey_reserved:
                services.set_survey_reserved(question, spec.survey)
            if version.id != question.current_version_id:
                flash(_("Saved as a new draft version; the current version stays in use until "
                        "the new one is reviewed and activated."))
            else:
                flash(_("Saved."))
            return redirect(url_for("questions.view", question_id=question.id))
    return render_template("questions/form.html", form=form, question=question)


# --- review steps ------------------------------------------------------------------------------

STEP_REFUSALS = {
    "own_edit": lambda: _("You wrote this version: another person reviews and activates it."),
    "not_applicable": lambda: _("This step does not apply to this question."),
}


def _workflow(question_id: int, step) -> Response:
    question = _question_or_404(question_id)
    if ActionForm().validate_on_submit():
        refused = services.take_step(question, step)
        flash(STEP_REFUSALS[refused]() if refused else _("Saved."))
    return redirect(url_for("questions.view", question_id=question_id))


@bp.route("/<int:question_id>/versions/<int:version_id>/review", methods=["POST"])
@reviewers
def review(question_id: int, version_id: int):
    return _workflow(question_id, lambda q: services.review(
        q, services.version_of(q, version_id), by_user_id=current_user.id))


@bp.route("/<int:question_id>/versions/<int:version_id>/activate", methods=["POST"])
@reviewers
def activate(question_id: int, version_id: int):
    return _workflow(question_id, lambda q: services.activate(
        q, services.version_of(q, version_id), by_user_id=current_user.id))


@bp.route("/<int:question_id>/retire", methods=["GET", "POST"])
@admin_only
def retire(question_id: int):
    """Retiring is two steps: this page says what it does; only its own form retires."""
    if request.method == "POST":
        return _workflow(question_id, services.retire)
    question = _question_or_404(question_id)
    return render_template("questions/retire.html", question=question, action_form=ActionForm())


@bp.route("/<int:question_id>/survey", methods=["POST"])
@admin_only
def toggle_survey(question_id: int):
    return _workflow(question_id,
                     lambda q: services.set_survey_reserved(q, not q.survey_reserved))
