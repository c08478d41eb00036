"""The students' live-game pages: join by code, then one page for the whole game.

No account: the seat is a secret in a cookie scoped to the game's own path (HttpOnly,
SameSite=Lax), so a reload, a closed tab or a phone waking up sits down in the same seat.
The game page is rendered on the server and works without JavaScript (it refreshes itself
every :data:`REFRESH_SECONDS` and answers are plain form posts); with JavaScript it listens to
``play.events`` (server-sent events, one per change of the game; ``play.state``'s long poll
where events do not get through) and swaps in the new content, and answers by ``fetch``.
"""

from __future__ import annotations

import time

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from werkzeug.exceptions import NotFound

from quizapp.access import public
from quizapp.engine import clock
from quizapp.inputs import db_int
from quizapp.schools import (
    live_lookup,
    live_players,
    live_push,
    live_scoring,
    live_state,
    live_views,
)
from quizapp.schools import play_bp as bp
from quizapp.schools.labels import GAME_ERRORS, JOIN_ERRORS
from quizapp.schools.live_forms import CodeForm, JoinForm
from quizapp.schools.live_watch import wait_for_change
from quizapp.security import set_cookie
from quizapp.shared.forms import ActionForm, choices

SEAT_COOKIE = "live_seat"
SEAT_COOKIE_SECONDS = 12 * 3600
REFRESH_SECONDS = 2  # the page refreshes itself this often without JavaScript
MAX_WAIT_SECONDS = 25
STREAM_SECONDS = 300  # a stream ends after this long; the browser reconnects by itself
HEARTBEAT_SECONDS = 15  # a comment this often keeps proxies from closing a quiet stream


def _join_form(game) -> JoinForm:
    form = JoinForm()
    form.school_class_id.choices = choices([(0, "—")] + live_lookup.class_choices(game))
    return form


def _phone(game_token: str, phone: live_lookup.Phone | None = None) -> live_lookup.Phone:
    """The game and this phone's seat in it (404 without a seat), the clock ticked (by the
    clock only: the "everyone answered" check runs after each answer)."""
    phone = phone or live_lookup.phone(game_token, request.cookies.get(SEAT_COOKIE))
    if phone.player is None:
        abort(404)
    now = clock.now()
    if live_state.clock_may_close(phone.game, now) and live_state.tick_by_clock(
            phone.game.id, now):
        phone = live_lookup.phone(game_token, request.cookies.get(SEAT_COOKIE))
        if phone.player is None:
            abort(404)
    return phone


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _state_body(phone: live_lookup.Phone, message: str | None = None) -> dict:
    """The phone's state: its view, with the screen rendered from it as "html"."""
    view = live_views.player_view(phone, clock.now())
    body = dict(view)
    body["html"] = render_template("schools/play_main.html", game=phone.game, view=view,
                                   form=ActionForm(), message=message)
    if message:
        body["message"] = message
    return body


def _state_json(phone: live_lookup.Phone, message: str | None = None):
    response = jsonify(_state_body(phone, message))
    _uncached(response, live_views.player_etag(phone))
    return response


def _uncached(response, etag: str):
    response.set_etag(etag, weak=True)
    response.cache_control.no_cache = True
    response.cache_control.private = True
    return response


@bp.route("/join", methods=["GET", "POST"])
@public
def join():
    """Join a game: a code (from the link or typed), a nickname and a class.

    A link or QR code with the code goes straight to the game's page, which seats a phone
    that already has a seat there (a rejoin) and asks the others for a nickname.
    """
    if request.method == "GET":
        code_form = CodeForm(request.args)
        if request.args.get("code") is None:
            return render_template("schools/play_join.html", code_form=code_form)
        game = live_players.find_game(request.args.get("code", "")) \
            if code_form.validate() else None
        if game is None:
            code_form.code.errors = [str(JOIN_ERRORS["not_found"])]
            return render_template("schools/play_join.html", code_form=code_form), 404
        return redirect(url_for("play.game", game_token=game.token))

    form = JoinForm()
    game = live_players.find_game(form.code.data or "")
    if game is None:
        code_form = CodeForm(request.form)
        code_form.code.errors = [str(JOIN_ERRORS["not_found"])]
        return render_template("schools/play_join.html", code_form=code_form), 404
    form = _join_form(game)
    if not form.validate_on_submit():
        return render_template("schools/play_seat.html", game=game, form=form), 400
    try:
        _player, secret = live_players.join(game, form.nickname.data,
                                            form.school_class_id.data or None)
    except live_players.JoinError as error:
        field = form.school_class_id if error.code == "class" else form.nickname
        field.errors = [*field.errors, str(JOIN_ERRORS.get(error.code, error.code))]
        return render_template("schools/play_seat.html", game=game, form=form), 400
    response = redirect(url_for("play.game", game_token=game.token))
    return set_cookie(response, SEAT_COOKIE, secret, max_age=SEAT_COOKIE_SECONDS,
                      path=url_for("play.game", game_token=game.token))


