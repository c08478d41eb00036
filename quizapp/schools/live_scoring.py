"""Answers and scores in a live game: the points rule, the boards, a question's summary.

Points: 1000 for a correct answer with speed points off; with speed points on,
``round(1000 * (1 - 0.5 * min(elapsed, limit) / limit))``: 1000 for an instant answer, 500 at
the buzzer. A player's limit includes their own extra time, so extra time costs nothing.
Wrong answers score 0. Teams are ranked by the MEAN of their members' scores, so a team of
five and a team of seven compete fairly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, select

from quizapp.engine import clock
from quizapp.engine.attempts import GRACE, AttemptError, validated_choices, write_answer
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, LiveGame, LivePlayer, QuestionVersion
from quizapp.models.questions import is_correct_choice
from quizapp.schools.live_state import GameError, answer_counts, close_answered

POINTS = 1000


@dataclass(frozen=True)
class AnswerOutcome:
    """What happened to an answer: ``recorded`` is False for a repeat (the first answer's
    outcome is returned). ``correct`` and ``points`` are for the server until the reveal."""

    recorded: bool
    correct: bool
    points: int
    position: int
    choices: list[int]  # the ORIGINAL options of the (first) answer
    answered_at: datetime


@dataclass(frozen=True)
class BoardRow:
    rank: int
    player_id: int
    nickname: str
    team: int | None
    school_class_id: int | None
    score: int
    correct: int


@dataclass(frozen=True)
class TeamRow:
    rank: int
    team: int
    members: int
    total: int
    mean: float  # the team's score: the mean of its members' scores


@dataclass(frozen=True)
class QuestionSummary:
    index: int
    eligible: int  # seated players who could answer it
    answered: int
    correct: int
    counts: list[int]  # answers choosing each ORIGINAL option
    share_correct: float | None  # correct / answered
    most_common_wrong: int | None  # the ORIGINAL index of the wrong option chosen most


def points_for(correct: bool, elapsed_ms: int, limit_ms: int, speed_points: bool) -> int:
    """The points for one answer (see the module docstring)."""
    if not correct:
        return 0
    if not speed_points or limit_ms <= 0:
        return POINTS
    used = min(max(elapsed_ms, 0), limit_ms) / limit_ms
    return round(POINTS * (1 - 0.5 * used))


def player_deadline(game: LiveGame, player: LivePlayer) -> datetime | None:
    """When this player's answer to the open question is last accepted."""
    if game.question_closes_at is None:
        return None
    return game.question_closes_at + timedelta(seconds=player.extra_seconds) + GRACE


_ANSWER_ROW = (
    select(LiveGame.status, LiveGame.current_index, LiveGame.question_opened_at,
           LiveGame.question_closes_at, LiveGame.speed_points, LivePlayer.removed,
           LivePlayer.extra_seconds, Attempt.id, Attempt.status, AttemptItem.id,
           AttemptItem.shown_at, AttemptItem.option_order, AttemptItem.answered_at,
           AttemptItem.choices, AttemptItem.correct, AttemptItem.points, QuestionVersion.type,
           QuestionVersion.answer)
    .join(LivePlayer, LivePlayer.game_id == LiveGame.id)
    .join(Attempt, Attempt.id == LivePlayer.attempt_id)
    .join(AttemptItem, and_(AttemptItem.attempt_id == Attempt.id,
                            AttemptItem.position == LiveGame.current_index))
    .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
    .where(LiveGame.id == bindparam("game_id"), LivePlayer.id == bindparam("player_id"))
    .with_for_update(read=True, of=LiveGame))
_FIRST_ANSWER = select(AttemptItem.correct, AttemptItem.points, AttemptItem.choices,
                       AttemptItem.answered_at).where(
    AttemptItem.id == bindparam("item_id"))


