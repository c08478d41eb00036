from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.access import login_required, public
from quizapp.competitions import board_page, bp, entry, services, timing
from quizapp.competitions.forms import RegistrationForm
from quizapp.device import device_id
from quizapp.engine import answering, boards, clock
from quizapp.engine.attempts import (
    AttemptError,
    close_attempt,
    close_if_overdue,
    close_overdue,
    current_item,
    owned_attempt,
)
from quizapp.inputs import db_int
from quizapp.reference_data import list_organisations, list_townships
from quizapp.shared.forms import ActionForm, choices
from quizapp.shared.labels import class_label

ATTEMPT_MESSAGES = {
    "not_open": lambda: _("The competition is not open now."),
    "daily_limit": lambda: _("You have used today's attempts. Come back tomorrow."),
    "already_done": lambda: _("You have already taken part: one attempt per person."),
    "no_questions": lambda: _("This competition has no questions yet. Please tell the organiser."),
    "closed": lambda: _("This attempt is already finished."),
    "time_up": lambda: _("Time is up: that answer came too late and was not counted."),
    "unknown_item": lambda: _("That question is not part of your attempt."),
    "bad_choice": lambda: _("Please choose an answer from the options shown."),
    "not_current": lambda: _("Please answer the question on your screen; "
                             "questions are answered one at a time, in order."),
}
REGISTRATION_MESSAGES = {
    "required": lambda: _("This field is required."),
    "invalid": lambda: _("Please check this value."),
    "other_township": lambda: _("This organisation belongs to another township."),
    "closed": lambda: _("The competition has closed."),
    "locked": lambda: _("Your township and organisation cannot change after you have a score."),
    "class_locked": lambda: _("Your class cannot change after you have a score."),
    "already_registered": lambda: _("Your account already has its own registration; "
                                    "the two are kept apart."),
    "nothing": lambda: _("This device has no registration to link."),
}


# The form field that shows a problem with each registration field.
REGISTRATION_FIELDS = {"township": "township_id", "organisation": "organisation_id",
                       "school_class": "school_class_id"}


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _competition_or_404(slug: str):
    competition = services.by_slug(slug)
    if competition is None or not competition.published:
        abort(404)
    return competition


def _network_or_404(slug: str):
    """A published network competition (homework contests have no public board: their
    teacher's class board is theirs)."""
    competition = _competition_or_404(slug)
    if competition.kind != "network":
        abort(404)
    return competition


def _attempt_or_404(token: str):
    attempt = owned_attempt(token, _user_id(), device_id())
    if attempt is None or attempt.kind != "competition":
        abort(404)
    return attempt


def board_request(competition) -> tuple[str, int | None, int | None]:
    """The board view, round and page asked for in the query string (404 for a foreign
    round; a page out of range is clamped)."""
    view = request.args.get("view", "people")
    if view not in boards.BOARD_VIEWS:
        view = "people"
    round_id = request.args.get("round", type=db_int)
    if round_id is not None and round_id not in {r.id for r in competition.rounds}:
        abort(404)
    return view, round_id, request.args.get("page", type=db_int)


def _registration_form(competition) -> RegistrationForm:
    form = RegistrationForm()
    form.township_id.choices = choices(
        [(0, "—")] + [(t.id, t.name) for t in list_townships(include_inactive=False)])
    form.organisation_id.choices = choices(
        [(0, "—")] + [(o.id, f"{o.township.name} · {o.name}") for o in list_organisations()
                      if o.active])
    form.school_class_id.choices = choices(
        [(0, "—")] + [(c.id, class_label(c)) for c in services.class_choices(competition)])
    return form


def _detail_page(competition, participant, form, status: int = 200, prefilled: bool = False):
    """The competition's page: rules, registration, start or resume; a refused registration
    shows the form open with its problems."""
    return render_template(
        "competitions/detail.html", competition=competition, participant=participant,
        form=form, action_form=ActionForm(), state=services.window_state(competition),
        round=services.current_round(competition), prefilled=prefilled,
        open_attempt=participant and services.open_attempt(participant),
        availability=participant and entry.availability(competition, participant),
        me=participant and boards.rank_of(competition, participant.id),
        linkable=status == 200 and services.linkable_registration(
            competition, _user_id(), device_id())), status


@bp.route("/competitions/")
@public
def index():
    return render_template("competitions/index.html",
                           competitions=services.visible_competitions(),
                           state=services.window_state)


