import ipaddress

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from quizapp.access import public
from quizapp.device import device_id
from quizapp.engine.attempts import AttemptError, current_item, owned_attempt, record_answer
from quizapp.engine.draw import DrawError
from quizapp.extensions import limiter
from quizapp.models.questions import GROUPS
from quizapp.practice import bp, services
from quizapp.security import set_cookie
from quizapp.shared.forms import ActionForm
from quizapp.shared.labels import GROUP_LABELS

GROUP_COOKIE = "kx_group"


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _attempt_or_404(token: str):
    attempt = owned_attempt(token, _user_id(), device_id())
    if attempt is None or attempt.kind != "practice":
        abort(404)
    return attempt


def _last_group() -> str | None:
    """The group this device chose last time, if any. Nothing is guessed for a new visitor:
    every group is offered alike, so no one is nudged away from their own."""
    remembered = request.cookies.get(GROUP_COOKIE)
    return remembered if remembered in GROUPS else None


@bp.route("/")
@public
def index():
    return render_template(
        "practice/index.html", groups=[(g, GROUP_LABELS[g]) for g in GROUPS],
        last_group=_last_group(), form=ActionForm(),
        unfinished=services.open_practice(_user_id(), device_id()),
        has_mistakes=bool(services.mistake_versions(_user_id(), device_id())))


def _practice_limit() -> str:
    return current_app.config["PRACTICE_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["PRACTICE_ADDRESS_RATE_LIMIT"]


def client_address() -> str:
    """The client's address as a rate-limit key: an IPv4 address as is, an IPv6 address by
    its /64 (a phone or a household is given a whole /64 and may change address within it)."""
    address = get_remote_address() or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"address:{address}"
    if parsed.version == 6:
        return f"address:{ipaddress.ip_network(f'{parsed}/64', strict=False)}"
    return f"address:{parsed}"


def _account() -> str:
    return f"account:{current_user.id}"


def _anonymous() -> bool:
    return not current_user.is_authenticated


# Practice shows the right answer after each question. Competition pools are never drawn in
# practice while open (quizapp.questions_pool); these limits keep a script from downloading
# the rest in minutes. They are keyed on what a client cannot shed: its account and its
# address (never the device cookie, which a script simply drops). Stored in Redis when
# REDIS_URL is set, so every worker counts together.
@bp.route("/start", methods=["POST"])
@limiter.limit(_practice_limit, key_func=_account, exempt_when=_anonymous)
@limiter.limit(_address_limit, key_func=client_address)
@public
def start():
    form = ActionForm()
    group = request.form.get("group", "")
    if not form.validate_on_submit() or group not in GROUPS:
        abort(400)
    try:
        attempt = services.start_practice(group, _user_id(), device_id())
    except DrawError:
        flash(_("There are no questions for this group yet."))
        return redirect(url_for("practice.index"))
    response = redirect(url_for("practice.question", token=attempt.token))
    set_cookie(response, GROUP_COOKIE, group, max_age=365 * 24 * 3600)
    return response


@bp.route("/mistakes", methods=["POST"])
@public
def mistakes():
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt = services.start_mistakes(_user_id(), device_id())
    if attempt is None:
        flash(_("No mistakes to practise. Well done!"))
        return redirect(url_for("practice.index"))
    return redirect(url_for("practice.question", token=attempt.token))


@bp.route("/<token>")
@public
def question(token: str):
    attempt = _attempt_or_404(token)
    item = current_item(attempt) if attempt.status == "open" else None
    if item is None:
        return redirect(url_for("practice.summary", token=token))
    return render_template("practice/question.html", attempt=attempt, item=item,
                           version=item.question_version, form=ActionForm(),
                           number=item.position + 1, total=attempt.question_count)


@bp.route("/<token>/answer", methods=["POST"])
@public
def answer(token: str):
    attempt = _attempt_or_404(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        position = int(request.form.get("position", ""))
        chosen = [int(v) for v in request.form.getlist("choice")]
        record_answer(attempt, position, chosen)
    except (ValueError, AttemptError) as error:
        if isinstance(error, AttemptError) and error.code == "closed":
            return redirect(url_for("practice.summary", token=token))
        if isinstance(error, AttemptError) and error.code == "not_current":
            flash(_("Please answer the question on your screen; "
                    "questions are answered one at a time, in order."))
        else:
            flash(_("Please choose an answer from the options shown."))
        return redirect(url_for("practice.question", token=token))
    return redirect(url_for("practice.feedback", token=token, position=position))


@bp.route("/<token>/feedback/<int:position>")
@public
def feedback(token: str, position: int):
    attempt = _attempt_or_404(token)
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None or item.answered_at is None:
        abort(404)  # the key is shown only after this item is answered
    return render_template("practice/feedback.html", attempt=attempt, item=item,
                           version=item.question_version,
                           done=attempt.status != "open")


@bp.route("/<token>/summary")
@public
def summary(token: str):
    attempt = _attempt_or_404(token)
    if attempt.status == "open":
        return redirect(url_for("practice.question", token=token))
    return render_template("practice/summary.html", attempt=attempt, form=ActionForm(),
                           has_mistakes=any(i.correct is False for i in attempt.items))
