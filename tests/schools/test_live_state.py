"""The live game's state machine: every action from every state, the clock, conflicts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from quizapp.extensions import db
from tests.schools.live_fixtures import *  # noqa: F401,F403
from tests.schools.live_fixtures import right_choices

STATES = ("lobby", "question_open", "question_closed", "revealed", "paused", "finished")
ACTIONS = ("start", "close_question", "reveal", "next_question", "skip", "pause", "resume",
           "extend", "end", "tick")

# Written by hand from the issue and the contract (not read from TRANSITIONS): the state each
# legal action leads to from the game prepared by _game_in(state). Everything else is illegal.
# The paused game was paused while its first question was open, so resume goes back there;
# skip goes on to the next question; tick is asked after everyone's time is up.
LEGAL = {
    ("start", "lobby"): "question_open",
    ("close_question", "question_open"): "question_closed",
    ("reveal", "question_open"): "revealed",
    ("reveal", "question_closed"): "revealed",
    ("next_question", "revealed"): "question_open",
    ("skip", "question_open"): "question_open",
    ("skip", "question_closed"): "question_open",
    ("pause", "lobby"): "paused",
    ("pause", "question_open"): "paused",
    ("pause", "question_closed"): "paused",
    ("pause", "revealed"): "paused",
    ("resume", "paused"): "question_open",
    ("extend", "question_open"): "question_open",
    ("end", "lobby"): "finished",
    ("end", "question_open"): "finished",
    ("end", "question_closed"): "finished",
    ("end", "revealed"): "finished",
    ("end", "paused"): "finished",
    ("tick", "question_open"): "question_closed",
}
# The question each legal action leaves the game on.
INDEX_AFTER = {("start", "lobby"): 0, ("next_question", "revealed"): 1,
               ("skip", "question_open"): 1, ("skip", "question_closed"): 1}


def _game_in(make_game, state: str):
    from quizapp.schools import live_state

    game = make_game()
    if state == "lobby":
        return game
    if state == "finished":
        return live_state.end(game)
    live_state.start(game)
    if state == "paused":
        return live_state.pause(game)
    if state in ("question_closed", "revealed"):
        live_state.close_question(game)
    if state == "revealed":
        live_state.reveal(game)
    return game


def _act(game, action: str, now):
    from quizapp.schools import live_state

    if action == "extend":
        return live_state.extend(game, 10)
    if action == "tick":
        now.move(seconds=60)
        return live_state.tick(game)
    return getattr(live_state, action)(game)


def test_the_table_names_every_action_and_state():
    from quizapp.models.schools import GAME_STATES
    from quizapp.schools.live_state import TRANSITIONS

    assert set(TRANSITIONS) == set(ACTIONS)
    assert set(GAME_STATES) == set(STATES)
    legal_in_table = {(action, state) for action, (sources, _) in TRANSITIONS.items()
                      for state in sources}
    assert legal_in_table == set(LEGAL)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_from_every_state(make_game, now, action, state):
    from quizapp.schools.live_state import GameError

    game = _game_in(make_game, state)
    assert game.status == state
    version, index = game.state_version, game.current_index
    if (action, state) in LEGAL:
        _act(game, action, now)
        db.session.refresh(game)
        assert game.status == LEGAL[(action, state)]
        assert game.state_version == version + 1
        assert game.current_index == INDEX_AFTER.get((action, state), index)
    elif action == "tick":
        assert _act(game, action, now) is False  # the clock never raises, it does nothing
        db.session.refresh(game)
        assert (game.status, game.state_version) == (state, version)
    else:
        with pytest.raises(GameError) as raised:
            _act(game, action, now)
        assert raised.value.code == "illegal"
        db.session.refresh(game)
        assert (game.status, game.state_version, game.current_index) == (state, version, index)


def test_a_whole_game_and_its_times(make_game, now):
    from quizapp.schools import live_state

    start = now.value
    game = make_game(seconds_per_question=30)
    assert (game.status, game.current_index, game.state_version) == ("lobby", -1, 0)
    live_state.start(game)
    assert game.started_at == start
    assert (game.question_opened_at, game.question_closes_at) == (
        start, start + timedelta(seconds=30))
    for index in range(4):
        assert (game.status, game.current_index) == ("question_open", index)
        now.move(seconds=10)
        live_state.close_question(game)
        live_state.reveal(game)
        now.move(seconds=5)
        live_state.next_question(game)
    assert game.status == "finished" and game.finished_at == start + timedelta(seconds=60)
    assert game.current_index == 3
    assert game.state_version == 1 + 4 * 3  # start, then close, reveal, next per question


def test_skipping_the_last_question_finishes(make_game, school, now):
    from quizapp.models import Attempt
    from quizapp.schools import live_players, live_state

    game = make_game()
    player, _ = live_players.join(game, "甲", school.classes[0].id)
    live_state.start(game)
    for _ in range(3):
        live_state.skip(game)
    assert (game.status, game.current_index) == ("question_open", 3)
    live_state.skip(game)
    assert game.status == "finished"
    assert db.session.get(Attempt, player.attempt_id).status == "finished"


def test_end_closes_every_seated_attempt(make_game, school, now):
    from quizapp.models import Attempt
    from quizapp.schools import live_players, live_state

    game = make_game()
    one, _ = live_players.join(game, "甲", school.classes[0].id)
    two, _ = live_players.join(game, "乙", school.classes[0].id)
    live_state.start(game)
    now.move(seconds=3)
    live_state.end(game)
    for player in (one, two):
        attempt = db.session.get(Attempt, player.attempt_id)
        assert (attempt.status, attempt.finished_at) == ("finished", now.value)


def test_pause_keeps_the_time_left_and_speed_points_do_not_count_the_pause(
        make_game, school, now):
    from quizapp.schools import live_players, live_scoring, live_state

    game = make_game(seconds_per_question=20)
    player, _ = live_players.join(game, "甲", school.classes[0].id)
    opened = now.value
    live_state.start(game)
    now.move(seconds=5)
    live_state.pause(game)
    assert (game.status, game.paused_status, game.paused_remaining_ms) == (
        "paused", "question_open", 15000)
    now.move(seconds=60)
    live_state.resume(game)
    assert (game.status, game.paused_status, game.paused_remaining_ms) == (
        "question_open", None, None)
    # 15 s left from the resume at 65 s; the question counts as opened at 60 s.
    assert game.question_closes_at == opened + timedelta(seconds=80)
    assert game.question_opened_at == opened + timedelta(seconds=60)
    now.move(seconds=3)
    outcome = live_scoring.answer(game, player, right_choices(player, 0))
    # 8 s of 20 used (5 before the pause, 3 after): round(1000 * (1 - 0.5 * 0.4)) = 800.
    assert outcome.points == 800


def test_pausing_after_the_deadline_keeps_no_time(make_game, now):
    from quizapp.schools import live_state

    game = make_game(seconds_per_question=20)
    live_state.start(game)
    now.move(seconds=21)
    live_state.pause(game)
    assert game.paused_remaining_ms == 0


@pytest.mark.parametrize("paused_from", ["lobby", "question_closed", "revealed"])
def test_resume_goes_back_to_where_it_paused(make_game, now, paused_from):
    from quizapp.schools import live_state

    game = _game_in(make_game, paused_from)
    closes = game.question_closes_at
    live_state.pause(game)
    now.move(seconds=30)
    live_state.resume(game)
    assert game.status == paused_from and game.question_closes_at == closes


def test_extend_adds_time_and_refuses_odd_amounts(make_game, now):
    from quizapp.schools import live_state
    from quizapp.schools.live_state import GameError

    game = _game_in(make_game, "question_open")
    closes = game.question_closes_at
    live_state.extend(game, 15)
    assert game.question_closes_at == closes + timedelta(seconds=15)
    for seconds in (0, -5, 301, "10", 2.5, True, 10**12):
        with pytest.raises(GameError) as raised:
            live_state.extend(game, seconds)
        assert raised.value.code == "invalid"
    assert game.question_closes_at == closes + timedelta(seconds=15)


def test_the_clock_waits_for_the_longest_extra_time_plus_grace(make_game, school, now):
    from quizapp.schools import live_players, live_state

    game = make_game(seconds_per_question=20)
    live_players.join(game, "甲", school.classes[0].id)
    slow, _ = live_players.join(game, "乙", school.classes[0].id)
    live_players.set_extra_time(game, slow.id, 10)
    live_state.start(game)
    # Closes at 20 s; the slow player has 10 s more, and the grace is 2 s: 32 s.
    now.move(seconds=32)
    assert live_state.tick(game) is False and game.status == "question_open"
    now.move(milliseconds=1)
    version = game.state_version
    assert live_state.tick(game) is True
    assert game.status == "question_closed" and game.state_version == version + 1
    assert live_state.tick(game) is False and game.state_version == version + 1


def test_the_clock_closes_when_everyone_who_can_answer_has(make_game, school, now):
    from quizapp.schools import live_players, live_scoring, live_state

    game = make_game()
    one, _ = live_players.join(game, "甲", school.classes[0].id)
    two, _ = live_players.join(game, "乙", school.classes[0].id)
    live_state.start(game)
    live_players.join(game, "迟到", school.classes[0].id)  # late: not waited for
    now.move(seconds=2)
    live_scoring.answer(game, one, right_choices(one, 0))
    assert game.status == "question_open"
    assert live_state.answer_counts(game.id, 0) == (1, 2)
    now.move(seconds=1)
    live_scoring.answer(game, two, right_choices(two, 0))  # the last one: closes at once
    db.session.refresh(game)
    assert game.status == "question_closed"


def test_the_clock_does_not_run_while_paused(make_game, now):
    from quizapp.schools import live_state

    game = _game_in(make_game, "question_open")
    live_state.pause(game)
    now.move(seconds=600)
    assert live_state.tick(game) is False and game.status == "paused"


def test_a_stale_view_gets_a_conflict_and_the_current_state(make_game, now):
    from quizapp.models import LiveGame
    from quizapp.schools import live_state
    from quizapp.schools.live_state import GameError

    game = _game_in(make_game, "question_open")
    seen = game.state_version
    # Another worker closes the question behind this request's back.
    with db.engine.begin() as connection:
        connection.execute(update(LiveGame).where(LiveGame.id == game.id).values(
            status="question_closed", state_version=seen + 1))
    assert game.state_version == seen  # still the stale view
    with pytest.raises(GameError) as raised:
        live_state.close_question(game)
    assert raised.value.code == "conflict"
    assert (game.status, game.state_version) == ("question_closed", seen + 1)
    # A stale clock loses quietly.
    game2 = _game_in(make_game, "question_open")
    with db.engine.begin() as connection:
        connection.execute(update(LiveGame).where(LiveGame.id == game2.id).values(
            state_version=game2.state_version + 1))
    now.move(seconds=600)
    assert live_state.tick(game2) is False


def test_create_game_draws_a_code_free_among_unfinished_games(make_game, monkeypatch):
    from quizapp.schools import live_state

    codes = iter(["042042", "042042", "777777", "042042"])
    monkeypatch.setattr(live_state, "new_code", lambda: next(codes))
    first = make_game()
    second = make_game()  # 042042 is taken: draws again
    assert (first.code, second.code) == ("042042", "777777")
    assert len(first.token) >= 20 and first.token != second.token
    live_state.end(first)
    third = make_game()  # a finished game's code comes back
    assert third.code == "042042"


def test_create_game_refuses_bad_options(school, questions, app):
    from quizapp.schools import live_state
    from quizapp.schools.live_state import GameError

    base = {"title": "t", "school_id": school.id, "teacher_id": None, "question_set_id": None}
    for versions, options, code in (
            ([], {}, "empty"),
            (questions, {"team_count": 5}, "invalid"),
            (questions, {"team_count": 1}, "invalid"),
            (questions, {"seconds_per_question": 4}, "invalid"),
            (questions, {"seconds_per_question": 601}, "invalid")):
        with pytest.raises(GameError) as raised:
            live_state.create_game(versions, **base, **options)
        assert raised.value.code == code
    game = live_state.create_game(questions, **base, seconds_per_question=45, team_count=3,
                                  speed_points=False, calm=True)
    assert (game.seconds_per_question, game.team_count, game.speed_points, game.calm) == (
        45, 3, False, True)
    assert game.version_ids == [q.id for q in questions]
