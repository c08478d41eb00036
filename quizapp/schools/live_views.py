"""What a live game sends to phones and to the projector: the only two doors out.

:func:`player_view` and :func:`host_view` build plain dicts; the pages are rendered from them
and the JSON answers are them, so what the HTML shows and what the JSON carries cannot differ.
The rule they keep: **before a question is revealed nothing about its answer leaves the
server** — no key, no explanation, no correctness of anyone's answer, not even as a score that
went up. A player's score and rank count only revealed questions (:func:`revealed_through`);
the boards are shown only once the current question is revealed (or the game is over).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import LiveGame, LivePlayer, QuestionVersion, SchoolClass
from quizapp.schools import live_cache, live_scoring
from quizapp.schools.labels import GAME_STATE_LABELS, team_label
from quizapp.schools.live_lookup import Phone
from quizapp.schools.live_state import (
    close_answered,
    latest_deadline,
    max_extra_seconds,
    room_counts,
)
from quizapp.shared.labels import class_label

BOARD_ROWS = 10  # leaderboard rows on the projector
PHONE_BOARD_ROWS = 5


def effective_status(game: LiveGame) -> str:
    """The state whose content is on screen: a paused game shows what it was paused in."""
    if game.status == "paused":
        return game.paused_status or "lobby"
    return game.status


def revealed_through(game: LiveGame) -> int:
    """The index of the last question whose answer the room may know (-1: none yet).

    While a question is open or closed-but-not-revealed, its answers (and the points they
    earned) stay on the server; after the game every answer may be known.
    """
    if game.status == "finished":
        return game.question_count - 1
    shown = effective_status(game)
    if shown == "revealed":
        return game.current_index
    if shown in ("question_open", "question_closed"):
        return game.current_index - 1
    return -1


def _boards_visible(game: LiveGame) -> bool:
    return revealed_through(game) == game.current_index and game.current_index >= 0


@dataclass(frozen=True)
class Version:
    """What the screens show of one question version (a copy: cached across requests)."""

    stem: str
    type: str
    options: tuple[str, ...]
    answer: tuple[int, ...]
    explanation: str
    authority: str


def option_labels(version: Version | QuestionVersion) -> list[str]:
    """The options' texts in ORIGINAL order (true/false: True, False)."""
    if version.type == "true_false":
        return [_("True"), _("False")]
    return list(version.options)


def _version(game: LiveGame, index: int) -> Version:
    def load() -> Version:
        row = db.session.get(QuestionVersion, game.version_ids[index])
        return Version(stem=row.stem, type=row.type, options=tuple(row.options or ()),
                       answer=tuple(row.answer or ()), explanation=row.explanation or "",
                       authority=row.authority or "")

    return live_cache.cached(game, f"version:{index}", load)


def _seconds_left(deadline: datetime | None, now: datetime) -> int | None:
    if deadline is None:
        return None
    return max(int((deadline - now).total_seconds() + 0.999), 0)


def _game_part(game: LiveGame) -> dict[str, Any]:
    status = game.status
    return {
        "v": game.state_version, "status": status, "shown": effective_status(game),
        "status_label": str(GAME_STATE_LABELS.get(status, status)),
        "title": game.title, "number": game.current_index + 1 if game.current_index >= 0
        else None, "count": game.question_count, "calm": game.calm,
        "speed_points": game.speed_points, "team_mode": game.team_count > 0,
    }


def _leaderboard(game: LiveGame) -> list[live_scoring.BoardRow]:
    """The leaderboard, once per state version: only while the boards are visible (no
    answer can change it then; removing a player bumps the version)."""
    return live_cache.cached(game, "board", lambda: live_scoring.leaderboard(game))


def _board_rows(board: list[live_scoring.BoardRow], limit: int) -> list[dict[str, Any]]:
    return [{"rank": row.rank, "player_id": row.player_id, "nickname": row.nickname,
             "team": team_label(row.team), "score": row.score} for row in board[:limit]]


def _team_rows(game: LiveGame, board: list[live_scoring.BoardRow]) -> list[dict[str, Any]]:
    return [{"rank": row.rank, "team": team_label(row.team), "members": row.members,
             "mean": row.mean, "total": row.total}
            for row in live_scoring.team_board(game, board)]