@bp.route("/competitions/<slug>", methods=["GET"])
@public
def detail(slug: str):
    competition = _competition_or_404(slug)
    participant = services.find_participant(competition, _user_id(), device_id())
    form = _registration_form(competition)
    known = participant or entry.remembered_details(_user_id(), device_id())
    if known is not None:
        form.name.data = known.name
        form.township_id.data = known.township_id or 0
        form.organisation_id.data = known.organisation_id or 0
    if participant is not None:
        form.school_class_id.data = participant.school_class_id or 0
    return _detail_page(competition, participant, form,
                        prefilled=participant is None and known is not None)


@bp.route("/competitions/<slug>/link-device", methods=["POST"])
@login_required
def link_device(slug: str):
    """Link this device's anonymous registration to the signed-in account, on request."""
    competition = _competition_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.link_device_registration(competition, _user_id(), device_id())
    except services.RegistrationError as error:
        flash(REGISTRATION_MESSAGES[error.code]())
    else:
        flash(_("This device's registration, attempts and scores are now your account's."))
    return redirect(url_for("competitions.detail", slug=slug))


@bp.route("/competitions/<slug>/register", methods=["POST"])
@public
def register(slug: str):
    competition = _competition_or_404(slug)
    form = _registration_form(competition)
    form_valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        abort(400)
    values = {"user_id": _user_id(), "device_id": device_id(), "name": form.name.data or "",
              "township_id": form.township_id.data or None,
              "organisation_id": form.organisation_id.data or None,
              "phone": form.phone.data or "",
              "school_class_id": form.school_class_id.data or None}
    if form_valid:
        try:
            services.register(competition, ip=request.remote_addr, **values)
        except services.RegistrationError as error:
            problems = error.problems
        else:
            flash(_("You are registered. Good luck!"))
            return redirect(url_for("competitions.detail", slug=slug))
    else:  # the form's own errors, and the rules' too: all at once
        problems = services.registration_problems(competition, **values)
    for field, code in problems:
        target = getattr(form, REGISTRATION_FIELDS.get(field, field))
        if not target.errors:
            target.errors = [*target.errors, REGISTRATION_MESSAGES[code]()]
    participant = services.find_participant(competition, _user_id(), device_id())
    return _detail_page(competition, participant, form, 400)


@bp.route("/competitions/<slug>/start", methods=["POST"])
@public
def start(slug: str):
    competition = _competition_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    participant = services.find_participant(competition, _user_id(), device_id())
    if participant is None:
        flash(_("Please register first."))
        return redirect(url_for("competitions.detail", slug=slug))
    try:
        attempt = services.start_attempt(competition, participant, ip=request.remote_addr,
                                         device_id=device_id())
    except AttemptError as error:
        flash(ATTEMPT_MESSAGES[error.code]())
        return redirect(url_for("competitions.detail", slug=slug))
    return redirect(url_for("competitions.attempt", token=attempt.token))


def _question_page(competition, attempt, item, version, now, review=None, review_version=None,
                   template: str = "competitions/question.html") -> str:
    """The page (or, for ``competitions/_step.html``, the part of it) showing ``item``."""
    question_clock = timing.question_clock(attempt, item, competition.seconds_per_question, now)
    if question_clock is None or question_clock.ends_attempt:
        next_url = url_for("competitions.result", token=attempt.token)
    else:
        next_url = url_for("competitions.attempt", token=attempt.token,
                           next=timing.going_on_after(item, attempt))
    return render_template(
        template, competition=competition, attempt=attempt, item=item, version=version,
        form=ActionForm(), clock=question_clock, next_url=next_url, number=item.position + 1,
        total=attempt.question_count, review=review, review_version=review_version)


@bp.route("/competitions/attempt/<token>")
@public
def attempt(token: str):
    now = clock.now()
    found = answering.owned_competition_attempt(answering.read_on_screen(token), _user_id(),
                                                device_id())
    if found is not None:  # the usual case: one read, nothing written
        facts, item = found
        competition = answering.competition_facts(facts.competition_id)
        if competition is not None and answering.on_screen(
                facts, item, competition.seconds_per_question, now):
            review = review_version = None
            answered = request.args.get("answered", type=db_int)
            if competition.reveal == "after_item" and answered is not None:
                _, review, _ = answering.read_for_answer(token, answered)
                if review is not None and review.answered_at is None:
                    review = None
                review_version = review and answering.version_facts(review.question_version_id,
                                                                   facts.competition_id)
            return _question_page(competition, facts, item,
                                  answering.version_facts(item.question_version_id,
                                                          facts.competition_id), now,
                                  review, review_version)
    return _attempt_page(token, now)


