"""The lookups the live-game pages make: a teacher's game (404 unless it is one of their
schools'), a set to play, a phone's seat (or the news that it was removed), the classes a
student may choose, and the list of a teacher's games."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import and_, select

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
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


@dataclass
class Phone:
    """What one phone's request needs, read in one query: the game, the seat (None when this
    phone has none, or was removed: ``removed``), the seat's attempt score (ALL its answers,
    revealed or not: live_views decides what may be shown) and its item of the game's current
    question."""

    game: LiveGame
    player: LivePlayer | None
    removed: bool
    attempt_score: float
    item: AttemptItem | None


def phone(token: str, secret: str | None) -> Phone:
    """The game of a phone's URL (404 if none) with the seat of its secret, in one query."""
    if len(token) > 64:
        abort(404)
    hashed = seat_hash(secret) if secret and len(secret) <= SEAT_SECRET_MAX else "-"
    row = db.session.execute(
        select(LiveGame, LivePlayer, Attempt.score, AttemptItem)
        .outerjoin(LivePlayer, and_(LivePlayer.game_id == LiveGame.id,
                                    LivePlayer.seat_hash == hashed))
        .outerjoin(Attempt, Attempt.id == LivePlayer.attempt_id)
        .outerjoin(AttemptItem, and_(AttemptItem.attempt_id == LivePlayer.attempt_id,
                                     AttemptItem.position == LiveGame.current_index))
        .where(LiveGame.token == token)
        .execution_options(populate_existing=True)).first()
    if row is None:
        abort(404)
    game, player, score, item = row
    if player is not None and player.removed:
        return Phone(game, None, True, 0.0, None)
    return Phone(game, player, False, float(score or 0), item)
