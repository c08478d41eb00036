"""The self-completion questionnaire for respondents with an invitation code: public, no
account, one page at a time, every page a plain HTML form (no JavaScript needed).

``/survey/`` takes the code from the letter; ``/survey/<code>`` is the whole questionnaire:
it shows whatever comes next for that code (consent, the personal section, a section of
items, or the final submit), and every POST names the step it answers, so a stale tab or a
double submit is recognised instead of being applied twice.

Guessing codes: a look-up that finds no code counts against ``SURVEY_CODE_RATE_LIMIT``
(config.py: 10 a minute, 60 an hour; both pages together, per client address, in the same
Redis storage as the login limit); a respondent paging through a valid code never counts.
Unknown and malformed codes get the same answer, so the pages reveal nothing about which
codes exist.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from quizapp.access import public
from quizapp.extensions import limiter
from quizapp.surveys import invitations, labels, respond_bp
from quizapp.surveys.interviews import FieldworkRefused
from quizapp.surveys.invitations import CodeState
from quizapp.surveys.respond_forms import CodeForm, PageForm, ProfileForm

SEEN_KEY, SEEN_MAX = "survey_seen", 5


def _code_limit() -> str:
    return current_app.config["SURVEY_CODE_RATE_LIMIT"]


def _lookup_failed(response) -> bool:
    """Only look-ups that found no code count towards the limit."""
    return bool(g.get("survey_code_failed"))


code_limit = limiter.shared_limit(_code_limit, scope="survey-code", deduct_when=_lookup_failed)


def _user_agent() -> str:
    return request.headers.get("User-Agent", "")


def _message(kind: str, status: int, code: str = ""):
    return render_template("respond/message.html", kind=kind, code=code), status


@respond_bp.route("/", methods=["GET", "POST"])
@code_limit
@public
def enter():
    form = CodeForm()
    if form.validate_on_submit():
        found = invitations.lookup(form.code.data)
        if found.state is not CodeState.UNKNOWN:
            return redirect(url_for("respond.questionnaire", code=found.code))
        g.survey_code_failed = True
        form.code.errors.append(_("We could not find this invitation code. Please check the "
                                  "code on your letter and type it again."))
    status = 400 if form.is_submitted() else 200
    return render_template("respond/enter.html", form=form), status


@respond_bp.route("/<code>", methods=["GET", "POST"])
@code_limit
@public
def questionnaire(code: str):
    found = invitations.lookup(code)
    if found.state is CodeState.UNKNOWN:
        g.survey_code_failed = True
        return _message("unknown", 404)
    if found.state is CodeState.USED:
        return _message("used", 200)
    if found.state is CodeState.EXPIRED:
        return _message("expired", 410)
    invitation = found.invitation
    if request.method == "POST":
        return _answer(invitation, found.code)
    if code != found.code:
        return redirect(url_for("respond.questionnaire", code=found.code))
    invitations.mark_opened(invitation, _user_agent(), new_visit=_new_visit(invitation.id))
    return _show(invitation, found.code)


def _new_visit(invitation_id: int) -> bool:
    """Whether this browser session opens the code for the first time (a visit, or a
    resume); the session remembers the last few codes it opened."""
    seen = list(session.get(SEEN_KEY, []))
    if invitation_id in seen:
        return False
    session[SEEN_KEY] = [*seen[-(SEEN_MAX - 1):], invitation_id]
    return True


def _step(invitation) -> str:
    page = invitations.page_of(invitation)
    return "consent" if page is None else f"p{page}"


def _show(invitation, code: str, *, form=None, chosen=None, errors=None, problem=None,
          status: int = 200):
    """The page the respondent is on, with a fresh time stamp."""
    page = invitations.page_of(invitation)
    shown = invitations.questionnaire(invitation)
    common = dict(code=code, step=_step(invitation), shown_at=invitations.now_ms(),
                  page=page, pages=shown.pages, problem=problem)
    if page is None:
        return render_template("respond/consent.html", form=form or PageForm(),
                               **common), status
    if page == 0:
        if form is None:
            form = ProfileForm(invitations.township_choices(),
                               data=invitations.saved_profile(invitation))
        return render_template("respond/profile.html", form=form, **common), status
    if page > len(shown.sections):
        return render_template("respond/submit.html", form=form or PageForm(),
                               **common), status
    dimension, items = shown.sections[page - 1]
    if chosen is None:
        chosen = invitations.shown_choices(items, invitations.stored_answers(invitation))
    return render_template("respond/section.html", form=form or PageForm(), items=items,
                           dimension=labels.dimension(dimension), chosen=chosen,
                           errors=errors or {}, **common), status


def _answer(invitation, code: str):
    """One POST: the step it answers must be the step the code is on."""
    if request.form.get("step") != _step(invitation):
        flash(_("That page was already answered, perhaps in another window. "
                "Here is where you are now."))
        return redirect(url_for("respond.questionnaire", code=code))
    page = invitations.page_of(invitation)
    if page == 0:
        return _answer_profile(invitation, code)
    form = PageForm()
    if not form.validate_on_submit():
        abort(400)
    action = request.form.get("action")
    if page is None:
        if action == "accept":
            invitations.accept_consent(invitation)
            return redirect(url_for("respond.questionnaire", code=code))
        if action == "decline":
            invitations.decline_consent(invitation)
            return _message("declined", 200, code)
        abort(400)
    sections = len(invitations.questionnaire(invitation).sections)
    if page > sections:
        if action != "finish":
            abort(400)
        return _finish(invitation, code)
    return _answer_section(invitation, code, page, action, form)


def _answer_profile(invitation, code: str):
    form = ProfileForm(invitations.township_choices())
    if not form.validate_on_submit():
        return _show(invitation, code, form=form, status=400)
    problem = invitations.profile_problem(invitation, form.profile())
    if problem is not None:
        getattr(form, problem[0]).errors.append(problem[1])
        return _show(invitation, code, form=form, status=400)
    invitations.save_profile(invitation, form.profile(), form.shown.data)
    return redirect(url_for("respond.questionnaire", code=code))


MOVES = {"back": -1, "save": 0, "next": 1}


def _answer_section(invitation, code: str, page: int, action: str | None, form):
    if action not in MOVES:
        abort(400)
    _dimension, items = invitations.questionnaire(invitation).sections[page - 1]
    posted = {key: request.form.getlist(key) for key in request.form}
    chosen = invitations.posted_choices(items, posted)
    try:
        answers = invitations.parse_section(items, posted)
    except invitations.BadAnswer:
        return _show(invitation, code, form=form, chosen=chosen, status=400, problem=_(
            "An answer is not one of the choices shown. Please choose again."))
    missing = {vid for vid, answer in answers.items() if answer is None}
    if action == "next" and missing:
        return _show(invitation, code, form=form, chosen=chosen, errors=missing, status=400,
                     problem=_("Please answer every question, or choose “Don't know”."))
    invitations.save_section(invitation, page, answers, form.shown.data, move=MOVES[action])
    if action == "save":
        flash(_("Your answers are saved. You can close this page and continue later with "
                "your invitation code %(code)s.", code=code))
    elif action == "next" and invitations.page_of(invitation) > len(
            invitations.questionnaire(invitation).sections):
        return _finish(invitation, code)
    return redirect(url_for("respond.questionnaire", code=code))


def _finish(invitation, code: str):
    try:
        invitations.finish(invitation, _user_agent())
    except FieldworkRefused as error:
        return _show(invitation, code, problem=str(error), status=409)
    return redirect(url_for("respond.questionnaire", code=code))
