"""Seats in a live game: joining by code and nickname, finding the seat again, the teacher's
controls over players (remove, extra time), and the nickname rules.

A seat is found again by the SHA-256 of a secret the phone keeps (a cookie): a reload, a
closed tab or a phone waking from sleep sits down in the same seat with the same score. Each
seat answers through its own engine attempt (kind ``class_game``) holding the game's questions
in the game's order, each with its own option order.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
import unicodedata
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from quizapp.engine import clock
from quizapp.engine.attempts import build_attempt
from quizapp.extensions import db
from quizapp.models import Attempt, LiveGame, LivePlayer, QuestionVersion, SchoolClass

NICKNAME_MAX = 16
MAX_EXTRA_SECONDS = 120
DEFAULT_BLOCKED_FILE = Path(__file__).with_name("blocked_nicknames.txt")


class JoinError(ValueError):
    """A join or a player change that cannot happen; ``code`` says why: ``blocked`` (a word
    on the list), ``taken`` (nickname in use in this game), ``invalid`` (empty, too long,
    control characters), ``finished`` (the game is over), ``class`` (not a class of the
    game's school), ``removed`` (the teacher removed that player), ``not_found``."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


def find_game(code: str) -> LiveGame | None:
    """The unfinished game with this join code (spaces and full-width digits forgiven)."""
    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", code or ""))
    if not re.fullmatch(r"[0-9]{6}", code):
        return None
    return db.session.scalar(select(LiveGame).where(
        LiveGame.code == code, LiveGame.status != "finished"))


def nickname_key(nickname: str) -> str:
    """The form two nicknames must not share: NFKC (full-width 'Ａｂｃ' is 'Abc'), casefolded,
    without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", nickname)).casefold()


def clean_nickname(nickname: str) -> str:
    """The nickname as shown: NFKC, spaces at the ends removed, runs of spaces made one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", nickname or "")).strip()


_cache: dict[str, tuple[float, tuple[str, ...]]] = {}


def blocked_words() -> tuple[str, ...]:
    """The editable word list (one word a line, ``#`` starts a comment), in matching form.

    Read from ``BLOCKED_NICKNAMES_FILE`` (default: ``blocked_nicknames.txt`` beside this
    module); re-read when the file changes.
    """
    path = Path(current_app.config.get("BLOCKED_NICKNAMES_FILE") or DEFAULT_BLOCKED_FILE)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return ()
    cached = _cache.get(str(path))
    if cached is None or cached[0] != mtime:
        words = []
        for line in path.read_text(encoding="utf-8").splitlines():
            word = _matching_form(line.split("#", 1)[0])
            if word:
                words.append(word)
        cached = (mtime, tuple(words))
        _cache[str(path)] = cached
    return cached[1]


def _matching_form(text: str) -> str:
    """Letters and digits only, NFKC, casefolded: 'F.U-C K' matches 'fuck'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def nickname_problem(nickname: str) -> str | None:
    """Why this nickname cannot be used (``invalid`` or ``blocked``), or None if it can.

    Whether it is taken in a game is for :func:`join` to find out.
    """
    if not isinstance(nickname, str):
        return "invalid"
    shown = clean_nickname(nickname)
    if not shown or len(shown) > NICKNAME_MAX:
        return "invalid"
    if any(unicodedata.category(ch).startswith("C") for ch in shown):
        return "invalid"
    key = nickname_key(shown)
    if not key or len(key) > 24:
        return "invalid"
    matching = _matching_form(shown)
    if any(word in matching for word in blocked_words()):
        return "blocked"
    return None


def seat_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _smallest_team(game: LiveGame) -> int | None:
    if game.team_count <= 0:
        return None
    sizes = dict(db.session.execute(
        select(LivePlayer.team, func.count(LivePlayer.id))
        .where(LivePlayer.game_id == game.id, LivePlayer.removed.is_(False))
        .group_by(LivePlayer.team)).all())
    return min(range(game.team_count), key=lambda team: (sizes.get(team, 0), team))


def _game_versions(game: LiveGame) -> list[QuestionVersion]:
    by_id = {v.id: v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(game.version_ids)))}
    return [by_id[i] for i in game.version_ids]


def join(game: LiveGame, nickname: str, school_class_id: int | None,
         now: datetime | None = None) -> tuple[LivePlayer, str]:
    """Sit a new player down; returns the seat and the secret that finds it again.

    Late joiners are welcome in any unfinished state; they answer from the next question that
    opens (the one open when they join was stamped for the players already seated). In team
    mode a new player joins the smallest team (ties: the lowest number). The game row is
    locked while the seat is made, so joins and the opening of a question do not interleave
    and team sizes stay even.
    """
    problem = nickname_problem(nickname)
    if problem:
        raise JoinError(problem)
    shown = clean_nickname(nickname)
    key = nickname_key(shown)
    locked = db.session.execute(
        select(LiveGame.status).where(LiveGame.id == game.id).with_for_update()).scalar()
    if locked is None or locked == "finished":
        db.session.rollback()
        raise JoinError("finished")
    now = now or clock.now()  # read under the lock: after any opening it waited for
    classes = set(db.session.scalars(
        select(SchoolClass.id).where(SchoolClass.organisation_id == game.school_id)))
    if school_class_id is None:
        if classes:
            db.session.rollback()
            raise JoinError("class")
    elif school_class_id not in classes:
        db.session.rollback()
        raise JoinError("class")
    existing = db.session.scalar(select(LivePlayer).where(
        LivePlayer.game_id == game.id, LivePlayer.nickname_key == key))
    if existing is not None:
        db.session.rollback()
        raise JoinError("removed" if existing.removed else "taken")

    secret = secrets.token_urlsafe(24)
    hashed = seat_hash(secret)
    rng = random.Random(int(hashed[:16], 16))
    attempt = build_attempt(kind="class_game", versions=_game_versions(game), rng=rng,
                            started_at=now, deadline=None, label=f"live:{game.id}")
    player = LivePlayer(game_id=game.id, nickname=shown, nickname_key=key,
                        school_class_id=school_class_id, team=_smallest_team(game),
                        seat_hash=hashed, attempt=attempt, joined_at=now)
    db.session.add(player)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise JoinError("taken") from None
    return player, secret


def seat(game: LiveGame, secret: str | None) -> LivePlayer | None:
    """The player this secret sits in (not removed), or None."""
    if not secret or not isinstance(secret, str) or len(secret) > 100:
        return None
    return db.session.scalar(select(LivePlayer).where(
        LivePlayer.game_id == game.id, LivePlayer.seat_hash == seat_hash(secret),
        LivePlayer.removed.is_(False)))


def _player(game: LiveGame, player_id: int) -> LivePlayer:
    player = db.session.scalar(select(LivePlayer).where(
        LivePlayer.id == player_id, LivePlayer.game_id == game.id))
    if player is None:
        raise JoinError("not_found")
    return player


def _bump(game: LiveGame) -> None:
    """Phones waiting on this game wake up (their seat changed).

    Every writer locks the game row before the attempts (answers share-lock it first), so
    the order is the same everywhere and no two requests deadlock."""
    db.session.execute(update(LiveGame).where(LiveGame.id == game.id)
                       .values(state_version=LiveGame.state_version + 1)
                       .execution_options(synchronize_session=False))


def remove_player(game: LiveGame, player_id: int) -> LivePlayer:
    """The teacher removes a player: off the boards, the seat no longer answers, and the
    nickname cannot be taken again in this game. The attempt is voided (kept for audit)."""
    player = _player(game, player_id)
    if not player.removed:
        _bump(game)  # the game row first, as every writer does: no deadlock with answers
        player.removed = True
        if player.attempt_id is not None:
            db.session.execute(update(Attempt).where(Attempt.id == player.attempt_id)
                               .values(status="voided", void_reason="removed from live game",
                                       voided_at=clock.now())
                               .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(game)
    return player


def set_extra_time(game: LiveGame, player_id: int, seconds: int) -> LivePlayer:
    """Extra seconds on every question for this player (0 to 120)."""
    if type(seconds) is not int or not 0 <= seconds <= MAX_EXTRA_SECONDS:
        raise JoinError("invalid")
    player = _player(game, player_id)
    _bump(game)
    player.extra_seconds = seconds
    db.session.commit()
    db.session.refresh(game)
    return player
