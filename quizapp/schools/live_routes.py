"""The teacher's live-game pages: a new game from a set, the projector page (lobby with join
code and QR code, question with countdown, reveal with how the room answered, boards, podium),
the game's controls and the projector's quick poll.

Every page is for teachers and admins, and every game is checked against the teacher's
schools (another school's game is a 404).
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.access import roles_required
from quizapp.engine import clock
from quizapp.inputs import db_int
from quizapp.schools import bp, live_lookup, live_players, live_state, live_views
from quizapp.schools.labels import GAME_ERRORS, GAME_STATE_LABELS, JOIN_ERRORS
from quizapp.schools.live_forms import (
    EXTEND_SECONDS,
    GAME_ACTIONS,
    ExtraTimeForm,
    NewGameForm,
)
from quizapp.schools.sets_access import require_set
from quizapp.schools.sets_services import playable_versions_or_none
from quizapp.shared.forms import ActionForm
from quizapp.shared.qr import qr_svg

TEACHERS = ("teacher", "admin")


def refuse(message: str):
    """A 400 page that says what was wrong with the request."""
    return render_template("errors/error.html", code=400, message=message), 400


@bp.route("/live/")
@roles_required(*TEACHERS)
def live_games():
    """The latest games of my schools."""
    return render_template("schools/live_games.html", games=live_lookup.my_games(),
                           states=GAME_STATE_LABELS)


@bp.route("/live/new", methods=["GET", "POST"])
@roles_required(*TEACHERS)
def live_new():
    """A new live game from a set: its options, then the lobby."""
    set_id = request.args.get("set_id", type=db_int)
    if set_id is None:
        flash(_("Choose a question set first, then start a live game from it."))
        return redirect(url_for("schools.live_games"))
    qset = require_set(set_id)
    versions = playable_versions_or_none(qset)
    form = NewGameForm()
    if request.method == "GET":
        form.title.data = qset.title
    if form.validate_on_submit():
        try:
            game = live_state.create_game(
                versions, title=form.title.data, school_id=qset.school_id,
                teacher_id=current_user.id, question_set_id=qset.id,
                seconds_per_question=form.seconds_per_question.data,
                speed_points=form.speed_points.data, team_count=form.team_count.data,
                calm=form.calm.data)
        except live_state.GameError as error:
            flash(str(GAME_ERRORS.get(error.code, error.code)))
        else:
            return redirect(url_for("schools.live_host", game_id=game.id))
    status = 400 if request.method == "POST" else 200
    return render_template("schools/live_new.html", form=form, qset=qset,
                           playable=len(versions)), status


@bp.route("/live/<int:game_id>")
@roles_required(*TEACHERS)
def live_host(game_id: int):
    """The projector page."""
    game = live_lookup.my_game(game_id)
    now = clock.now()
    live_state.tick(game, now)
    join_url = url_for("play.join", code=game.code, _external=True)
    return render_template(
        "schools/live_host.html", game=game, view=live_views.host_view(game, now),
        join_url=join_url, qr=qr_svg(join_url) if game.status == "lobby" else None,
        form=ActionForm(), extra_form=ExtraTimeForm(), extend_seconds=EXTEND_SECONDS,
        max_extra=live_players.MAX_EXTRA_SECONDS)


@bp.route("/live/<int:game_id>/state", endpoint="live_state")
@roles_required(*TEACHERS)
def live_state_json(game_id: int):
    """The projector's quick poll (about once a second): the state version, time left and
    how many answered, for the page to count down and to reload when the state changes."""
    game = live_lookup.my_game(game_id)
    now = clock.now()
    live_state.tick(game, now, by_answers=False)  # host_poll counts the answers
    response = jsonify(live_views.host_poll(game, now))
    response.cache_control.no_store = True
    return response


@bp.route("/live/<int:game_id>/action", methods=["POST"])
@roles_required(*TEACHERS)
def live_action(game_id: int):
    """One of the game's controls (start, close, reveal, next, skip, pause, resume, extend,
    end), as a form button; the page then shows where the game is."""
    game = live_lookup.my_game(game_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    action = GAME_ACTIONS.get(request.form.get("action", ""))
    if action is None:
        return refuse(_("Unknown game action."))
    now = clock.now()
    live_state.tick(game, now)
    try:
        if action == "extend":
            seconds = request.form.get("seconds", type=db_int)
            if seconds not in EXTEND_SECONDS:
                return refuse(_("Unknown game action."))
            live_state.extend(game, seconds, now)
        else:
            getattr(live_state, action)(game, now)
    except live_state.GameError as error:
        flash(str(GAME_ERRORS.get(error.code, error.code)))
    return redirect(url_for("schools.live_host", game_id=game.id))


@bp.route("/live/<int:game_id>/players/<int:player_id>", methods=["POST"])
@roles_required(*TEACHERS)
def live_player(game_id: int, player_id: int):
    """Remove a player, or give them extra time on every question."""
    game = live_lookup.my_game(game_id)
    player = live_lookup.game_player(game, player_id)
    what = request.form.get("do", "")
    if what == "remove":
        if not ActionForm().validate_on_submit():
            abort(400)
        live_players.remove_player(game, player.id)
        flash(_("%(name)s was removed from the game.", name=player.nickname))
    elif what == "extra":
        form = ExtraTimeForm()
        if not form.validate_on_submit():
            return refuse(_("Extra time is 0 to %(max)s seconds.",
                            max=live_players.MAX_EXTRA_SECONDS))
        try:
            live_players.set_extra_time(game, player.id, form.seconds.data)
        except live_players.JoinError as error:
            return refuse(str(JOIN_ERRORS.get(error.code, error.code)))
        flash(_("%(name)s has %(seconds)s extra seconds on every question.",
                name=player.nickname, seconds=form.seconds.data))
    else:
        return refuse(_("Unknown game action."))
    return redirect(url_for("schools.live_host", game_id=game.id) + "#players")
