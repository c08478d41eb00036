"""The live game's state machine: one row in the database, changed by compare-and-set.

Every change is one ``UPDATE live_games ... WHERE id = :id AND status = :seen_status AND
state_version = :seen_version`` that also bumps ``state_version``: of two teachers' clicks (or
two workers ticking the clock) exactly one wins, the other gets :class:`GameError`
``conflict`` (or, for the clock, nothing happens). The row is the only shared state, so any
worker or server can serve any request.

:data:`TRANSITIONS` is the whole table (action → states it may start from → state it leads
to). ``next_question`` and ``skip`` lead to the next question, or to ``finished`` after the
last; ``resume`` goes back to the state the game was paused in.

Timing: a question opens for everyone at ``question_opened_at`` and closes at
``question_closes_at`` (plus each player's own extra time and the engine's grace). Pausing an
open question stops its clock (``paused_remaining_ms``); resuming moves both times forward by
the length of the pause, so answer times (speed points) do not count the pause. When a
question opens, the items of that question in every seated player's attempt are stamped
``shown_at``: a player who joins later has no stamp and cannot answer it (``late``).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from quizapp.engine import clock
from quizapp.engine.attempts import GRACE
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, LiveGame, LivePlayer, QuestionVersion

# action → (states it may start from, state it leads to). "next" means the next question
# (question_open) or finished after the last one; "back" the state the game was paused in.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({"lobby"}), "question_open"),
    "close_question": (frozenset({"question_open"}), "question_closed"),
    "reveal": (frozenset({"question_open", "question_closed"}), "revealed"),
    "next_question": (frozenset({"revealed"}), "next"),
    "skip": (frozenset({"question_open", "question_closed"}), "next"),
    "pause": (frozenset({"lobby", "question_open", "question_closed", "revealed"}), "paused"),
    "resume": (frozenset({"paused"}), "back"),
    "extend": (frozenset({"question_open"}), "question_open"),
    "end": (frozenset({"lobby", "question_open", "question_closed", "revealed", "paused"}),
            "finished"),
    "tick": (frozenset({"question_open"}), "question_closed"),
}

SECONDS_CHOICES = (10, 20, 30, 45, 60, 90, 120)
TEAM_COUNTS = (0, 2, 3, 4)
MAX_EXTEND_SECONDS = 300
CODE_TRIES = 20


class GameError(ValueError):
    """A game action that cannot happen; ``code`` says why: ``illegal`` (not from this
    state), ``conflict`` (someone changed the game first), ``invalid`` (bad option),
    ``empty`` (no questions)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


def new_code() -> str:
    """A random 6-digit join code (leading zeros allowed)."""
    return f"{secrets.randbelow(1_000_000):06d}"


def create_game(versions: list[QuestionVersion], *, title: str, school_id: int,
                teacher_id: int | None, question_set_id: int | None,
                seconds_per_question: int = 20, speed_points: bool = True, team_count: int = 0,
                calm: bool = False) -> LiveGame:
    """Open a game in the lobby with these question versions, in this order.

    The join code is unique among unfinished games (the database's partial unique index
    decides; a clash draws again).
    """
    if not versions:
        raise GameError("empty")
    if not 5 <= int(seconds_per_question) <= 600 or team_count not in TEAM_COUNTS:
        raise GameError("invalid")
    title = (title or "").strip()[:120]
    for _ in range(CODE_TRIES):
        game = LiveGame(
            token=secrets.token_urlsafe(16)[:22], code=new_code(), title=title,
            question_set_id=question_set_id, school_id=school_id, teacher_id=teacher_id,
            version_ids=[v.id for v in versions], seconds_per_question=int(seconds_per_question),
            speed_points=bool(speed_points), team_count=team_count, calm=bool(calm),
            created_at=clock.now())
        db.session.add(game)
        try:
            db.session.commit()
            return game
        except IntegrityError:
            db.session.rollback()
    raise GameError("conflict", "no free join code")