def _attempt_page(token: str, now):
    """The question page the general way: the first question (its clock starts now), the
    时间到 step, an overdue or closed attempt."""
    attempt = _attempt_or_404(token)
    competition = attempt.competition
    close_if_overdue(attempt, now)
    if attempt.status != "open":
        return redirect(url_for("competitions.result", token=token))
    step = timing.time_up_step(attempt, competition.seconds_per_question, now,
                               request.args.get("next"))
    if step is not None:  # the question on screen ran out of time: say so before going on
        return render_template(
            "competitions/time_up.html", competition=competition, attempt=attempt, step=step,
            next_url=url_for("competitions.attempt", token=token, next=step.going_on))
    item = current_item(attempt, competition.seconds_per_question, now)
    if item is None:  # every question answered or timed out
        close_attempt(attempt, "finished", now)
        return redirect(url_for("competitions.result", token=token))
    review = services.item_review(competition, attempt, request.args.get("answered", type=db_int))
    return _question_page(competition, attempt, item, item.question_version, now, review,
                          review and review.question_version)


def _wants_json() -> bool:
    """The page's script asks for the next question as JSON (static/js/quiz.js)."""
    return request.accept_mimetypes.best == "application/json"


def _go(url: str):
    return jsonify(redirect=url) if _wants_json() else redirect(url)


@bp.route("/competitions/attempt/<token>/answer", methods=["POST"])
@public
def answer(token: str):
    """Record an answer in one read and one transaction (quizapp.engine.answering); with
    JavaScript the reply carries the feedback and the next question, without it the browser
    is sent on to the next question's page."""
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt_url = url_for("competitions.attempt", token=token)
    try:
        position = int(request.form.get("position", ""))
        chosen = [int(value) for value in request.form.getlist("choice")]
    except ValueError:
        position, chosen = None, None
    found = answering.owned_competition_attempt(
        answering.read_for_answer(token, position if position is not None
                                  and 0 <= position < 10_000 else -1),
        _user_id(), device_id())
    if found is None:
        abort(404)
    if chosen is None:
        flash(ATTEMPT_MESSAGES["bad_choice"]())
        return _go(attempt_url)
    facts, item, following = found
    competition = answering.competition_facts(facts.competition_id)
    if competition is None:
        abort(404)
    try:
        done = answering.answer(facts, item, following, chosen, competition)
    except AttemptError as error:
        code = error.code
        if code == "overdue":
            close_if_overdue(_attempt_or_404(token))
            code = "time_up"
        flash(ATTEMPT_MESSAGES[code]())
        return _go(attempt_url)
    result_url = url_for("competitions.result", token=token)
    if not _wants_json():
        return redirect(result_url if done.finished and done.recorded
                        else url_for("competitions.attempt", token=token, answered=position))
    if done.finished and done.recorded:
        return jsonify(redirect=result_url)
    if not done.recorded or done.next_item is None:
        return jsonify(redirect=attempt_url)
    show_review = competition.reveal == "after_item"
    html = _question_page(
        competition, facts, done.next_item,
        answering.version_facts(done.next_item.question_version_id, facts.competition_id),
        clock.now(),
        done.item if show_review else None,
        answering.version_facts(done.item.question_version_id, facts.competition_id)
        if show_review else None,
        template="competitions/_step.html")
    return jsonify(recorded=True, position=done.next_item.position, html=html)


@bp.route("/competitions/attempt/<token>/result")
@public
def result(token: str):
    attempt = _attempt_or_404(token)
    competition = attempt.competition
    close_if_overdue(attempt)
    if attempt.status == "open":
        return redirect(url_for("competitions.attempt", token=token))
    return render_template(
        "competitions/result.html", competition=competition, attempt=attempt,
        reveal=services.may_reveal(competition, attempt),
        me=boards.rank_of(competition, attempt.participant_id),
        round_me=attempt.round_id and boards.rank_of(competition, attempt.participant_id,
                                                     attempt.round_id))


@bp.route("/competitions/<slug>/board")
@public
def board(slug: str):
    competition = _network_or_404(slug)
    close_overdue(competition_id=competition.id)
    view, round_id, page = board_request(competition)
    participant = services.find_participant(competition, _user_id(), device_id())
    return render_template(
        "competitions/board.html", competition=competition, admin_view=False,
        board=board_page.build(competition, view, round_id, page, participant))
