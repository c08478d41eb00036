"""The lookups the live-game pages make: a teacher's game (404 unless it is one of their
schools'), a set to play, a phone's seat (or the news that it was removed), the classes a
student may choose, and the list of a teacher's games."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import and_, bindparam, select

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
from quizapp.shared.labels import class_label

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
    return [(c.id, class_label(c)) for c in classes]


def game_player(game: LiveGame, player_id: int) -> LivePlayer:
    """A player of this game, or 404."""
    player = db.session.get(LivePlayer, player_id)
    if player is None or player.game_id != game.id:
        abort(404)
    return player


@dataclass(frozen=True)
class Seat:
    """What the phone's pages read of a player: a copy, never expired by a commit."""

    id: int
    nickname: str
    team: int | None
    extra_seconds: int
    attempt_id: int | None = None


@dataclass(frozen=True)
class SeatItem:
    """What the phone's pages read of a player's item of the current question (a copy)."""

    option_order: list[int]
    shown_at: datetime | None
    answered_at: datetime | None
    choices: list[int] | None
    correct: bool | None
    points: float | None


@dataclass
class Phone:
    """What one phone's request needs, read in one query: the game (a copy of its row: see
    :func:`game_copy`), the seat (None when this phone has none, or was removed:
    ``removed``), the seat's attempt score (ALL its answers, revealed or not: live_views
    decides what may be shown) and its item of the game's current question."""

    game: LiveGame
    player: Seat | None
    removed: bool
    attempt_score: float
    item: SeatItem | None


_GAME_COLUMNS = tuple(LiveGame.__table__.columns)
_PHONE = (
    select(*_GAME_COLUMNS, LivePlayer.id.label("p_id"), LivePlayer.nickname.label("p_nickname"),
           LivePlayer.team.label("p_team"), LivePlayer.extra_seconds.label("p_extra"),
           LivePlayer.attempt_id.label("p_attempt"), LivePlayer.removed.label("p_removed"),
           Attempt.score.label("a_score"), AttemptItem.option_order.label("i_order"),
           AttemptItem.shown_at.label("i_shown"), AttemptItem.answered_at.label("i_answered"),
           AttemptItem.choices.label("i_choices"), AttemptItem.correct.label("i_correct"),
           AttemptItem.points.label("i_points"))
    .outerjoin(LivePlayer, and_(LivePlayer.game_id == LiveGame.id,
                                LivePlayer.seat_hash == bindparam("seat")))
    .outerjoin(Attempt, Attempt.id == LivePlayer.attempt_id)
    .outerjoin(AttemptItem, and_(AttemptItem.attempt_id == LivePlayer.attempt_id,
                                 AttemptItem.position == LiveGame.current_index))
    .where(LiveGame.token == bindparam("token")))


def game_copy(row) -> LiveGame:
    """A LiveGame made from a row holding its columns: in no session, so only read."""
    return LiveGame(**{column.key: row[column.key] for column in _GAME_COLUMNS})


def phone(token: str, secret: str | None) -> Phone:
    """The game of a phone's URL (404 if none) with the seat of its secret, in one query.

    Everything is copied out of the row (no ORM instances), so a commit later in the request
    expires nothing and costs no reload."""
    if len(token) > 64:
        abort(404)
    hashed = seat_hash(secret) if secret and len(secret) <= SEAT_SECRET_MAX else "-"
    row = db.session.execute(_PHONE, {"token": token, "seat": hashed}).mappings().first()
    if row is None:
        abort(404)
    game = game_copy(row)
    if row["p_id"] is None:
        return Phone(game, None, False, 0.0, None)
    if row["p_removed"]:
        return Phone(game, None, True, 0.0, None)
    player = Seat(row["p_id"], row["p_nickname"], row["p_team"], row["p_extra"],
                  row["p_attempt"])
    item = None if row["i_order"] is None else SeatItem(
        row["i_order"], row["i_shown"], row["i_answered"], row["i_choices"],
        row["i_correct"], row["i_points"])
    return Phone(game, player, False, float(row["a_score"] or 0), item)