def _podium(game: LiveGame, board: list[live_scoring.BoardRow]) -> list[dict[str, Any]]:
    rows = live_scoring.podium(game, board)
    if game.team_count > 0:
        return [{"rank": row.rank, "name": team_label(row.team), "score": row.mean}
                for row in rows]
    return [{"rank": row.rank, "name": row.nickname, "score": row.score} for row in rows]


# --- the phone ----------------------------------------------------------------------------


def shown_score(phone: Phone) -> int:
    """The player's score as the room may know it: the attempt's score without the points of
    the current question while it is not revealed (every other question is either revealed
    or not answered yet)."""
    score = phone.attempt_score
    game, item = phone.game, phone.item
    if revealed_through(game) < game.current_index and item is not None:
        score -= item.points or 0
    return int(round(score))


def player_etag(phone: Phone) -> str:
    """What makes one player's view differ from the last one they saw (not the seconds
    left, which the phone counts down itself): computed before the view is built, so that a
    304 costs one query."""
    answered = phone.item is not None and phone.item.answered_at is not None \
        and phone.game.current_index >= 0
    return f"{phone.game.state_version}-{phone.player.id}-{int(answered)}-{shown_score(phone)}"


def player_view(phone: Phone, now: datetime) -> dict[str, Any]:
    """Everything a player's phone may know now (see the module docstring)."""
    game, player, item = phone.game, phone.player, phone.item
    view: dict[str, Any] = {
        **_game_part(game),
        "me": {"player_id": player.id, "nickname": player.nickname,
               "team": team_label(player.team), "score": shown_score(phone), "rank": None,
               "extra_seconds": player.extra_seconds},
        "question": None, "reveal": None, "board": None, "podium": None,
    }
    index = game.current_index
    shown = game.status  # a paused phone shows only that it is paused
    if shown in ("question_open", "question_closed", "revealed") and item is not None \
            and index >= 0:
        version = _version(game, index)
        labels = option_labels(version)
        answered = item.answered_at is not None
        question = {
            "position": index, "stem": version.stem, "type": version.type,
            "options": [labels[original] for original in item.option_order],
            "answered": answered,
            "chosen": sorted(item.option_order.index(c) for c in item.choices or []
                             if c in item.option_order) if answered else [],
            "late": item.shown_at is None, "seconds_left": None, "can_answer": False,
        }
        if shown == "question_open":
            # Shown without the engine's grace, which is for answers already on their way.
            question["seconds_left"] = _seconds_left(
                game.question_closes_at
                and game.question_closes_at + timedelta(seconds=player.extra_seconds), now)
            question["can_answer"] = (not answered and item.shown_at is not None
                                      and (question["seconds_left"] or 0) > 0)
        view["question"] = question
        if shown == "revealed":
            view["reveal"] = {
                "correct_options": sorted(item.option_order.index(o) for o in version.answer),
                "result": "right" if item.correct else ("wrong" if answered else "none"),
                "points": int(item.points or 0), "explanation": version.explanation,
                "authority": version.authority,
            }
    board = None
    if _boards_visible(game) and game.status != "paused":
        board = _leaderboard(game)
        mine = next((row for row in board if row.player_id == player.id), None)
        if mine is None:  # joined after the board was cached: read it again
            board = live_scoring.leaderboard(game)
            mine = next((row for row in board if row.player_id == player.id), None)
        view["me"]["rank"] = mine.rank if mine else None
        view["me"]["of"] = len(board)
        view["board"] = _board_rows(board, PHONE_BOARD_ROWS)
        if game.team_count > 0:
            view["teams"] = _team_rows(game, board)
    if game.status == "finished":
        view["podium"] = _podium(game, board if board is not None else _leaderboard(game))
    return view


# --- the projector ------------------------------------------------------------------------


def _players(game: LiveGame) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(LivePlayer, SchoolClass)
        .outerjoin(SchoolClass, SchoolClass.id == LivePlayer.school_class_id)
        .where(LivePlayer.game_id == game.id, LivePlayer.removed.is_(False))
        .order_by(LivePlayer.joined_at, LivePlayer.id))
    return [{"id": p.id, "nickname": p.nickname, "team": team_label(p.team),
             "extra_seconds": p.extra_seconds,
             "class_name": class_label(cls) if cls is not None else ""} for p, cls in rows]


