"""The lookups the live-game pages make: a teacher's game (404 unless it is one of their
schools'), a set to play, a phone's seat (or the news that it was removed), the classes a
student may choose, and the list of a teacher's games."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import (
    LiveGame,
    LivePlayer,
    SchoolClass,
)
from quizapp.schools.live_players import seat_hash
from quizapp.schools.ownership import my_school_ids, require_school

SEAT_SECRET_MAX = 100
RECENT_GAMES = 30


def my_game(game_id: int) -> LiveGame:
    """The game ``game_id`` if it belongs to one of the signed-in teacher's schools, else 404."""
    game = db.session.get(LiveGame, game_id)
    if game is None:
        abort(404)
    require_school(game.school_id)
    return game


def my_games() -> list[LiveGame]:
    """The latest games of the signed-in teacher's schools, newest first."""
    ids = my_school_ids()
    if not ids:
        return []
    return list(db.session.scalars(
        select(LiveGame).where(LiveGame.school_id.in_(ids))
        .order_by(LiveGame.created_at.desc(), LiveGame.id.desc()).limit(RECENT_GAMES)))


def game_by_token(token: str) -> LiveGame:
    """The game of a phone's URL, or 404."""
    if len(token) > 64:
        abort(404)
    game = db.session.scalar(select(LiveGame).where(LiveGame.token == token))
    if game is None:
        abort(404)
    return game


def find_seat(game: LiveGame, secret: str | None) -> tuple[LivePlayer | None, bool]:
    """The player a phone's secret sits in, and whether the teacher removed them."""
    if not secret or len(secret) > SEAT_SECRET_MAX:
        return None, False
    player = db.session.scalar(select(LivePlayer).where(
        LivePlayer.game_id == game.id, LivePlayer.seat_hash == seat_hash(secret)))
    if player is None:
        return None, False
    if player.removed:
        return None, True
    return player, False


def class_choices(game: LiveGame) -> list[tuple[int, str]]:
    """The classes of the game's school, as (id, label) for the join form."""
    classes = db.session.scalars(
        select(SchoolClass).where(SchoolClass.organisation_id == game.school_id)
        .order_by(SchoolClass.grade, SchoolClass.name))
    return [(c.id, f"{_('Grade %(grade)s', grade=c.grade)} {c.name}") for c in classes]


def game_player(game: LiveGame, player_id: int) -> LivePlayer:
    """A player of this game, or 404."""
    player = db.session.get(LivePlayer, player_id)
    if player is None or player.game_id != game.id:
        abort(404)
    return player