def answer(game: LiveGame, player: LivePlayer, displayed_choices: list[int],
           now: datetime | None = None, *, position: int | None = None) -> AnswerOutcome:
    """Record this player's answer to the open question, exactly once.

    ``position`` is the question the phone was showing (its 0-based index in the game): pass
    it, so an answer sent just before the teacher moved on is refused (``not_open``) instead
    of landing on the next question with the same option positions.

    Refused (:class:`GameError`) with ``not_open`` unless that question is open, ``removed``,
    ``late`` for a player who joined after it opened, ``time_up`` after the player's own
    deadline, ``bad_choice``. The game row is share-locked while the answer is written, so a
    close, skip or reveal happens wholly before it (and refuses it) or wholly after.

    One query reads everything the checks need (the game, the seat, its attempt, its item of
    the open question and the question's key), the engine writes the answer, one more counts
    who has still to answer, one commit: constant in the size of the room.
    """
    now = now or clock.now()
    row = db.session.execute(_ANSWER_ROW, {"game_id": game.id, "player_id": player.id}).first()
    if row is None:  # no attempt yet, or the game has not started
        db.session.rollback()
        raise GameError("not_open" if player.attempt_id is not None else "removed")
    (status, index, opened_at, closes_at, speed, removed, extra_seconds, attempt_id,
     attempt_status, item_id, shown_at, option_order, answered_at, first_choices, was_correct,
     had_points, kind, key) = row
    if removed:
        db.session.rollback()
        raise GameError("removed")
    if (status != "question_open" or opened_at is None or closes_at is None
            or (position is not None and position != index)):
        db.session.rollback()
        raise GameError("not_open")
    if shown_at is None:
        db.session.rollback()
        raise GameError("late")
    extra_ms = extra_seconds * 1000
    if now > closes_at + timedelta(milliseconds=extra_ms) + GRACE:
        db.session.rollback()
        raise GameError("time_up")
    try:
        if attempt_status != "open":
            raise AttemptError("closed")
        choices = validated_choices(kind, option_order, displayed_choices)
    except AttemptError as error:
        db.session.rollback()
        raise GameError(error.code) from None
    if answered_at is not None:  # a repeat: the first answer's outcome
        db.session.rollback()
        return AnswerOutcome(recorded=False, correct=bool(was_correct),
                             points=int(had_points or 0), position=index,
                             choices=list(first_choices or []), answered_at=answered_at)
    correct = is_correct_choice(choices, key)
    limit_ms = int((closes_at - opened_at).total_seconds() * 1000) + extra_ms
    elapsed_ms = max(int((now - opened_at).total_seconds() * 1000), 0)
    points = points_for(correct, elapsed_ms, limit_ms, speed)
    if not write_answer(item_id, attempt_id, choices, correct=correct, points=float(points),
                        shown_at=opened_at, now=now):
        # Another copy of this answer won the race after the read: report its outcome.
        db.session.rollback()
        first = db.session.execute(_FIRST_ANSWER, {"item_id": item_id}).one()
        return AnswerOutcome(recorded=False, correct=bool(first.correct),
                             points=int(first.points or 0), position=index,
                             choices=list(first.choices or []), answered_at=first.answered_at)
    game_id = game.id  # read before the commit expires an ORM game
    db.session.commit()
    # Counted after the commit: of two last answers at once, the later count sees both.
    answered, eligible = answer_counts(game_id, index)
    if eligible > 0 and answered >= eligible:
        close_answered(game_id, index)  # everyone who can answer has (once, compare-and-set)
    return AnswerOutcome(recorded=True, correct=correct, points=points, position=index,
                         choices=choices, answered_at=now)


def leaderboard(game: LiveGame) -> list[BoardRow]:
    """Seated players by score (ties share a rank, then by nickname); removed players out."""
    rows = db.session.execute(
        select(LivePlayer.id, LivePlayer.nickname, LivePlayer.team, LivePlayer.school_class_id,
               Attempt.score, Attempt.correct_count)
        .join(Attempt, Attempt.id == LivePlayer.attempt_id)
        .where(LivePlayer.game_id == game.id, LivePlayer.removed.is_(False))
        .order_by(Attempt.score.desc(), LivePlayer.nickname_key, LivePlayer.id)).all()
    board: list[BoardRow] = []
    for position, (pid, nickname, team, class_id, score, correct) in enumerate(rows, start=1):
        points = int(round(score or 0))
        rank = board[-1].rank if board and board[-1].score == points else position
        board.append(BoardRow(rank=rank, player_id=pid, nickname=nickname, team=team,
                              school_class_id=class_id, score=points, correct=correct or 0))
    return board


def team_board(game: LiveGame, board: list[BoardRow] | None = None) -> list[TeamRow]:
    """Teams by the mean of their members' scores (ties share a rank, then by number);
    ``board``: the game's leaderboard if the caller has it."""
    if game.team_count <= 0:
        return []
    totals: Counter = Counter()
    members: Counter = Counter()
    for row in leaderboard(game) if board is None else board:
        if row.team is not None:
            totals[row.team] += row.score
            members[row.team] += 1
    teams = [(team, members[team], totals[team],
              round(totals[team] / members[team], 1) if members[team] else 0.0)
             for team in range(game.team_count)]
    teams.sort(key=lambda t: (-t[3], t[0]))
    board: list[TeamRow] = []
    for position, (team, count, total, mean) in enumerate(teams, start=1):
        rank = board[-1].rank if board and board[-1].mean == mean else position
        board.append(TeamRow(rank=rank, team=team, members=count, total=total, mean=mean))
    return board


def podium(game: LiveGame, board: list[BoardRow] | None = None) -> list[BoardRow] | list[TeamRow]:
    """The first three places (everyone who shares one of them): teams in team mode."""
    board = leaderboard(game) if board is None else board
    rows = team_board(game, board) if game.team_count > 0 else board
    return [row for row in rows if row.rank <= 3]


def question_summary(game: LiveGame, index: int) -> QuestionSummary:
    """How the room answered question ``index`` (seated players only), in ORIGINAL options."""
    version = db.session.get(QuestionVersion, game.version_ids[index])
    items = db.session.execute(
        select(AttemptItem.choices, AttemptItem.correct, AttemptItem.answered_at,
               AttemptItem.shown_at)
        .join(LivePlayer, LivePlayer.attempt_id == AttemptItem.attempt_id)
        .where(LivePlayer.game_id == game.id, LivePlayer.removed.is_(False),
               AttemptItem.position == index)).all()
    counts = [0] * version.choice_count
    wrong: Counter = Counter()
    key = set(version.answer)
    answered = correct = eligible = 0
    for choices, is_correct, answered_at, shown_at in items:
        if shown_at is not None:
            eligible += 1
        if answered_at is None:
            continue
        answered += 1
        correct += bool(is_correct)
        for choice in choices or []:
            if 0 <= choice < len(counts):
                counts[choice] += 1
            if not is_correct and choice not in key:
                wrong[choice] += 1
    most_wrong = min(wrong, key=lambda c: (-wrong[c], c)) if wrong else None
    return QuestionSummary(
        index=index, eligible=eligible, answered=answered, correct=correct, counts=counts,
        share_correct=(correct / answered) if answered else None, most_common_wrong=most_wrong)