def host_view(game: LiveGame, now: datetime) -> dict[str, Any]:
    """Everything the projector may show now (see the module docstring)."""
    view: dict[str, Any] = {
        **_game_part(game), "code": game.code, "paused": game.status == "paused",
        "question": None, "reveal": None, "board": None, "teams": None, "podium": None,
    }
    view["players"] = _players(game)
    view["player_count"] = len(view["players"])
    index = game.current_index
    shown = effective_status(game)
    if shown in ("question_open", "question_closed", "revealed") and index >= 0:
        version = _version(game, index)
        summary = _summary(game, index, shown)
        seconds_left = None
        if game.status == "question_open":
            seconds_left = _seconds_left(game.question_closes_at, now)
        elif game.status == "paused" and game.paused_remaining_ms is not None:
            seconds_left = (game.paused_remaining_ms + 999) // 1000
        view["question"] = {
            "position": index, "stem": version.stem, "type": version.type,
            "options": option_labels(version), "seconds_left": seconds_left,
            "answered": summary.answered, "eligible": summary.eligible,
        }
        if shown == "revealed":
            top = max(summary.counts) if summary.counts else 0
            view["reveal"] = {
                "correct_options": list(version.answer), "counts": summary.counts,
                "bars": [round(100 * count / top) if top else 0 for count in summary.counts],
                "correct": summary.correct,
                "share_correct": None if summary.share_correct is None
                else round(100 * summary.share_correct),
                "most_common_wrong": summary.most_common_wrong,
                "explanation": version.explanation, "authority": version.authority,
            }
    board = None
    if _boards_visible(game) and game.status != "paused":
        board = _leaderboard(game)
        view["board"] = _board_rows(board, BOARD_ROWS)
        if game.team_count > 0:
            view["teams"] = _team_rows(game, board)
    if game.status == "finished":
        view["podium"] = _podium(game, board if board is not None else _leaderboard(game))
    return view


def host_poll(game: LiveGame, now: datetime) -> dict[str, Any]:
    """The projector's quick poll (about once a second): only what its page updates in
    place (the version, to reload the page when the game moves on; the players joined; the
    seconds left and how many answered). One counting query; the question closes here when
    everyone who can answer has (each answer closes it too: this catches a removed player
    who was the last one waited for)."""
    players, eligible, answered = room_counts(game.id, game.current_index)
    if game.status == "question_open" and 0 < eligible <= answered \
            and close_answered(game.id, game.current_index):
        db.session.refresh(game)
    poll: dict[str, Any] = {"v": game.state_version, "status": game.status, "question": None,
                            "player_count": players}
    if effective_status(game) in ("question_open", "question_closed", "revealed") \
            and game.current_index >= 0:
        seconds_left = None
        if game.status == "question_open":
            seconds_left = _seconds_left(game.question_closes_at, now)
        elif game.status == "paused" and game.paused_remaining_ms is not None:
            seconds_left = (game.paused_remaining_ms + 999) // 1000
        poll["question"] = {"position": game.current_index, "seconds_left": seconds_left,
                            "answered": answered, "eligible": eligible}
    return poll


def _summary(game: LiveGame, index: int, shown: str) -> live_scoring.QuestionSummary:
    """How the room answered: live while answers may still arrive, once per state version
    after the reveal."""
    if shown != "revealed":
        return live_scoring.question_summary(game, index)
    return live_cache.cached(game, f"summary:{index}",
                             lambda: live_scoring.question_summary(game, index))


def wait_limit(game: LiveGame, now: datetime) -> float | None:
    """Seconds until the lazy clock may close the open question (a waiting phone should
    come back then, so that some request ticks it), or None when nothing is due."""
    if game.status != "question_open":
        return None
    extra = live_cache.cached(game, "max_extra", lambda: max_extra_seconds(game))
    deadline = latest_deadline(game, extra)
    if deadline is None:
        return None
    return max((deadline - now).total_seconds(), 0.0) + 0.05