def _require(game: LiveGame, action: str) -> None:
    """Raise ``illegal`` unless the table allows ``action`` from the state the caller saw."""
    allowed, _ = TRANSITIONS[action]
    if game.status not in allowed:
        raise GameError("illegal", f"{action} from {game.status}")


def _cas(game: LiveGame, action: str, values: dict, *, quiet: bool = False) -> bool:
    """Apply ``values`` if the game is still in the state and version this request saw.

    Commits nothing: the caller adds the statements that belong with the change and commits.
    Returns False (after a rollback) when another request changed the game first; raises
    ``conflict`` for that unless ``quiet``.
    """
    _require(game, action)
    changed = db.session.execute(
        update(LiveGame)
        .where(LiveGame.id == game.id, LiveGame.status == game.status,
               LiveGame.state_version == game.state_version)
        .values(state_version=LiveGame.state_version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        db.session.refresh(game)
        if quiet:
            return False
        raise GameError("conflict")
    return True


def _done(game: LiveGame) -> LiveGame:
    db.session.commit()
    db.session.refresh(game)
    return game


def _game_attempt_ids(game_id: int):
    """The attempts of the game's seated (not removed) players, as a subquery."""
    return select(LivePlayer.attempt_id).where(
        LivePlayer.game_id == game_id, LivePlayer.removed.is_(False),
        LivePlayer.attempt_id.is_not(None))


def _open_values(game: LiveGame, index: int, now: datetime) -> dict:
    return {"status": "question_open", "current_index": index, "question_opened_at": now,
            "question_closes_at": now + timedelta(seconds=game.seconds_per_question),
            "paused_status": None, "paused_remaining_ms": None}


def _stamp_shown(game_id: int, index: int, now: datetime) -> None:
    """Mark question ``index`` shown to every seated player (those who can answer it)."""
    db.session.execute(
        update(AttemptItem)
        .where(AttemptItem.attempt_id.in_(_game_attempt_ids(game_id)),
               AttemptItem.position == index, AttemptItem.shown_at.is_(None))
        .values(shown_at=now).execution_options(synchronize_session=False))


def _finish_values(now: datetime) -> dict:
    return {"status": "finished", "finished_at": now, "paused_status": None,
            "paused_remaining_ms": None}


def _close_attempts(game_id: int, now: datetime) -> None:
    """The game is over: its players' attempts are finished (their scores stand)."""
    db.session.execute(
        update(Attempt)
        .where(Attempt.id.in_(_game_attempt_ids(game_id)), Attempt.status == "open")
        .values(status="finished", finished_at=now)
        .execution_options(synchronize_session=False))


def _advance(game: LiveGame, action: str, now: datetime) -> LiveGame:
    """Open the next question, or finish after the last one."""
    index = game.current_index + 1
    if index < game.question_count:
        _cas(game, action, _open_values(game, index, now))
        _stamp_shown(game.id, index, now)
    else:
        _cas(game, action, _finish_values(now))
        _close_attempts(game.id, now)
    return _done(game)


def start(game: LiveGame, now: datetime | None = None) -> LiveGame:
    """Lobby → the first question, open for everyone seated."""
    now = now or clock.now()
    _cas(game, "start", {**_open_values(game, 0, now), "started_at": now})
    _stamp_shown(game.id, 0, now)
    return _done(game)


def close_question(game: LiveGame, now: datetime | None = None) -> LiveGame:
    """Stop taking answers to the open question (before its time is up)."""
    _cas(game, "close_question", {"status": "question_closed"})
    return _done(game)


def reveal(game: LiveGame, now: datetime | None = None) -> LiveGame:
    """Show the answer (closing the question first if it is still open)."""
    _cas(game, "reveal", {"status": "revealed"})
    return _done(game)


def next_question(game: LiveGame, now: datetime | None = None) -> LiveGame:
    """After the reveal: the next question, or finished after the last."""
    return _advance(game, "next_question", now or clock.now())


def skip(game: LiveGame, now: datetime | None = None) -> LiveGame:
    """Leave the current question unrevealed and go on; it scores nothing for anyone.

    Answers are recorded under a share lock on the game row (``live_scoring.answer``), so an
    answer is either in before this change (and its points are taken back here) or refused.
    """
    now = now or clock.now()
    index = game.current_index
    _require(game, "skip")
    # Take back the points of the skipped question (the CAS below happens in this same
    # transaction, holding the game row, so no answer slips in between).
    ids = _game_attempt_ids(game.id)
    if index + 1 < game.question_count:
        _cas(game, "skip", _open_values(game, index + 1, now))
        _stamp_shown(game.id, index + 1, now)
    else:
        _cas(game, "skip", _finish_values(now))
    item_points = (select(func.coalesce(func.sum(AttemptItem.points), 0.0))
                   .where(AttemptItem.attempt_id == Attempt.id, AttemptItem.position == index)
                   .scalar_subquery())
    db.session.execute(
        update(Attempt).where(Attempt.id.in_(ids))
        .values(score=Attempt.score - item_points).execution_options(synchronize_session=False))
    db.session.execute(
        update(AttemptItem)
        .where(AttemptItem.attempt_id.in_(ids), AttemptItem.position == index)
        .values(points=0.0).execution_options(synchronize_session=False))
    if index + 1 >= game.question_count:
        _close_attempts(game.id, now)
    return _done(game)


def pause(game: LiveGame, now: datetime | None = None) -> LiveGame:
    """Freeze the game where it is; an open question's clock stops."""
    now = now or clock.now()
    values: dict = {"status": "paused", "paused_status": game.status}
    if game.status == "question_open" and game.question_closes_at is not None:
        remaining = (game.question_closes_at - now).total_seconds() * 1000
        values["paused_remaining_ms"] = max(int(remaining), 0)
    _cas(game, "pause", values)
    return _done(game)


def resume(game: LiveGame, now: datetime | None = None) -> LiveGame:
    """Back to the state the game was paused in; an open question keeps its time left."""
    now = now or clock.now()
    back = game.paused_status or "lobby"
    values: dict = {"status": back, "paused_status": None, "paused_remaining_ms": None}
    if back == "question_open" and game.question_closes_at is not None:
        remaining = timedelta(milliseconds=game.paused_remaining_ms or 0)
        closes = now + remaining
        shift = closes - game.question_closes_at
        values["question_closes_at"] = closes
        if game.question_opened_at is not None:
            values["question_opened_at"] = game.question_opened_at + shift
    _cas(game, "resume", values)
    return _done(game)


def extend(game: LiveGame, seconds: int, now: datetime | None = None) -> LiveGame:
    """Give the open question more time (1 to 300 seconds)."""
    if type(seconds) is not int or not 1 <= seconds <= MAX_EXTEND_SECONDS:
        raise GameError("invalid")
    _require(game, "extend")
    _cas(game, "extend", {
        "question_closes_at": game.question_closes_at + timedelta(seconds=seconds)})
    return _done(game)


def end(game: LiveGame, now: datetime | None = None) -> LiveGame:
    """End the game now (from any state but finished); the scores so far stand."""
    now = now or clock.now()
    _cas(game, "end", _finish_values(now))
    _close_attempts(game.id, now)
    return _done(game)


def max_extra_seconds(game: LiveGame) -> int:
    """The most extra time any seated player of the game has."""
    return int(db.session.scalar(
        select(func.coalesce(func.max(LivePlayer.extra_seconds), 0))
        .where(LivePlayer.game_id == game.id, LivePlayer.removed.is_(False))) or 0)


def latest_deadline(game: LiveGame, extra_seconds: int | None = None) -> datetime | None:
    """When the open question stops taking answers from everyone: its closing time plus the
    most extra time any seated player has (``extra_seconds`` if the caller knows it), plus
    the engine's grace."""
    if game.question_closes_at is None:
        return None
    if extra_seconds is None:
        extra_seconds = max_extra_seconds(game)
    return game.question_closes_at + timedelta(seconds=extra_seconds) + GRACE


_ANSWER_COUNTS = (
    select(func.count(AttemptItem.id), func.count(AttemptItem.answered_at))
    .join(LivePlayer, LivePlayer.attempt_id == AttemptItem.attempt_id)
    .where(LivePlayer.game_id == bindparam("game_id"), LivePlayer.removed.is_(False),
           AttemptItem.position == bindparam("index"), AttemptItem.shown_at.is_not(None)))


_ROOM_COUNTS = (
    select(func.count(LivePlayer.id), func.count(AttemptItem.shown_at),
           func.count(AttemptItem.answered_at))
    .select_from(LivePlayer)
    .outerjoin(AttemptItem, and_(AttemptItem.attempt_id == LivePlayer.attempt_id,
                                 AttemptItem.position == bindparam("index")))
    .where(LivePlayer.game_id == bindparam("game_id"), LivePlayer.removed.is_(False)))


def room_counts(game_id: int, index: int) -> tuple[int, int, int]:
    """(seated players, can answer, answered) for question ``index`` of game ``game_id``, in
    one query: the projector's once-a-second poll."""
    players, can, answered = db.session.execute(
        _ROOM_COUNTS, {"game_id": game_id, "index": index}).one()
    return int(players), int(can), int(answered)


def answer_counts(game_id: int, index: int) -> tuple[int, int]:
    """(answered, can answer) for question ``index`` of game ``game_id`` among seated
    players: a player who joined after the question opened cannot answer it and is not
    waited for."""
    can, answered = db.session.execute(
        _ANSWER_COUNTS, {"game_id": game_id, "index": index}).one()
    return int(answered), int(can)


def clock_may_close(game: LiveGame, now: datetime) -> bool:
    """Whether :func:`tick` by the clock could close the open question now (it has passed
    its own closing time; extra time may still keep it open): no query."""
    return (game.status == "question_open" and game.question_closes_at is not None
            and now > game.question_closes_at + GRACE)


def tick_by_clock(game_id: int, now: datetime) -> bool:
    """:func:`tick` by the clock for the game ``game_id`` (read here: the phones' lookups
    hold a copy of its row); True if this call closed the question."""
    game = db.session.get(LiveGame, game_id)
    return game is not None and tick(game, now, by_answers=False)


def close_answered(game_id: int, index: int) -> bool:
    """Close question ``index`` because everyone who can answer it has: once (a
    compare-and-set on the question still being open), committed. True if this call did."""
    changed = db.session.execute(
        update(LiveGame)
        .where(LiveGame.id == game_id, LiveGame.status == "question_open",
               LiveGame.current_index == index)
        .values(state_version=LiveGame.state_version + 1, status="question_closed")
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return changed == 1


def tick(game: LiveGame, now: datetime | None = None, *, by_clock: bool = True,
         by_answers: bool = True) -> bool:
    """The lazy clock: close the open question once everyone's time is up (``by_clock``) or
    everyone who can answer has (``by_answers``). The change happens at most once (the
    compare-and-set), a lost race changes nothing. Returns True if this call closed it.

    Phones' reads tick by the clock only, and that costs no query before the question's own
    closing time (extra time only comes after it): the "everyone answered" check runs after
    each recorded answer (``live_scoring.answer``) and on the projector's reads.
    """
    now = now or clock.now()
    if game.status != "question_open":
        return False
    due = False
    if by_clock and game.question_closes_at is not None \
            and now > game.question_closes_at + GRACE:
        deadline = latest_deadline(game)
        due = deadline is not None and now > deadline
    if not due and by_answers:
        answered, eligible = answer_counts(game.id, game.current_index)
        due = eligible > 0 and answered >= eligible
    if not due:
        return False
    if not _cas(game, "tick", {"status": "question_closed"}, quiet=True):
        return False
    _done(game)
    return True
