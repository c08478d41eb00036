"""Pushing a live game's changes to the phones of a room: the server-sent-events stream.

Each phone holds one ``play.events`` stream (``text/event-stream``) instead of asking again
after every change. When the teacher advances, the process's watcher (live_watch) wakes every
stream of the game; each sends one event with the phone's new state, the same JSON that
``play.state`` answers. Sixty phones waking for one change must not each query the database,
so a wake-up reads only what this process reads once per game and state version
(:func:`game_at` and :func:`room`): the game row and one row per seat (score, and the seat's
item of the current question). The database stays the one shared state; these are caches of
it keyed by ``state_version``, like live_cache.

The room's rows are read when the first stream of this process wakes for a version. While a
question is open answers arrive without a new version, so a row may be a moment old; only
the push that follows the change uses it (a phone's own answer reply and any reconnect read
the seat afresh), and a phone that somehow saw the question again can only be told its answer
is already in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import and_, bindparam, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, LiveGame, LivePlayer
from quizapp.schools import live_cache
from quizapp.schools.live_lookup import Phone, Seat, SeatItem, game_copy

MAX_GAMES = 1000
_games: dict[str, LiveGame] = {}

_ROOM = (
    select(LivePlayer.id, LivePlayer.nickname, LivePlayer.team, LivePlayer.extra_seconds,
           LivePlayer.attempt_id, Attempt.score, AttemptItem.option_order, AttemptItem.shown_at,
           AttemptItem.answered_at, AttemptItem.choices, AttemptItem.correct,
           AttemptItem.points)
    .join(Attempt, Attempt.id == LivePlayer.attempt_id)
    .outerjoin(AttemptItem, and_(AttemptItem.attempt_id == LivePlayer.attempt_id,
                                 AttemptItem.position == bindparam("index")))
    .where(LivePlayer.game_id == bindparam("game_id"), LivePlayer.removed.is_(False)))
_GAME = select(*LiveGame.__table__.columns).where(LiveGame.token == bindparam("token"))


def game_at(token: str, version: int) -> LiveGame | None:
    """The game of ``token`` at ``version`` or later, read once per process and version.

    The instance belongs to no session (a copy of the row): it is only read, never changed,
    and no commit of any request can expire it."""
    game = _games.get(token)
    if game is not None and game.state_version >= version:
        return game
    row = db.session.execute(_GAME, {"token": token}).mappings().first()
    if row is None:
        return None
    game = game_copy(row)
    if len(_games) >= MAX_GAMES:
        _games.clear()
    current = _games.get(token)
    if current is None or current.state_version < game.state_version:
        _games[token] = game
    return game


def room(game: LiveGame) -> dict[int, tuple[Seat, float, SeatItem | None]]:
    """Every seated player's row at the game's state version: ``{player id: (seat, attempt
    score, item of the current question or None)}``, one query per process and version."""

    def load() -> dict[int, tuple[Seat, float, SeatItem | None]]:
        rows = db.session.execute(_ROOM, {"game_id": game.id, "index": game.current_index})
        seats = {}
        for (pid, nickname, team, extra, attempt_id, score, order, shown, answered, choices,
             correct, points) in rows:
            item = None if order is None else SeatItem(order, shown, answered, choices,
                                                        correct, points)
            seats[pid] = (Seat(pid, nickname, team, extra, attempt_id), float(score or 0), item)
        return seats

    return live_cache.cached(game, "room", load)


def phone_at(token: str, player_id: int, version: int) -> Phone | None:
    """A phone's :class:`Phone` at ``version`` from this process's caches, or None when the
    seat is not among them (removed, or seated after the room was read): then read it."""
    game = game_at(token, version)
    if game is None:
        return None
    found = room(game).get(player_id)
    if found is None:
        return None
    seat, score, item = found
    return Phone(game, seat, False, score, item)


def event(name: str, body: dict[str, Any], event_id: int | None = None) -> str:
    """One server-sent event: its JSON on one line (json escapes every newline)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return f"{head}event: {name}\ndata: {data}\n\n"


def stream(first: Phone, first_body: dict, *, reread: Callable[[], Phone | None],
           wait: Callable[[int, int, float], int | None], body: Callable[[Phone], dict],
           wait_limit: Callable[[LiveGame], float | None], seconds: float,
           heartbeat: float, clock: Callable[[], float]) -> Iterator[str]:
    """The events of one phone's stream: its state now (``first_body``, of ``first``), then
    one per change of the game, comments as heartbeats, until the game is over, the seat is
    gone or ``seconds`` pass (the browser then reconnects with the last event's id).

    Call it before the response starts: only plain values are kept from ``first`` (the
    request's objects may be expired by a commit or detached by a wait), and the caches'
    copies stand for the game afterwards."""
    return _events(first.game.token, first.game.id, first.player.id, first_body,
                   reread=reread, wait=wait, body=body, wait_limit=wait_limit,
                   seconds=seconds, heartbeat=heartbeat, clock=clock)


def _events(token: str, game_id: int, player_id: int, sent: dict, *,
            reread: Callable[[], Phone | None], wait: Callable[[int, int, float], int | None],
            body: Callable[[Phone], dict], wait_limit: Callable[[LiveGame], float | None],
            seconds: float, heartbeat: float, clock: Callable[[], float]) -> Iterator[str]:
    yield "retry: 2000\n\n"
    yield event("state", sent, sent["v"])
    version = sent["v"]  # the last version handled (sent, or nothing new for this phone)
    ends = clock() + seconds
    while sent["status"] != "finished":
        left = ends - clock()
        if left <= 0:
            return
        game = game_at(token, version)
        limit = wait_limit(game) if game is not None else None
        timeout = min(heartbeat, left, limit if limit is not None else heartbeat)
        changed = wait(game_id, version, timeout)
        if changed is None and (limit is None or limit > timeout):
            yield ": ping\n\n"
            continue
        # A new version (from the caches), or the question's time is up: reading the seat
        # then ticks the lazy clock.
        found = (phone_at(token, player_id, changed) if changed is not None else None) \
            or reread()
        if found is None:
            yield event("gone", {})
            return
        if found.game.state_version <= version:
            continue  # nothing new (the clock did not close the question)
        version = found.game.state_version
        if unchanged_for(found, sent):
            continue
        sent = body(found)
        yield event("state", sent, sent["v"])


def unchanged_for(phone: Phone, sent: dict) -> bool:
    """Whether the phone's screen stays as it is: a question closing for a player who has
    answered it still says "answer received" (a third of a game's events saved)."""
    return (phone.game.status == "question_closed" and sent["status"] == "question_open"
            and phone.item is not None and phone.item.answered_at is not None
            and sent.get("question") is not None
            and sent["question"]["position"] == phone.game.current_index)