@bp.route("/play/<game_token>")
@public
def game(game_token: str):
    """The whole game on the phone (or the join form when this phone has no seat here)."""
    phone = live_lookup.phone(game_token, request.cookies.get(SEAT_COOKIE))
    game = phone.game
    if phone.removed:
        return render_template("schools/play_message.html", game=game,
                               message=str(JOIN_ERRORS["removed"])), 403
    if phone.player is None:
        if game.status == "finished":
            return render_template("schools/play_message.html", game=game,
                                   message=str(JOIN_ERRORS["finished"])), 404
        form = _join_form(game)
        form.code.data = game.code
        return render_template("schools/play_seat.html", game=game, form=form)
    phone = _phone(game_token, phone)
    view = live_views.player_view(phone, clock.now())
    return render_template("schools/play_game.html", game=phone.game, view=view,
                           form=ActionForm(), refresh=REFRESH_SECONDS)


@bp.route("/play/<game_token>/state")
@public
def state(game_token: str):
    """The phone's state as JSON. ``v``: the state version the phone has; ``wait``: seconds
    (at most 25) to wait for another one before answering with the same (a long poll).
    ``If-None-Match`` with the last ETag gets 304 when nothing changed (short polling)."""
    phone = _phone(game_token)
    known = request.args.get("v", type=db_int)
    wait = min(max(request.args.get("wait", 0, type=db_int) or 0, 0), MAX_WAIT_SECONDS)
    if known is not None and wait and phone.game.state_version == known:
        limit = live_views.wait_limit(phone.game, clock.now())
        wait_for_change(phone.game.id, known, wait if limit is None else min(wait, limit))
        phone = _phone(game_token)
    etag = live_views.player_etag(phone)
    if request.if_none_match.contains_weak(etag):
        # Nothing new for this phone: answered before any view is built.
        return _uncached(current_app.response_class(status=304), etag)
    return _state_json(phone)


@bp.route("/play/<game_token>/events")
@public
def events(game_token: str):
    """The phone's state as server-sent events: now, then once per change of the game (see
    live_push). The phone's script falls back to ``play.state`` long polls when no event
    arrives (a proxy that buffers)."""
    phone = _phone(game_token)

    def reread() -> live_lookup.Phone | None:
        try:
            return _phone(game_token)
        except NotFound:
            return None

    events = live_push.stream(
        phone, _state_body(phone), reread=reread, wait=wait_for_change, body=_state_body,
        wait_limit=lambda game: live_views.wait_limit(game, clock.now()),
        seconds=STREAM_SECONDS, heartbeat=HEARTBEAT_SECONDS, clock=time.monotonic)
    response = current_app.response_class(stream_with_context(events),
                                          mimetype="text/event-stream")
    # Proxies must pass each event on at once: no buffering (nginx), no compression.
    response.headers["Cache-Control"] = "no-cache, no-transform"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.route("/play/<game_token>/answer", methods=["POST"])
@public
def answer(game_token: str):
    """The player's answer to the open question (a form post, or a fetch asking for JSON)."""
    phone = _phone(game_token)
    if not ActionForm().validate_on_submit():
        abort(400)
    message = outcome = None
    try:
        position = int(request.form.get("position", ""))
        chosen = [int(value) for value in request.form.getlist("choice")]
        # The question the phone showed: an answer overtaken by the teacher's next click is
        # refused, never counted for the next question.
        outcome = live_scoring.answer(phone.game, phone.player, chosen, position=position)
    except ValueError as error:  # GameError is a ValueError, so is a bad number
        code = getattr(error, "code", "bad_choice")
        message = str(GAME_ERRORS.get(code, GAME_ERRORS["bad_choice"]))
    if _wants_json():
        if outcome is None or phone.item is None:
            return _state_json(_phone(game_token), message), 400
        # The answer taken (the script marks it on the screen it shows): no screen rendered,
        # the next change of the game arrives as an event.
        order = phone.item.option_order
        response = jsonify({"v": phone.game.state_version, "answer": {
            "position": outcome.position, "recorded": outcome.recorded,
            "chosen": sorted(order.index(c) for c in outcome.choices if c in order)}})
        response.cache_control.no_store = True
        return response
    if message:
        flash(message)
    return redirect(url_for("play.game", game_token=game_token))
